// The contract both few-shot learners share, and the "unknown" rule.
//
// Every learner scores each class with a similarity in a fixed range
// (binary layer: potential / achievable potential in [0, 1]; NCM: cosine in
// [-1, 1]). predict() reports:
//   similarity = the best class's score,
//   margin     = best score − runner-up score (0 with a single class),
//   confidence = similarity (already a calibrated fraction: 1 = perfect match).
// The answer is "unknown" (classIndex −1) when similarity < minSimilarity or
// margin < minMargin; bestClass still names the class that scored highest.

export type Features = Uint8Array | Float32Array;

export interface Prediction {
  /** the predicted class, or −1 for "unknown" */
  classIndex: number;
  /** the highest-scoring class even when rejected, −1 if no class can score */
  bestClass: number;
  /** per-class score (see the learner for its range); −Infinity for a class that cannot score */
  scores: Float32Array;
  similarity: number;
  margin: number;
  confidence: number;
}

export interface UnknownRule {
  /** reject when the best score is below this (default −Infinity: never) */
  minSimilarity: number;
  /** reject when best − runner-up is below this (default 0: never) */
  minMargin: number;
}

export const NEVER_UNKNOWN: UnknownRule = { minSimilarity: -Infinity, minMargin: 0 };

export interface Learner {
  readonly kind: string;
  readonly inputSize: number;
  readonly numClasses: number;
  /** the rejection rule predict() applies; settable at any time */
  unknown: UnknownRule;
  /** learns one labelled sample */
  fit(input: Features, classIndex: number): void;
  predict(input: Features): Prediction;
  /** appends n empty classes, keeping everything already learned */
  addClasses(n: number): void;
  /** plain-JSON state that the learner's fromJSON restores exactly */
  toJSON(): unknown;
}

export class LearningError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'LearningError';
  }
}

/** Best class, runner-up margin and the unknown rule over per-class scores. */
export function decide(scores: Float32Array, rule: UnknownRule): Prediction {
  let best = -1;
  let bestScore = -Infinity;
  let second = -Infinity;
  for (let c = 0; c < scores.length; c++) {
    const s = scores[c];
    if (s > bestScore) {
      second = bestScore;
      bestScore = s;
      best = c;
    } else if (s > second) {
      second = s;
    }
  }
  if (best < 0) return { classIndex: -1, bestClass: -1, scores, similarity: 0, margin: 0, confidence: 0 };
  const margin = second === -Infinity ? 0 : bestScore - second;
  const hasRival = second !== -Infinity;
  const rejected = bestScore < rule.minSimilarity || (hasRival && margin < rule.minMargin);
  return {
    classIndex: rejected ? -1 : best,
    bestClass: best,
    scores,
    similarity: bestScore,
    margin,
    confidence: Math.max(0, bestScore),
  };
}

export function checkClassIndex(where: string, classIndex: number, numClasses: number): void {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= numClasses) {
    throw new LearningError(where, `class index ${classIndex} out of range 0..${numClasses - 1}`);
  }
}

export function checkInputLength(where: string, input: Features, inputSize: number): void {
  if (input.length !== inputSize) {
    throw new LearningError(where, `input has ${input.length} features, the learner takes ${inputSize}`);
  }
}
