/**
 * The time-channel binner's open windows in WebAssembly memory, counted there
 * by its counting loop in WebAssembly (bin-kernel-wat.ts): binRun of
 * time-channel.ts without JavaScript's bounds checks, about twice as fast,
 * and count2, which counts a run into two sliding windows in one pass for
 * little more than the cost of one.
 *
 * A binner with an arena keeps each open window's counts in one of its slots
 * (a view of the memory), so the kernel and the binner's JavaScript loops
 * (filters, single events) both count in place: nothing is copied while a
 * window is open. A lending consumer (pushEach) reads the slot itself; a
 * consumer that keeps its frames (push) gets a copy. Events reach the memory
 * in chunks, each copied once however many runs and windows read it.
 *
 * Every free slot is all zeros (the binner clears a slot as it gives it
 * back), so a window needs no clearing when it opens. The kernel marks the
 * 4 KB pages of a slot it writes, so clearing a slot and copying it into a
 * new (zero) frame touch only those; a slot the JavaScript loops wrote into
 * is marked whole (markAll). Arenas are pooled
 * (acquire, and release at the binner's flush): a new memory and the first
 * touch of its pages cost more than a short stream's binning (a 640×480 frame
 * is 3 MB). The memory only changes in acquire, so slot views stay valid for
 * the binner's life; it is replaced by a larger copy, never grown (growing
 * detaches ArrayBuffers, which slows every typed array in the thread; wasm.ts).
 */
import { compileKernel, type CompiledKernel, enlarge, instantiate, type WasmMemory } from '../formats/wasm';
import { BIN_KERNEL_WASM_BASE64 } from './bin-kernel-binary';
import { KERNEL_LAYOUT as L, OFF_SENSOR } from './bin-kernel-wat';

type CountFn = (from: number, to: number, pm: number, frame: number, clip1: number) => void;
type Count2Fn = (from: number, to: number, pm: number, frame: number, clip1: number, frame2: number) => void;
type WindowFn = (from: number, to: number, pm: number, buf: number, clip1: number, ws: number, win: number, bins: number, np: number, tPrev: number) => number;

/** the most memory the slots of one arena may take (more: the binner counts in JavaScript) */
const MAX_SLOT_BYTES = 1 << 26;
// Memory layout (KERNEL_LAYOUT): results; the event chunk (T f64, X, Y u16, P u8); the lookup tables
// (an i32 for every u16 coordinate); window's per-bin tallies (zero between calls); the page map (a
// byte per 4 KB page of memory); then, from SLOTS, the slots (`capacity` bytes, all zero while free),
// each a whole number of pages, so a slot's pages are its own.
const PAGE_SHIFT = L.PAGE_SHIFT;

let compiled: CompiledKernel | null | undefined;
/** arenas released, kept with their memory for the next binners */
const idle: BinArena[] = [];
const MAX_IDLE = 2;

export class BinArena {
  private count1!: CountFn;
  private count2!: Count2Fn;
  private countWindow!: WindowFn;
  private memory!: WasmMemory;
  private bytes!: Uint8Array;
  private outView!: Int32Array;
  private tallyView!: Int32Array;
  /** bytes of the slot area, all zero except the slots in use */
  private capacity = 0;
  private stride = 0;
  private slots: Uint8Array[] = [];
  /** 1 while slot i is taken */
  private taken = new Uint8Array(0);
  /** 1 when slot i was written outside the kernel (every page counts as written) */
  private dirtyAll = new Uint8Array(0);
  /** pages per slot, and where slot i's part of the page map starts (mapAt + i · pages) */
  private pages = 0;
  private mapAt = 0;
  /** the lookup tables now in memory (the binner's, which never change) */
  private xOff: Int32Array | null = null;
  private yOff: Int32Array | null = null;
  /** the batch events [evLo, evHi) of evX (and its y, p) are in the chunk */
  private evX: Uint16Array | null = null;
  private evLo = 0;
  private evHi = 0;
  /** the chunk also holds the times of these events (only window reads them) */
  private evT: Float64Array | null = null;
  /** load's second result */
  private avail = 0;

  private constructor(private readonly kernel: CompiledKernel) {
    this.use(instantiate(kernel, L.SLOTS));
    // every coordinate beyond the sensor (tables hold the sensor's part, written by configure)
    new Int32Array(this.memory.buffer, L.X_TABLE, 2 * L.TABLE_LEN).fill(OFF_SENSOR);
  }

  private use({ memory, exports }: { memory: WasmMemory; exports: Record<string, unknown> }): void {
    this.memory = memory;
    this.count1 = exports.count as CountFn;
    this.count2 = exports.count2 as Count2Fn;
    this.countWindow = exports.window as WindowFn;
    this.views();
  }

