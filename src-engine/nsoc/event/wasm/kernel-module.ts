/**
 * Loads the event path's WebAssembly kernels (kernels-wat.ts, compiled into
 * kernels-binary.ts) once per thread. Compilation is synchronous — fine in
 * Node and in Web Workers, where the engine runs. Returns null where
 * WebAssembly or its SIMD extension is unavailable; the runtime then uses the
 * plain JavaScript event path, which gives identical results.
 */
import { KERNELS_WASM_BASE64 } from './kernels-binary';

/** The part of the WebAssembly JS API used here (the engine compiles without DOM or Node types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export interface Kernels {
  memory: WasmMemory;
  scan(src: number, len: number, dst: number): number;
  countDiff(src: number, ref: number, len: number, chunkOps: number, out: number): number;
  scanDiff(src: number, ref: number, len: number, dst: number): number;
  maxByte(src: number, len: number): number;
  conv(
    ev: number, n: number, inCS: number, inW: number,
    rowStart: number, rowTap: number, rowOut: number, colStart: number, colTap: number, colOut: number,
    kw: number, inC: number, outW: number, coutP: number, cout: number, w: number, acc: number,
  ): number;
  conv16: Kernels['conv'];
  rows(ev: number, n: number, coutP: number, w: number, acc: number): void;
  separable(
    ev: number, n: number, inCS: number, inW: number,
    rowStart: number, rowTap: number, rowOut: number, colStart: number, colTap: number, colOut: number,
    kw: number, inC: number, outW: number, positions: number,
    dw: number, dwW: number, coutP: number, cout: number, pw: number, acc: number, list: number,
  ): number;
  poolActivate(acc: number, mw: number, CP: number, oh: number, ow: number, size: number, stride: number, lv: number, levels: number, out: number, zero: number): number;
  poolActivate16: Kernels['poolActivate'];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64.indexOf(clean[i]);
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

let compiled: object | null | undefined;

function api(): WasmApi | null {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}

/** A fresh instance with its own memory of `bytes` (rounded up to 64 KiB pages), or null without WebAssembly SIMD. */
export function instantiateKernels(bytes: number): Kernels | null {
  const wa = api();
  if (!wa) return null;
  if (compiled === undefined) {
    const binary = decodeBase64(KERNELS_WASM_BASE64);
    compiled = wa.validate(binary) ? new wa.Module(binary) : null;
  }
  if (compiled === null) return null;
  const memory = new wa.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const { exports } = new wa.Instance(compiled, { env: { memory } });
  return { ...(exports as unknown as Omit<Kernels, 'memory'>), memory };
}

export function wasmKernelsAvailable(): boolean {
  const wa = api();
  if (!wa) return false;
  if (compiled === undefined) instantiateKernels(1);
  return compiled !== null && compiled !== undefined;
}
