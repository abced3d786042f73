/**
 * The WebAssembly LZ4 block decoder and event unpacker (lz4-kernel-wat.ts,
 * compiled into lz4-kernel-binary.ts), three to four times as fast as the
 * JavaScript ones on event data, whose short sequences make per-sequence
 * overhead rule. A packet is copied in, decoded, and its events unpacked into
 * columns in the same memory: with reuseBatches those columns hold a whole
 * batch and batches are views of them; otherwise they are copied out in
 * chunks. Compiled once per thread, synchronously (fine in Node and in Web
 * Workers); buffers of finished streams are pooled. Where WebAssembly is
 * missing `WasmOutputBuffer.create` returns null and the JavaScript decoder
 * runs instead; both give identical results.
 */
import { LZ4_KERNEL_WASM_BASE64 } from './lz4-kernel-binary';
import { OutputBuffer } from './lz4-frame';
import { PayloadError } from './payload-error';
import type { EventBatch } from '../../events/batch';
import { compileKernel, type CompiledKernel, enlarge, instantiate, WASM_PAGE, type WasmMemory } from '../wasm';

type BlockKernel = (s: number, sEnd: number, d: number, dEnd: number, dMin: number) => number;
type EventsKernel = (src: number, n: number, t: number, x: number, y: number, p: number) => number;

const PAGE = WASM_PAGE;
/** events per `events` call when the columns are scratch copied out to a BatchBuilder */
const EXTRACT_EVENTS = 8192;
/** bytes an event takes in the columns: t f64, x u16, y u16, p u8 */
const COLUMN_EVENT_BYTES = 13;
const EVENT_STRUCT_BYTES = 16;
/**
 * Largest batch whose columns live in the kernel's memory (batches are then
 * views of it, with reuseBatches); larger ones are copied out in chunks.
 */
export const MAX_DIRECT_BATCH = 1 << 20;

let compiled: CompiledKernel | null | undefined;

/**
 * Buffers of finished streams, kept for the next ones: a fresh WebAssembly
 * memory (~1 MB with a batch of columns) costs about as much as decoding
 * 100 000 events. Memories grown past POOL_MAX_BYTES are not kept.
 */
const pool: WasmOutputBuffer[] = [];
const POOL_SIZE = 4;
const POOL_MAX_BYTES = 16 << 20;

function kernelModule(): CompiledKernel | null {
  if (compiled === undefined) compiled = compileKernel(LZ4_KERNEL_WASM_BASE64);
  return compiled;
}

/** True when the WebAssembly decoder can run here. */
export function lz4KernelAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * An OutputBuffer living in a WebAssembly memory. Layout: event columns at
 * address 0 (t f64, x u16, y u16, p u8 for `columns` events; they never move,
 * so events gathered from several packets survive a growing output), the
 * output from `outAt` (`bytes` views it, so output positions are offsets
 * from there), the staged compressed payload right behind the output. Every
 * block of a staged payload is decoded by the kernel.
 */
export class WasmOutputBuffer extends OutputBuffer {
  private memory: WasmMemory;
  private kernel: BlockKernel;
  private extract: EventsKernel;
  /** where the output starts (behind the columns) */
  private readonly outAt: number;
  /** where the staged payload starts (= outAt + the output capacity) */
  private inAt: number;
  private inLen = 0;
  private staged: Uint8Array | null = null;

  private constructor(
    limit: number,
    private readonly k: CompiledKernel,
    /** events the columns hold */
    readonly columns: number,
  ) {
    super(limit);
    this.outAt = (columns * COLUMN_EVENT_BYTES + 15) & ~15;
    this.inAt = this.outAt + this.bytes.length;
    const { memory, exports } = instantiate(k, this.inAt + PAGE);
    this.memory = memory;
    this.kernel = exports.block as BlockKernel;
    this.extract = exports.events as EventsKernel;
    this.bytes = new Uint8Array(this.memory.buffer, this.outAt, this.inAt - this.outAt);
  }

  /**
   * A buffer decoding with WebAssembly, or null where it is unavailable.
   * `columns`: events its columns hold (default: a scratch chunk; a whole
   * batch, at most MAX_DIRECT_BATCH, for `eventsInPlace`).
   */
  static create(limit: number, columns = EXTRACT_EVENTS): WasmOutputBuffer | null {
    const k = kernelModule();
    if (!(Number.isInteger(columns) && columns >= 1 && columns <= MAX_DIRECT_BATCH)) throw new RangeError(`column capacity must be 1…${MAX_DIRECT_BATCH}, got ${columns}`);
    if (!k) return null;
    const i = pool.findIndex((b) => b.limit === limit && b.columns === columns);
    return i >= 0 ? pool.splice(i, 1)[0] : new WasmOutputBuffer(limit, k, columns);
  }

