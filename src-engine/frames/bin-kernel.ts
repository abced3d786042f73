/**
 * The time-channel binner's counting loop in WebAssembly (bin-kernel-wat.ts):
 * about twice as fast as the JavaScript loop (binRun in time-channel.ts),
 * which stays the reference and the path for short runs and where
 * WebAssembly is unavailable. The kernel has its own memory: a window's
 * counts are copied in when a run for it comes and stay there (resident) for
 * the following runs, until sync() copies them back — the binner syncs before
 * it emits a window, takes another path, or returns from push() — and the
 * events go through in chunks. So it pays off only when the events ahead in
 * the batch are many against the frame size (worthKernel).
 *
 * Two things keep the copies small. The frame area of the memory is all zero
 * between uses, so a window buffer the binner has not counted into yet (a
 * fresh one, all zeros) needs no copy in; and the kernel marks the 4 KB pages
 * it writes, so sync() copies back (and clears) only those. And one kernel is
 * kept between binners (acquire / release), so a new binner does not pay for
 * a new memory and its first-touch page faults (a 640×480 frame is 3 MB).
 */
import { compileKernel, type CompiledKernel, instantiate, WASM_PAGE, type WasmMemory } from '../formats/wasm';
import { BIN_KERNEL_WASM_BASE64 } from './bin-kernel-binary';

type CountFn = (
  X: number, Y: number, P: number, n: number, sw1: number, sh1: number, xOff: number, yOff: number,
  pm: number, buf: number, chBase: number, clip1: number, out: number,
) => void;

/** events copied in per kernel call */
const CHUNK = 16384;
/** largest frame the kernel takes */
const MAX_KERNEL_FRAME = 1 << 24;
const PAGE_SHIFT = 12;
// Memory layout: [0, 64) results; the page map (one byte per 4 KB page of the frame, at 64, as the
// WAT expects); the event chunks; the frame area (`capacity` bytes); the lookup tables after it.
const MAP_AT = 64;
const MAP_LEN = MAX_KERNEL_FRAME >> PAGE_SHIFT;
const X_AT = MAP_AT + MAP_LEN;
const Y_AT = X_AT + 2 * CHUNK;
const P_AT = Y_AT + 2 * CHUNK;
const BUF_AT = P_AT + CHUNK;

let compiled: CompiledKernel | null | undefined;
/** the kernel last released, kept with its memory for the next binner */
let idle: BinKernel | null = null;

export class BinKernel {
  private readonly count: CountFn;
  private readonly memory: WasmMemory;
  private bytes!: Uint8Array;
  private u16!: Uint16Array;
  private outView!: Int32Array;
  private map!: Uint8Array;
  /** bytes of the frame area; all zero except the marked pages of the resident buffer */
  private capacity = 0;
  private frameLen = 0;
  /** the lookup tables now in memory (the binner's, which never change) and where */
  private xOff: Int32Array | null = null;
  private yOff: Int32Array | null = null;
  private xOffAt = 0;
  private yOffAt = 0;
  /** the window buffer whose counts are in the kernel's memory (newer than its own), or null */
  private resident: Uint8Array | null = null;

  private constructor(k: CompiledKernel) {
    const { memory, exports } = instantiate(k, BUF_AT);
    this.memory = memory;
    this.count = exports.count as CountFn;
    this.views();
  }

  /**
   * A kernel set up for these lookup tables and frame size (the one kept from
   * the last release when there is one), or null: no WebAssembly, or a frame
   * too large. Give it back with release() when done (it is then synced).
   */
  static acquire(xOff: Int32Array, yOff: Int32Array, frameLen: number): BinKernel | null {
    if (frameLen > MAX_KERNEL_FRAME) return null;
    if (compiled === undefined) compiled = compileKernel(BIN_KERNEL_WASM_BASE64);
    if (!compiled) return null;
    const k = idle ?? new BinKernel(compiled);
    idle = null;
    k.configure(xOff, yOff, frameLen);
    return k;
  }

  /** Syncs and keeps this kernel for the next acquire; do not use it afterwards. */
  release(): void {
    this.sync();
    idle = this;
  }

