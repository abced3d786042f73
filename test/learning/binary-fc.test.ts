import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AkidaStyleLearner, countActive, suggestNumWeights, type BinaryFcState } from '../../src-engine/learning/binary-fc';
import { LearningError } from '../../src-engine/learning/learner';

const bits = (...on: number[]) => {
  const x = new Uint8Array(8);
  for (const i of on) x[i] = 1;
  return x;
};

/** a hand-made 8-input layer: one neuron per class, given connections */
function handMade(connections: number[][], extra: Partial<BinaryFcState> = {}): AkidaStyleLearner {
  return AkidaStyleLearner.fromJSON({
    kind: 'akida-binary-fc',
    version: 2,
    inputSize: 8,
    inputLevels: 1,
    numClasses: connections.length,
    numWeights: connections[0].length,
    neuronsPerClass: 1,
    initialPlasticity: 1,
    minPlasticity: 0.1,
    plasticityDecay: 0.25,
    learningCompetition: 0,
    rngState: 42,
    unknown: { minSimilarity: null, minMargin: 0 },
    neurons: connections.map((c) => ({ connections: c, plasticity: 1, learnCount: 0 })),
    ...extra,
  } satisfies BinaryFcState);
}

test('suggestNumWeights: 1.2 × median active inputs, capped at half the inputs', () => {
  assert.equal(suggestNumWeights([10, 30, 20], 100), 24);
  assert.equal(suggestNumWeights([10, 20, 30, 40], 100), 30); // median 25
  assert.equal(suggestNumWeights([90, 95, 99], 100), 50);
  assert.equal(suggestNumWeights([0, 0, 0], 100), 1);
  assert.equal(countActive(bits(1, 4, 7)), 3);
});

test('potential counts the active inputs that hit the connections', () => {
  const l = handMade([
    [0, 1, 2],
    [5, 6, 7],
  ]);
  const input = bits(0, 2, 5, 3);
  assert.equal(l.potential(input, 0), 2);
  assert.equal(l.potential(input, 1), 1);
  const p = l.predict(input);
  assert.deepEqual([...p.potentials], [2, 1]);
  assert.equal(p.classIndex, 0);
  assert.equal(p.neuron, 0);
  // 4 active inputs, numWeights 3 → reachable 3
  assert.ok(Math.abs(p.scores[0] - 2 / 3) < 1e-6 && Math.abs(p.scores[1] - 1 / 3) < 1e-6);
  assert.ok(Math.abs(p.margin - 1 / 3) < 1e-6);
});

test('fit at plasticity 1 moves every inactive connection onto active inputs', () => {
  const l = handMade([[0, 1, 2]]);
  const input = bits(2, 5, 6, 7);
  l.fit(input, 0);
  const n = l.neuronState(0);
  assert.equal(n.connections.length, 3);
  assert.equal(new Set(n.connections).size, 3);
  assert.ok(n.connections.every((i) => input[i] === 1), `connections ${n.connections}`);
  assert.ok(n.connections.includes(2), 'a connection already on an active input stays');
  assert.equal(l.potential(input, 0), 3);
  assert.equal(n.plasticity, 0.75);
  assert.equal(n.learnCount, 1);
});

test('fit moves round(plasticity × inactive connections), bounded by free active inputs', () => {
  // plasticity 0.5, 2 inactive connections → exactly 1 moves
  const s = handMade([[0, 1, 2]]).toJSON();
  s.neurons[0].plasticity = 0.5;
  const half = AkidaStyleLearner.fromJSON(s);
  const input = bits(2, 5, 6, 7);
  half.fit(input, 0);
  const c = half.neuronState(0).connections;
  assert.equal(c.filter((i) => input[i] === 1).length, 2);
  assert.equal(c.filter((i) => i === 0 || i === 1).length, 1);
  // only one active input is free: at most one connection can move
  const l2 = handMade([[0, 1, 2, 3]]);
  l2.fit(bits(3, 4), 0);
  const c2 = l2.neuronState(0).connections;
  assert.equal(c2.length, 4);
  assert.ok(c2.includes(3) && c2.includes(4));
});

test('plasticity decays geometrically per learning step down to the floor', () => {
  const l = new AkidaStyleLearner({ inputSize: 64, numClasses: 1, numWeights: 10, seed: 3, plasticityDecay: 0.25, minPlasticity: 0.1 });
  let expected = 1;
  const input = new Uint8Array(64).fill(1, 0, 12);
  for (let step = 0; step < 12; step++) {
    l.fit(input, 0);
    expected = Math.max(0.1, expected * 0.75);
    assert.equal(l.neuronState(0).plasticity, expected);
    assert.equal(l.neuronState(0).connections.length, 10);
    assert.equal(new Set(l.neuronState(0).connections).size, 10);
  }
  assert.equal(l.neuronState(0).plasticity, 0.1);
  assert.equal(l.neuronState(0).learnCount, 12);
});

