// Nearest-class-mean learner: each class is the mean of its shots' L2-normalised
// feature vectors; a query scores the cosine between itself and each class mean.
// Shots are kept (normalised) so the last one can be undone exactly: a class's
// sum is always the left-to-right sum of its current shots, so undo recomputes
// it in the same order and restores the earlier state bit for bit.
//
// Optional centring (`centre`, the pretrained examples' mean direction): the
// class is chosen by cosines of centred vectors (unit − centre, renormalised).
// Embeddings of non-negative activations share a large common direction; a
// class mean over many examples lines up with it better than one shot does,
// so uncentred, a new one-shot class loses to the pretrained means (docs/LEARNING.md:
// +6–7 points of new-class recall with the pretrained classes present). The
// reported similarity stays the plain cosine to the chosen class's mean, the
// scale the unknown threshold was set on.
import {
  checkClassIndex,
  checkInputLength,
  decide,
  LearningError,
  NEVER_UNKNOWN,
  type Features,
  type Learner,
  type Prediction,
  type UnknownRule,
} from './learner';

export interface NcmOptions {
  inputSize: number;
  numClasses: number;
  unknown?: UnknownRule;
  /** a direction subtracted from every normalised vector before classes are compared (see the top) */
  centre?: ArrayLike<number> | null;
}

/** The mean of the L2-normalised vectors (all-zero vectors skipped): the centre for NcmOptions.centre. */
export function meanDirection(vectors: Iterable<Features>, inputSize: number): Float64Array {
  const m = new Float64Array(inputSize);
  let n = 0;
  for (const v of vectors) {
    checkInputLength('meanDirection', v, inputSize);
    let ss = 0;
    for (let i = 0; i < inputSize; i++) ss += v[i] * v[i];
    if (!(ss > 0)) continue;
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < inputSize; i++) m[i] += v[i] * inv;
    n++;
  }
  if (n > 0) for (let i = 0; i < inputSize; i++) m[i] /= n;
  return m;
}

export interface NcmState {
  kind: 'ncm';
  version: 1;
  inputSize: number;
  numClasses: number;
  unknown: { minSimilarity: number | null; minMargin: number };
  /** NcmOptions.centre, or null (absent in states written before centring existed) */
  centre?: number[] | null;
  /** per class, its shots in order, each L2-normalised */
  shots: number[][][];
}

export class NearestClassMeanLearner implements Learner {
  readonly kind = 'ncm';
  readonly inputSize: number;
  unknown: UnknownRule;
  private classes = 0;
  /** per class sum of normalised shots: sums[c·inputSize …] */
  private sums = new Float64Array(0);
  private counts = new Uint32Array(0);
  /** per class norm of its sum (0 when it has no shots) */
  private sumNorms = new Float64Array(0);
  private shots: Float64Array[][] = [];
  private readonly unit: Float64Array;
  /** centring: the centre, per class sum of centred shots and its norm, the centred query */
  private readonly centre: Float64Array | null;
  private csums = new Float64Array(0);
  private csumNorms = new Float64Array(0);
  private readonly cunit: Float64Array;

  constructor(o: NcmOptions) {
    const where = 'NearestClassMeanLearner';
    if (!Number.isInteger(o.inputSize) || o.inputSize < 1) throw new LearningError(where, `inputSize ${o.inputSize} must be an integer ≥ 1`);
    this.inputSize = o.inputSize;
    this.unknown = o.unknown ?? { ...NEVER_UNKNOWN };
    this.unit = new Float64Array(o.inputSize);
    this.cunit = new Float64Array(o.inputSize);
    if (o.centre != null) {
      if (o.centre.length !== o.inputSize) throw new LearningError(where, `centre has ${o.centre.length} values, inputSize is ${o.inputSize}`);
      if (!Array.from(o.centre).every(Number.isFinite)) throw new LearningError(where, 'centre must be finite numbers');
    }
    this.centre = o.centre != null ? Float64Array.from(o.centre) : null;
    this.addClasses(o.numClasses);
  }