  private views(): void {
    const b = this.memory.buffer;
    this.bytes = new Uint8Array(b);
    this.u16 = new Uint16Array(b);
    this.outView = new Int32Array(b, 0, 5);
    this.map = new Uint8Array(b, MAP_AT, MAP_LEN);
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
    this.views();
  }

  private configure(xOff: Int32Array, yOff: Int32Array, frameLen: number): void {
    if (frameLen > this.capacity) {
      // the frame area grows over the old tables: clear that part, the tables move behind it
      this.ensure(BUF_AT + frameLen);
      this.bytes.fill(0, BUF_AT + this.capacity, BUF_AT + frameLen);
      this.capacity = frameLen;
      this.xOff = this.yOff = null;
    }
    this.frameLen = frameLen;
    if (this.xOff !== xOff || this.yOff !== yOff) {
      const at = (BUF_AT + this.capacity + 7) & ~7;
      this.ensure(at + 4 * (xOff.length + yOff.length));
      this.xOffAt = at;
      this.yOffAt = at + 4 * xOff.length;
      new Int32Array(this.memory.buffer, this.xOffAt, xOff.length).set(xOff);
      new Int32Array(this.memory.buffer, this.yOffAt, yOff.length).set(yOff);
      this.xOff = xOff;
      this.yOff = yOff;
    }
  }

  /** Whether `buf`'s counts are in the kernel's memory (then every run for it must come here until sync). */
  holds(buf: Uint8Array): boolean {
    return this.resident === buf;
  }

  /**
   * Whether a run of `events`, with `ahead` events left in the batch (the run
   * included), repays copying a frame in and out: the buffer stays resident
   * for the rest of the batch's runs.
   */
  worthKernel(events: number, ahead: number): boolean {
    return events >= 512 && (this.resident !== null || 8 * ahead >= this.frameLen);
  }

  /** Copies the resident counts back to their buffer (the pages written) and clears them here; the kernel then holds none. */
  sync(): void {
    const r = this.resident;
    if (r === null) return;
    const bytes = this.bytes, map = this.map;
    const pages = (r.length + (1 << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
    for (let p = 0; p < pages; p++) {
      if (map[p] === 0) continue;
      let q = p + 1;
      while (q < pages && map[q] !== 0) q++;
      const lo = p << PAGE_SHIFT, hi = Math.min(q << PAGE_SHIFT, r.length);
      r.set(bytes.subarray(BUF_AT + lo, BUF_AT + hi), lo);
      bytes.fill(0, BUF_AT + lo, BUF_AT + hi);
      map.fill(0, p, q);
      p = q;
    }
    this.resident = null;
  }

  /**
   * binRun of time-channel.ts, same arguments and results, on this kernel;
   * `buf`'s counts are up to date after sync(). `fresh`: buf is all zeros
   * (nothing to copy in).
   */
  binRun(
    X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
    sw1: number, sh1: number, pm: number, buf: Uint8Array, fresh: boolean, chBase: number, clip1: number, out: Int32Array,
  ): Int32Array {
    if (buf.length !== this.frameLen) throw new RangeError(`BinKernel: a buffer of ${buf.length} values, set up for ${this.frameLen}`);
    const bytes = this.bytes;
    if (this.resident !== buf) {
      this.sync();
      if (!fresh) {
        bytes.set(buf, BUF_AT);
        this.map.fill(1, 0, (buf.length + (1 << PAGE_SHIFT) - 1) >> PAGE_SHIFT);
      }
      this.resident = buf;
    }
    out.fill(0);
    for (let j = from; j < to; j += CHUNK) {
      const e = Math.min(to, j + CHUNK);
      this.u16.set(X.subarray(j, e), X_AT >>> 1);
      this.u16.set(Y.subarray(j, e), Y_AT >>> 1);
      bytes.set(Pol.subarray(j, e), P_AT);
      this.count(X_AT, Y_AT, P_AT, e - j, sw1, sh1, this.xOffAt, this.yOffAt, pm, BUF_AT, chBase, clip1, 0);
      const o = this.outView;
      for (let k = 0; k < 5; k++) out[k] += o[k];
    }
    return out;
  }
}
