// PCM → cochlea events, the way silicon cochleas and the delta-modulation
// ADCs of neuromorphic chips encode sound:
//
//   filter bank (filterbank.ts) → power y² → two one-pole low-passes (the
//   envelope) → level in dB re a full-scale sine at the channel's centre,
//   clamped below at the noise floor → delta modulation: an ON event each time
//   the level rises δ dB above the channel's reference (the reference then
//   moves up δ), OFF each time it falls δ below.
//
// Optional adaptive floor (`noiseMarginDb`): each channel also tracks its
// background, the minimum of its level over the last `noiseWindowUs` (minimum
// statistics: a word is shorter than the window, so the minimum stays on the
// noise between words), and its floor rises to that minimum + the margin. A
// steady hiss or hum then sits below the floor and makes (almost) no events,
// while whatever rises above the background by more than the margin still does.
//
// The level is sampled every `frameHopUs` (default 500 µs); an event's time is
// where the straight line between two level samples crosses the reference
// level, rounded to whole µs. Events: x = channel (0 = lowest frequency),
// y = 0, p = 1 ON; geometry {width: channels, height: 1}, so the camera's
// TimeChannelBinner bins them unchanged.
//
// Streaming: filter, envelope, reference and the sample clock carry across
// push calls, so any chunking of the same PCM (with consistent start times)
// yields identical events. Output is sorted by t; equal t keep channel order.
import type { EventBatch, Geometry } from '../../events/batch';
import { emptyBatch, makeBatch } from '../../events/batch';
import { FilterBank } from './filterbank';

export interface CochleaConfig {
  /** Hz (default 16 000) */
  sampleRate?: number;
  /** filter-bank channels (default 64) */
  channels?: number;
  /** lowest centre frequency, Hz (default 100) */
  fMin?: number;
  /** highest centre frequency, Hz (default 7600; must be below sampleRate / 2) */
  fMax?: number;
  /** how often the envelope level is sampled for delta modulation, µs (default 500) */
  frameHopUs?: number;
  /** noise floor in dB re a full-scale sine: quieter is treated as silence (default −60) */
  thresholdDb?: number;
  /** delta-modulation step δ, dB (default 1.5) */
  deltaDb?: number;
  /** envelope low-pass cut-off, Hz (default 60; two poles) */
  envelopeHz?: number;
  /**
   * adaptive floor: a channel's floor is at least its background (minimum level over the
   * last `noiseWindowUs`) + this many dB (default: off, only the fixed floor)
   */
  noiseMarginDb?: number;
  /** how far back the background minimum looks, µs (default 1 000 000) */
  noiseWindowUs?: number;
}

/** The background's minimum is kept per slice of the window: NOISE_SLICES slices, then the oldest is dropped. */
const NOISE_SLICES = 8;

/** Samples filtered per inner block: bounds the scratch memory for any push size. */
const BLOCK = 4096;

function num(name: string, v: number, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new RangeError(`Cochlea: ${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${v}`);
  }
  return v;
}

export class Cochlea {
  readonly sampleRate: number;
  readonly channels: number;
  readonly geometry: Geometry;
  readonly deltaDb: number;
  readonly floorDb: number;
  /** samples between two envelope-level samples */
  readonly hopSamples: number;
  readonly bank: FilterBank;

  private readonly envAlpha: number;
  /** per channel: the two envelope low-pass states */
  private readonly env1: Float64Array;
  private readonly env2: Float64Array;
  /** per channel: the level at the previous hop and the delta-modulation reference, dB */
  private readonly prevLevel: Float64Array;
  private readonly ref: Float64Array;
  private readonly filtered = new Float64Array(BLOCK);
  private readonly levels: Float64Array;
  private readonly hopsPerBlock: number;

  // adaptive floor (noiseMarginDb): per channel, the minimum level of the slice being filled
  // and of the last NOISE_SLICES complete ones (+Infinity until seen)
  private readonly noiseMargin: number;
  private readonly sliceHops: number;
  private readonly warmHops: number;
  private readonly sliceMin: Float64Array;
  private readonly ringMin: Float64Array;
  private readonly windowMin: Float64Array;
  /** level samples since reset (the adaptive floor ignores the envelope's first warmHops) */
  private hopCount = 0;

