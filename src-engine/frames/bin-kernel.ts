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
 */
import { compileKernel, type CompiledKernel, instantiate } from '../formats/wasm';
import { BIN_KERNEL_WASM_BASE64 } from './bin-kernel-binary';

type CountFn = (
  X: number, Y: number, P: number, n: number, sw1: number, sh1: number, xOff: number, yOff: number,
  pm: number, buf: number, chBase: number, clip1: number, out: number,
) => void;

/** events copied in per kernel call */
const CHUNK = 16384;
/** largest frame the kernel takes (its memory holds one) */
const MAX_KERNEL_FRAME = 1 << 24;

let compiled: CompiledKernel | null | undefined;

export class BinKernel {
  private readonly count: CountFn;
  private readonly bytes: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly outView: Int32Array;
  private readonly at: { xOff: number; yOff: number; buf: number; X: number; Y: number; P: number };
  /** the window buffer whose counts are in the kernel's memory (newer than its own), or null */
  private resident: Uint8Array | null = null;

  private constructor(k: CompiledKernel, xOff: Int32Array, yOff: Int32Array, readonly frameLen: number) {
    const xo = 64;
    const yo = xo + 4 * xOff.length;
    const buf = yo + 4 * yOff.length;
    const X = (buf + frameLen + 7) & ~7;
    const Y = X + 2 * CHUNK;
    const P = Y + 2 * CHUNK;
    const { memory, exports } = instantiate(k, P + CHUNK);
    this.count = exports.count as CountFn;
    this.bytes = new Uint8Array(memory.buffer);
    this.u16 = new Uint16Array(memory.buffer);
    this.outView = new Int32Array(memory.buffer, 0, 5);
    new Int32Array(memory.buffer, xo, xOff.length).set(xOff);
    new Int32Array(memory.buffer, yo, yOff.length).set(yOff);
    this.at = { xOff: xo, yOff: yo, buf, X, Y, P };
  }

  /** A kernel for these lookup tables and frame size, or null (no WebAssembly, or a frame too large). */
  static create(xOff: Int32Array, yOff: Int32Array, frameLen: number): BinKernel | null {
    if (frameLen > MAX_KERNEL_FRAME) return null;
    if (compiled === undefined) compiled = compileKernel(BIN_KERNEL_WASM_BASE64);
    return compiled ? new BinKernel(compiled, xOff, yOff, frameLen) : null;
  }

  /**
   * Whether a run of `events`, with `ahead` events left in the batch (the run
   * included), repays copying a frame in and out: the buffer stays resident
   * for the rest of the batch's runs.
   */
  worthKernel(events: number, ahead: number): boolean {
    return events >= 512 && (this.resident !== null || 8 * ahead >= this.frameLen);
  }

  /** Copies the resident counts back to their buffer; the kernel then holds none. */
  sync(): void {
    const r = this.resident;
    if (r === null) return;
    r.set(this.bytes.subarray(this.at.buf, this.at.buf + r.length));
    this.resident = null;
  }

  /**
   * binRun of time-channel.ts, same arguments and results, on this kernel;
   * `buf`'s counts are up to date after sync().
   */
  binRun(
    X: Uint16Array, Y: Uint16Array, Pol: Uint8Array, from: number, to: number,
    sw1: number, sh1: number, pm: number, buf: Uint8Array, chBase: number, clip1: number, out: Int32Array,
  ): Int32Array {
    const a = this.at;
    const bytes = this.bytes;
    if (this.resident !== buf) {
      this.sync();
      bytes.set(buf, a.buf);
      this.resident = buf;
    }
    out.fill(0);
    for (let j = from; j < to; j += CHUNK) {
      const e = Math.min(to, j + CHUNK);
      this.u16.set(X.subarray(j, e), a.X >>> 1);
      this.u16.set(Y.subarray(j, e), a.Y >>> 1);
      bytes.set(Pol.subarray(j, e), a.P);
      this.count(a.X, a.Y, a.P, e - j, sw1, sh1, a.xOff, a.yOff, pm, a.buf, chBase, clip1, 0);
      const o = this.outView;
      for (let k = 0; k < 5; k++) out[k] += o[k];
    }
    return out;
  }
}
