// Mutation fuzzing of the model-file decoder: every mutant either decodes to a
// model that survives a re-encode round trip, or is refused with a
// ModelFileError — never another exception, never slowly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { decodeModel, encodeModel, ModelFileError } from '../../src-engine/nsoc/model-file/index';
import { mutate, Rng } from '../support/fuzz';
import { modelShapes } from '../../src-engine/nsoc/shapes';
import { randomModel } from '../../src-engine/nsoc/testing/random-model';
import { dsCnnKws, everyFeature, handModel } from './model-file-fixtures';

/** A random model (src-engine/nsoc/testing), labelled so that it is a valid file. */
function labelledRandom(seed: number) {
  const m = randomModel(seed, { maxLayers: 5 });
  const [h, w, c] = modelShapes(m).outputs[m.layers.length - 1];
  m.labels = Array.from({ length: h * w * c }, (_, i) => `c${i}`);
  return m;
}

const CASES = 500;
const SLOW_MS = 1000; // generous: the machine may be busy; a hang or a quadratic blow-up still shows

const seeds = [
  encodeModel(everyFeature()),
  encodeModel(everyFeature(7)),
  encodeModel(dsCnnKws()),
  encodeModel(labelledRandom(11)),
  encodeModel(labelledRandom(12)),
  encodeModel(handModel('one-bit', [4, 4, 2], [{ kind: 'conv', k: 3, filters: 3, bits: 1, act: 1 }, { kind: 'dense', units: 2, bits: 2, act: null }])),
  // format 1.1: an outputBias tensor and the flag that announces it
  encodeModel(handModel('biased', [4, 4, 2], [{ kind: 'conv', k: 3, filters: 3, bits: 4, act: 2 }, { kind: 'dense', units: 3, bits: 4, act: null, scale: 'channel', bias: 'channel' }])),
];

/** Recomputes the CRC of a mutant (when it is long enough to have one), so mutations reach the checks behind it. */
function restamp(b: Uint8Array): Uint8Array {
  if (b.length >= 36) new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)) >>> 0, true);
  return b;
}

/**
 * test/support/fuzz.ts `mutate` throws a RangeError when its "delete a range"
 * case runs past the end (its output is sized b.length − n but keeps the
 * first `at` bytes); until that is fixed there, draw again — the sequence
 * stays deterministic.
 */
function mutant(rng: Rng, seed: Uint8Array): Uint8Array {
  for (;;) {
    try {
      return mutate(rng, seed);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
}

function run(label: string, prepare: (b: Uint8Array) => Uint8Array, rngSeed: number) {
  const rng = new Rng(rngSeed);
  const kinds = new Map<string, number>();
  let decoded = 0;
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const input = prepare(mutant(rng, seeds[rng.int(seeds.length)]));
    const started = performance.now();
    try {
      const model = decodeModel(input, `fuzz-${i}`);
      decoded++;
      assert.deepEqual(decodeModel(encodeModel(model)), model, `${label} case ${i}: an accepted model must round-trip`);
    } catch (e) {
      if (!(e instanceof ModelFileError)) {
        assert.fail(`${label} case ${i}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\ninput (base64): ${Buffer.from(input).toString('base64')}`);
      }
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    }
    slowest = Math.max(slowest, performance.now() - started);
  }
  assert.ok(slowest < SLOW_MS, `${label}: slowest case took ${slowest.toFixed(0)} ms`);
  console.log(`${label}: ${decoded} decoded, ${JSON.stringify(Object.fromEntries(kinds))}, slowest ${slowest.toFixed(1)} ms`);
  return { decoded, kinds, slowest };
}

test(`${CASES} raw mutants: decoded or a ModelFileError`, () => {
  const r = run('raw', (b) => b, 0x5eed);
  // length changes surface as truncated/corrupt before the checksum; in-place damage as checksum
  for (const kind of ['checksum', 'truncated', 'corrupt']) assert.ok((r.kinds.get(kind) ?? 0) > CASES / 20, `${kind}: ${JSON.stringify([...r.kinds])}`);
});

test(`${CASES} mutants with a recomputed checksum reach the structural checks`, () => {
  const r = run('restamped', restamp, 0xc0ffee);
  assert.equal(r.kinds.get('checksum') ?? 0, 0, JSON.stringify([...r.kinds]));
  assert.ok((r.kinds.get('corrupt') ?? 0) > CASES / 4, JSON.stringify([...r.kinds]));
  assert.ok(r.decoded > 0, 'some mutants (in padding-free JSON text, say) still decode');
});
