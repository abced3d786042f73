/**
 * The two resamplers between raw media and the encoders: webcam frames of any
 * size to the emulated sensor's pixels, and audio of any rate to the cochlea's.
 * Both are streaming, allocation-free per call after the first, and pure
 * functions of their input (so training data and live input agree exactly).
 */

/**
 * Area-average resize of an 8-bit luma image after a centre crop to the
 * target's aspect ratio: each output pixel is the mean of the source pixels
 * whose centres fall in its footprint (at least one), rounded to nearest.
 */
export class LumaResizer {
  private srcW = 0;
  private srcH = 0;
  private x0 = new Int32Array(0);
  private x1 = new Int32Array(0);
  private y0 = new Int32Array(0);
  private y1 = new Int32Array(0);
  private readonly out: Uint8Array;
  private readonly rowSum: Uint32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.out = new Uint8Array(width * height);
    this.rowSum = new Uint32Array(width);
  }

  /** The resized frame (a buffer owned by the resizer, overwritten by the next call). */
  resize(luma: Uint8Array, w: number, h: number): Uint8Array {
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new RangeError(`video frame size must be whole pixels, not ${w}×${h}`);
    if (luma.length < w * h) throw new RangeError(`video frame has ${luma.length} bytes, ${w}×${h} luma needs ${w * h}`);
    if (w === this.width && h === this.height) {
      this.out.set(luma.subarray(0, w * h));
      return this.out;
    }
    if (w !== this.srcW || h !== this.srcH) this.plan(w, h);
    const W = this.width, H = this.height, { x0, x1, y0, y1, rowSum, out } = this;
    for (let oy = 0; oy < H; oy++) {
      rowSum.fill(0);
      const ya = y0[oy], yb = y1[oy];
      for (let y = ya; y < yb; y++) {
        const row = y * w;
        for (let ox = 0; ox < W; ox++) {
          let s = 0;
          for (let x = x0[ox], xe = x1[ox]; x < xe; x++) s += luma[row + x];
          rowSum[ox] += s;
        }
      }
      const ny = yb - ya;
      for (let ox = 0; ox < W; ox++) {
        const n = ny * (x1[ox] - x0[ox]);
        out[oy * W + ox] = Math.floor((rowSum[ox] + (n >> 1)) / n);
      }
    }
    return out;
  }

  private plan(w: number, h: number): void {
    this.srcW = w;
    this.srcH = h;
    // centre crop to the target aspect: keep the full extent of the tighter side
    let cw = w, ch = h;
    if (w * this.height > h * this.width) cw = Math.max(1, Math.round((h * this.width) / this.height));
    else ch = Math.max(1, Math.round((w * this.height) / this.width));
    const cx = (w - cw) >> 1, cy = (h - ch) >> 1;
    const span = (n: number, crop: number, off: number, a: Int32Array, b: Int32Array): void => {
      for (let o = 0; o < n; o++) {
        let lo = off + Math.floor((o * crop) / n);
        let hi = off + Math.floor(((o + 1) * crop) / n);
        if (hi <= lo) hi = lo + 1; // upscaling: nearest source pixel
        if (hi > off + crop) { hi = off + crop; lo = Math.min(lo, hi - 1); }
        a[o] = lo;
        b[o] = hi;
      }
    };
    this.x0 = new Int32Array(this.width);
    this.x1 = new Int32Array(this.width);
    this.y0 = new Int32Array(this.height);
    this.y1 = new Int32Array(this.height);
    span(this.width, cw, cx, this.x0, this.x1);
    span(this.height, ch, cy, this.y0, this.y1);
  }
}

const TAPS = 33; // odd: a linear-phase FIR with an integer delay of (TAPS − 1)/2 samples

/**
 * Streaming audio resampler: a windowed-sinc low-pass at 0.45 × the lower of
 * the two rates (anti-aliasing when going down), then linear interpolation.
 * The output clock starts at the first input sample; sample k of the output is
 * at k / outRate seconds after it. The FIR's group delay is compensated, so a
 * sound keeps its timing.
 */
export class AudioResampler {
  private readonly kernel: Float64Array;
  private readonly hist = new Float64Array(TAPS);
  private histPos = 0;
  /** filtered input samples produced so far (the n-th sits at (n − delay)/inRate) */
  private nIn = 0;
  private prevFiltered = 0;
  /** next output sample index */
  private nOut = 0;
  private out = new Float32Array(0);
  readonly delay = (TAPS - 1) / 2;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    if (!(inRate > 0) || !(outRate > 0)) throw new RangeError(`sample rates must be positive, not ${inRate} → ${outRate}`);
    const fc = (0.45 * Math.min(inRate, outRate)) / inRate; // cycles per input sample
    const k = new Float64Array(TAPS);
    let sum = 0;
    for (let i = 0; i < TAPS; i++) {
      const m = i - this.delay;
      const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
      const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1)); // Blackman
      k[i] = sinc * w;
      sum += k[i];
    }
    for (let i = 0; i < TAPS; i++) k[i] /= sum;
    this.kernel = k;
  }

  /** Resamples the next chunk; returns a buffer owned by the resampler (valid until the next call). */
  push(pcm: Float32Array): Float32Array {
    const ratio = this.inRate / this.outRate;
    const maxOut = Math.ceil(pcm.length / ratio) + 2;
    if (this.out.length < maxOut) this.out = new Float32Array(maxOut);
    const out = this.out, hist = this.hist, kern = this.kernel;
    let produced = 0;
    for (let i = 0; i < pcm.length; i++) {
      hist[this.histPos] = pcm[i];
      this.histPos = (this.histPos + 1) % TAPS;
      let acc = 0;
      for (let j = 0, p = this.histPos; j < TAPS; j++) {
        acc += kern[j] * hist[p];
        p = p + 1 === TAPS ? 0 : p + 1;
      }
      // filtered sample n = nIn stands for input time (n − delay); emit every
      // output sample whose position falls in (n − 1 − delay, n − delay]
      const n = this.nIn++;
      const hi = n - this.delay;
      for (;;) {
        const pos = this.nOut * ratio;
        if (pos > hi) break;
        const frac = pos - (hi - 1);
        out[produced++] = frac >= 0 ? this.prevFiltered + (acc - this.prevFiltered) * frac : acc;
        this.nOut++;
      }
      this.prevFiltered = acc;
    }
    return out.subarray(0, produced);
  }
}
