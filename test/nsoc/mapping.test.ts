import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AKD1000, usableNps, type HardwareProfile } from '../../src-engine/nsoc/hardware-profile';
import { mapModel, MappingError, planMapping } from '../../src-engine/nsoc/mapping';
import { convTiny, dsCnnKws, handModel } from './model-file-fixtures';

/** AkidaNet 0.5 @ 224 as in the vendor's published `akida run` summary (AKIDA.md, akida_examples user guide). */
function akidaNet() {
  const s = (filters: number, stride = 1) => ({ kind: 'separable-conv' as const, k: 3, filters, bits: 4 as const, stride });
  return handModel(
    'akidanet-0.5-224',
    [224, 224, 3],
    [
      { kind: 'input-conv', k: 3, stride: 2, filters: 16 },
      { kind: 'conv', k: 3, filters: 32, bits: 4 },
      { kind: 'conv', k: 3, stride: 2, filters: 64, bits: 4 },
      { kind: 'conv', k: 3, filters: 64, bits: 4 },
      s(128, 2), s(128), s(256, 2), s(256), s(256), s(256), s(256), s(256), s(512, 2),
      { kind: 'separable-conv', k: 3, filters: 512, bits: 4, pool: { kind: 'global-avg' } },
      { kind: 'dense', units: 1000, bits: 4, act: null },
    ],
    5,
    { bits: 8 },
  );
}
/** NPs per layer in that published summary (AllNps mode; the input convolution shows N/A). */
const AKIDANET_ALLNPS = [0, 4, 6, 3, 6, 4, 8, 4, 4, 4, 4, 4, 8, 8, 1];

test('AKD1000 profile: 20 nodes × 4 NPs, 2 reserved', () => {
  assert.equal(usableNps(AKD1000), 78);
  assert.equal(AKD1000.fnpInternal + AKD1000.fnpExternal, 22);
});

test('DS-CNN KWS takes 5 NPs plus the HRC, as the vendor reports for the Minimal map mode', () => {
  const m = mapModel(dsCnnKws());
  assert.equal(m.nps, 5);
  assert.deepEqual(
    m.layers.map((l) => [l.processor, l.nps]),
    [['hrc', 0], ['cnp', 1], ['cnp', 1], ['cnp', 1], ['cnp', 1], ['fnp', 1]],
  );
  assert.equal(m.inputEngine, 1);
  assert.deepEqual(m.problems, []);
});

test('AkidaNet 0.5: never more NPs per layer than the published (AllNps) map, and equal where filters bind', () => {
  const m = mapModel(akidaNet());
  m.layers.forEach((l, i) => {
    assert.ok(l.nps <= Math.max(AKIDANET_ALLNPS[i], 1), `${l.name}: ${l.nps} > ${AKIDANET_ALLNPS[i]}`);
  });
  // the 256- and 512-filter layers use exactly filters/64 NPs in both maps
  for (const i of [7, 8, 9, 10, 11, 12, 13]) assert.equal(m.layers[i].nps, AKIDANET_ALLNPS[i], m.layers[i].name);
  assert.equal(m.layers[0].processor, 'hrc');
  // 512 × 1000 × 4 bits = 2 Mbit: more than on-chip memory, so the external-memory FNP (1 NP, as published)
  assert.equal(m.layers[14].processor, 'fnp-external');
  assert.equal(m.layers[14].weightBits, 512 * 1000 * 4);
  assert.ok(m.nps <= 68);
});

test('ConvTiny: the 10-channel first layer cannot use the HRC and goes to a CNP; 11 NPs', () => {
  const m = mapModel(convTiny());
  assert.deepEqual(m.layers.map((l) => l.nps), [1, 1, 1, 1, 2, 4, 1]);
  assert.equal(m.nps, 11);
  const withInputConv = handModel('ic', [64, 64, 10], [{ kind: 'input-conv', k: 3, filters: 16 }, { kind: 'dense', units: 2, bits: 2, act: null }]);
  const first = planMapping(withInputConv).layers[0];
  assert.equal(first.processor, 'cnp');
  assert.match(first.note ?? '', /input engine takes 1 or 3 channels/);
  // three channels but more filters than the HRC allows for 3×3 (192)
  const tooMany = handModel('ic', [8, 8, 3], [{ kind: 'input-conv', k: 3, filters: 200 }, { kind: 'dense', units: 2, bits: 2, act: null }]);
  assert.deepEqual([planMapping(tooMany).layers[0].processor, planMapping(tooMany).layers[0].nps], ['cnp', 4]);
});

