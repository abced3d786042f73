// The time-channel encoding (DVS Gesture pipeline) as a streaming binner: the
// same code turns a live stream and a recording into network input.
//
// Window k covers [t0 + k·hop, t0 + k·hop + window). Inside it, an event at t
// goes to bin floor((t − start) · bins / window) and channel bin·P + p, at
// pixel (floor((x − roi.x) · outW / roiW), floor((y − roi.y) · outH / roiH));
// counts saturate at `clip`. Frames are H × W × C (HWC) Uint8Arrays.
//
// Per event, in this order: bounds, hot-pixel mask, background-activity filter
// (all in sensor coordinates, on every event), ROI, then time. The clock is the
// largest t pushed (filtered events advance it too): a window is emitted as soon
// as an event at or after its end arrives. See docs/FRAMES.md.
import type { EventBatch, Geometry } from '../events/batch';
import { sliceBatch } from '../events/batch';
import { BinArena } from './bin-kernel';
import { ActivityFilter, checkMask } from './filters';
import type { Roi, Size } from './spatial';
import { floorDiv } from './to-frame';
import { axisTable, checkGeometry, resolveRoi } from './spatial';
import type { BinnerSummary, DropCounts } from './summary';
import { emptyDropCounts } from './summary';

export interface TimeChannelConfig {
  sensor: Geometry;
  /** window length, whole µs (default 100 000) */
  windowUs?: number;
  /** time bins per window (default 5) */
  bins?: number;
  /** start-to-start step, whole µs (default = windowUs; smaller slides, larger leaves gaps) */
  hopUs?: number;
  /** 2 (default): channel = bin·2 + p, OFF = 0, ON = 1; 1 merges ON and OFF */
  polarities?: 1 | 2;
  /** counts saturate at 2^bits − 1 (default 4 → 15) unless `clip` is given */
  bits?: number;
  /** explicit saturation value 1…255 (wins over bits) */
  clip?: number;
  /** crop in sensor pixels, applied before scaling */
  roi?: Roi;
  /** output size (default: the ROI size); x' = floor((x − roi.x) · width / roi.width) */
  size?: Size;
  /** W × H, index y·W + x, nonzero = drop */
  hotPixels?: Uint8Array;
  /** tonic's background-activity filter (Denoise) */
  denoise?: { filterTimeUs: number };
  /** at flush, also emit the windows still open (default false) */
  includeIncomplete?: boolean;
  /** anchor of the window grid, whole µs (default: the first event's t) */
  t0Us?: number;
  /** a run of more empty windows than this (a long pause, a clock jump) is skipped, not emitted (default 100 000) */
  maxGapWindows?: number;
}

export interface TimeChannelFrame {
  /** window number k: the window starts at t0 + k·hop */
  index: number;
  tStartUs: number;
  /** exclusive */
  tEndUs: number;
  /** H × W × C, channel = bin·P + p. Frames with eventsKept = 0 share one zero buffer: do not write into frame data. */
  data: Uint8Array;
  shape: [number, number, number];
  /** events whose t lies in the window, before any filter */
  eventsIn: number;
  /** events counted into this frame */
  eventsKept: number;
}

/** Where completed windows go: an array (push, advanceTo, flush: frames it keeps) or a lending consumer (pushEach). */
interface FrameSink {
  push(frame: TimeChannelFrame): unknown;
  /** reads each frame during push only (so it may get a window's own buffer, not a copy) */
  readonly lends?: boolean;
}

/** Runs shorter than this are counted by the JavaScript loop (which marks the arena slot written whole): a WebAssembly call costs about as much. */
const MIN_KERNEL_RUN = 32;
/**
 * A disjoint window goes to the kernel in one call (countDisjointWindow) when the last window had
 * fewer events than this per bin; denser ones go run by run. One call saves the run searches and a
 * call per bin (~0.2 µs a bin); run by run costs ~1 ns less an event (the kernel skips the time tests).
 */
const WINDOW_CALL_MAX_PER_BIN = 512;

const MAX_WINDOW_US = 2 ** 40; // keeps (t − start) · bins exact in doubles
const MAX_FRAME_VALUES = 2 ** 30;

/** Timestamps are finite whole µs (the EventBatch contract); NaN or ±Infinity would stall or corrupt the window grid. */
function checkTime(t: number): void {
  if (!(Math.abs(t) <= Number.MAX_SAFE_INTEGER)) throw new RangeError(`TimeChannelBinner: timestamp ${t} is not a finite µs value`);
}

