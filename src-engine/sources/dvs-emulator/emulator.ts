// Intensity frames → DVS events, after the published v2e pixel model
// (Hu, Liu, Delbruck 2021; SensorsINI/v2e `emulator.py`). Per pixel:
//
//   L   = lin_log(luma)                      (params.ts)
//   lp  = photoreceptor low-pass of L, cut-off ∝ (luma + 20)/275 (off when cutoffHz = 0)
//   mem −= Δt · leakRate · θ_on              (leak: drives slow ON events)
//   n   = ⌊(lp − mem)/θ_on⌋ ON or ⌊(mem − lp)/θ_off⌋ OFF crossings
//   each crossing gets the time where the straight line from the previous lp to
//   this one meets the level mem ± k·θ, inside (t_prev, t_now]; an event inside
//   the refractory period of the pixel's previous event is dropped
//   mem += (emitted ON)·θ_on − (emitted OFF)·θ_off   (only what was emitted)
//   shot noise: Poisson(rate·Δt) per pixel, random polarity and time; a noise
//   event resets mem to lp (v2e does the same)
//
// Where this differs from v2e, on purpose:
// - the low-pass is the exact solution of the first-order RC equation for an
//   input that ramps linearly between frames, not v2e's Euler step clamped at
//   ε ≤ 1, so it stays stable and meaningful at webcam frame rates (v2e
//   up-samples video with SuperSloMo before it filters);
// - v2e spreads the k-th event of every pixel to the same k-th of max(n) equal
//   sub-steps; here each crossing keeps its own interpolated time (as ESIM does);
// - shot noise gets uniform random times in the interval rather than the last
//   sub-step's time, and its rate does not depend on intensity.
//
// Output order: by t; equal t keep generation order (signal events in
// row-major pixel order, then shot noise). Times are whole µs.
import type { EventBatch, Geometry } from '../../events/batch';
import { emptyBatch, makeBatch } from '../../events/batch';
import { Random } from '../random';
import { KeySorter } from './key-sort';
import type { DvsEmulatorConfig, DvsParams } from './params';
import { MIN_THRESHOLD, linLogTable, resolveDvsParams } from './params';

/** Longest interval between two frames over which events are spread (2^32 − 1 µs ≈ 71 min). */
const MAX_SPAN_US = 0xffffffff;
/** Guards ⌊d/θ⌋ against d = k·θ − 1 ulp after a level went up and came back down. */
const CROSSING_EPS = 1e-9;

export class DvsEmulator {
  readonly geometry: Geometry;
  readonly params: Readonly<DvsParams>;
  /** per-pixel ON / OFF thresholds (row-major), drawn once from the seed */
  readonly thresholdOn: Float64Array;
  readonly thresholdOff: Float64Array;

  private readonly n: number;
  private readonly seed: number;
  private readonly lut: Float64Array;
  private readonly noise: Random;
  /** photoreceptor output (ln units) */
  private readonly lp: Float64Array;
  /** memorised brightness at the last event (the change detector's reference) */
  private readonly mem: Float64Array;
  /** time of each pixel's last event, µs (−∞ = none yet) */
  private readonly lastEventUs: Float64Array;
  /** the previous frame's luma (the low-pass integrates the ramp between frames) */
  private readonly prevLuma: Uint8Array;
  /** per-luma low-pass coefficients for the current Δt */
  private readonly lpA = new Float64Array(256);
  private readonly lpC = new Float64Array(256);
  private readonly sorter = new KeySorter();

  // events of the current push before sorting: time offset in µs, pixel (y·2^16 + x), polarity
  private keys = new Uint32Array(1 << 14);
  private pix = new Uint32Array(1 << 14);
  private pol = new Uint8Array(1 << 14);
  private count = 0;

  private tPrev = NaN;

  constructor(cfg: DvsEmulatorConfig) {
    const { width, height } = cfg;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
      throw new RangeError(`DVS emulator: width and height must be whole numbers from 1 to 65535, not ${width}×${height}`);
    }
    this.geometry = { width, height };
    this.params = resolveDvsParams(cfg);
    this.seed = cfg.seed ?? 1;
    if (!Number.isFinite(this.seed)) throw new RangeError(`DVS emulator: seed must be a finite number, not ${cfg.seed}`);
    const n = (this.n = width * height);
    this.lut = linLogTable(this.params.linLogThreshold);

