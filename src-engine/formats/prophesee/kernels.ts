/**
 * The Prophesee decoders' hot loops in WebAssembly (kernels-wat.ts, compiled
 * into kernels-binary.ts). A stream owns one `WordKernel` (its own instance
 * and memory): words are copied in, decoded there into column scratch, and
 * copied out into the batch. Same state machines, events and errors as the
 * JavaScript decoders, which run where WebAssembly is unavailable.
 */
import { compileKernel, type CompiledKernel, instantiate } from '../wasm';
import { PROPHESEE_KERNELS_WASM_BASE64 } from './kernels-binary';
import { COMPACT_TABLE, COMPACT_TABLE_BYTES } from './kernel-layout';
import type { EventBatch } from '../../events/batch';
import type { Columns } from './words';

type KernelFn = (w: number, n: number, i: number, t: number, x: number, y: number, p: number, limit: number) => number;

const EVT3_TIME_HIGH = 0x8;
const EVT2_TIME_HIGH = 0x8;

/** Which Prophesee decoder runs: WebAssembly where available (default), or the JavaScript one. */
export type PropheseeDecoderKind = 'wasm' | 'js';

let compiled: CompiledKernel | null | undefined;

/**
 * Kernels of finished streams, kept for the next ones: a WebAssembly memory
 * costs far more to create than a small file takes to decode.
 */
const pool: WordKernel[] = [];
const POOL_SIZE = 4;

/**
 * Largest batch decoded straight into a kernel's columns (batches are views
 * of its memory, with reuseBatches); larger ones go through a BatchBuilder
 * instead of a kernel memory of that size.
 */
export const MAX_DIRECT_BATCH = 1 << 20;

export function propheseeKernelsAvailable(): boolean {
  if (compiled === undefined) compiled = compileKernel(PROPHESEE_KERNELS_WASM_BASE64);
  return compiled !== null;
}

export class WordKernel {
  /** the scratch columns the last run filled, events [0, count) */
  readonly columns: Columns;
  count = 0;
  /** word index of the last run where the clock ran past exact doubles, or −1 */
  overflowAt = -1;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly bytes: Uint8Array;
  private readonly wordsAt: number;
  private readonly colAt: readonly [number, number, number, number];
  private readonly fns: { evt3: KernelFn; evt2: KernelFn; dat: KernelFn };
  private started = false;
  /** words loaded, in units of `wordBytes` */
  private words = 0;

  private constructor(
    k: CompiledKernel,
    /** events per run at most (EVT 3.0: at least; the columns hold 11 more for a vector word crossing it) */
    readonly limit: number,
    /** most bytes per `load` */
    readonly maxBytes: number,
  ) {
    const cap = limit + 11;
    // state at 0, the EVT 3.0 SIMD path's shuffle table (a data segment), then the columns
    const t = COMPACT_TABLE + COMPACT_TABLE_BYTES;
    const x = t + 8 * cap;
    const y = x + 2 * cap;
    const p = y + 2 * cap;
    this.wordsAt = (p + cap + 7) & ~7;
    this.colAt = [t, x, y, p];
    const { memory, exports } = instantiate(k, this.wordsAt + maxBytes);
    this.fns = { evt3: exports.evt3 as KernelFn, evt2: exports.evt2 as KernelFn, dat: exports.dat as KernelFn };
    const buf = memory.buffer;
    this.columns = { t: new Float64Array(buf, t, cap), x: new Uint16Array(buf, x, cap), y: new Uint16Array(buf, y, cap), p: new Uint8Array(buf, p, cap) };
    this.i32 = new Int32Array(buf, 0, 16);
    this.f64 = new Float64Array(buf, 0, 2);
    this.bytes = new Uint8Array(buf);
  }

  /** A decoder with its own memory (a released one when there is), or null without WebAssembly. */
  static create(limit: number, maxBytes: number): WordKernel | null {
    if (!propheseeKernelsAvailable()) return null;
    const i = pool.findIndex((k) => k.limit === limit && k.maxBytes === maxBytes);
    return i >= 0 ? pool.splice(i, 1)[0] : new WordKernel(compiled!, limit, maxBytes);
  }

