import assert from 'node:assert/strict';
import { test } from 'node:test';
import { worstCaseActivity } from '../../src-engine/nsoc/activity';
import { eventPj, neuronPj, synapticOpPj } from '../../src-engine/nsoc/energy-table';
import { AKD1000 } from '../../src-engine/nsoc/hardware-profile';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { formatSummary, summary } from '../../src-engine/nsoc/summary';
import { randomInput } from '../../src-engine/nsoc/testing/random-model';
import { convTiny, dsCnnKws, handModel } from './model-file-fixtures';

/** In-bounds taps of a SAME 3×3 stride-1 window summed over n output positions along one axis: 3n − 2. */
const taps3 = (n: number) => 3 * n - 2;

test('ConvTiny summary rows: types, shapes, kernels, bits, pooling, NPs', () => {
  const s = summary(convTiny());
  assert.deepEqual(
    s.rows.map((r) => [r.type, r.outputShape, r.kernelShapes, r.weightBits, r.activationBits, r.pool, r.nps]),
    [
      ['Conv.', [32, 32, 16], [[3, 3, 10, 16]], 4, 4, 'max 2×2/2', 1],
      ['Conv.', [16, 16, 16], [[3, 3, 16, 16]], 4, 4, 'max 2×2/2', 1],
      ['Conv.', [8, 8, 32], [[3, 3, 16, 32]], 4, 4, 'max 2×2/2', 1],
      ['Conv.', [4, 4, 64], [[3, 3, 32, 64]], 4, 4, 'max 2×2/2', 1],
      ['Conv.', [1, 1, 128], [[3, 3, 64, 128]], 4, 4, 'global avg', 2],
      ['Sep.Conv.', [1, 1, 256], [[3, 3, 128, 1], [1, 1, 128, 256]], 4, 1, null, 4],
      ['Fully.', [1, 1, 10], [[1, 1, 256, 10]], 4, null, null, 1],
    ],
  );
  const params = 90 * 16 + 144 * 16 + 144 * 32 + 288 * 64 + 576 * 128 + 9 * 128 + 128 * 256 + 256 * 10;
  assert.equal(s.parameters, params); // ≈ 0.14 M, the "Akida Tiny" figure in AKIDA.md
  assert.equal(s.weightMemoryBits, params * 4);
  assert.equal(s.weightMemoryBytes, (params * 4) / 8);
  assert.deepEqual([s.inputShape, s.outputShape, s.layers, s.nps, s.usableNps, s.fits], [[64, 64, 10], [1, 1, 10], 7, 11, 78, true]);
});

test('worst-case activity: executed ops = dense MACs, counted with in-bounds taps only', () => {
  const s = summary(convTiny());
  assert.equal(s.activity, 'worst case');
  // first layer: SAME 3×3 over 64×64×10 → 16 filters
  assert.equal(s.rows[0].denseMacs, taps3(64) * taps3(64) * 10 * 16);
  // the separable layer over its 1×1×128 input: depthwise centre tap only, then pointwise
  assert.equal(s.rows[5].denseMacs, 128 + 128 * 256);
  assert.equal(s.rows[6].denseMacs, 256 * 10);
  assert.equal(s.executedOps, s.denseMacs);
  for (const r of s.rows) assert.equal(r.executedOps, r.denseMacs);
});

test('latency: per layer a fixed overhead plus the ops spread over the layer\'s NPs', () => {
  const model = dsCnnKws();
  const ops = [1000, 33_000, 32_001, 0, 64_000, 2112];
  const activity = { perLayer: ops.map((executedOps) => ({ executedOps, denseMacs: 0, inputEvents: 0, outputEvents: 0 })) };
  const s = summary(model, AKD1000, activity);
  assert.equal(s.activity, 'measured');
  // HRC: 4 MACs a cycle; CNP/FNP: 16 synaptic ops a cycle per NP, one NP each here; 8192 cycles a layer
  const expected = [8192 + 250, 8192 + 2063, 8192 + 2001, 8192, 8192 + 4000, 8192 + 132];
  assert.deepEqual(s.latency.perLayerCycles, expected);
  assert.equal(s.latency.cycles, expected.reduce((a, b) => a + b));
  assert.equal(s.latency.seconds, s.latency.cycles / 300e6);
});

