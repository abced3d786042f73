// A small seeded PRNG for the sensor encoders: the same seed gives the same
// sensor (threshold mismatch) and the same noise, in Node and in browsers.
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state,
// passes PractRand, ~1 ns per draw in V8 with plain int32 arithmetic.

export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** spare standard normal from the last Box–Muller pair, NaN when none */
  private spare = NaN;

  constructor(seed = 1) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    // splitmix32 spreads any integer seed (also 0) over the four words
    let s = (Math.trunc(seed) | 0) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    this.spare = NaN;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** uniform integer in [0, 2^32) */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform in [0, 1) */
  uniform(): number {
    return this.uint32() / 4294967296;
  }

  /** uniform in (0, 1]: safe under a logarithm */
  uniformOpen0(): number {
    return (this.uint32() + 1) / 4294967296;
  }

  /** standard normal (Box–Muller, the pair's second value kept for the next call) */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniformOpen0()));
    const phi = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(phi);
    return r * Math.cos(phi);
  }
}