  /** Hands the kernel back once its stream is over (it must not be used after). */
  release(): void {
    this.started = false;
    this.words = 0;
    this.count = 0;
    this.overflowAt = -1;
    this.i32.fill(0);
    if (pool.length < POOL_SIZE && !pool.includes(this)) pool.push(this);
  }

  /** Copies a run of whole `wordBytes`-byte words (at most `maxBytes`) in; returns how many words. */
  load(chunk: Uint8Array, wordBytes: number): number {
    const n = Math.floor(chunk.length / wordBytes);
    this.bytes.set(n * wordBytes === chunk.length ? chunk : chunk.subarray(0, n * wordBytes), this.wordsAt);
    this.words = n;
    return n;
  }

  private call(fn: KernelFn, n: number, i: number, limit: number, at: number): number {
    const [t, x, y, p] = this.colAt;
    const next = fn(this.wordsAt, n, i, t + 8 * at, x + 2 * at, y + 2 * at, p + at, limit);
    this.count = this.i32[11];
    this.overflowAt = this.i32[12];
    return next;
  }

  /**
   * EVT 3.0 u16 words from index `i` until at least `limit` events (default:
   * the kernel's); returns the next index. Events go to the columns from
   * event `at` on (at + limit ≤ the kernel's limit).
   */
  evt3(i: number, limit: number = this.limit, at = 0): number {
    this.count = 0;
    this.overflowAt = -1;
    if (!this.started) {
      // OpenEB drops everything before the first TIME_HIGH (no time base yet).
      const b = this.bytes;
      const at = this.wordsAt;
      while (i < this.words && b[at + 2 * i + 1] >>> 4 !== EVT3_TIME_HIGH) i++;
      if (i === this.words) return i;
      this.started = true;
      const h = (b[at + 2 * i] | (b[at + 2 * i + 1] << 8)) & 0xfff;
      this.f64[0] = h * 4096; // time-high µs
      this.i32[4] = h; // lastHigh
      this.i32[5] = 0; // low
      i++;
    }
    return this.call(this.fns.evt3, this.words, i, limit, at);
  }

  /** EVT 2.0 u32 words from index `i`, at most `room` (≤ limit − at) of them, into the columns from event `at`; returns the next index. */
  evt2(i: number, room: number, at = 0): number {
    this.count = 0;
    this.overflowAt = -1;
    if (!this.started) {
      const b = this.bytes;
      const at = this.wordsAt;
      while (i < this.words && b[at + 4 * i + 3] >>> 4 !== EVT2_TIME_HIGH) i++;
      if (i === this.words) return i;
      this.started = true;
      const field = (b[at + 4 * i] | (b[at + 4 * i + 1] << 8) | (b[at + 4 * i + 2] << 16) | ((b[at + 4 * i + 3] & 0xf) << 24)) >>> 0;
      this.f64[0] = field * 64; // time base
      // the first TIME_HIGH is decoded again by the loop (it sets the same base), as the JavaScript decoder does
    }
    return this.call(this.fns.evt2, this.words, i, Math.min(room, this.limit - at), at);
  }

  /** .dat events (loaded as 8-byte words) from event `e`, at most `room` (≤ limit − at) of them, into the columns from event `at`; returns the next event index. */
  dat(e: number, room: number, at = 0): number {
    return this.call(this.fns.dat, 2 * this.words, 2 * e, Math.min(room, this.limit - at), at) >>> 1;
  }

  /**
   * Events [0, n) of the columns as a batch: a view of this kernel's memory,
   * valid until the kernel runs again or is released (the reuseBatches
   * contract: until the stream's next iteration).
   */
  view(n: number): EventBatch {
    const c = this.columns;
    return { t: c.t.subarray(0, n), x: c.x.subarray(0, n), y: c.y.subarray(0, n), p: c.p.subarray(0, n), length: n };
  }

  /** Moves events [from, from + count) of the columns to the front. */
  moveToFront(from: number, count: number): void {
    const c = this.columns;
    c.t.copyWithin(0, from, from + count);
    c.x.copyWithin(0, from, from + count);
    c.y.copyWithin(0, from, from + count);
    c.p.copyWithin(0, from, from + count);
  }
}
