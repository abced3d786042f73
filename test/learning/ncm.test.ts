import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NearestClassMeanLearner } from '../../src-engine/learning/ncm';
import { AkidaStyleLearner } from '../../src-engine/learning/binary-fc';

const f32 = (...v: number[]) => Float32Array.from(v);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≉ ${b}`);

test('NCM scores the cosine to the mean of normalised shots', () => {
  const l = new NearestClassMeanLearner({ inputSize: 2, numClasses: 2 });
  l.fit(f32(3, 0), 0); // unit (1, 0); scale must not matter
  l.fit(f32(0, 0.5), 0); // unit (0, 1) → class 0 mean direction (1, 1)/√2
  l.fit(f32(-2, 0), 1);
  const p = l.predict(f32(1, 1));
  close(p.scores[0], 1);
  close(p.scores[1], -Math.SQRT1_2);
  assert.equal(p.classIndex, 0);
  close(p.margin, 1 + Math.SQRT1_2);
  close(p.confidence, 1);
  const q = l.predict(f32(-1, 0.2));
  assert.equal(q.classIndex, 1);
  close(q.scores[1], 1 / Math.hypot(1, 0.2));
});

test('NCM takes binary Uint8Array features too', () => {
  const l = new NearestClassMeanLearner({ inputSize: 4, numClasses: 2 });
  l.fit(Uint8Array.from([1, 1, 0, 0]), 0);
  l.fit(Uint8Array.from([0, 0, 1, 1]), 1);
  const p = l.predict(Uint8Array.from([1, 1, 1, 0]));
  close(p.scores[0], 2 / Math.sqrt(3) / Math.SQRT2);
  close(p.scores[1], 1 / Math.sqrt(3) / Math.SQRT2);
  assert.equal(p.classIndex, 0);
});

test('a class with no shots is never chosen; no shots at all means unknown', () => {
  const l = new NearestClassMeanLearner({ inputSize: 2, numClasses: 2 });
  assert.equal(l.predict(f32(1, 0)).classIndex, -1);
  l.fit(f32(0, 1), 1);
  const p = l.predict(f32(1, 0));
  assert.equal(p.scores[0], -Infinity);
  assert.equal(p.classIndex, 1);
  assert.throws(() => l.fit(f32(0, 0), 0), /all zeros/);
});

test('unknown: below the similarity threshold or the margin, classIndex is −1', () => {
  const l = new NearestClassMeanLearner({ inputSize: 3, numClasses: 2, unknown: { minSimilarity: 0.8, minMargin: 0 } });
  l.fit(f32(1, 0, 0), 0);
  l.fit(f32(0, 1, 0), 1);
  assert.equal(l.predict(f32(1, 0.1, 0)).classIndex, 0); // cos ≈ 0.995
  const far = l.predict(f32(0.2, 0.1, 1)); // cos to class 0 ≈ 0.19
  assert.equal(far.classIndex, -1);
  assert.equal(far.bestClass, 0);
  l.unknown = { minSimilarity: -Infinity, minMargin: 0.2 };
  assert.equal(l.predict(f32(1, 0.95, 0)).classIndex, -1); // margin ≈ 0.035
  assert.equal(l.predict(f32(1, 0.5, 0)).classIndex, 0); // margin ≈ 0.45
  // the binary layer applies the same rule to potential fractions
  const b = new AkidaStyleLearner({ inputSize: 8, numClasses: 1, numWeights: 4, seed: 1, unknown: { minSimilarity: 0.75, minMargin: 0 } });
  b.fit(Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]), 0);
  assert.equal(b.predict(Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 1])).classIndex, 0); // 3/4
  assert.equal(b.predict(Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0])).classIndex, -1); // 2/4
});

test('removeLastShot restores the earlier prediction state exactly', () => {
  const l = new NearestClassMeanLearner({ inputSize: 5, numClasses: 3 });
  const shots = [f32(0.3, 1.1, 0, 2, 0.7), f32(1, 0.2, 0.9, 0.1, 0.3), f32(0.1, 0.1, 3, 0, 1), f32(2, 0.5, 0.25, 1, 0)];
  const queries = [f32(1, 1, 1, 1, 1), f32(0.5, 0.1, 0.7, 0.2, 0.9), f32(3, 0, 0, 0, 1)];
  l.fit(shots[0], 0);
  l.fit(shots[1], 0);
  l.fit(shots[2], 1);
  const before = queries.map((q) => l.predict(q));
  const stateBefore = l.toJSON();
  l.fit(shots[3], 0);
  assert.notDeepEqual(
    queries.map((q) => l.predict(q)),
    before,
  );
  assert.equal(l.removeLastShot(0), true);
  assert.deepEqual(
    queries.map((q) => l.predict(q)),
    before,
  );
  assert.deepEqual(l.toJSON(), stateBefore);
  assert.equal(l.shotCount(0), 2);
  assert.equal(l.removeLastShot(2), false);
});

test('NCM addClasses and serialisation round trip keep predictions identical', () => {
  const l = new NearestClassMeanLearner({ inputSize: 3, numClasses: 1, unknown: { minSimilarity: 0.1, minMargin: 0.01 } });
  l.fit(f32(1, 2, 3), 0);
  l.addClasses(2);
  l.fit(f32(3, 2, 1), 2);
  assert.equal(l.numClasses, 3);
  assert.equal(l.predict(f32(1, 2, 3)).classIndex, 0);
  const r = NearestClassMeanLearner.fromJSON(JSON.parse(JSON.stringify(l)));
  for (const q of [f32(1, 2, 3), f32(3, 2, 1), f32(0, 0, 1), f32(1, 1, 1)]) assert.deepEqual(r.predict(q), l.predict(q));
  assert.deepEqual(r.unknown, l.unknown);
  assert.throws(() => NearestClassMeanLearner.fromJSON({ ...l.toJSON(), shots: [[[1, 2]], [], []] }), /class 0 shot 0: needs 3 finite numbers/);
});
