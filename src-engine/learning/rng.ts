// Seeded PRNG for the learners: mulberry32, a single 32-bit word of state, so
// the generator can be saved with the learned state and resumed exactly.

export class LearningRng {
  private s: number;

  constructor(seed: number) {
    this.s = (Math.trunc(seed) | 0) >>> 0;
  }

  /** the current state word, for serialisation */
  get state(): number {
    return this.s;
  }

  set state(v: number) {
    this.s = v >>> 0;
  }

  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** uniform in [0, 1) */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** uniform integer in [0, n) */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

/**
 * Moves k uniformly chosen entries of items[0..count) to items[0..k) (partial
 * Fisher–Yates), in place; the caller reads the first k.
 */
export function choosePrefix(rng: LearningRng, items: Uint32Array, count: number, k: number): void {
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(count - i);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
}
