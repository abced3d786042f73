// .npy in and out for the factory: uint8 / int32 C-order arrays (the dataset
// format and the Python side's check files).
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { encodeNpyHeader, parseNpyHeader } from '../../src-engine/formats/numpy/npy';
import { readNpyFile } from '../../src-main/datasets/dataset-writer';

export interface U8Array2 {
  data: Uint8Array;
  /** shape of the whole array: [N, ...sample] */
  shape: number[];
}

/** Reads a uint8 array; `rows(i)` of it are views, not copies. */
export function readU8(path: string): U8Array2 {
  const a = readNpyFile(path, 'u1');
  return { data: a.data, shape: a.header.shape };
}

export function readI32(path: string): { data: Int32Array; shape: number[] } {
  const a = readNpyFile(path, 'i4');
  const copy = a.data.slice();
  return { data: new Int32Array(copy.buffer, 0, copy.byteLength / 4), shape: a.header.shape };
}

export function sampleSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Sample i of an [N, ...] array (a view). */
export function row(a: U8Array2, i: number): Uint8Array {
  const n = sampleSize(a.shape);
  return a.data.subarray(i * n, (i + 1) * n);
}

export function writeNpy(path: string, data: Uint8Array | Int32Array, shape: readonly number[]): void {
  const header = encodeNpyHeader(data instanceof Uint8Array ? '|u1' : '<i4', shape);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  writeFileSync(path, out);
}

/**
 * Random access to the samples of a large uint8 [N, ...] .npy without loading
 * it (a training split can be hundreds of MB): rows are read with pread.
 */
export class NpyRows {
  readonly count: number;
  readonly sampleShape: number[];
  readonly sampleBytes: number;
  private readonly fd: number;
  private readonly offset: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    const head = new Uint8Array(4096);
    const got = readSync(this.fd, head, 0, head.length, 0);
    const h = parseNpyHeader(head.subarray(0, got), path);
    if (h.descr.kind !== 'scalar' || h.descr.typeChar !== 'u' || h.descr.itemsize !== 1 || h.fortranOrder) {
      closeSync(this.fd);
      throw new Error(`${path}: expected a C-order uint8 array`);
    }
    this.count = h.shape[0];
    this.sampleShape = h.shape.slice(1);
    this.sampleBytes = this.sampleShape.reduce((a, b) => a * b, 1);
    this.offset = h.headerLength;
    const need = this.offset + this.count * this.sampleBytes;
    if (fstatSync(this.fd).size < need) {
      closeSync(this.fd);
      throw new Error(`${path}: truncated: shape (${h.shape.join(', ')}) needs ${need} bytes`);
    }
  }

  /** A fresh copy of sample i. */
  read(i: number, out = new Uint8Array(this.sampleBytes)): Uint8Array {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`${this.path}: sample ${i} of ${this.count}`);
    readSync(this.fd, out, 0, this.sampleBytes, this.offset + i * this.sampleBytes);
    return out;
  }

  /** Samples [start, start + n) as one buffer. */
  readRange(start: number, n: number): Uint8Array {
    const out = new Uint8Array(n * this.sampleBytes);
    readSync(this.fd, out, 0, out.length, this.offset + start * this.sampleBytes);
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}
