// Synthetic clustered binary features: per class a random prototype with
// `density` of its bits set; each sample flips every bit of it with
// probability `flip`. Seeded, so every run draws the same data.
import { LearningRng } from '../../src-engine/learning/rng';

export function clusteredBinary(o: {
  classes: number;
  perClass: number;
  inputSize: number;
  density: number;
  flip: number;
  seed: number;
}): Uint8Array[][] {
  const rng = new LearningRng(o.seed);
  const out: Uint8Array[][] = [];
  for (let c = 0; c < o.classes; c++) {
    const proto = new Uint8Array(o.inputSize);
    for (let i = 0; i < o.inputSize; i++) proto[i] = rng.nextFloat() < o.density ? 1 : 0;
    const samples: Uint8Array[] = [];
    for (let s = 0; s < o.perClass; s++) {
      const x = new Uint8Array(o.inputSize);
      for (let i = 0; i < o.inputSize; i++) x[i] = rng.nextFloat() < o.flip ? 1 - proto[i] : proto[i];
      samples.push(x);
    }
    out.push(samples);
  }
  return out;
}