const small: HardwareProfile = {
  ...AKD1000,
  name: 'small',
  nodes: 2,
  npsPerNode: 4,
  reservedNps: 1,
  fnpInternal: 2,
  fnpExternal: 0,
  cnp: { maxFilters: 8, weightMemoryBits: 1000 },
  fnp: { maxFilters: 16, weightMemoryBits: 600 },
  inputEngine: null,
};

test('layers split by filters or by weight memory, whichever needs more NPs', () => {
  // 3×3×4 at 2 bits = 72 bits a filter: 13 fit in 1000 bits, 8 per NP by filters → filters bind: ⌈20/8⌉ = 3
  const byFilters = planMapping(handModel('f', [6, 6, 4], [{ kind: 'conv', k: 3, filters: 20, bits: 2 }, { kind: 'dense', units: 2, bits: 1, act: null }]), small).layers[0];
  assert.deepEqual([byFilters.nps, byFilters.filtersPerNp, byFilters.limitedBy, byFilters.weightBitsPerNp], [3, 7, 'filters', 7 * 72]);
  // 3×3×16 at 2 bits = 288 bits a filter: 3 fit → memory binds: ⌈20/3⌉ = 7
  const byMemory = planMapping(handModel('m', [6, 6, 16], [{ kind: 'conv', k: 3, filters: 20, bits: 2 }, { kind: 'dense', units: 2, bits: 1, act: null }]), small).layers[0];
  assert.deepEqual([byMemory.nps, byMemory.filtersPerNp, byMemory.limitedBy], [7, 3, 'memory']);
  // separable: every NP holds the whole depthwise kernel (3×3×16×2 = 288) plus 32 bits per pointwise filter → (1000 − 288)/32 = 22 a NP, filters bind
  const sep = planMapping(handModel('s', [6, 6, 16], [{ kind: 'separable-conv', k: 3, filters: 20, bits: 2 }, { kind: 'dense', units: 2, bits: 1, act: null }]), small).layers[0];
  assert.deepEqual([sep.nps, sep.weightBits, sep.weightBitsPerNp], [3, 288 + 20 * 32, 288 + 7 * 32]);
});

test('a fully connected layer too big for one on-chip FNP is split by units, or uses external memory when the profile has it', () => {
  // 4×4×2 = 32 inputs × 10 units × 4 bits = 1280 bits: 600-bit FNPs hold 4 units → 3 FNPs
  const model = handModel('d', [4, 4, 2], [{ kind: 'dense', units: 10, bits: 4, act: null }]);
  const split = planMapping(model, small).layers[0];
  assert.deepEqual([split.processor, split.nps, split.filtersPerNp], ['fnp', 3, 4]);
  assert.match(planMapping(model, small).problems.join(), /3 fully connected NPs needed, small has 2/);
  const ext = planMapping(model, { ...small, fnpExternal: 1 }).layers[0];
  assert.deepEqual([ext.processor, ext.nps], ['fnp-external', 1]);
});

test('a model that needs more NPs than the profile has is a MappingError naming the counts', () => {
  // 7 usable NPs; 4 conv layers of 16 filters at 8 per NP need 8
  const model = handModel('big', [4, 4, 1], [
    { kind: 'conv', k: 1, filters: 16, bits: 2 },
    { kind: 'conv', k: 1, filters: 16, bits: 2 },
    { kind: 'conv', k: 1, filters: 16, bits: 2 },
    { kind: 'conv', k: 1, filters: 16, bits: 2, act: null },
  ]);
  assert.equal(planMapping(model, small).nps, 8);
  assert.throws(() => mapModel(model, small), (e: unknown) => e instanceof MappingError && /does not fit small: 8 NPs needed, small has 7 usable/.test(e.message));
  assert.doesNotThrow(() => mapModel(model, { ...small, nodes: 3 }));
});

test('a single filter larger than an NP\'s memory cannot be mapped', () => {
  const model = handModel('wide', [4, 4, 64], [{ kind: 'conv', k: 3, filters: 2, bits: 4, act: null }]);
  const m = planMapping(model, small);
  assert.match(m.problems[0], /layer 0 \(conv_0\): one filter needs 2304 bits of weights, an NP holds 1000/);
  assert.throws(() => mapModel(model, small), MappingError);
});