test('learningCompetition damps a neuron that already learned', () => {
  const state = (competition: number): BinaryFcState => ({
    kind: 'akida-binary-fc',
    version: 1,
    inputSize: 8,
    numClasses: 1,
    numWeights: 3,
    neuronsPerClass: 2,
    initialPlasticity: 1,
    minPlasticity: 0.1,
    plasticityDecay: 0.25,
    learningCompetition: competition,
    rngState: 9,
    unknown: { minSimilarity: null, minMargin: 0 },
    neurons: [
      { connections: [0, 1, 2], plasticity: 0.75, learnCount: 1 },
      { connections: [0, 1, 5], plasticity: 1, learnCount: 0 },
    ],
  });
  const input = bits(0, 1, 2, 3);
  // potentials 3 and 2: without competition neuron 0 wins
  const a = AkidaStyleLearner.fromJSON(state(0));
  a.fit(input, 0);
  assert.deepEqual([a.neuronState(0).learnCount, a.neuronState(1).learnCount], [2, 0]);
  // with 0.5: 3 × 0.5¹ = 1.5 < 2 × 0.5⁰ → neuron 1 learns
  const b = AkidaStyleLearner.fromJSON(state(0.5));
  b.fit(input, 0);
  assert.deepEqual([b.neuronState(0).learnCount, b.neuronState(1).learnCount], [1, 1]);
  // its one inactive connection (5) moved to a free active input (2 or 3)
  const moved = b.neuronState(1).connections;
  assert.ok(JSON.stringify(moved) === '[0,1,2]' || JSON.stringify(moved) === '[0,1,3]', `connections ${moved}`);
  assert.deepEqual(b.neuronState(0).connections, [0, 1, 2]);
});

test('only the labelled class learns, and it then wins on its own input', () => {
  const l = new AkidaStyleLearner({ inputSize: 200, numClasses: 4, numWeights: 30, neuronsPerClass: 3, seed: 11 });
  const before = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => l.neuronState(n));
  const x = new Uint8Array(200);
  for (let i = 0; i < 200; i += 8) x[i] = 1; // 25 active
  l.fit(x, 2);
  const after = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => l.neuronState(n));
  const changed = after.map((n, i) => n.learnCount !== before[i].learnCount);
  assert.equal(changed.filter(Boolean).length, 1);
  assert.ok(changed.slice(6, 9).some(Boolean), 'the learner is in class 2');
  const p = l.predict(x);
  assert.equal(p.classIndex, 2);
  assert.equal(p.potentials[2], 25); // all 25 active inputs connected
  assert.equal(p.similarity, 1);
});

test('addClasses keeps learned neurons and appends random fresh ones', () => {
  const l = new AkidaStyleLearner({ inputSize: 100, numClasses: 2, numWeights: 20, seed: 5 });
  const x = new Uint8Array(100).fill(1, 10, 40);
  l.fit(x, 1);
  const kept = [l.neuronState(0), l.neuronState(1)];
  l.addClasses(3);
  assert.equal(l.numClasses, 5);
  assert.equal(l.numNeurons, 5);
  assert.deepEqual([l.neuronState(0), l.neuronState(1)], kept);
  assert.equal(l.neuronState(4).learnCount, 0);
  assert.equal(l.neuronState(4).connections.length, 20);
  assert.equal(l.predict(x).classIndex, 1);
});

test('serialisation round trip restores identical predictions and later learning', () => {
  const make = () => new AkidaStyleLearner({ inputSize: 120, numClasses: 3, numWeights: 15, neuronsPerClass: 2, learningCompetition: 0.3, seed: 77 });
  const samples = Array.from({ length: 9 }, (_, s) => {
    const x = new Uint8Array(120);
    for (let i = s; i < 120; i += 7 + (s % 3)) x[i] = 1;
    return x;
  });
  const a = make();
  samples.slice(0, 5).forEach((x, i) => a.fit(x, i % 3));
  const b = AkidaStyleLearner.fromJSON(JSON.parse(JSON.stringify(a)));
  for (const x of samples) assert.deepEqual(b.predict(x), a.predict(x));
  // continued learning stays in lockstep (the PRNG state travels too)
  samples.slice(5).forEach((x, i) => {
    a.fit(x, i % 3);
    b.fit(x, i % 3);
  });
  assert.deepEqual(b.toJSON(), a.toJSON());
  // and the same seed gives the same layer
  const c = make();
  samples.forEach((x, i) => c.fit(x, i % 3));
  const d = make();
  samples.forEach((x, i) => d.fit(x, i % 3));
  assert.deepEqual(c.toJSON(), d.toJSON());
});

