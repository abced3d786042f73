// The event path must equal the dense reference bit for bit, on every layer,
// for random models and random sparse inputs; and its executed-operation count
// must be exactly the work an event engine needs, counted here independently
// by brute force over outputs and taps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import type { LayerPlan } from '../../src-engine/nsoc/runtime-plan';
import { randomInput, randomModel } from '../../src-engine/nsoc/testing/random-model';

/** Outputs (oy or ox) an input index i reaches along one axis, by trying every output and tap. */
function reach(i: number, input: number, output: number, kernel: number, stride: number, pad: number): number {
  let n = 0;
  for (let o = 0; o < output; o++) {
    for (let k = 0; k < kernel; k++) if (o * stride - pad + k === i && i < input) n++;
  }
  return n;
}

/** What an event engine must execute for this layer and input. */
function expectedEventOps(plan: LayerPlan, input: Uint8Array): number {
  const { layer, geometry: g } = plan;
  if (layer.kind === 'dense') {
    let nz = 0;
    for (const a of input) if (a !== 0) nz++;
    return nz * layer.units;
  }
  const { inH, inW, inC, outH, outW, kh, kw, stride, padTop, padLeft } = g!;
  let ops = 0;
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < inW; x++) {
      const taps = reach(y, inH, outH, kh, stride, padTop) * reach(x, inW, outW, kw, stride, padLeft);
      for (let c = 0; c < inC; c++) {
        if (input[(y * inW + x) * inC + c] === 0) continue;
        ops += layer.kind === 'separable-conv' ? taps : taps * layer.filters;
      }
    }
  }
  if (layer.kind === 'separable-conv') {
    // pointwise: one row of cout weights per non-zero depthwise sum
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < inC; c++) {
          let d = 0;
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const y = oy * stride - padTop + ky;
              const x = ox * stride - padLeft + kx;
              if (y >= 0 && y < inH && x >= 0 && x < inW) d += input[(y * inW + x) * inC + c] * layer.depthwise[(ky * kw + kx) * inC + c];
            }
          }
          if (d !== 0) ops += layer.filters;
        }
      }
    }
  }
  return ops;
}

function checkOne(engine: 'wasm' | 'js', seed: number, inputSeed: number, density: number, allMax: boolean): void {
  const model = randomModel(seed);
  const input = randomInput(model, inputSeed, density, allMax);
  const ev = new NsocRuntime(model, { path: 'event', engine, keepLayerOutputs: true });
  const dn = new NsocRuntime(model, { path: 'dense', keepLayerOutputs: true });
  // run twice on the event path: stale state from a previous inference must not leak
  ev.infer(randomInput(model, inputSeed + 1, 0.7));
  const e = ev.infer(input);
  const d = dn.infer(input);
  const where = `${engine}: model seed ${seed}, input seed ${inputSeed}, density ${density}${allMax ? ' (all max)' : ''}`;
  for (let i = 0; i < model.layers.length; i++) {
    assert.deepEqual(e.layerOutputs![i], d.layerOutputs![i], `${where}: layer ${i} (${model.layers[i].kind}) output differs`);
    const es = e.stats.layers[i];
    const ds = d.stats.layers[i];
    assert.equal(es.denseMacs, ds.denseMacs, `${where}: layer ${i} dense MACs (closed form vs counted)`);
    assert.equal(es.inputEvents, ds.inputEvents, `${where}: layer ${i} input events`);
    assert.equal(es.outputEvents, ds.outputEvents, `${where}: layer ${i} output events`);
    const layerInput = i === 0 ? input : (d.layerOutputs![i - 1] as Uint8Array);
    assert.equal(es.executedOps, expectedEventOps(ev.plan.layers[i], layerInput), `${where}: layer ${i} executed ops`);
    assert.ok(es.executedOps <= es.denseMacs, `${where}: layer ${i} executes more than the dense MACs`);
  }
  assert.deepEqual(e.output, d.output);
  assert.deepEqual(e.scores, d.scores);
}

for (const engine of ['js', 'wasm'] as const) {
  test(`event path (${engine}) == dense path on every layer, for random models and inputs`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(0, 0.02, 0.1, 0.3, 0.7, 1),
        fc.boolean(),
        (seed, inputSeed, density, allMax) => checkOne(engine, seed, inputSeed, density, allMax && density === 1),
      ),
      { numRuns: 400 },
    );
  });
}

test('the random models cover every layer kind, pooling, bit width and the edge cases', () => {
  const seen = new Set<string>();
  let silent = 0;
  let saturated = 0;
  let partial = 0;
  for (let seed = 0; seed < 300; seed++) {
    const m = randomModel(seed);
    for (const l of m.layers) {
      seen.add(l.kind);
      seen.add(`w${l.weightBits}`);
      seen.add(`pool-${l.pool?.kind ?? 'none'}`);
      seen.add(l.activation ? `a${l.activation.bits}` : 'potentials');
      if (l.kind !== 'dense') seen.add(`k${l.kernel[0]}`), seen.add(`s${l.stride}`), seen.add(l.padding);
    }
    const r = new NsocRuntime(m, { keepLayerOutputs: true }).infer(randomInput(m, seed, 0.3));
    m.layers.forEach((l, i) => {
      if (!l.activation) return;
      const out = r.layerOutputs![i];
      const max = (1 << l.activation.bits) - 1;
      let z = 0;
      let s = 0;
      for (const v of out) {
        if (v === 0) z++;
        if (v === max) s++;
      }
      if (z === out.length) silent++;
      else if (s > 0) saturated++;
      if (z > 0 && z < out.length) partial++;
    });
  }
  const want = ['input-conv', 'conv', 'separable-conv', 'dense', 'w1', 'w2', 'w4', 'w8', 'pool-max', 'pool-global-avg', 'pool-none', 'a1', 'a2', 'a4', 'potentials', 'k1', 'k3', 'k5', 'k7', 's1', 's2', 's3', 'same', 'valid'];
  for (const w of want) assert.ok(seen.has(w), `random models never produce ${w}`);
  assert.ok(silent > 10 && saturated > 10 && partial > 50, `activations not varied enough: ${silent} silent, ${saturated} saturating, ${partial} partial layers`);
});