  get numClasses(): number {
    return this.classes;
  }

  shotCount(classIndex: number): number {
    checkClassIndex('NearestClassMeanLearner.shotCount', classIndex, this.classes);
    return this.counts[classIndex];
  }

  addClasses(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new LearningError('NearestClassMeanLearner.addClasses', `count ${n} must be an integer ≥ 0`);
    const total = this.classes + n;
    const sums = new Float64Array(total * this.inputSize);
    sums.set(this.sums);
    const counts = new Uint32Array(total);
    counts.set(this.counts);
    const norms = new Float64Array(total);
    norms.set(this.sumNorms);
    this.sums = sums;
    this.counts = counts;
    this.sumNorms = norms;
    if (this.centre) {
      const cs = new Float64Array(total * this.inputSize);
      cs.set(this.csums);
      const cn = new Float64Array(total);
      cn.set(this.csumNorms);
      this.csums = cs;
      this.csumNorms = cn;
    }
    for (let c = this.classes; c < total; c++) this.shots.push([]);
    this.classes = total;
  }

  /** writes input / ‖input‖ into this.unit; returns ‖input‖ */
  private normalise(input: Features): number {
    let ss = 0;
    for (let i = 0; i < input.length; i++) ss += input[i] * input[i];
    const norm = Math.sqrt(ss);
    for (let i = 0; i < input.length; i++) this.unit[i] = norm > 0 ? input[i] / norm : 0;
    return norm;
  }

  /** writes the centred, renormalised `unit` into this.cunit (zero when unit equals the centre) */
  private centreUnit(unit: Float64Array): void {
    const c = this.centre!, cu = this.cunit;
    let ss = 0;
    for (let i = 0; i < cu.length; i++) {
      cu[i] = unit[i] - c[i];
      ss += cu[i] * cu[i];
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let i = 0; i < cu.length; i++) cu[i] *= inv;
  }

  fit(input: Features, classIndex: number): void {
    const where = 'NearestClassMeanLearner.fit';
    checkInputLength(where, input, this.inputSize);
    checkClassIndex(where, classIndex, this.classes);
    const norm = this.normalise(input);
    if (!(norm > 0) || !Number.isFinite(norm)) throw new LearningError(where, 'feature vector is all zeros or not finite; it has no direction to learn');
    const base = classIndex * this.inputSize;
    for (let i = 0; i < this.inputSize; i++) this.sums[base + i] += this.unit[i];
    if (this.centre) {
      this.centreUnit(this.unit);
      for (let i = 0; i < this.inputSize; i++) this.csums[base + i] += this.cunit[i];
    }
    this.shots[classIndex].push(Float64Array.from(this.unit));
    this.counts[classIndex]++;
    this.updateNorm(classIndex);
  }

  /** Undoes the class's most recent fit; false when it has no shots. */
  removeLastShot(classIndex: number): boolean {
    checkClassIndex('NearestClassMeanLearner.removeLastShot', classIndex, this.classes);
    const list = this.shots[classIndex];
    if (list.length === 0) return false;
    list.pop();
    this.counts[classIndex]--;
    this.recomputeSum(classIndex);
    return true;
  }

  private recomputeSum(c: number): void {
    const base = c * this.inputSize;
    this.sums.fill(0, base, base + this.inputSize);
    for (const shot of this.shots[c]) for (let i = 0; i < this.inputSize; i++) this.sums[base + i] += shot[i];
    if (this.centre) {
      this.csums.fill(0, base, base + this.inputSize);
      for (const shot of this.shots[c]) {
        this.centreUnit(shot);
        for (let i = 0; i < this.inputSize; i++) this.csums[base + i] += this.cunit[i];
      }
    }
    this.updateNorm(c);
  }

  private updateNorm(c: number): void {
    const base = c * this.inputSize;
    let ss = 0;
    for (let i = 0; i < this.inputSize; i++) ss += this.sums[base + i] * this.sums[base + i];
    this.sumNorms[c] = Math.sqrt(ss);
    if (this.centre) {
      let cs = 0;
      for (let i = 0; i < this.inputSize; i++) cs += this.csums[base + i] * this.csums[base + i];
      this.csumNorms[c] = Math.sqrt(cs);
    }
  }