    // Sensor mismatch is part of the sensor: drawn once, from its own stream.
    const rng = new Random(this.seed);
    const { thresholdOn: on, thresholdOff: off, sigmaThreshold: sigma } = this.params;
    this.thresholdOn = new Float64Array(n);
    this.thresholdOff = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.thresholdOn[i] = Math.max(MIN_THRESHOLD, on + sigma * rng.normal());
      this.thresholdOff[i] = Math.max(MIN_THRESHOLD, off + sigma * rng.normal());
    }
    this.noise = new Random(this.seed ^ 0x5eed5eed);
    this.lp = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.lastEventUs = new Float64Array(n);
    this.prevLuma = new Uint8Array(n);
    this.reset();
  }

  /** Forgets the scene (the next frame only initialises); keeps the sensor's thresholds; restarts the noise sequence. */
  reset(): void {
    this.tPrev = NaN;
    this.lastEventUs.fill(-Infinity);
    this.noise.reseed(this.seed ^ 0x5eed5eed);
    this.count = 0;
  }

  /**
   * Feeds one luma frame (width × height, row-major, 0–255) taken at `tUs`
   * (whole µs, after the previous frame's). Returns the events since the
   * previous frame, sorted by time; the first frame returns none.
   */
  push(frame: Uint8Array, tUs: number): EventBatch {
    if (!(frame instanceof Uint8Array) || frame.length !== this.n) {
      throw new RangeError(`DVS emulator: expected a ${this.geometry.width}×${this.geometry.height} luma frame (${this.n} bytes), got ${frame?.length ?? typeof frame}`);
    }
    if (!Number.isSafeInteger(tUs)) throw new RangeError(`DVS emulator: frame time must be a whole number of µs, not ${tUs}`);
    if (Number.isNaN(this.tPrev)) {
      this.initialise(frame);
      this.tPrev = tUs;
      return emptyBatch();
    }
    if (tUs <= this.tPrev) throw new RangeError(`DVS emulator: frame time ${tUs} µs must be after the previous frame's (${this.tPrev} µs)`);
    const span = Math.min(tUs - this.tPrev, MAX_SPAN_US);
    const tStart = tUs - span;
    this.count = 0;
    this.signalEvents(frame, span, tStart);
    if (this.params.shotNoiseRateHz > 0) this.shotNoise(span);
    this.tPrev = tUs;
    return this.sortedBatch(tStart, span);
  }

  private initialise(frame: Uint8Array): void {
    const lut = this.lut, lp = this.lp, mem = this.mem;
    for (let i = 0; i < this.n; i++) {
      const L = lut[frame[i]];
      lp[i] = L;
      mem[i] = L;
    }
    this.prevLuma.set(frame);
  }

  /**
   * Coefficients of the exact RC step for an input ramping from L0 to L1 over
   * Δt with time constant τ' = τ / inten(luma):
   *   lp1 = L1 − (L1 − L0)·C + (lp0 − L0)·A,   A = e^(−Δt/τ'),  C = (τ'/Δt)(1 − A).
   */
  private lowPassTables(spanUs: number): void {
    const tau = 1 / (2 * Math.PI * this.params.cutoffHz);
    const dt = spanUs * 1e-6;
    for (let v = 0; v < 256; v++) {
      const tauV = tau / ((v + 20) / 275); // v2e's rescale_intensity_frame: brighter → faster
      const a = Math.exp(-dt / tauV);
      this.lpA[v] = a;
      this.lpC[v] = (tauV / dt) * (1 - a);
    }
  }

  private signalEvents(frame: Uint8Array, span: number, tStart: number): void {
    const { cutoffHz, leakRateHz, refractoryUs } = this.params;
    const lowPass = cutoffHz > 0;
    if (lowPass) this.lowPassTables(span);
    const lut = this.lut, lp = this.lp, mem = this.mem, last = this.lastEventUs, prev = this.prevLuma;
    const thOn = this.thresholdOn, thOff = this.thresholdOff, A = this.lpA, C = this.lpC;
    const leakPerTheta = leakRateHz * span * 1e-6;
    const n = this.n;
    // the hot loop keeps the event columns in locals; `reserve` regrows them between pixels
    let keys = this.keys, pix = this.pix, pol = this.pol, count = this.count, cap = keys.length;
    const w = this.geometry.width;
    for (let i = 0, x = -1, yw = 0; i < n; i++) {
      // pixel address packed as y·2^16 + x (both < 2^16)
      if (++x === w) { x = 0; yw += 0x10000; }
      const v = frame[i];
      const L1 = lut[v];
      const lp0 = lp[i];
      let lp1 = L1;
      if (lowPass) {
        const L0 = lut[prev[i]];
        lp1 = L1 - (L1 - L0) * C[v] + (lp0 - L0) * A[v];
        prev[i] = v;
      }
      lp[i] = lp1;
      let m = mem[i];
      const on = thOn[i];
      if (leakPerTheta > 0) {
        m -= leakPerTheta * on;
        mem[i] = m;
      }
      const diff = lp1 - m;
      let th: number, p: number;
      if (diff >= on) { th = on; p = 1; }
      else {
        th = thOff[i];
        if (-diff < th) continue;
        p = 0;
      }
      // Crossings in threshold units, signed so that they go upward: the ramp
      // from d0 (previous frame) to d1 passes the levels 1 … ⌊d1⌋.
      const sign = p === 1 ? 1 : -1;
      const d1 = (sign * diff) / th;
      const d0 = (sign * (lp0 - m)) / th;
      const k1 = Math.floor(d1 + CROSSING_EPS);
      if (count + k1 > cap) {
        this.count = count;
        this.reserve(count + k1);
        keys = this.keys; pix = this.pix; pol = this.pol; cap = keys.length;
      }
      const scale = d1 > d0 ? span / (d1 - d0) : 0;
      let tLast = last[i];
      let emitted = 0;
      for (let k = 1; k <= k1; k++) {
        // offset in (0, span] where the ramp reaches level k (at or before the start: 1 µs)
        let off = scale > 0 ? Math.ceil((k - d0) * scale) : span;
        if (off < 1) off = 1;
        else if (off > span) off = span;
        if (tStart + off - tLast < refractoryUs) continue;
        tLast = tStart + off;
        keys[count] = off;
        pix[count] = yw + x;
        pol[count] = p;
        count++;
        emitted++;
      }
      last[i] = tLast;
      mem[i] = m + sign * emitted * th;
    }
    this.count = count;
  }

  /**
   * Poisson shot noise at `rate` per pixel: the pixels hit in this interval
   * are found by geometric skipping (gap ~ ⌊−ln U / (rate·Δt)⌋), so the cost
   * is per noise event, not per pixel. A pixel fires at most once per frame
   * interval (fine while rate·Δt ≪ 1).
   */
  private shotNoise(span: number): void {
    const x = this.params.shotNoiseRateHz * span * 1e-6; // expected events per pixel, P(hit) = 1 − e^(−x)
    const rng = this.noise, mem = this.mem, lp = this.lp, n = this.n;
    let i = -1;
    for (;;) {
      i += 1 + Math.floor(-Math.log(rng.uniformOpen0()) / x);
      if (!(i < n)) break;
      const p = rng.uint32() & 1;
      const off = 1 + Math.floor(rng.uniform() * span);
      const y = Math.floor(i / this.geometry.width);
      this.emit(off, y * 0x10000 + (i - y * this.geometry.width), p);
      mem[i] = lp[i];
    }
  }

  private emit(offset: number, pixel: number, p: number): void {
    if (this.count === this.keys.length) this.reserve(this.count + 1);
    const c = this.count++;
    this.keys[c] = offset;
    this.pix[c] = pixel;
    this.pol[c] = p;
  }

  /** Makes room for `needed` events (capacity at least doubles, so growth is amortised). */
  private reserve(needed: number): void {
    if (needed <= this.keys.length) return;
    const cap = Math.max(needed, this.keys.length * 2);
    const k = new Uint32Array(cap), px = new Uint32Array(cap), po = new Uint8Array(cap);
    k.set(this.keys);
    px.set(this.pix);
    po.set(this.pol);
    this.keys = k;
    this.pix = px;
    this.pol = po;
  }

  private sortedBatch(tStart: number, span: number): EventBatch {
    const n = this.count;
    if (n === 0) return emptyBatch();
    const out = makeBatch(n);
    this.sorter.sortInto(this.keys, this.pix, this.pol, n, span, tStart, out);
    return out;
  }
}

/**
 * RGBA (or RGBX) pixels → 8-bit luma with BT.601 weights in integer
 * arithmetic: Y = (77·R + 150·G + 29·B + 128) >> 8. `out` holds one byte per
 * pixel and is returned.
 */
export function rgbaToLuma(rgba: Uint8Array | Uint8ClampedArray, out: Uint8Array): Uint8Array {
  const n = out.length;
  if (rgba.length !== n * 4) throw new RangeError(`rgbaToLuma: ${rgba.length} RGBA bytes for ${n} pixels (expected ${n * 4})`);
  for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = (77 * rgba[j] + 150 * rgba[j + 1] + 29 * rgba[j + 2] + 128) >> 8;
  return out;
}
