// The engine's Node adapter: file bytes in and out. The only engine folder
// allowed to import node:* (tsconfig.engine.json excludes it).
import { open } from 'node:fs/promises';
import type { ByteSink } from '../formats/types';

export const FILE_CHUNK_BYTES = 1 << 20;

/** Reads a file as a sequence of fresh chunks (constant memory for any size). */
export async function* readFileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(chunkBytes);
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkBytes ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** A ByteSink over a file, buffering small writes into large ones. */
export async function openFileSink(path: string, bufferBytes = 1 << 20): Promise<Required<ByteSink> & { close(): Promise<void> }> {
  const fh = await open(path, 'w');
  let buf = new Uint8Array(bufferBytes);
  let n = 0;
  const flush = async () => {
    if (n > 0) await fh.write(buf, 0, n);
    n = 0;
  };
  return {
    async write(chunk: Uint8Array) {
      if (chunk.length >= bufferBytes) {
        await flush();
        await fh.write(chunk);
        return;
      }
      if (n + chunk.length > bufferBytes) await flush();
      buf.set(chunk, n);
      n += chunk.length;
    },
    async writeAt(offset: number, chunk: Uint8Array) {
      await flush();
      await fh.write(chunk, 0, chunk.length, offset);
    },
    async close() {
      await flush();
      buf = new Uint8Array(0);
      await fh.close();
    },
  };
}

/** A ByteSink collecting everything in memory (tests, small exports). */
export function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write(chunk: Uint8Array) {
      parts.push(chunk.slice());
    },
    bytes() {
      let n = 0;
      for (const p of parts) n += p.length;
      const out = new Uint8Array(n);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
  };
}
