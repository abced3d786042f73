// The WebAssembly kernels: the committed binary must be what wabt builds from
// the committed source, and the WebAssembly event path must equal the dense
// reference bit for bit (and the JavaScript event path, stats included).
//
// Regenerate the binary after editing kernels-wat.ts:
//   node --import tsx test/nsoc/runtime-wasm.test.ts --write
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import wabt from 'wabt';
import { KERNELS_WASM_BASE64 } from '../../src-engine/nsoc/event/wasm/kernels-binary';
import { decodeBase64, wasmKernelsAvailable } from '../../src-engine/nsoc/event/wasm/kernel-module';
import type { WasmEventExecutor } from '../../src-engine/nsoc/event/wasm/wasm-executor';
import { KERNELS_WAT } from '../../src-engine/nsoc/event/wasm/kernels-wat';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';
import { randomInput, randomModel } from '../../src-engine/nsoc/testing/random-model';
import { syntheticDvsFrames } from '../../src-engine/nsoc/testing/synthetic-frames';

async function buildKernels(): Promise<Uint8Array> {
  const w = await wabt();
  const mod = w.parseWat('kernels.wat', KERNELS_WAT, { simd: true });
  mod.validate();
  return new Uint8Array(mod.toBinary({ log: false, write_debug_names: false }).buffer);
}

if (process.argv.includes('--write')) {
  const bytes = await buildKernels();
  const target = fileURLToPath(new URL('../../src-engine/nsoc/event/wasm/kernels-binary.ts', import.meta.url));
  const b64 = Buffer.from(bytes).toString('base64');
  writeFileSync(
    target,
    `// Generated from kernels-wat.ts by wabt's wat2wasm (node --import tsx test/nsoc/runtime-wasm.test.ts --write). Do not edit.\nexport const KERNELS_WASM_BASE64 =\n  '${b64}';\n`,
  );
  console.log(`wrote ${bytes.length} bytes to ${target}`);
} else {
  test('the committed WebAssembly binary is the build of the committed source', async () => {
    const built = await buildKernels();
    assert.deepEqual(decodeBase64(KERNELS_WASM_BASE64), built, 'kernels-binary.ts is stale: regenerate it (see the top of this file)');
    assert.equal(Buffer.from(decodeBase64(KERNELS_WASM_BASE64)).toString('base64'), KERNELS_WASM_BASE64.replace(/\s/g, ''));
  });

  test('WebAssembly SIMD is available in this Node', () => {
    assert.equal(wasmKernelsAvailable(), true);
  });

  test('WebAssembly event path == dense path == JavaScript event path, on every layer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(0, 0.02, 0.1, 0.3, 0.7, 1),
        (seed, inputSeed, density) => {
          const model = randomModel(seed, { maxFilters: 40 });
          const input = randomInput(model, inputSeed, density);
          const wasm = new NsocRuntime(model, { engine: 'wasm', keepLayerOutputs: true });
          const js = new NsocRuntime(model, { engine: 'js', keepLayerOutputs: true });
          const dense = new NsocRuntime(model, { path: 'dense', keepLayerOutputs: true });
          assert.equal(wasm.engine, 'wasm');
          wasm.infer(randomInput(model, inputSeed + 1, 0.8)); // stale state must not leak
          const w = wasm.infer(input);
          const j = js.infer(input);
          const d = dense.infer(input);
          const where = `model seed ${seed}, input seed ${inputSeed}, density ${density}`;
          for (let i = 0; i < model.layers.length; i++) {
            assert.deepEqual(w.layerOutputs![i], d.layerOutputs![i], `${where}: layer ${i} (${model.layers[i].kind})`);
            const { index, name, kind, ...ws } = w.stats.layers[i];
            const { index: _i, name: _n, kind: _k, ...js2 } = j.stats.layers[i];
            assert.deepEqual(ws, js2, `${where}: layer ${i} stats`);
            assert.equal(w.stats.layers[i].denseMacs, d.stats.layers[i].denseMacs);
          }
          assert.deepEqual(w.output, d.output);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('delta layers (a network that fires without input): the plain path\'s outputs and statistics, frame after frame', () => {
    let withDelta = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const model = randomModel(seed, { maxFilters: 40 });
      const wasm = new NsocRuntime(model, { engine: 'wasm', keepLayerOutputs: true });
      const deltas = (wasm as unknown as { wasm: WasmEventExecutor }).wasm.deltaLayers;
      if (deltas.length === 0) continue;
      withDelta++;
      for (const i of deltas) assert.equal(model.layers[i].kind, 'conv');
      const js = new NsocRuntime(model, { engine: 'js', keepLayerOutputs: true });
      // silent, sparse, saturated and sparse again: each frame starts from the reference, not from the last one
      for (const [k, density] of [0, 0.05, 1, 0.05].entries()) {
        const input = randomInput(model, seed * 7 + k, density);
        const w = wasm.infer(input);
        const j = js.infer(input);
        for (let i = 0; i < model.layers.length; i++) {
          const where = `model seed ${seed}, density ${density}, layer ${i}${deltas.includes(i) ? ' (delta)' : ''}`;
          assert.deepEqual(w.layerOutputs![i], j.layerOutputs![i], where);
          const { index, name, kind, ...ws } = w.stats.layers[i];
          const { index: _i, name: _n, kind: _k, ...js2 } = j.stats.layers[i];
          assert.deepEqual(ws, js2, `${where}: stats`);
        }
      }
    }
    assert.ok(withDelta >= 10, `only ${withDelta} of 80 random models have a delta layer`);
  });

  test('WebAssembly event path == dense path on ConvTiny with sparse DVS-like frames', () => {
    const model = makeConvTiny({ calibration: syntheticDvsFrames(4, { seed: 5 }) });
    const wasm = new NsocRuntime(model, { engine: 'wasm', keepLayerOutputs: true });
    const dense = new NsocRuntime(model, { path: 'dense', keepLayerOutputs: true });
    for (const frame of syntheticDvsFrames(3, { seed: 11 })) {
      const w = wasm.infer(frame);
      const d = dense.infer(frame);
      model.layers.forEach((l, i) => assert.deepEqual(w.layerOutputs![i], d.layerOutputs![i], `layer ${i} (${l.name})`));
      assert.ok(w.stats.opsRatio < 1);
    }
  });
}
