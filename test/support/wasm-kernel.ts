// The repo's WebAssembly kernels are WAT source in src-engine with the binary
// committed beside it as base64 (so the engine needs no build step). Their
// tests rebuild the binary with wabt to prove the committed one is current,
// and regenerate it when run with --write.
import { writeFileSync } from 'node:fs';
import wabt from 'wabt';

/** wat2wasm of `source`, with the features the kernels use (SIMD, bulk memory). */
export async function buildWat(name: string, source: string): Promise<Uint8Array> {
  const w = await wabt();
  const mod = w.parseWat(name, source, { simd: true, bulk_memory: true });
  mod.validate();
  return new Uint8Array(mod.toBinary({ log: false, write_debug_names: false }).buffer);
}

/** Writes `bytes` as `export const <constName> = '<base64>'` to `target`, naming the test that made it. */
export function writeKernelBinary(target: string, constName: string, bytes: Uint8Array, source: string, testFile: string): void {
  writeFileSync(
    target,
    `// Generated from ${source} by wabt's wat2wasm (node --import tsx ${testFile} --write). Do not edit.\nexport const ${constName} =\n  '${Buffer.from(bytes).toString('base64')}';\n`,
  );
  console.log(`wrote ${bytes.length} bytes to ${target}`);
}
