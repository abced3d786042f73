/**
 * Loading the decoders' WebAssembly kernels (LZ4 for AEDAT 4, EVT 3.0):
 * base64 text in the source, compiled synchronously once per thread (fine in
 * Node and in Web Workers, where the engine runs). Where WebAssembly is
 * missing the decoders keep their JavaScript paths, which give the same
 * results.
 */

/** The part of the WebAssembly JS API used here (the engine compiles without DOM or Node types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export interface CompiledKernel {
  readonly wa: WasmApi;
  readonly module: object;
}

export const WASM_PAGE = 65536;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function decodeBase64(text: string): Uint8Array {
  const s = text.replace(/[\s=]+/g, '');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = BASE64.indexOf(s[i]);
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Compiles a base64 WebAssembly binary; null where WebAssembly (or a feature
 * it uses) is unavailable, and on big-endian hosts, where typed-array views of
 * the (little-endian) kernel memory would read numbers byte-swapped.
 */
export function compileKernel(base64: string): CompiledKernel | null {
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa || !HOST_IS_LITTLE_ENDIAN) return null;
  try {
    const binary = decodeBase64(base64);
    return wa.validate(binary) ? { wa, module: new wa.Module(binary) } : null;
  } catch {
    return null;
  }
}

/** A fresh instance of `k` with its own memory of at least `bytes`. */
export function instantiate(k: CompiledKernel, bytes: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const memory = new k.wa.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
  const { exports } = new k.wa.Instance(k.module, { env: { memory } });
  return { memory, exports };
}

/**
 * A larger instance of `k` holding a copy of `old`'s memory: what the kernels
 * do instead of `memory.grow`. Growing detaches the memory's old ArrayBuffer,
 * and the first ArrayBuffer ever detached in a thread (V8's
 * ArrayBufferDetaching protector) makes every typed-array access there check
 * for detachment from then on: typed-array loops anywhere in the thread ran
 * 1.5–2× slower after it (docs/FRAMES.md). The old memory is left to the
 * garbage collector; views of it stay readable but no longer see the kernel's
 * writes, so callers make new views, as they had to after growing.
 */
export function enlarge(k: CompiledKernel, old: WasmMemory, bytes: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const next = instantiate(k, bytes);
  new Uint8Array(next.memory.buffer).set(new Uint8Array(old.buffer));
  return next;
}