  /**
   * An arena of `slots` frames of `frameLen` values for these lookup tables
   * (a released one when there is one), or null: no WebAssembly, or the slots
   * would be too large. Give it back with release() once every slot is free.
   */
  static acquire(xOff: Int32Array, yOff: Int32Array, frameLen: number, slots: number): BinArena | null {
    const stride = (frameLen + (1 << PAGE_SHIFT) - 1) & ~((1 << PAGE_SHIFT) - 1);
    if (stride * slots > MAX_SLOT_BYTES) return null;
    if (compiled === undefined) compiled = compileKernel(BIN_KERNEL_WASM_BASE64);
    if (!compiled) return null;
    const a = idle.pop() ?? new BinArena(compiled);
    a.configure(xOff, yOff, frameLen, stride, slots);
    return a;
  }

  /**
   * Keeps this arena for the next acquire when every slot has been given back
   * (so all are zero); one with a slot still taken is left to the garbage
   * collector. Do not use it afterwards.
   */
  release(): void {
    this.evX = null;
    if (!this.taken.includes(1) && idle.length < MAX_IDLE) idle.push(this);
  }

  private views(): void {
    this.bytes = new Uint8Array(this.memory.buffer);
    this.outView = new Int32Array(this.memory.buffer, L.OUT, 8);
    this.tallyView = new Int32Array(this.memory.buffer, L.TALLY, 4 * L.MAX_BINS);
  }

  private configure(xOff: Int32Array, yOff: Int32Array, frameLen: number, stride: number, slots: number): void {
    const need = stride * slots;
    // one larger memory for the slots, when this one is short
    const total = L.SLOTS + Math.max(need, this.capacity);
    if (total > this.memory.buffer.byteLength) this.use(enlarge(this.kernel, this.memory, total));
    this.capacity = Math.max(need, this.capacity);
    if (this.xOff !== xOff) this.xOff = this.writeTable(L.X_TABLE, xOff, this.xOff);
    if (this.yOff !== yOff) this.yOff = this.writeTable(L.Y_TABLE, yOff, this.yOff);
    this.stride = stride;
    this.pages = stride >> PAGE_SHIFT;
    this.mapAt = L.MAP + (L.SLOTS >> PAGE_SHIFT);
    this.bytes.fill(0, this.mapAt, this.mapAt + slots * this.pages);
    this.slots = Array.from({ length: slots }, (_, i) => new Uint8Array(this.memory.buffer, L.SLOTS + i * stride, frameLen));
    this.taken = new Uint8Array(slots);
    this.dirtyAll = new Uint8Array(slots);
    this.evX = null;
  }

  /** Puts a binner's table (one entry per sensor coordinate) at `at`; entries of a longer old table go back to off-sensor. */
  private writeTable(at: number, table: Int32Array, old: Int32Array | null): Int32Array {
    const mem = new Int32Array(this.memory.buffer, at, L.TABLE_LEN);
    mem.set(table);
    if (old && old.length > table.length) mem.fill(OFF_SENSOR, table.length, old.length);
    return table;
  }

  /** A free slot's index (its view, slot(i), is all zeros), or −1 when all are taken. */
  take(): number {
    const i = this.taken.indexOf(0);
    if (i >= 0) this.taken[i] = 1;
    return i;
  }

  slot(i: number): Uint8Array {
    return this.slots[i];
  }

  /** The slot whose view `buf` is, or −1. */
  indexOf(buf: Uint8Array): number {
    return this.slots.indexOf(buf);
  }

  /** Slot i was (or is about to be) written by JavaScript: clearing and copying it take the whole slot. */
  markAll(i: number): void {
    this.dirtyAll[i] = 1;
  }

  /** Calls f(lo, hi) for each run of written pages of slot i, as value offsets in the slot; the whole slot when marked whole. */
  private written(i: number, f: (lo: number, hi: number) => void): void {
    const len = this.slots[i].length;
    if (this.dirtyAll[i] === 1) {
      f(0, len);
      return;
    }
    const map = this.bytes, base = this.mapAt + i * this.pages, pages = this.pages;
    for (let p = 0; p < pages; p++) {
      if (map[base + p] === 0) continue;
      let q = p + 1;
      while (q < pages && map[base + q] !== 0) q++;
      f(p << PAGE_SHIFT, Math.min(q << PAGE_SHIFT, len));
      p = q;
    }
  }

  /** Copies slot i into `target`, which must be all zeros (a new array): only the written pages. */
  copyInto(i: number, target: Uint8Array): void {
    const slot = this.slots[i];
    this.written(i, (lo, hi) => target.set(slot.subarray(lo, hi), lo));
  }

