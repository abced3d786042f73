/**
 * The WebAssembly LZ4 block decoder and event unpacker (lz4-kernel-wat.ts, compiled into
 * lz4-kernel-binary.ts), about twice as fast as the JavaScript one on event
 * data, whose short sequences make per-sequence overhead rule. Compiled once
 * per thread, synchronously (fine in Node and in Web Workers). Where
 * WebAssembly is missing `WasmOutputBuffer.create` returns null and the
 * JavaScript decoder runs instead; both give identical results.
 */
import { LZ4_KERNEL_WASM_BASE64 } from './lz4-kernel-binary';
import { OutputBuffer } from './lz4-frame';
import { PayloadError } from './payload-error';
import { compileKernel, type CompiledKernel, instantiate, WASM_PAGE, type WasmMemory } from '../wasm';

type BlockKernel = (s: number, sEnd: number, d: number, dEnd: number, dMin: number) => number;
type EventsKernel = (src: number, n: number, t: number, x: number, y: number, p: number) => number;

const PAGE = WASM_PAGE;
/** events extracted per `events` call; their columns (13 bytes an event) reuse the staged payload's room */
const EXTRACT_EVENTS = 8192;
const COLUMN_BYTES = EXTRACT_EVENTS * 13;
const EVENT_STRUCT_BYTES = 16;

let compiled: CompiledKernel | null | undefined;

function kernelModule(): CompiledKernel | null {
  if (compiled === undefined) compiled = compileKernel(LZ4_KERNEL_WASM_BASE64);
  return compiled;
}

/** True when the WebAssembly decoder can run here. */
export function lz4KernelAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * An OutputBuffer living in a WebAssembly memory: the output at address 0
 * (so output positions are addresses), the staged compressed payload right
 * behind it. Every block of a staged payload is decoded by the kernel.
 */
export class WasmOutputBuffer extends OutputBuffer {
  private readonly memory: WasmMemory;
  private readonly kernel: BlockKernel;
  private readonly extract: EventsKernel;
  /** where the staged payload starts (= the output capacity) */
  private inAt: number;
  private inLen = 0;
  private staged: Uint8Array | null = null;

  private constructor(limit: number, k: CompiledKernel) {
    super(limit);
    this.inAt = this.bytes.length;
    const { memory, exports } = instantiate(k, this.inAt + PAGE);
    this.memory = memory;
    this.kernel = exports.block as BlockKernel;
    this.extract = exports.events as EventsKernel;
    this.reserve(columnsAt(this.inAt) + COLUMN_BYTES);
    this.bytes = new Uint8Array(this.memory.buffer, 0, this.inAt);
  }

  /** A buffer decoding with WebAssembly, or null where it is unavailable. */
  static create(limit: number): WasmOutputBuffer | null {
    const k = kernelModule();
    return k ? new WasmOutputBuffer(limit, k) : null;
  }

  /** Grows the memory to at least `bytes` (growing detaches the old views). */
  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      throw new PayloadError('limit', `cannot get ${bytes} bytes of WebAssembly memory for the LZ4 decoder`);
    }
    this.bytes = new Uint8Array(this.memory.buffer, 0, this.inAt);
  }

  override ensure(used: number, n: number): void {
    const need = used + n;
    if (need <= this.bytes.length) return;
    if (need > this.limit) throw new PayloadError('limit', `payload decompresses beyond ${this.limit} bytes (LIMITS.maxDecompressedBytes)`);
    let cap = this.bytes.length;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.limit);
    // the output keeps its place at 0; the staged payload moves up behind it
    this.reserve(columnsAt(cap) + Math.max(this.inLen, COLUMN_BYTES));
    new Uint8Array(this.memory.buffer).copyWithin(cap, this.inAt, this.inAt + this.inLen);
    this.inAt = cap;
    this.bytes = new Uint8Array(this.memory.buffer, 0, cap);
  }

  override stage(src: Uint8Array): void {
    this.reserve(columnsAt(this.inAt) + Math.max(src.length, COLUMN_BYTES));
    new Uint8Array(this.memory.buffer, this.inAt, src.length).set(src);
    this.inLen = src.length;
    this.staged = src;
  }

  override block(src: Uint8Array, sPos: number, sEnd: number, dPos: number, dEnd: number, dMin: number): number {
    if (src !== this.staged) return super.block(src, sPos, sEnd, dPos, dEnd, dMin);
    return this.kernel(this.inAt + sPos, this.inAt + sEnd, dPos, dEnd, dMin);
  }

  /**
   * EventVectorReader.decode for the payload decoded last (`bytes` from 0):
   * events [first, first + count) of the struct vector at byte `start` into
   * the columns from index `n`; the new index, or −1 when some event of the
   * range cannot be represented. Overwrites the staged payload (no longer
   * needed once decoded), never grows the memory (stage/ensure reserved the
   * room), so views of the decoded payload stay valid.
   */
  events(start: number, first: number, count: number, t: Float64Array, x: Uint16Array, y: Uint16Array, p: Uint8Array, n: number): number {
    this.staged = null;
    const at = columnsAt(this.inAt);
    const buf = this.memory.buffer;
    let src = start + first * EVENT_STRUCT_BYTES;
    for (let done = 0; done < count; ) {
      const k = Math.min(count - done, EXTRACT_EVENTS);
      if (this.extract(src, k, at, at + 8 * k, at + 10 * k, at + 12 * k) !== 0) return -1;
      t.set(new Float64Array(buf, at, k), n);
      x.set(new Uint16Array(buf, at + 8 * k, k), n);
      y.set(new Uint16Array(buf, at + 10 * k, k), n);
      p.set(new Uint8Array(buf, at + 12 * k, k), n);
      n += k;
      done += k;
      src += k * EVENT_STRUCT_BYTES;
    }
    return n;
  }
}

/** The 8-aligned start of the column scratch behind an output of `outCap` bytes. */
function columnsAt(outCap: number): number {
  return (outCap + 7) & ~7;
}
