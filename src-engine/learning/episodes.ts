// N-way K-shot episode evaluation: draw random episodes (seeded) of N classes,
// K support shots and Q queries per class, fit a fresh learner on the support
// and score its accuracy on the queries. Reports the mean over episodes with a
// normal-approximation 95% interval (mean ± 1.96 · sd / √episodes).
import { LearningError, type Features, type Learner } from './learner';
import { choosePrefix, LearningRng } from './rng';

export interface EpisodeOptions {
  /** labelled features grouped by class */
  byClass: readonly (readonly Features[])[];
  ways: number;
  shots: number;
  queriesPerClass: number;
  /** at least 1; the issue asks for ≥ 200 */
  episodes: number;
  seed: number;
  /** a fresh learner with `ways` classes; episodeSeed differs per episode */
  makeLearner: (ways: number, episodeSeed: number) => Learner;
}

export interface EpisodeResult {
  meanAccuracy: number;
  /** 95% interval of the mean, clipped to [0, 1] */
  ci95: [number, number];
  /** standard deviation of per-episode accuracy */
  stdDev: number;
  episodes: number;
  accuracies: Float64Array;
}

export function evaluateEpisodes(o: EpisodeOptions): EpisodeResult {
  const where = 'evaluateEpisodes';
  for (const [name, v, min] of [
    ['ways', o.ways, 1],
    ['shots', o.shots, 1],
    ['queriesPerClass', o.queriesPerClass, 1],
    ['episodes', o.episodes, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new LearningError(where, `${name} ${v} must be an integer ≥ ${min}`);
  }
  const need = o.shots + o.queriesPerClass;
  const eligible: number[] = [];
  o.byClass.forEach((samples, c) => {
    if (samples.length >= need) eligible.push(c);
  });
  if (eligible.length < o.ways) {
    throw new LearningError(where, `${o.ways}-way needs ${o.ways} classes with ≥ ${need} samples each; only ${eligible.length} have`);
  }
  const rng = new LearningRng(o.seed);
  const classPick = new Uint32Array(eligible.length);
  let maxSamples = 0;
  for (const c of eligible) maxSamples = Math.max(maxSamples, o.byClass[c].length);
  const samplePick = new Uint32Array(maxSamples);
  const supports: number[][] = [];
  const accuracies = new Float64Array(o.episodes);
  for (let e = 0; e < o.episodes; e++) {
    for (let i = 0; i < eligible.length; i++) classPick[i] = eligible[i];
    choosePrefix(rng, classPick, eligible.length, o.ways);
    const learner = o.makeLearner(o.ways, rng.nextUint32());
    const queries: number[][] = [];
    supports.length = 0;
    for (let w = 0; w < o.ways; w++) {
      const samples = o.byClass[classPick[w]];
      for (let i = 0; i < samples.length; i++) samplePick[i] = i;
      choosePrefix(rng, samplePick, samples.length, need);
      supports.push(Array.from(samplePick.subarray(0, o.shots)));
      queries.push(Array.from(samplePick.subarray(o.shots, need)));
    }
    // shots interleaved across classes, as a user enrolling would not group them
    for (let k = 0; k < o.shots; k++) {
      for (let w = 0; w < o.ways; w++) learner.fit(o.byClass[classPick[w]][supports[w][k]], w);
    }
    let correct = 0;
    for (let w = 0; w < o.ways; w++) {
      for (const q of queries[w]) if (learner.predict(o.byClass[classPick[w]][q]).classIndex === w) correct++;
    }
    accuracies[e] = correct / (o.ways * o.queriesPerClass);
  }
  let sum = 0;
  for (const a of accuracies) sum += a;
  const mean = sum / o.episodes;
  let ss = 0;
  for (const a of accuracies) ss += (a - mean) * (a - mean);
  const stdDev = o.episodes > 1 ? Math.sqrt(ss / (o.episodes - 1)) : 0;
  const half = (1.96 * stdDev) / Math.sqrt(o.episodes);
  return {
    meanAccuracy: mean,
    ci95: [Math.max(0, mean - half), Math.min(1, mean + half)],
    stdDev,
    episodes: o.episodes,
    accuracies,
  };
}