  /**
   * Scores are cosines in [−1, 1] to each class mean (the mean's direction is
   * the sum's); a class with no shots scores −Infinity and is never chosen. A
   * zero query scores 0 everywhere. With a centre, the scores (and the choice
   * and margin) are the centred cosines; `similarity` and `confidence` are the
   * plain cosine to the chosen class's mean, which the unknown rule's
   * minSimilarity is compared with.
   */
  predict(input: Features): Prediction {
    checkInputLength('NearestClassMeanLearner.predict', input, this.inputSize);
    this.normalise(input);
    const plain = this.cosines(this.unit, this.sums, this.sumNorms);
    if (!this.centre) return decide(plain, this.unknown);
    this.centreUnit(this.unit);
    const centred = this.cosines(this.cunit, this.csums, this.csumNorms);
    const byCentred = decide(centred, { minSimilarity: -Infinity, minMargin: this.unknown.minMargin });
    if (byCentred.bestClass < 0) return byCentred;
    const similarity = plain[byCentred.bestClass];
    const rejected = byCentred.classIndex < 0 || similarity < this.unknown.minSimilarity;
    return { ...byCentred, classIndex: rejected ? -1 : byCentred.bestClass, similarity, confidence: Math.max(0, similarity) };
  }

  private cosines(q: Float64Array, sums: Float64Array, norms: Float64Array): Float32Array {
    const scores = new Float32Array(this.classes);
    for (let c = 0; c < this.classes; c++) {
      const sn = norms[c];
      if (this.counts[c] === 0 || !(sn > 0)) {
        scores[c] = -Infinity;
        continue;
      }
      const base = c * this.inputSize;
      let dot = 0;
      for (let i = 0; i < this.inputSize; i++) dot += q[i] * sums[base + i];
      scores[c] = dot / sn;
    }
    return scores;
  }

  toJSON(): NcmState {
    return {
      kind: 'ncm',
      version: 1,
      inputSize: this.inputSize,
      numClasses: this.classes,
      unknown: { minSimilarity: Number.isFinite(this.unknown.minSimilarity) ? this.unknown.minSimilarity : null, minMargin: this.unknown.minMargin },
      centre: this.centre ? Array.from(this.centre) : null,
      shots: this.shots.map((list) => list.map((s) => Array.from(s))),
    };
  }

  static fromJSON(state: unknown): NearestClassMeanLearner {
    const where = 'NearestClassMeanLearner.fromJSON';
    const s = state as NcmState;
    if (typeof s !== 'object' || s === null || s.kind !== 'ncm') throw new LearningError(where, 'not an ncm state');
    if (s.version !== 1) throw new LearningError(where, `unsupported version ${String(s.version)}`);
    if (!Array.isArray(s.shots) || s.shots.length !== s.numClasses) throw new LearningError(where, `shots must list ${String(s.numClasses)} classes`);
    const l = new NearestClassMeanLearner({
      inputSize: s.inputSize,
      numClasses: s.numClasses,
      unknown: { minSimilarity: s.unknown?.minSimilarity ?? -Infinity, minMargin: s.unknown?.minMargin ?? 0 },
      centre: Array.isArray(s.centre) ? s.centre : null,
    });
    for (let c = 0; c < s.numClasses; c++) {
      const list = s.shots[c];
      if (!Array.isArray(list)) throw new LearningError(where, `class ${c}: shots missing`);
      for (let k = 0; k < list.length; k++) {
        const v = list[k];
        if (!Array.isArray(v) || v.length !== l.inputSize || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          throw new LearningError(where, `class ${c} shot ${k}: needs ${l.inputSize} finite numbers`);
        }
        l.shots[c].push(Float64Array.from(v));
      }
      l.counts[c] = list.length;
      l.recomputeSum(c);
    }
    return l;
  }
}