  /** absolute index of the next sample */
  private nAbs = 0;
  private anchorT = NaN;
  private anchorN = 0;
  private prevHopT = NaN;
  private lastT = -Infinity;

  private outT = new Float64Array(4096);
  private outX = new Uint16Array(4096);
  private outP = new Uint8Array(4096);
  private count = 0;

  constructor(cfg: CochleaConfig = {}) {
    this.sampleRate = num('sampleRate', cfg.sampleRate ?? 16000, 1000, 384000);
    this.channels = num('channels', cfg.channels ?? 64, 1, 1024, true);
    const fMin = num('fMin', cfg.fMin ?? 100, 1, this.sampleRate / 2);
    const fMax = num('fMax', cfg.fMax ?? 7600, fMin, this.sampleRate / 2);
    if (!(fMax < this.sampleRate / 2)) throw new RangeError(`Cochlea: fMax ${fMax} Hz must be below half the sample rate (${this.sampleRate / 2} Hz)`);
    if (this.channels > 1 && !(fMax > fMin)) throw new RangeError(`Cochlea: fMax (${fMax}) must exceed fMin (${fMin})`);
    const hopUs = num('frameHopUs', cfg.frameHopUs ?? 500, 1, 1e6);
    this.hopSamples = Math.max(1, Math.round((hopUs * this.sampleRate) / 1e6));
    this.floorDb = num('thresholdDb', cfg.thresholdDb ?? -60, -200, 20);
    this.deltaDb = num('deltaDb', cfg.deltaDb ?? 1.5, 0.01, 100);
    const envHz = num('envelopeHz', cfg.envelopeHz ?? 60, 0.1, this.sampleRate / 4);
    this.envAlpha = 1 - Math.exp((-2 * Math.PI * envHz) / this.sampleRate);
    this.noiseMargin = cfg.noiseMarginDb === undefined ? NaN : num('noiseMarginDb', cfg.noiseMarginDb, 0, 100);
    const windowUs = num('noiseWindowUs', cfg.noiseWindowUs ?? 1_000_000, 1000, 60e6);
    const levelHopUs = (this.hopSamples * 1e6) / this.sampleRate;
    this.sliceHops = Math.max(1, Math.round(windowUs / NOISE_SLICES / levelHopUs));
    // the envelope starts from silence: its first 2 / envelopeHz s are a ramp, not the background
    this.warmHops = Math.ceil(2e6 / envHz / levelHopUs);
    this.geometry = { width: this.channels, height: 1 };
    this.bank = new FilterBank(this.sampleRate, this.channels, fMin, fMax);
    const C = this.channels;
    this.env1 = new Float64Array(C);
    this.env2 = new Float64Array(C);
    this.prevLevel = new Float64Array(C);
    this.ref = new Float64Array(C);
    this.hopsPerBlock = Math.ceil(BLOCK / this.hopSamples) + 1;
    this.levels = new Float64Array(C * this.hopsPerBlock);
    this.sliceMin = new Float64Array(C);
    this.ringMin = new Float64Array(C * NOISE_SLICES);
    this.windowMin = new Float64Array(C);
    this.reset();
  }

  /** Centre frequency of each channel (x), Hz, ascending. */
  get centresHz(): Float64Array {
    return this.bank.centresHz;
  }

  /**
   * Every event at or before this time (µs) has been returned: later pushes
   * only add events after it (the last level sample). NaN before the first push.
   * In silence no events come, so a consumer binning into windows learns from
   * this, not from the events, that time has moved on.
   */
  get settledUs(): number {
    return this.prevHopT;
  }

  /** Back to silence: filters, envelopes, references and the clock start afresh. */
  reset(): void {
    this.bank.reset();
    this.env1.fill(0);
    this.env2.fill(0);
    this.prevLevel.fill(this.floorDb);
    this.ref.fill(this.floorDb);
    this.nAbs = 0;
    this.anchorT = NaN;
    this.anchorN = 0;
    this.prevHopT = NaN;
    this.lastT = -Infinity;
    this.sliceMin.fill(Infinity);
    this.ringMin.fill(Infinity);
    this.windowMin.fill(Infinity);
    this.hopCount = 0;
  }