test('energy: synaptic ops at the Horowitz figures scaled to 28 nm, plus events and neuron updates', () => {
  // 4-bit weights on 4-bit inputs: (4·10/64 read + 0.2·16/64 multiply + 0.1 add + 2·32·10/64 potential) · 28/45 pJ
  assert.ok(Math.abs(synapticOpPj(AKD1000.energy, 4, 4) - (0.625 + 0.05 + 0.1 + 10) * (28 / 45)) < 1e-12);
  assert.ok(Math.abs(synapticOpPj(AKD1000.energy, 1, 4) - (10 / 64 + 0.1 + 10) * (28 / 45)) < 1e-12);
  assert.ok(Math.abs(eventPj(AKD1000.energy) - 5 * (28 / 45)) < 1e-12);
  const model = handModel('e', [4, 4, 2], [{ kind: 'conv', k: 3, filters: 3, bits: 2 }, { kind: 'dense', units: 2, bits: 4, act: null }]);
  const activity = { layers: [{ executedOps: 100, denseMacs: 0, inputEvents: 7, outputEvents: 5 }, { executedOps: 10, denseMacs: 0, inputEvents: 5, outputEvents: 2 }] };
  const e = summary(model, AKD1000, activity).energy;
  const t = AKD1000.energy;
  // layer 0: model input is 4-bit; map 4×4×3 neurons. Layer 1: input bits = layer 0's activation (4)
  const l0 = 100 * synapticOpPj(t, 2, 4) + 12 * eventPj(t) + 48 * neuronPj(t);
  const l1 = 10 * synapticOpPj(t, 4, 4) + 7 * eventPj(t) + 2 * neuronPj(t);
  assert.ok(Math.abs(e.totalJ - (l0 + l1) * 1e-12) < 1e-20);
  // more activity costs more; none costs only the neuron updates
  const idle = summary(model, AKD1000, { layers: activity.layers.map(() => ({ executedOps: 0, denseMacs: 0, inputEvents: 0, outputEvents: 0 })) }).energy.totalJ;
  assert.ok(Math.abs(idle - 50 * neuronPj(t) * 1e-12) < 1e-20);
});

test('measured activity below the worst case lowers both estimates', () => {
  const model = convTiny();
  const worst = summary(model);
  const half = worstCaseActivity(model).layers.map((l) => ({ ...l, executedOps: Math.floor(l.executedOps / 3), outputEvents: Math.floor(l.outputEvents / 3) }));
  const s = summary(model, AKD1000, { layers: half });
  assert.ok(s.latency.cycles < worst.latency.cycles);
  assert.ok(s.energy.totalJ < worst.energy.totalJ);
  assert.throws(() => summary(model, AKD1000, { layers: half.slice(1) }), /activity has 6 layers/);
});

test('the runtime\'s InferenceStats plug in as the measured activity', () => {
  const model = convTiny();
  const worst = summary(model);
  const { stats } = new NsocRuntime(model).infer(randomInput(model, 3, 0.1));
  const s = summary(model, AKD1000, stats);
  assert.equal(s.activity, 'measured');
  assert.equal(s.executedOps, stats.executedOps);
  // the runtime's dense-MAC count per layer agrees with the one summary() derives for the worst case
  assert.deepEqual(stats.layers.map((l) => l.denseMacs), worst.rows.map((r) => r.denseMacs));
  assert.ok(s.executedOps < s.denseMacs);
  assert.ok(s.latency.cycles < worst.latency.cycles && s.energy.totalJ < worst.energy.totalJ);
});

test('formatSummary prints the vendor-style table, both separable kernels and the totals', () => {
  const text = formatSummary(summary(dsCnnKws()));
  const lines = text.split('\n');
  assert.match(lines[0], /^Model summary: ds-cnn-kws on AKD1000$/);
  assert.ok(lines.some((l) => /^\[49, 10, 1\]\s+\[1, 1, 33\]\s+6\s+22\.4 k\s+96\.0 kbit \(12\.0 kB\)\s+5 of 78 \+ HRC$/.test(l)), text);
  assert.ok(lines.some((l) => /^input-conv_0 \(InputConv\.\)\s+\[25, 5, 64\]\s+\(5, 5, 1, 64\)\s+8\s+4\s+N\/A \(HRC\)$/.test(l)), text);
  assert.ok(lines.some((l) => /^separable-conv_4 \(Sep\.Conv\.\)\s+\[1, 1, 64\]\s+\(3, 3, 64, 1\)\s+4\s+4\s+global avg\s+1 CNP$/.test(l)), text);
  assert.equal(lines.filter((l) => /^\s+\(1, 1, 64, 64\)$/.test(l)).length, 4);
  assert.ok(lines.some((l) => /^dense_5 \(Fully\.\)\s+\[1, 1, 33\]\s+\(1, 1, 64, 33\)\s+4\s+-\s+1 FNP$/.test(l)), text);
  assert.match(lines[lines.length - 1], /^Estimates \(worst case, every activation non-zero\): 2\.46 M synaptic ops of 2\.46 M dense MACs; latency [\d.]+ [mµ]s \([\d.]+ k cycles at 300 MHz\); energy [\d.]+ µJ per inference$/);
});

test('a model that does not fit is summarised with the reason', () => {
  const s = summary(convTiny(), { ...AKD1000, name: 'tiny-chip', nodes: 2, npsPerNode: 4, reservedNps: 0 });
  assert.equal(s.fits, false);
  assert.match(formatSummary(s), /DOES NOT FIT tiny-chip: 11 NPs needed, tiny-chip has 8 usable/);
});
