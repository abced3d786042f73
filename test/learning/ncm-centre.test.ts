// NCM with a centre (the pretrained examples' mean direction): classes are
// compared on centred vectors, so a one-shot class is not outvoted by a
// many-example mean that merely lines up with what all embeddings share;
// similarity (and the unknown threshold) stay on the plain cosine; undo and
// the JSON state stay exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meanDirection, NearestClassMeanLearner } from '../../src-engine/learning/ncm';
import { Random } from '../../src-engine/sources/random';

const N = 16;
/** non-negative activations: a large shared part plus a class-specific one plus noise */
function sample(rng: Random, cls: number, common: Float32Array): Float32Array {
  const v = new Float32Array(N);
  for (let i = 0; i < N; i++) v[i] = common[i] + rng.uniform() * 1.5;
  v[cls] += 1.5;
  return v;
}

test('centred, a one-shot class wins its own queries against a many-example mean; plain cosines give them away', () => {
  const rng = new Random(5);
  const common = Float32Array.from({ length: N }, (_, i) => (i < 8 ? 3 : 0.3));
  // pretrained class 0 has 40 examples, centred on input 0; the new class 1 (input 12) has one shot
  const pretrained = Array.from({ length: 40 }, () => sample(rng, 0, common));
  const others = Array.from({ length: 40 }, () => sample(rng, 5, common));
  const centre = meanDirection([...pretrained, ...others], N);
  const shot = sample(rng, 12, common);
  const queries = Array.from({ length: 200 }, () => sample(rng, 12, common));
  const wins = (l: NearestClassMeanLearner) => queries.filter((q) => l.predict(q).classIndex === 2).length;
  const make = (c: Float64Array | null) => {
    const l = new NearestClassMeanLearner({ inputSize: N, numClasses: 3, centre: c });
    pretrained.forEach((v) => l.fit(v, 0));
    others.forEach((v) => l.fit(v, 1));
    l.fit(shot, 2);
    return l;
  };
  const plain = wins(make(null)), centred = wins(make(centre));
  assert.ok(centred >= 190 && centred > plain + 25, `new class recall: centred ${centred}/200, plain ${plain}/200`);
  // the pretrained classes keep their own queries
  const c = make(centre);
  const own = Array.from({ length: 100 }, () => sample(rng, 0, common)).filter((q) => c.predict(q).classIndex === 0).length;
  assert.ok(own >= 90, `class 0 keeps ${own}/100`);
});

test('centred: similarity and confidence are the plain cosine to the chosen class, and the unknown threshold applies to it', () => {
  const centre = Float64Array.from([0.6, 0.6, 0, 0]);
  const l = new NearestClassMeanLearner({ inputSize: 4, numClasses: 2, centre, unknown: { minSimilarity: 0.9, minMargin: 0 } });
  l.fit(Float32Array.from([1, 1, 1, 0]), 0);
  l.fit(Float32Array.from([1, 1, 0, 1]), 1);
  const q = Float32Array.from([1, 1, 0.8, 0]);
  const p = l.predict(q);
  const plain = new NearestClassMeanLearner({ inputSize: 4, numClasses: 2 });
  plain.fit(Float32Array.from([1, 1, 1, 0]), 0);
  plain.fit(Float32Array.from([1, 1, 0, 1]), 1);
  const pp = plain.predict(q);
  assert.equal(p.bestClass, 0);
  assert.ok(Math.abs(p.similarity - pp.scores[0]) < 1e-6, `similarity ${p.similarity} is the plain cosine ${pp.scores[0]}`);
  assert.notEqual(p.scores[0], pp.scores[0], 'the scores are the centred cosines');
  assert.equal(p.classIndex, 0, `plain cosine ${p.similarity} ≥ 0.9`);
  l.unknown = { minSimilarity: 0.999, minMargin: 0 };
  assert.equal(l.predict(q).classIndex, -1);
});

test('centred: undo restores the state bit for bit, and the JSON state round-trips with its centre', () => {
  const rng = new Random(9);
  const common = Float32Array.from({ length: N }, () => 1);
  const centre = meanDirection(Array.from({ length: 30 }, () => sample(rng, 3, common)), N);
  const l = new NearestClassMeanLearner({ inputSize: N, numClasses: 2, centre });
  for (let k = 0; k < 6; k++) l.fit(sample(rng, k % 2 ? 7 : 2, common), k % 2);
  const q = sample(rng, 7, common);
  const before = l.predict(q);
  const state = JSON.stringify(l.toJSON());
  l.fit(sample(rng, 2, common), 1);
  assert.ok(l.removeLastShot(1));
  assert.deepEqual(l.predict(q), before);
  assert.equal(JSON.stringify(l.toJSON()), state);
  const back = NearestClassMeanLearner.fromJSON(JSON.parse(state));
  assert.deepEqual(back.predict(q), before);
  assert.deepEqual(back.toJSON().centre, Array.from(centre));
  assert.throws(() => new NearestClassMeanLearner({ inputSize: N, numClasses: 1, centre: [1, 2] }), /centre has 2 values/);
});

test('meanDirection averages unit vectors and skips all-zero ones', () => {
  const m = meanDirection([Float32Array.from([3, 0]), Float32Array.from([0, 0]), Float32Array.from([0, 0.5])], 2);
  assert.deepEqual(Array.from(m), [0.5, 0.5]);
});