  /** Clears a taken slot (its written pages) and frees it. */
  give(i: number): void {
    if (this.taken[i] !== 1) return;
    const slot = this.slots[i];
    this.written(i, (lo, hi) => slot.fill(0, lo, hi));
    this.bytes.fill(0, this.mapAt + i * this.pages, this.mapAt + (i + 1) * this.pages);
    this.dirtyAll[i] = 0;
    this.taken[i] = 0;
  }

  /** The binner starts on a new batch: the chunk's events are stale (a caller may refill the same arrays). */
  newBatch(): void {
    this.evX = null;
  }

  /**
   * Makes events [from, …) of the batch readable in the chunk; returns their
   * first index in it, and in `this.avail` how many from `from` on are there
   * (≤ to − from). With T, the chunk holds the times too.
   */
  private load(X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number, T?: Float64Array): number {
    if (this.evX !== X || from < this.evLo || from >= this.evHi) {
      const e = Math.min(X.length, from + L.CHUNK);
      new Uint16Array(this.memory.buffer, L.X, e - from).set(X.subarray(from, e));
      new Uint16Array(this.memory.buffer, L.Y, e - from).set(Y.subarray(from, e));
      this.bytes.set(Pol.subarray(from, e), L.P);
      this.evX = X;
      this.evT = null;
      this.evLo = from;
      this.evHi = e;
    }
    if (T && this.evT !== T) {
      new Float64Array(this.memory.buffer, L.T, this.evHi - this.evLo).set(T.subarray(this.evLo, this.evHi));
      this.evT = T;
    }
    this.avail = Math.min(to, this.evHi) - from;
    return from - this.evLo;
  }

  /**
   * binRun of time-channel.ts, same arguments and results, counting into
   * slot `slot` in place.
   */
  binRun(
    X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
    pm: number, slot: number, chBase: number, clip1: number, out: Int32Array,
  ): Int32Array {
    out.fill(0);
    const o = this.outView, frame = L.SLOTS + slot * this.stride + chBase;
    for (let j = from; j < to;) {
      const at = this.load(X, Y, Pol, j, to);
      this.count1(at, at + this.avail, pm, frame, clip1);
      for (let k = 0; k < 5; k++) out[k] += o[k];
      j += this.avail;
    }
    return out;
  }

  /**
   * The run counted into two slots at once (channels from chA in slotA, from
   * chB in slotB). out gets binRun's results for slotA; outB[0..1] the
   * saturation tallies for slotB (saturated, saturated ON) — the other
   * tallies are the same for both.
   */
  binRun2(
    X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
    pm: number, slotA: number, chA: number, slotB: number, chB: number, clip1: number,
    out: Int32Array, outB: Int32Array,
  ): void {
    out.fill(0);
    outB.fill(0);
    const o = this.outView;
    const frameA = L.SLOTS + slotA * this.stride + chA, frameB = L.SLOTS + slotB * this.stride + chB;
    for (let j = from; j < to;) {
      const at = this.load(X, Y, Pol, j, to);
      this.count2(at, at + this.avail, pm, frameA, clip1, frameB);
      for (let k = 0; k < 5; k++) out[k] += o[k];
      outB[0] += o[6];
      outB[1] += o[7];
      j += this.avail;
    }
  }

  /**
   * Counts a disjoint window's events from `from` on into slot `slot` (the
   * kernel's window function: see bin-kernel-wat.ts), up to `to` or the first
   * event it leaves to the JavaScript loops. Returns how many it took; out
   * gets [outside the sensor, outside the ROI, first bin, last bin] (bins −1:
   * none counted), and tallies[4·b …] (kept, kept ON, saturated, saturated
   * ON) of bins first…last the counts, which the caller reads.
   */
  countDisjointWindow(
    T: Float64Array, X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
    pm: number, slot: number, clip1: number, ws: number, win: number, bins: number, polarities: number, tPrev: number,
    out: Int32Array, tallies: Int32Array,
  ): number {
    out[0] = out[1] = 0;
    out[2] = out[3] = -1;
    const o = this.outView, buf = L.SLOTS + slot * this.stride;
    let j = from;
    while (j < to) {
      const at = this.load(X, Y, Pol, j, to, T);
      const m = this.avail;
      const took = this.countWindow(at, at + m, pm, buf, clip1, ws, win, bins, polarities, tPrev);
      out[0] += o[0];
      out[1] += o[1];
      if (o[2] >= 0) {
        if (out[2] < 0) out[2] = o[2];
        out[3] = o[3];
      }
      j += took;
      if (took < m) break;
      tPrev = T[j - 1];
    }
    if (out[2] >= 0) {
      // hand the tallies over and leave the area zero for the next call
      const tv = this.tallyView;
      for (let k = 4 * out[2], hi = 4 * out[3] + 4; k < hi; k++) {
        tallies[k] = tv[k];
        tv[k] = 0;
      }
    }
    return j - from;
  }
}