  /** Hands the buffer back once its stream is over (neither it nor views of its memory may be used after). */
  release(): void {
    this.staged = null;
    this.inLen = 0;
    if (pool.length < POOL_SIZE && !pool.includes(this) && this.memory.buffer.byteLength <= POOL_MAX_BYTES) pool.push(this);
  }

  /**
   * At least `bytes` of memory: a larger copy of it, not memory.grow (wasm.ts:
   * growing would detach the old buffer and slow every typed array in the
   * thread). Old views then no longer see the kernel's writes: make new ones.
   */
  private reserve(bytes: number): void {
    if (bytes <= this.memory.buffer.byteLength) return;
    let next: ReturnType<typeof enlarge>;
    try {
      next = enlarge(this.k, this.memory, bytes);
    } catch {
      throw new PayloadError('limit', `cannot get ${bytes} bytes of WebAssembly memory for the LZ4 decoder`);
    }
    this.memory = next.memory;
    this.kernel = next.exports.block as BlockKernel;
    this.extract = next.exports.events as EventsKernel;
    this.bytes = new Uint8Array(this.memory.buffer, this.outAt, this.inAt - this.outAt);
  }

  override ensure(used: number, n: number): void {
    const need = used + n;
    if (need <= this.bytes.length) return;
    if (need > this.limit) throw new PayloadError('limit', `payload decompresses beyond ${this.limit} bytes (LIMITS.maxDecompressedBytes)`);
    let cap = this.bytes.length;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.limit);
    // the output keeps its place; the staged payload moves up behind it
    const inAt = this.outAt + cap;
    this.reserve(inAt + this.inLen);
    new Uint8Array(this.memory.buffer).copyWithin(inAt, this.inAt, this.inAt + this.inLen);
    this.inAt = inAt;
    this.bytes = new Uint8Array(this.memory.buffer, this.outAt, cap);
  }

  override stage(src: Uint8Array): void {
    this.reserve(this.inAt + src.length);
    new Uint8Array(this.memory.buffer, this.inAt, src.length).set(src);
    this.inLen = src.length;
    this.staged = src;
  }

  override block(src: Uint8Array, sPos: number, sEnd: number, dPos: number, dEnd: number, dMin: number): number {
    if (src !== this.staged) return super.block(src, sPos, sEnd, dPos, dEnd, dMin);
    const o = this.outAt;
    const r = this.kernel(this.inAt + sPos, this.inAt + sEnd, o + dPos, o + dEnd, o + dMin);
    return r < 0 ? r : r - o;
  }

  /**
   * Events [first, first + count) of the struct vector at byte `start` of the
   * payload decoded last (`bytes`) into the columns from index `n` (n + count
   * ≤ `columns`); the new index, or −1 when some event of the range cannot be
   * represented (the same values and refusals as EventVectorReader.decode).
   * Never grows the memory, so views of the decoded payload stay valid.
   */
  eventsInPlace(start: number, first: number, count: number, n: number): number {
    const c = this.columns;
    if (n + count > c) throw new RangeError(`${n + count} events do not fit ${c} columns`);
    const src = this.outAt + start + first * EVENT_STRUCT_BYTES;
    return this.extract(src, count, 8 * n, 8 * c + 2 * n, 10 * c + 2 * n, 12 * c + n) === 0 ? n + count : -1;
  }

  /**
   * Events [0, n) of the columns as a batch: views of this memory, valid
   * until the next `eventsInPlace` or until the memory grows (the
   * reuseBatches contract: until the stream's next iteration).
   */
  view(n: number): EventBatch {
    const buf = this.memory.buffer;
    const c = this.columns;
    return { t: new Float64Array(buf, 0, n), x: new Uint16Array(buf, 8 * c, n), y: new Uint16Array(buf, 10 * c, n), p: new Uint8Array(buf, 12 * c, n), length: n };
  }

  /**
   * The same extraction into JavaScript columns, through the kernel's columns
   * in chunks: events [first, first + count) into t, x, y, p from index `n`;
   * the new index, or −1.
   */
  events(start: number, first: number, count: number, t: Float64Array, x: Uint16Array, y: Uint16Array, p: Uint8Array, n: number): number {
    const c = this.columns;
    const buf = this.memory.buffer;
    for (let done = 0; done < count; ) {
      const k = Math.min(count - done, c);
      if (this.eventsInPlace(start, first + done, k, 0) < 0) return -1;
      t.set(new Float64Array(buf, 0, k), n);
      x.set(new Uint16Array(buf, 8 * c, k), n);
      y.set(new Uint16Array(buf, 10 * c, k), n);
      p.set(new Uint8Array(buf, 12 * c, k), n);
      n += k;
      done += k;
    }
    return n;
  }
}
