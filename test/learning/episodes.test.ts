import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AkidaStyleLearner, countActive, suggestNumWeights } from '../../src-engine/learning/binary-fc';
import { evaluateEpisodes, type EpisodeOptions } from '../../src-engine/learning/episodes';
import { decide, NEVER_UNKNOWN, type Features, type Learner } from '../../src-engine/learning/learner';
import { NearestClassMeanLearner } from '../../src-engine/learning/ncm';
import { clusteredBinary } from './synthetic';

const INPUTS = 256;

function run(flip: number, shots: number, learner: 'binary' | 'ncm') {
  const data = clusteredBinary({ classes: 20, perClass: 20, inputSize: INPUTS, density: 0.2, flip, seed: 7 });
  const numWeights = suggestNumWeights(data.flat().map(countActive), INPUTS);
  const makeLearner: EpisodeOptions['makeLearner'] =
    learner === 'binary'
      ? (ways, seed) => new AkidaStyleLearner({ inputSize: INPUTS, numClasses: ways, numWeights, seed })
      : (ways) => new NearestClassMeanLearner({ inputSize: INPUTS, numClasses: ways });
  return evaluateEpisodes({ byClass: data, ways: 5, shots, queriesPerClass: 5, episodes: 200, seed: 1, makeLearner });
}

// Measured (docs/LEARNING.md): flip 0.1 → 1.000 for both; flip 0.3 → ≈ 0.61 binary, ≈ 0.65 NCM.
for (const learner of ['binary', 'ncm'] as const) {
  test(`${learner}: 5-way 1-shot on clustered binary features is high, and falls with noise`, () => {
    const clean = run(0.1, 1, learner);
    assert.equal(clean.episodes, 200);
    assert.ok(clean.meanAccuracy >= 0.9, `clean accuracy ${clean.meanAccuracy}`);
    assert.ok(clean.ci95[0] <= clean.meanAccuracy && clean.meanAccuracy <= clean.ci95[1]);
    const noisy = run(0.3, 1, learner);
    assert.ok(noisy.meanAccuracy < clean.meanAccuracy - 0.2, `noisy ${noisy.meanAccuracy} vs clean ${clean.meanAccuracy}`);
    assert.ok(noisy.meanAccuracy > 0.3, `noisy ${noisy.meanAccuracy} should still beat chance (0.2)`);
    assert.ok(noisy.ci95[1] - noisy.ci95[0] > 0 && noisy.ci95[1] - noisy.ci95[0] < 0.1);
  });
}

test('NCM gains from more shots on noisy features', () => {
  assert.ok(run(0.25, 5, 'ncm').meanAccuracy > run(0.25, 1, 'ncm').meanAccuracy + 0.05);
});

/** predicts a fixed class: accuracy must be exactly 1/ways in every episode */
class Constant implements Learner {
  readonly kind = 'constant';
  readonly inputSize = 1;
  unknown = NEVER_UNKNOWN;
  fits = 0;
  constructor(readonly numClasses: number) {}
  fit(_x: Features, _c: number): void {
    this.fits++;
  }
  predict(_x: Features) {
    const s = new Float32Array(this.numClasses);
    s[0] = 1;
    return decide(s, this.unknown);
  }
  addClasses(): void {}
  toJSON(): unknown {
    return {};
  }
}

test('evaluator: fresh learner per episode, K×N fits, exact accuracy bookkeeping, seeded', () => {
  const byClass = Array.from({ length: 7 }, (_, c) => Array.from({ length: 6 }, () => {
      const v = new Float32Array(7);
      v[c] = 1;
      return v;
    }),
  );;
  const made: Constant[] = [];
  const opts: EpisodeOptions = {
    byClass,
    ways: 4,
    shots: 2,
    queriesPerClass: 3,
    episodes: 30,
    seed: 9,
    makeLearner: (ways) => {
      const l = new Constant(ways);
      made.push(l);
      return l;
    },
  };
  const r = evaluateEpisodes(opts);
  assert.equal(made.length, 30);
  assert.ok(made.every((l) => l.fits === 8));
  assert.ok(r.accuracies.every((a) => a === 0.25));
  assert.equal(r.meanAccuracy, 0.25);
  assert.equal(r.stdDev, 0);
  assert.deepEqual(r.ci95, [0.25, 0.25]);
  // same seed → same draws
  const oracle = (seed: number) =>
    evaluateEpisodes({
      ...opts,
      seed,
      makeLearner: (ways) => new NearestClassMeanLearner({ inputSize: 7, numClasses: ways }),
    }).accuracies;
  assert.deepEqual(oracle(3), oracle(3));
  assert.ok(oracle(3).every((a) => a === 1)); // one-hot classes are separable
  assert.throws(() => evaluateEpisodes({ ...opts, shots: 4 }), /needs 4 classes with ≥ 7 samples each; only 0 have/);
});