function wholeNumber(what: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} must be a whole number from ${min} to ${max}, not ${v}`);
  return v;
}

/**
 * Galloping plus binary search from T[i]: the first index e in (i, hi] where
 * T[e] − ws < dEnd stops holding (or hi), assuming T is non-decreasing there.
 * Invariant: T[lo − 1] − ws < dEnd for the probed indices; nonDecreasing then
 * checks the assumption.
 */
function boundEnd(T: Float64Array, i: number, hi: number, ws: number, dEnd: number): number {
  let lo = i + 1, step = 1;
  while (lo < hi) {
    const probe = i + step;
    if (probe >= hi) break;
    if (T[probe] - ws < dEnd) lo = probe + 1;
    else { hi = probe; break; }
    step *= 2;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (T[mid] - ws < dEnd) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether T[i…e) is non-decreasing (false on NaN); four pairs per branch (a third faster than one by one on long runs). */
function nonDecreasing(T: Float64Array, i: number, e: number): boolean {
  let j = i + 1;
  for (; j + 3 < e; j += 4) {
    const a = T[j - 1], b = T[j], c = T[j + 1], d = T[j + 2], f = T[j + 3];
    if (!((b >= a) && (c >= b) && (d >= c) && (f >= d))) return false;
  }
  for (; j < e; j++) if (!(T[j] >= T[j - 1])) return false;
  return true;
}

/**
 * The run T[i…e) of events that lie in the bin of T[i] (whose d = t − ws is in
 * [dStart, dEnd), and T[i] is), or 0 when the run is not non-decreasing (the
 * caller then takes the run event by event). A non-decreasing run from T[i]
 * needs no dStart check, and its end is where the event-by-event loop would
 * stop: T[e] is NaN or ≥ dEnd.
 */
function sortedRunEnd(T: Float64Array, i: number, n: number, ws: number, dEnd: number): number {
  const e = boundEnd(T, i, n, ws, dEnd);
  return nonDecreasing(T, i, e) ? e : 0;
}

/**
 * Counts events [from, to) of one bin into buf (no filters): the branch-free
 * body of pushDisjoint. Results go to out (see TimeChannelBinner.runOut).
 * BinArena runs the same loop in WebAssembly on all but short runs.
 */
export function binRun(
  X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
  sw1: number, sh1: number, xOff: Int32Array, yOff: Int32Array, pm: number,
  buf: Uint8Array, chBase: number, clip1: number, out: Int32Array,
): Int32Array {
  let oob = 0, roiN = 0, keptOn = 0, sat = 0, satOn = 0;
  for (let j = from; j < to; j++) {
    const x = X[j], y = Y[j];
    if (((sw1 - x) | (sh1 - y)) < 0) { oob++; continue; }
    const xo = xOff[x], yo = yOff[y];
    if ((xo | yo) < 0) { roiN++; continue; }
    const pp = Pol[j] & pm;
    const idx = yo + xo + chBase + pp;
    const v = buf[idx];
    const s = (clip1 - v) >>> 31; // 1 when v ≥ clip: the count stays
    buf[idx] = v + 1 - s;
    sat += s;
    satOn += s & pp;
    keptOn += pp;
  }
  out[0] = oob; out[1] = roiN; out[2] = keptOn; out[3] = sat; out[4] = satOn;
  return out;
}

export class TimeChannelBinner {
  readonly outputShape: [number, number, number];
  readonly windowUs: number;
  readonly hopUs: number;
  readonly bins: number;
  readonly polarities: 1 | 2;
  readonly clip: number;
  readonly roi: Roi;

  private readonly sw: number;
  private readonly sh: number;
  private readonly channels: number;
  private readonly frameLen: number;
  /** sensor x → output column · C, −1 outside the ROI */
  private readonly xOff: Int32Array;
  /** sensor y → output row · W · C, −1 outside the ROI */
  private readonly yOff: Int32Array;
  private readonly hot: Uint8Array | null;
  private readonly activity: ActivityFilter | null;
  private readonly includeIncomplete: boolean;
  private readonly maxGapWindows: number;

  // Open windows live in a ring of slots: window k in slot k % ring.
  private readonly ring: number;
  private readonly bufs: (Uint8Array | null)[];
  private readonly slotStart: Float64Array;
  private readonly winIn: Float64Array;
  private readonly winKept: Float64Array;
  /** events whose first open window was this one (to count each event once) */
  private readonly winFirst: Float64Array;
  /** events that met a saturated count, per slot and channel */
  private readonly overflow: Float64Array;
  /** events counted, per slot and channel (so the per-channel sums need no pass over the frame) */
  private readonly winChannel: Float64Array;
  private zeroFrame: Uint8Array | null = null;
  /** buffers given back by recycle(), zeroed when a window takes one */
  private readonly spare: Uint8Array[] = [];
  /** binRun's results: [out of bounds, outside ROI, kept ON, saturated, saturated ON] */
  private readonly runOut = new Int32Array(5);
  /** per slot: the bin of the run slidingRunEnd found */
  private readonly runBin: Int32Array;
  /** the open windows' buffers in WebAssembly memory, where the kernel counts (null: JavaScript buffers; undefined: not chosen yet) */
  private arena: BinArena | null | undefined = undefined;
  /** per slot: the arena slot holding its buffer, or −1 (a JavaScript buffer) */
  private readonly arenaSlot: Int32Array;
  /** BinArena.binRun2's tallies for the second window */
  private readonly runOutB = new Int32Array(2);
  /** BinArena.countDisjointWindow's per-bin tallies: kept, kept ON, saturated, saturated ON */
  private readonly binTallies: Int32Array;

  private t0 = NaN;
  private nextK = 0; // oldest window not yet emitted
  private topK = -1; // newest window opened (its start ≤ the clock)
  private closeAt = Infinity; // end of window nextK
  private openAt = Infinity; // start of window topK + 1
  private flushed = false;

  private eventsIn = 0;
  private eventsKept = 0;
  private outOfOrder = 0;
  private tMax = -Infinity;
  private readonly drops: DropCounts = emptyDropCounts();
  private windowsEmitted = 0;
  /** events in the last window emitted (its eventsIn) */
  private lastWindowEvents = 0;
  private windowsSkipped = 0;
  private readonly channelCounts: Float64Array;
  private readonly channelClipped: Float64Array;

  constructor(cfg: TimeChannelConfig) {
    checkGeometry('sensor', cfg.sensor);
    this.sw = cfg.sensor.width;
    this.sh = cfg.sensor.height;
    this.windowUs = wholeNumber('windowUs', cfg.windowUs ?? 100_000, 1, MAX_WINDOW_US);
    this.hopUs = wholeNumber('hopUs', cfg.hopUs ?? this.windowUs, 1, MAX_WINDOW_US);
    this.bins = wholeNumber('bins', cfg.bins ?? 5, 1, 1024);
    const p = cfg.polarities ?? 2;
    if (p !== 1 && p !== 2) throw new RangeError(`polarities must be 1 or 2, not ${p}`);
    this.polarities = p;
    this.clip = cfg.clip !== undefined
      ? wholeNumber('clip', cfg.clip, 1, 255)
      : 2 ** wholeNumber('bits', cfg.bits ?? 4, 1, 8) - 1;
    this.roi = resolveRoi(cfg.sensor, cfg.roi);
    const size = cfg.size ?? { width: this.roi.width, height: this.roi.height };
    checkGeometry('size', size);
    this.channels = this.bins * p;
    this.frameLen = size.height * size.width * this.channels;
    if (this.frameLen > MAX_FRAME_VALUES) throw new RangeError(`a ${size.width}×${size.height}×${this.channels} frame is too large`);
    this.outputShape = [size.height, size.width, this.channels];
    this.xOff = axisTable(this.sw, this.roi.x, this.roi.width, size.width, this.channels);
    this.yOff = axisTable(this.sh, this.roi.y, this.roi.height, size.height, size.width * this.channels);
    this.hot = cfg.hotPixels ? checkMask(cfg.sensor, cfg.hotPixels) : null;
    this.activity = cfg.denoise ? new ActivityFilter(this.sw, this.sh, cfg.denoise.filterTimeUs) : null;
    this.includeIncomplete = cfg.includeIncomplete ?? false;
    this.maxGapWindows = wholeNumber('maxGapWindows', cfg.maxGapWindows ?? 100_000, 0, Number.MAX_SAFE_INTEGER);
    if (cfg.t0Us !== undefined) this.start(wholeNumber('t0Us', cfg.t0Us, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));

    this.ring = Math.ceil(this.windowUs / this.hopUs) + 1;
    this.bufs = new Array<Uint8Array | null>(this.ring).fill(null);
    this.arenaSlot = new Int32Array(this.ring).fill(-1);
    this.runBin = new Int32Array(this.ring);
    this.binTallies = new Int32Array(4 * this.bins);
    this.slotStart = new Float64Array(this.ring);
    this.winIn = new Float64Array(this.ring);
    this.winKept = new Float64Array(this.ring);
    this.winFirst = new Float64Array(this.ring);
    this.overflow = new Float64Array(this.ring * this.channels);
    this.winChannel = new Float64Array(this.ring * this.channels);
    this.channelCounts = new Float64Array(this.channels);
    this.channelClipped = new Float64Array(this.channels);
  }

  /** Bins a batch; returns the windows it completed, in order. */
  push(batch: EventBatch): TimeChannelFrame[] {
    const out: TimeChannelFrame[] = [];
    this.pushTo(batch, out);
    return out;
  }

  /**
   * Bins a batch, handing each window to `use` the moment it completes and
   * reusing its buffer once `use` returns: frame.data is valid only during the
   * call (copy what you keep). The streaming form for a consumer that reads each
   * frame once: no frame is allocated per window after the first few. If `use`
   * throws, the error ends the push there (later events of the batch are not
   * counted); `use` must not call back into this binner.
   */
  pushEach(batch: EventBatch, use: (frame: TimeChannelFrame) => void): void {
    this.pushTo(batch, {
      lends: true,
      push: (frame: TimeChannelFrame) => {
        try {
          use(frame);
        } finally {
          this.recycle(frame.data);
        }
      },
    });
  }

  private pushTo(batch: EventBatch, out: FrameSink): void {
    if (this.flushed) throw new Error('TimeChannelBinner: push after flush');
    const n = batch.length;
    if (n === 0) return;
    if (Number.isNaN(this.t0)) this.start(batch.t[0]);
    this.eventsIn += n;
    this.arena?.newBatch();
    if (this.hopUs >= this.windowUs) this.pushDisjoint(batch, out);
    else this.pushSliding(batch, out);
  }

  /**
   * Tells the binner that the source's clock reached `tUs` (e.g. a live sensor
   * in a still scene): emits the windows that end at or before it.
   */
  advanceTo(tUs: number): TimeChannelFrame[] {
    if (this.flushed) throw new Error('TimeChannelBinner: advanceTo after flush');
    const out: TimeChannelFrame[] = [];
    if (Number.isNaN(this.t0)) return out;
    if (tUs > this.tMax) this.tMax = tUs;
    if (tUs >= this.wake()) this.advance(tUs, out);
    return out;
  }

  /**
   * Ends the stream. With includeIncomplete, emits every window still open;
   * without, emits nothing more, except that a binner whose grid was anchored
   * (by an event or t0Us) and completed no window still yields its first one,
   * as tonic's ToFrame yields at least one frame.
   */
  flush(): TimeChannelFrame[] {
    const out: TimeChannelFrame[] = [];
    if (this.flushed) return out;
    this.flushed = true;
    if (Number.isNaN(this.t0)) return out;
    if (this.includeIncomplete) while (this.nextK <= this.topK) this.emitNext(out);
    if (this.windowsEmitted + this.windowsSkipped === 0) {
      if (this.topK >= 0) this.emitNext(out);
      else this.emitEmpty(0, out);
    }
    for (let k = this.nextK; k <= this.topK; k++) {
      const s = k % this.ring;
      this.drops.afterLastWindow += this.winFirst[s];
      this.freeBuffer(s);
    }
    this.nextK = this.topK + 1;
    this.arena?.release();
    this.arena = null;
    return out;
  }

  /**
   * Gives an emitted frame's buffer back once the caller is done with it (read,
   * not kept, not transferred): a later window reuses it instead of allocating.
   * Optional. On a sparse stream allocating a fresh zeroed frame per window is
   * most of the binning time; a reused one only needs zeroing. Buffers that are
   * not a frame of this shape are refused; the shared zero frame and a buffer
   * already given back are ignored.
   */
  recycle(data: Uint8Array): void {
    if (data.length !== this.frameLen) throw new RangeError(`TimeChannelBinner.recycle: ${data.length} values, a frame has ${this.frameLen}`);
    const a = this.arena ? this.arena.indexOf(data) : -1;
    if (a >= 0) {
      // a lent window buffer (pushEach): cleared and free for the next window, unless a window holds it
      if (!this.arenaSlot.includes(a)) this.arena!.give(a);
      return;
    }
    if (data === this.zeroFrame || this.spare.length >= this.ring) return;
    if (this.spare.includes(data) || this.bufs.includes(data)) return;
    this.spare.push(data);
  }

  summary(): BinnerSummary {
    let pending = 0;
    for (let k = this.nextK; k <= this.topK; k++) pending += this.winFirst[k % this.ring];
    return {
      eventsIn: this.eventsIn,
      eventsKept: this.eventsKept,
      dropped: { ...this.drops },
      pending,
      outOfOrder: this.outOfOrder,
      windowsEmitted: this.windowsEmitted,
      windowsSkipped: this.windowsSkipped,
      channelCounts: Array.from(this.channelCounts),
      channelClippedSums: Array.from(this.channelClipped),
    };
  }

  private start(t0: number): void {
    checkTime(t0);
    this.t0 = t0;
    this.closeAt = t0 + this.windowUs;
    this.openAt = t0;
  }

  private wake(): number {
    return Math.min(this.closeAt, this.openAt);
  }

  /** hop ≥ window: at most one window holds any t; runs of events in one bin go through a tight loop. */
  private pushDisjoint(b: EventBatch, out: FrameSink): void {
    const T = b.t, X = b.x, Y = b.y, Pol = b.p, n = b.length;
    const sw = this.sw, sh = this.sh, xOff = this.xOff, yOff = this.yOff;
    const filtering = this.hot !== null || this.activity !== null;
    const win = this.windowUs, bins = this.bins, P = this.polarities, pm = P - 1, clip = this.clip;
    const overflow = this.overflow;
    let oob = 0, roiN = 0, ooo = 0, tMax = this.tMax;
    let i = 0;
    while (i < n) {
      const tFirst = T[i];
      if (tFirst >= this.wake()) this.advance(tFirst, out);
      const slot = this.nextK % this.ring;
      const ws = this.t0 + this.nextK * this.hopUs;
      if (!(tFirst >= ws) || this.topK < this.nextK) {
        // before the grid, late, or in a gap: no open window holds it
        if (tFirst > tMax) tMax = tFirst;
        else if (tFirst < tMax) ooo++;
        this.dropOutside(tFirst, X[i], Y[i]);
        i++;
        continue;
      }
      // Bin j holds the t with j·window/bins ≤ t − ws < (j+1)·window/bins. For whole-µs t − ws and
      // window ≤ 2^40, bins ≤ 1024, comparing with these rounded bounds is exact (a non-whole bound is
      // ≥ 1/bins away from any integer, far more than its rounding error).
      const bin = (((tFirst - ws) * bins) / win) | 0;
      const dStart = (bin * win) / bins;
      const dEnd = ((bin + 1) * win) / bins;
      const chBase = bin * P;
      const ovBase = slot * this.channels + chBase;
      const buf = this.bufs[slot]!;
      const segStart = i;
      if (!filtering && tFirst >= tMax && this.arenaSlot[slot] >= 0 && this.lastWindowEvents < WINDOW_CALL_MAX_PER_BIN * bins) {
        // the kernel takes the window's sorted events bin after bin, up to the first it leaves to the loops below
        const took = this.arena!.countDisjointWindow(T, X, Y, Pol, i, n, pm, this.arenaSlot[slot], clip - 1, ws, win, bins, P, tMax, this.runOut, this.binTallies);
        if (took > 0) {
          i += took;
          tMax = T[i - 1];
          oob += this.runOut[0];
          roiN += this.runOut[1];
          this.tallyWindow(slot, took, this.runOut[2], this.runOut[3]);
          continue;
        }
      }
      // First the run of events in this bin (time only), then the spatial work on that run.
      const d0 = tFirst - ws;
      const e = d0 >= dStart && d0 < dEnd && tFirst >= tMax ? sortedRunEnd(T, i, n, ws, dEnd) : 0;
      if (e > 0) {
        // sorted from a new maximum: no event of the run is out of order
        i = e;
        tMax = T[e - 1];
      } else {
        for (; i < n; i++) {
          const t = T[i];
          const d = t - ws;
          if (!(d >= dStart && d < dEnd)) break; // also leaves on NaN
          if (t > tMax) tMax = t;
          else if (t < tMax) ooo++;
        }
      }
      let kept: number, keptOn: number;
      if (filtering) {
        kept = keptOn = 0;
        for (let j = segStart; j < i; j++) {
          const x = X[j], y = Y[j];
          if (x >= sw || y >= sh) { oob++; continue; }
          if (!this.passFilters(x, y, T[j])) continue;
          const xo = xOff[x], yo = yOff[y];
          if ((xo | yo) < 0) { roiN++; continue; }
          const pp = Pol[j] & pm;
          const idx = yo + xo + chBase + pp;
          const v = buf[idx];
          if (v < clip) buf[idx] = v + 1;
          else overflow[ovBase + pp]++;
          kept++;
          keptOn += pp;
        }
      } else {
        const a = this.arenaSlot[slot];
        let r: Int32Array;
        if (a >= 0 && i - segStart >= MIN_KERNEL_RUN) r = this.arena!.binRun(X, Y, Pol, segStart, i, pm, a, chBase, clip - 1, this.runOut);
        else {
          if (a >= 0) this.arena!.markAll(a);
          r = binRun(X, Y, Pol, segStart, i, sw - 1, sh - 1, xOff, yOff, pm, buf, chBase, clip - 1, this.runOut);
        }
        oob += r[0];
        roiN += r[1];
        kept = i - segStart - r[0] - r[1];
        keptOn = r[2];
        overflow[ovBase] += r[3] - r[4];
        if (P === 2) overflow[ovBase + 1] += r[4];
      }
      if (i === segStart) {
        // Rounding at the very edge of a bin (possible only for t that are not whole µs, outside the
        // batch contract) could leave T[i] out of its own bin: it goes the general way, so the loop advances.
        this.storeCounts(oob, roiN, ooo, tMax);
        oob = roiN = ooo = 0;
        this.pushSliding(sliceBatch(b, i, i + 1), out);
        tMax = this.tMax;
        i++;
        continue;
      }
      this.tallyRun(slot, chBase, i - segStart, kept, keptOn);
      this.winFirst[slot] += kept;
    }
    this.storeCounts(oob, roiN, ooo, tMax);
  }

  /** countDisjointWindow took `events` into the window in `slot`, counting into bins first…last (binTallies). */
  private tallyWindow(slot: number, events: number, first: number, last: number): void {
    const t = this.binTallies, P = this.polarities;
    let kept = 0;
    for (let b = first; b <= last; b++) {
      const k = t[4 * b], on = t[4 * b + 1], sat = t[4 * b + 2], satOn = t[4 * b + 3];
      const at = slot * this.channels + b * P;
      this.winChannel[at] += k - on;
      this.overflow[at] += sat - satOn;
      if (P === 2) {
        this.winChannel[at + 1] += on;
        this.overflow[at + 1] += satOn;
      }
      kept += k;
    }
    this.winIn[slot] += events;
    this.winKept[slot] += kept;
    this.winFirst[slot] += kept;
  }

  /** A run of `events` (kept of them counted, keptOn of those ON) went into the window in `slot`, channels from chBase. */
  private tallyRun(slot: number, chBase: number, events: number, kept: number, keptOn: number): void {
    const at = slot * this.channels + chBase;
    this.winIn[slot] += events;
    this.winKept[slot] += kept;
    this.winChannel[at] += kept - keptOn; // OFF, or both when P = 1 (keptOn stays 0)
    if (this.polarities === 2) this.winChannel[at + 1] += keptOn;
  }

  /** Hot-pixel mask and background-activity filter; counts what they drop. */
  private passFilters(x: number, y: number, t: number): boolean {
    if (this.hot !== null && this.hot[y * this.sw + x] !== 0) { this.drops.hotPixel++; return false; }
    if (this.activity !== null && !this.activity.pass(x, y, t)) { this.drops.denoise++; return false; }
    return true;
  }

  /** hop < window: each t lies in up to ceil(window / hop) open windows (also any single event, for any hop). */
  private pushSliding(b: EventBatch, out: FrameSink): void {
    const T = b.t, X = b.x, Y = b.y, Pol = b.p, n = b.length;
    const sw = this.sw, sh = this.sh, xOff = this.xOff, yOff = this.yOff;
    const filtering = this.hot !== null || this.activity !== null;
    const win = this.windowUs, hop = this.hopUs, bins = this.bins, P = this.polarities, pm = P - 1, clip = this.clip;
    const ring = this.ring, C = this.channels;
    const bufs = this.bufs, slotStart = this.slotStart, winIn = this.winIn, winKept = this.winKept, winFirst = this.winFirst, overflow = this.overflow, winChannel = this.winChannel;
    const arenaSlot = this.arenaSlot;
    let oob = 0, roiN = 0, ooo = 0, tMax = this.tMax;
    let wake = this.wake();
    let topStart = this.t0 + this.topK * hop;

    for (let i = 0; i < n; i++) {
      const t = T[i];
      if (t >= wake) {
        this.advance(t, out);
        wake = this.wake();
        topStart = this.t0 + this.topK * hop;
      }
      if (!filtering && t >= tMax && this.nextK <= this.topK) {
        // a sorted run in which no open window changes bin: counted window by window with binRun
        const e = this.slidingRunEnd(T, i, n);
        if (e > i + 1) {
          const kept = this.countSlidingRun(X, Y, Pol, i, e);
          oob += kept[0];
          roiN += kept[1];
          tMax = T[e - 1];
          i = e - 1;
          continue;
        }
      }
      if (t > tMax) tMax = t;
      else if (t < tMax) ooo++;
      else if (t !== t) checkTime(t);
      // Every window from nextK on ends after the clock, so after t; the ones holding t start at or before it.
      const kLo = this.nextK;
      const kHi = t >= topStart ? this.topK : Math.min(this.topK, floorDiv(t - this.t0, hop));
      const sLo = kLo % ring;
      for (let k = kLo, s = sLo; k <= kHi; k++, s = s + 1 === ring ? 0 : s + 1) winIn[s]++;
      const x = X[i], y = Y[i];
      if (x >= sw || y >= sh) { oob++; continue; }
      if (filtering && !this.passFilters(x, y, t)) continue;
      const xo = xOff[x], yo = yOff[y];
      if ((xo | yo) < 0) { roiN++; continue; }
      if (kLo > kHi) { this.countTimeDrop(t); continue; }
      const pp = Pol[i] & pm;
      winFirst[sLo]++;
      for (let k = kLo, s = sLo; k <= kHi; k++, s = s + 1 === ring ? 0 : s + 1) {
        if (arenaSlot[s] >= 0) this.arena!.markAll(arenaSlot[s]);
        const bin = (((t - slotStart[s]) * bins) / win) | 0;
        const ch = (bin < bins ? bin : bins - 1) * P + pp; // the guard only matters for t that are not whole µs
        const buf = bufs[s]!;
        const idx = yo + xo + ch;
        const v = buf[idx];
        if (v < clip) buf[idx] = v + 1;
        else overflow[s * C + ch]++;
        winChannel[s * C + ch]++;
        winKept[s]++;
      }
    }
    this.storeCounts(oob, roiN, ooo, tMax);
  }

  /**
   * For pushSliding: the end e of the run T[i…e) in which every open window
   * (nextK…topK, all holding T[i], which is at or after the clock) keeps the bin
   * it gives T[i], no new window opens, and T is non-decreasing; 0 when there is
   * none. Each window's bin goes to runBin.
   */
  private slidingRunEnd(T: Float64Array, i: number, n: number): number {
    const t = T[i];
    const win = this.windowUs, bins = this.bins, ring = this.ring;
    // t' < openAt: the run opens no window
    let e = boundEnd(T, i, n, this.openAt, 0);
    for (let k = this.nextK; k <= this.topK; k++) {
      const s = k % ring;
      const ws = this.slotStart[s];
      const d = t - ws;
      const bin = ((d * bins) / win) | 0;
      const dStart = (bin * win) / bins, dEnd = ((bin + 1) * win) / bins;
      if (!(bin < bins && d >= dStart && d < dEnd)) return 0; // rounding at a bin edge (t not whole µs): the general way
      this.runBin[s] = bin;
      e = boundEnd(T, i, e, ws, dEnd);
    }
    if (e <= i + 1 || !nonDecreasing(T, i, e)) return 0;
    // the searches probed some indices only: with the run sorted, its last event bounds them all
    const last = T[e - 1];
    if (!(last < this.openAt)) return 0;
    for (let k = this.nextK; k <= this.topK; k++) {
      const s = k % ring;
      if (!(last - this.slotStart[s] < ((this.runBin[s] + 1) * win) / bins)) return 0;
    }
    return e;
  }

  /**
   * Counts the run found by slidingRunEnd into every open window: two at a time
   * by the kernel where their buffers are in the arena, else window by window.
   * Returns binRun's results (out of bounds, outside ROI first).
   */
  private countSlidingRun(X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number): Int32Array {
    const ring = this.ring, P = this.polarities, pm = P - 1, sw1 = this.sw - 1, sh1 = this.sh - 1, clip1 = this.clip - 1;
    const out = this.runOut, outB = this.runOutB, arena = this.arena, arenaSlot = this.arenaSlot;
    const len = to - from;
    const useKernel = arena != null && len >= MIN_KERNEL_RUN;
    let kept = 0;
    for (let k = this.nextK; k <= this.topK; k++) {
      const s = k % ring;
      const chBase = this.runBin[s] * P;
      const a = arenaSlot[s];
      if (useKernel && a >= 0 && k < this.topK && arenaSlot[(k + 1) % ring] >= 0) {
        // this window and the next in one pass
        const s2 = (k + 1) % ring;
        const ch2 = this.runBin[s2] * P;
        arena.binRun2(X, Y, Pol, from, to, pm, a, chBase, arenaSlot[s2], ch2, clip1, out, outB);
        kept = len - out[0] - out[1];
        this.tallySlidingRun(s, chBase, len, kept, out[2], out[3], out[4]);
        this.tallySlidingRun(s2, ch2, len, kept, out[2], outB[0], outB[1]);
        k++;
        continue;
      }
      if (a >= 0 && !useKernel) arena!.markAll(a);
      const r = useKernel && a >= 0
        ? arena.binRun(X, Y, Pol, from, to, pm, a, chBase, clip1, out)
        : binRun(X, Y, Pol, from, to, sw1, sh1, this.xOff, this.yOff, pm, this.bufs[s]!, chBase, clip1, out);
      kept = len - r[0] - r[1];
      this.tallySlidingRun(s, chBase, len, kept, r[2], r[3], r[4]);
    }
    this.winFirst[this.nextK % ring] += kept; // every event of the run first lies in window nextK
    return out; // the spatial drops are the same for every window: the caller counts them once
  }

  /** tallyRun plus the run's saturated events (sat of them, satOn ON) for the window in `slot`. */
  private tallySlidingRun(slot: number, chBase: number, events: number, kept: number, keptOn: number, sat: number, satOn: number): void {
    const ov = slot * this.channels + chBase;
    this.overflow[ov] += sat - satOn;
    if (this.polarities === 2) this.overflow[ov + 1] += satOn;
    this.tallyRun(slot, chBase, events, kept, keptOn);
  }

  /** Moves the hot loops' local counters into the binner. */
  private storeCounts(oob: number, roiN: number, ooo: number, tMax: number): void {
    this.drops.outOfBounds += oob;
    this.drops.roi += roiN;
    this.outOfOrder += ooo;
    this.tMax = tMax;
  }

  /** An event in no open window: it still goes through the spatial filters (the denoiser must see it), then counts as a time drop. */
  private dropOutside(t: number, x: number, y: number): void {
    checkTime(t);
    if (x >= this.sw || y >= this.sh) this.drops.outOfBounds++;
    else if (!this.passFilters(x, y, t)) return;
    else if ((this.xOff[x] | this.yOff[y]) < 0) this.drops.roi++;
    else this.countTimeDrop(t);
  }

  /** Why an event that passed the spatial filters lies in no open window. */
  private countTimeDrop(t: number): void {
    checkTime(t);
    if (t < this.t0) { this.drops.beforeFirstWindow++; return; }
    const k = floorDiv(t - this.t0, this.hopUs);
    if (t - (this.t0 + k * this.hopUs) < this.windowUs) this.drops.late++;
    else this.drops.gap++;
  }

  /** The clock reached t (≥ wake): emit windows ending at or before t, open windows starting at or before t. */
  private advance(t: number, out: FrameSink): void {
    checkTime(t);
    const t0 = this.t0, hop = this.hopUs, win = this.windowUs;
    while (this.closeAt <= t && this.nextK <= this.topK) this.emitNext(out);
    if (this.closeAt <= t) {
      // Windows never opened (no event reached them): all empty up to the last one ending by t.
      const last = floorDiv(t - t0 - win, hop);
      const run = last - this.nextK + 1;
      if (run > this.maxGapWindows) this.windowsSkipped += run;
      else for (let k = this.nextK; k <= last; k++) this.emitEmpty(k, out);
      this.nextK = last + 1;
      this.closeAt = t0 + this.nextK * hop + win;
      if (this.topK < this.nextK - 1) this.topK = this.nextK - 1;
    }
    const kHi = floorDiv(t - t0, hop);
    for (let k = this.topK + 1; k <= kHi; k++) {
      const s = k % this.ring;
      this.takeBuffer(s);
      this.slotStart[s] = t0 + k * hop;
      this.winIn[s] = 0;
      this.winKept[s] = 0;
      this.winFirst[s] = 0;
      this.overflow.fill(0, s * this.channels, (s + 1) * this.channels);
      this.winChannel.fill(0, s * this.channels, (s + 1) * this.channels);
    }
    if (kHi > this.topK) this.topK = kHi;
    this.openAt = t0 + (this.topK + 1) * hop;
  }

  /** An all-zero buffer for the window opening in `slot`: an arena slot when there is one, else a recycled or new array. */
  private takeBuffer(s: number): void {
    if (this.arena === undefined) {
      // chosen once, at the first window; the filters' event-by-event loops never use the kernel
      const filtering = this.hot !== null || this.activity !== null;
      this.arena = filtering ? null : BinArena.acquire(this.xOff, this.yOff, this.frameLen, this.ring + 1);
    }
    const a = this.arena !== null ? this.arena.take() : -1;
    this.arenaSlot[s] = a;
    if (a >= 0) {
      this.bufs[s] = this.arena!.slot(a);
      return;
    }
    const reused = this.spare.pop();
    if (reused !== undefined) reused.fill(0);
    this.bufs[s] = reused ?? new Uint8Array(this.frameLen);
  }

  /** Drops the buffer of the window in `slot` (an arena slot is cleared and freed). */
  private freeBuffer(s: number): void {
    const a = this.arenaSlot[s];
    this.arenaSlot[s] = -1;
    this.bufs[s] = null;
    if (a >= 0) this.arena!.give(a);
  }

  private emitNext(out: FrameSink): void {
    const k = this.nextK;
    const s = k % this.ring;
    const C = this.channels;
    for (let c = 0; c < C; c++) {
      const counted = this.winChannel[s * C + c];
      this.channelCounts[c] += counted;
      this.channelClipped[c] += counted - this.overflow[s * C + c];
    }
    let data = this.bufs[s] ?? this.zeros();
    const a = this.arenaSlot[s];
    this.bufs[s] = null; // before out.push: a lending sink recycles the buffer at once
    this.arenaSlot[s] = -1;
    if (a >= 0 && !out.lends) {
      // a sink that keeps its frames gets a copy; the arena slot is cleared for the next window
      const reused = this.spare.pop();
      const copy = reused ?? new Uint8Array(this.frameLen);
      if (reused !== undefined) copy.set(data);
      else this.arena!.copyInto(a, copy); // a new array is zero: the pages written suffice
      this.arena!.give(a);
      data = copy;
    }
    this.eventsKept += this.winFirst[s];
    this.lastWindowEvents = this.winIn[s];
    this.windowsEmitted++;
    this.nextK = k + 1;
    this.closeAt = this.t0 + this.nextK * this.hopUs + this.windowUs;
    out.push(this.frame(k, data, this.winIn[s], this.winKept[s]));
  }

  private emitEmpty(k: number, out: FrameSink): void {
    out.push(this.frame(k, this.zeros(), 0, 0));
    this.windowsEmitted++;
  }

  private frame(k: number, data: Uint8Array, eventsIn: number, eventsKept: number): TimeChannelFrame {
    const tStartUs = this.t0 + k * this.hopUs;
    return { index: k, tStartUs, tEndUs: tStartUs + this.windowUs, data, shape: [...this.outputShape], eventsIn, eventsKept };
  }

  private zeros(): Uint8Array {
    return (this.zeroFrame ??= new Uint8Array(this.frameLen));
  }
}

/** Frames stacked as one (N, H, W, C) array, ready for .npy. */
export function stackFrames(
  frames: readonly TimeChannelFrame[],
  frameShape?: readonly [number, number, number],
): { data: Uint8Array; shape: [number, number, number, number] } {
  const shape = frameShape ?? frames[0]?.shape;
  if (!shape) throw new RangeError('stackFrames: no frames and no frame shape');
  const [h, w, c] = shape;
  const len = h * w * c;
  const data = new Uint8Array(frames.length * len);
  frames.forEach((f, i) => {
    if (f.data.length !== len) throw new RangeError(`stackFrames: frame ${i} has ${f.data.length} values, expected ${len}`);
    data.set(f.data, i * len);
  });
  return { data, shape: [frames.length, h, w, c] };
}