test('bad options and corrupt states give LearningError naming the problem', () => {
  assert.throws(() => new AkidaStyleLearner({ inputSize: 10, numClasses: 1, numWeights: 6 }), /numWeights 6.*at most half/);
  assert.throws(() => new AkidaStyleLearner({ inputSize: 10, numClasses: 1, numWeights: 3, learningCompetition: 0.7 }), LearningError);
  const l = new AkidaStyleLearner({ inputSize: 10, numClasses: 2, numWeights: 3 });
  assert.throws(() => l.fit(new Uint8Array(9), 0), /9 features, the learner takes 10/);
  assert.throws(() => l.fit(new Uint8Array(10), 2), /class index 2 out of range/);
  const s = l.toJSON();
  s.neurons[1].connections = [1, 1, 2];
  assert.throws(() => AkidaStyleLearner.fromJSON(s), /neuron 1: duplicate connection 1/);
  s.neurons[1].connections = [1, 2];
  assert.throws(() => AkidaStyleLearner.fromJSON(s), /neuron 1: needs exactly 3 connections/);
  assert.throws(() => AkidaStyleLearner.fromJSON({ kind: 'ncm' }), /not an akida-binary-fc state/);
});

test('unary input levels: feature v is min(v, L) active binary inputs, level k of feature i at k·inputSize + i', () => {
  const f = Uint8Array.from([3, 0, 1, 2, 9, 0, 0, 0]);
  assert.equal(countActive(f), 4);
  assert.equal(countActive(f, 3), 3 + 1 + 2 + 3);
  // connections on the three levels of feature 0, and on level 0 of features 2 and 4 and level 2 of feature 3
  const l = handMade(
    [
      [0, 8, 16],
      [2, 4, 19],
    ],
    { inputLevels: 3 },
  );
  assert.equal(l.synapses, 24);
  assert.equal(l.potential(f, 0), 3);
  assert.equal(l.potential(f, 1), 2); // feature 3 = 2 does not reach level 2
  assert.equal(l.potential(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]), 0), 1);
  const p = l.predict(f);
  assert.deepEqual([...p.potentials], [3, 2]);
  // 9 active binary inputs, numWeights 3 → reachable 3
  assert.ok(Math.abs(p.scores[1] - 2 / 3) < 1e-6);
  // one shot at plasticity 1: feature 3 = 2 activates levels 0 and 1 (inputs 3 and 11), and
  // two of the three connections (all on inactive inputs) move there
  const shot = Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 0]);
  l.fit(shot, 1);
  const moved = l.neuronState(1).connections;
  assert.ok(moved.length === 3 && moved.includes(3) && moved.includes(11), `connections ${moved}`);
  assert.equal(l.potential(shot, 1), 2);
  assert.throws(() => handMade([[0, 8, 24]], { inputLevels: 3 }), /connection 24 out of range 0\.\.23/);
  assert.throws(() => new AkidaStyleLearner({ inputSize: 4, numClasses: 1, numWeights: 3, inputLevels: 0 }), /inputLevels 0/);
  // at most half the binary inputs, not half the features
  assert.ok(new AkidaStyleLearner({ inputSize: 4, numClasses: 1, numWeights: 6, inputLevels: 3 }));
  assert.throws(() => new AkidaStyleLearner({ inputSize: 4, numClasses: 1, numWeights: 7, inputLevels: 3 }), /at most half the 12 binary inputs/);
});

test('unary levels equal a binary layer fed the explicit unary code, bit for bit (random fits and queries)', () => {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (const [I, L] of [
    [16, 15],
    [40, 4],
    [33, 2],
  ]) {
    const opts = { numClasses: 3, numWeights: Math.floor((I * L) / 5), neuronsPerClass: 2, learningCompetition: 0.3, seed: 5 };
    const coded = new AkidaStyleLearner({ ...opts, inputSize: I, inputLevels: L });
    const plain = new AkidaStyleLearner({ ...opts, inputSize: I * L });
    const unary = (f: Uint8Array) => {
      const out = new Uint8Array(I * L);
      for (let k = 0; k < L; k++) for (let i = 0; i < I; i++) out[k * I + i] = f[i] > k ? 1 : 0;
      return out;
    };
    const sample = () => Uint8Array.from({ length: I }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * (L + 3))));
    for (let step = 0; step < 40; step++) {
      const f = sample();
      const c = step % 3;
      coded.fit(f, c);
      plain.fit(unary(f), c);
      const q = sample();
      const a = coded.predict(q);
      const b = plain.predict(unary(q));
      assert.deepEqual([...a.potentials], [...b.potentials]);
      assert.deepEqual([...a.scores], [...b.scores]);
      assert.equal(a.classIndex, b.classIndex);
    }
    const sa = coded.toJSON();
    const sb = plain.toJSON();
    assert.deepEqual(sa.neurons, sb.neurons);
    assert.equal(sa.rngState, sb.rngState);
    // and the coded state round-trips with its levels
    const back = AkidaStyleLearner.fromJSON(JSON.parse(JSON.stringify(sa)));
    assert.equal(back.inputLevels, L);
    assert.deepEqual(back.toJSON(), sa);
  }
});

test('a version-1 state (before input levels) reads as inputLevels 1', () => {
  const s = handMade([[0, 1, 2]]).toJSON() as unknown as Record<string, unknown>;
  s.version = 1;
  delete s.inputLevels;
  const l = AkidaStyleLearner.fromJSON(s);
  assert.equal(l.inputLevels, 1);
  assert.equal(l.potential(bits(0, 1, 5), 0), 2);
});