  /**
   * Feeds mono PCM (−1…1) whose first sample was taken at `tUs`. Returns the
   * events up to the last envelope-level sample in this chunk, sorted by t,
   * all at or after the previous level sample (at most one hop before `tUs`).
   */
  push(pcm: Float32Array, tUs: number): EventBatch {
    if (!(pcm instanceof Float32Array)) throw new RangeError('Cochlea: push expects a Float32Array of samples');
    if (!Number.isFinite(tUs)) throw new RangeError(`Cochlea: chunk time must be a finite number of µs, not ${tUs}`);
    const period = 1e6 / this.sampleRate;
    // Keep one sample clock while the caller's times agree with it (so chunking
    // cannot change timestamps); follow the caller after a gap or a jump.
    const expected = this.anchorT + (this.nAbs - this.anchorN) * period;
    if (!(Math.abs(tUs - expected) <= 1)) {
      this.anchorT = tUs;
      this.anchorN = this.nAbs;
    }
    if (Number.isNaN(this.prevHopT)) this.prevHopT = tUs;
    this.count = 0;
    for (let s = 0; s < pcm.length; s += BLOCK) this.block(pcm.subarray(s, Math.min(pcm.length, s + BLOCK)));
    return this.take();
  }

  private block(x: Float32Array): void {
    const n = x.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i];
    if (!Number.isFinite(sum)) {
      const bad = x.findIndex((v) => !Number.isFinite(v));
      throw new RangeError(`Cochlea: sample ${this.nAbs + bad} is ${x[bad]} (PCM must be finite)`);
    }
    const hop = this.hopSamples, C = this.channels, H = this.hopsPerBlock;
    // level samples fall on absolute sample indices j with (j + 1) % hop = 0
    const first = (hop - 1 - (this.nAbs % hop) + hop) % hop;
    const hops = first < n ? Math.floor((n - 1 - first) / hop) + 1 : 0;
    const y = this.filtered, levels = this.levels, alpha = this.envAlpha;
    const floor = Number.isNaN(this.noiseMargin) ? this.floorDb : -Infinity;
    for (let c = 0; c < C; c++) {
      this.bank.filter(c, x, n, y);
      let e1 = this.env1[c], e2 = this.env2[c];
      let next = first, h = 0;
      for (let i = 0; i < n; i++) {
        const v = y[i];
        e1 += alpha * (v * v - e1);
        e2 += alpha * (e1 - e2);
        if (i === next) {
          // 2·power: a sine of amplitude 1 at the centre reads 0 dB
          const db = 10 * Math.log10(2 * e2 + 1e-30);
          // (with the adaptive floor the raw level is kept: adaptFloor tracks it, then clamps)
          levels[c * H + h++] = db > floor ? db : floor;
          next += hop;
        }
      }
      this.env1[c] = e1;
      this.env2[c] = e2;
    }
    const period = 1e6 / this.sampleRate;
    if (!Number.isNaN(this.noiseMargin)) this.adaptFloor(hops);
    for (let h = 0; h < hops; h++) {
      const j = this.nAbs + first + h * hop;
      const tH = this.anchorT + (j - this.anchorN) * period;
      this.modulate(h, this.prevHopT, tH);
      this.prevHopT = tH;
    }
    this.nAbs += n;
  }

  /**
   * Clamps each (raw) level sample of this block at the channel's floor: the fixed floor, or
   * the background + margin where that is higher. The background is the minimum of the raw
   * levels up to this one within the noise window (minimum statistics over NOISE_SLICES slices;
   * a slice's minimum joins the window once it is complete), not counting the envelope's
   * warm-up after a reset (+Infinity until then, so only the fixed floor holds).
   */
  private adaptFloor(hops: number): void {
    const C = this.channels, H = this.hopsPerBlock, S = NOISE_SLICES, slice = this.sliceHops, margin = this.noiseMargin;
    const levels = this.levels, sliceMin = this.sliceMin, ringMin = this.ringMin, windowMin = this.windowMin;
    const fixed = this.floorDb;
    for (let h = 0; h < hops; h++) {
      const k = this.hopCount++ - this.warmHops;
      for (let c = 0; c < C; c++) {
        const L = levels[c * H + h];
        if (k >= 0 && L < sliceMin[c]) sliceMin[c] = L;
        const bg = windowMin[c] < sliceMin[c] ? windowMin[c] : sliceMin[c];
        // the fixed floor still holds, so silence (or a background below it) changes nothing
        const lift = bg + margin;
        const f = lift > fixed && lift < Infinity ? lift : fixed;
        if (L < f) levels[c * H + h] = f;
      }
      if (k >= 0 && (k + 1) % slice === 0) {
        // the slice is complete: it replaces the oldest one in the window
        const at = ((k + 1) / slice - 1) % S;
        for (let c = 0; c < C; c++) {
          ringMin[c * S + at] = sliceMin[c];
          sliceMin[c] = Infinity;
          let m = Infinity;
          for (let s = 0; s < S; s++) if (ringMin[c * S + s] < m) m = ringMin[c * S + s];
          windowMin[c] = m;
        }
      }
    }
  }

  /** Delta modulation of every channel at level sample h, crossings placed between tPrev and tNow. */
  private modulate(h: number, tPrev: number, tNow: number): void {
    const C = this.channels, H = this.hopsPerBlock, d = this.deltaDb;
    const levels = this.levels, prevLevel = this.prevLevel, ref = this.ref;
    const stepStart = this.count;
    const dt = tNow - tPrev;
    for (let c = 0; c < C; c++) {
      const L = levels[c * H + h];
      const p = prevLevel[c];
      let r = ref[c];
      if (L >= r + d) {
        do {
          r += d;
          this.emit(tPrev + ((r - p) / (L - p)) * dt, c, 1);
        } while (L >= r + d);
      } else if (L <= r - d) {
        do {
          r -= d;
          this.emit(tPrev + ((r - p) / (L - p)) * dt, c, 0);
        } while (L <= r - d);
      }
      ref[c] = r;
      prevLevel[c] = L;
    }
    if (this.count - stepStart > 1) this.sortStep(stepStart);
    if (this.count > stepStart) this.lastT = this.outT[this.count - 1];
  }

  private emit(t: number, c: number, p: number): void {
    let tr = Math.round(t);
    if (tr < this.lastT) tr = this.lastT; // a clock jump backwards must not reorder the stream
    if (this.count === this.outT.length) this.grow();
    const k = this.count++;
    this.outT[k] = tr;
    this.outX[k] = c;
    this.outP[k] = p;
  }

  /** Insertion sort (stable) of one level step's events by t: a handful, nearly ordered. */
  private sortStep(start: number): void {
    const T = this.outT, X = this.outX, P = this.outP;
    for (let i = start + 1; i < this.count; i++) {
      const t = T[i], x = X[i], p = P[i];
      let j = i - 1;
      while (j >= start && T[j] > t) {
        T[j + 1] = T[j];
        X[j + 1] = X[j];
        P[j + 1] = P[j];
        j--;
      }
      T[j + 1] = t;
      X[j + 1] = x;
      P[j + 1] = p;
    }
  }

  private grow(): void {
    const cap = this.outT.length * 2;
    const t = new Float64Array(cap), x = new Uint16Array(cap), p = new Uint8Array(cap);
    t.set(this.outT);
    x.set(this.outX);
    p.set(this.outP);
    this.outT = t;
    this.outX = x;
    this.outP = p;
  }

  private take(): EventBatch {
    const n = this.count;
    if (n === 0) return emptyBatch();
    const b = makeBatch(n);
    b.t.set(this.outT.subarray(0, n));
    b.x.set(this.outX.subarray(0, n));
    b.p.set(this.outP.subarray(0, n));
    return b;
  }
}
