// An Akida-style learning layer: fully connected, binary weights over binary
// inputs, each class owning a group of neurons that each keep exactly
// numWeights connections. With inputLevels 1 (the vendor's layer) any non-zero
// feature is one active input. With inputLevels L > 1 a feature v is unary
// coded into L binary inputs, the first min(v, L) of them active: a 4-bit
// activation becomes as many spikes as its value, so the layer stays binary
// but no longer discards how strongly a feature fired (docs/LEARNING.md).
// The vendor's exact update rule is not public; the rule implemented here
// (see docs/LEARNING.md) is:
//   winner   = argmax over the labelled class's neurons of
//              potential × (1 − learningCompetition)^(times the neuron learned)
//              (ties → lowest neuron index);
//   k        = min(round(plasticity × connections on inactive inputs),
//                  active inputs not yet connected);
//   move k connections, chosen uniformly (seeded), from inactive inputs onto
//   active unconnected inputs, also chosen uniformly;
//   plasticity ← max(minPlasticity, plasticity × (1 − plasticityDecay)),
//   per neuron, once per step in which that neuron learns.
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
import { choosePrefix, LearningRng } from './rng';

export interface BinaryFcOptions {
  inputSize: number;
  numClasses: number;
  numWeights: number;
  /** binary inputs per feature (unary code); 1 = any non-zero feature is one active input */
  inputLevels?: number;
  neuronsPerClass?: number;
  initialPlasticity?: number;
  minPlasticity?: number;
  plasticityDecay?: number;
  learningCompetition?: number;
  seed?: number;
  unknown?: UnknownRule;
}

export interface BinaryFcPrediction extends Prediction {
  /** per class: the highest potential among its neurons */
  potentials: Int32Array;
  /** the most potentiated neuron overall (classIndex = neuron ÷ neuronsPerClass) */
  neuron: number;
}

export interface BinaryFcNeuronState {
  /** sorted binary-input indices of the neuron's connections (input level k of feature i is k·inputSize + i) */
  connections: number[];
  plasticity: number;
  learnCount: number;
}

export interface BinaryFcState {
  kind: 'akida-binary-fc';
  /** 1: before inputLevels (read as inputLevels 1); 2 */
  version: 1 | 2;
  inputSize: number;
  /** absent in version 1, which means 1 */
  inputLevels?: number;
  numClasses: number;
  numWeights: number;
  neuronsPerClass: number;
  initialPlasticity: number;
  minPlasticity: number;
  plasticityDecay: number;
  learningCompetition: number;
  rngState: number;
  unknown: { minSimilarity: number | null; minMargin: number };
  neurons: BinaryFcNeuronState[];
}

/**
 * The tutorials' guideline: about 1.2 × the median number of active inputs,
 * at most half the inputs, at least 1. `inputSize` counts binary inputs
 * (features × inputLevels); count active ones with `countActive(f, levels)`.
 */
export function suggestNumWeights(activeCounts: ArrayLike<number>, inputSize: number): number {
  if (activeCounts.length === 0) throw new LearningError('suggestNumWeights', 'no samples');
  const sorted = Float64Array.from(activeCounts).sort();
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return Math.max(1, Math.min(Math.floor(inputSize / 2), Math.round(1.2 * median)));
}

/** active binary inputs: non-zero entries (levels 1), or Σ min(v, levels) under the unary code */
export function countActive(input: ArrayLike<number>, levels = 1): number {
  let n = 0;
  if (levels === 1) {
    for (let i = 0; i < input.length; i++) if (input[i] !== 0) n++;
  } else {
    for (let i = 0; i < input.length; i++) n += input[i] <= 0 ? 0 : Math.min(levels, input[i]);
  }
  return n;
}

function checkRange(where: string, name: string, v: number, lo: number, hi: number): void {
  if (!(typeof v === 'number' && v >= lo && v <= hi)) {
    throw new LearningError(where, `${name} ${v} must lie in [${lo}, ${hi}]`);
  }
}

export class AkidaStyleLearner implements Learner {
  readonly kind = 'akida-binary-fc';
  /** features per input vector */
  readonly inputSize: number;
  /** binary inputs per feature (the unary code's levels; 1 = non-zero is active) */
  readonly inputLevels: number;
  /** binary inputs the neurons connect to: inputSize × inputLevels */
  readonly synapses: number;
  readonly numWeights: number;
  readonly neuronsPerClass: number;
  readonly initialPlasticity: number;
  readonly minPlasticity: number;
  readonly plasticityDecay: number;
  readonly learningCompetition: number;
  unknown: UnknownRule;
  private classes = 0;
  private readonly rng: LearningRng;
  /** neuron n's connections: conn[n·numWeights … +numWeights) */
  private conn = new Uint32Array(0);
  /** neuron n's weight bitmap: wmap[n·synapses … +synapses) */
  private wmap = new Uint8Array(0);
  private plasticity = new Float64Array(0);
  private learnCount = new Uint32Array(0);
  // scratch reused across calls
  private readonly moveFrom: Uint32Array;
  private readonly moveTo: Uint32Array;
  private readonly pick: Uint32Array;
  /** the unary-coded input (inputLevels > 1) */
  private readonly coded: Uint8Array;

  constructor(o: BinaryFcOptions) {
    const where = 'AkidaStyleLearner';
    if (!Number.isInteger(o.inputSize) || o.inputSize < 2) throw new LearningError(where, `inputSize ${o.inputSize} must be an integer ≥ 2`);
    if (!Number.isInteger(o.numClasses) || o.numClasses < 0) throw new LearningError(where, `numClasses ${o.numClasses} must be an integer ≥ 0`);
    const levels = o.inputLevels ?? 1;
    if (!Number.isInteger(levels) || levels < 1 || levels > 255) throw new LearningError(where, `inputLevels ${levels} must be an integer in 1..255`);
    const synapses = o.inputSize * levels;
    const half = Math.floor(synapses / 2);
    if (!Number.isInteger(o.numWeights) || o.numWeights < 1 || o.numWeights > half) {
      throw new LearningError(where, `numWeights ${o.numWeights} must be an integer in 1..${half} (at most half the ${synapses} binary inputs)`);
    }
    const npc = o.neuronsPerClass ?? 1;
    if (!Number.isInteger(npc) || npc < 1) throw new LearningError(where, `neuronsPerClass ${npc} must be an integer ≥ 1`);
    this.inputSize = o.inputSize;
    this.inputLevels = levels;
    this.synapses = synapses;
    this.numWeights = o.numWeights;
    this.neuronsPerClass = npc;
    this.initialPlasticity = o.initialPlasticity ?? 1;
    this.minPlasticity = o.minPlasticity ?? 0.1;
    this.plasticityDecay = o.plasticityDecay ?? 0.25;
    this.learningCompetition = o.learningCompetition ?? 0;
    checkRange(where, 'initialPlasticity', this.initialPlasticity, 0, 1);
    checkRange(where, 'minPlasticity', this.minPlasticity, 0, this.initialPlasticity);
    checkRange(where, 'plasticityDecay', this.plasticityDecay, 0, 1);
    checkRange(where, 'learningCompetition', this.learningCompetition, 0, 0.5);
    this.unknown = o.unknown ?? { ...NEVER_UNKNOWN };
    this.rng = new LearningRng(o.seed ?? 1);
    this.moveFrom = new Uint32Array(o.numWeights);
    this.moveTo = new Uint32Array(synapses);
    this.pick = new Uint32Array(synapses);
    this.coded = new Uint8Array(levels > 1 ? synapses : 0);
    this.addClasses(o.numClasses);
  }

  get numClasses(): number {
    return this.classes;
  }

  get numNeurons(): number {
    return this.classes * this.neuronsPerClass;
  }

  addClasses(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new LearningError('AkidaStyleLearner.addClasses', `count ${n} must be an integer ≥ 0`);
    const oldN = this.numNeurons;
    const newN = oldN + n * this.neuronsPerClass;
    const W = this.numWeights;
    const I = this.synapses;
    const conn = new Uint32Array(newN * W);
    conn.set(this.conn);
    const wmap = new Uint8Array(newN * I);
    wmap.set(this.wmap);
    const plasticity = new Float64Array(newN);
    plasticity.set(this.plasticity);
    const learnCount = new Uint32Array(newN);
    learnCount.set(this.learnCount);
    for (let nr = oldN; nr < newN; nr++) {
      // random initial weights: numWeights distinct inputs
      for (let i = 0; i < I; i++) this.pick[i] = i;
      choosePrefix(this.rng, this.pick, I, W);
      for (let w = 0; w < W; w++) {
        conn[nr * W + w] = this.pick[w];
        wmap[nr * I + this.pick[w]] = 1;
      }
      plasticity[nr] = this.initialPlasticity;
    }
    this.conn = conn;
    this.wmap = wmap;
    this.plasticity = plasticity;
    this.learnCount = learnCount;
    this.classes += n;
  }

  /** the binary inputs the neurons see: the features themselves, or their unary code */
  private binary(input: Features): Features {
    const L = this.inputLevels;
    if (L === 1) return input;
    const I = this.inputSize;
    const out = this.coded;
    for (let i = 0; i < I; i++) {
      const v = input[i];
      for (let k = 0; k < L; k++) out[k * I + i] = v > k ? 1 : 0;
    }
    return out;
  }

  /** potential of one neuron: active binary inputs hitting its connections */
  potential(input: Features, neuron: number): number {
    return this.binaryPotential(this.binary(input), neuron);
  }

  private binaryPotential(input: Features, neuron: number): number {
    const W = this.numWeights;
    const base = neuron * W;
    let p = 0;
    for (let w = 0; w < W; w++) if (input[this.conn[base + w]] !== 0) p++;
    return p;
  }

  fit(input: Features, classIndex: number): void {
    const where = 'AkidaStyleLearner.fit';
    checkInputLength(where, input, this.inputSize);
    checkClassIndex(where, classIndex, this.classes);
    const bits = this.binary(input);
    const first = classIndex * this.neuronsPerClass;
    let winner = first;
    let bestScore = -1;
    const keep = 1 - this.learningCompetition;
    for (let nr = first; nr < first + this.neuronsPerClass; nr++) {
      const score = this.binaryPotential(bits, nr) * Math.pow(keep, this.learnCount[nr]);
      if (score > bestScore) {
        bestScore = score;
        winner = nr;
      }
    }
    this.learn(bits, winner);
  }

  private learn(input: Features, nr: number): void {
    const W = this.numWeights;
    const I = this.synapses;
    const cBase = nr * W;
    const mBase = nr * I;
    // connections sitting on inactive inputs (positions in conn)
    let m = 0;
    for (let w = 0; w < W; w++) if (input[this.conn[cBase + w]] === 0) this.moveFrom[m++] = w;
    // active inputs not yet connected
    let u = 0;
    for (let i = 0; i < I; i++) if (input[i] !== 0 && this.wmap[mBase + i] === 0) this.moveTo[u++] = i;
    const k = Math.min(Math.round(this.plasticity[nr] * m), u);
    choosePrefix(this.rng, this.moveFrom, m, k);
    choosePrefix(this.rng, this.moveTo, u, k);
    for (let j = 0; j < k; j++) {
      const pos = cBase + this.moveFrom[j];
      this.wmap[mBase + this.conn[pos]] = 0;
      this.conn[pos] = this.moveTo[j];
      this.wmap[mBase + this.moveTo[j]] = 1;
    }
    this.plasticity[nr] = Math.max(this.minPlasticity, this.plasticity[nr] * (1 - this.plasticityDecay));
    this.learnCount[nr]++;
  }

  /**
   * Scores are potential / min(numWeights, active binary inputs): the fraction of the
   * potential this input could reach at best (0 for an input with no activity).
   */
  predict(input: Features): BinaryFcPrediction {
    checkInputLength('AkidaStyleLearner.predict', input, this.inputSize);
    const active = countActive(input, this.inputLevels);
    const bits = this.binary(input);
    const reachable = Math.min(this.numWeights, active);
    const potentials = new Int32Array(this.classes);
    const scores = new Float32Array(this.classes);
    let bestNeuron = -1;
    let bestPot = -1;
    for (let c = 0; c < this.classes; c++) {
      let classMax = 0;
      for (let nr = c * this.neuronsPerClass; nr < (c + 1) * this.neuronsPerClass; nr++) {
        const p = this.binaryPotential(bits, nr);
        if (p > classMax) classMax = p;
        if (p > bestPot) {
          bestPot = p;
          bestNeuron = nr;
        }
      }
      potentials[c] = classMax;
      scores[c] = reachable > 0 ? classMax / reachable : 0;
    }
    const d = decide(scores, this.unknown);
    // the most potentiated neuron decides; decide() agrees since class scores
    // are the per-class maxima and ties break to the lower index in both
    return { ...d, potentials, neuron: bestNeuron };
  }

  neuronState(neuron: number): BinaryFcNeuronState {
    if (!Number.isInteger(neuron) || neuron < 0 || neuron >= this.numNeurons) {
      throw new LearningError('AkidaStyleLearner.neuronState', `neuron ${neuron} out of range 0..${this.numNeurons - 1}`);
    }
    const W = this.numWeights;
    const connections = Array.from(this.conn.subarray(neuron * W, (neuron + 1) * W)).sort((a, b) => a - b);
    return { connections, plasticity: this.plasticity[neuron], learnCount: this.learnCount[neuron] };
  }

  toJSON(): BinaryFcState {
    const neurons: BinaryFcNeuronState[] = [];
    for (let nr = 0; nr < this.numNeurons; nr++) {
      // keep the stored order (not sorted) so random choices after a restore match
      const W = this.numWeights;
      neurons.push({
        connections: Array.from(this.conn.subarray(nr * W, (nr + 1) * W)),
        plasticity: this.plasticity[nr],
        learnCount: this.learnCount[nr],
      });
    }
    return {
      kind: 'akida-binary-fc',
      version: 2,
      inputSize: this.inputSize,
      inputLevels: this.inputLevels,
      numClasses: this.classes,
      numWeights: this.numWeights,
      neuronsPerClass: this.neuronsPerClass,
      initialPlasticity: this.initialPlasticity,
      minPlasticity: this.minPlasticity,
      plasticityDecay: this.plasticityDecay,
      learningCompetition: this.learningCompetition,
      rngState: this.rng.state,
      // JSON has no −Infinity
      unknown: { minSimilarity: Number.isFinite(this.unknown.minSimilarity) ? this.unknown.minSimilarity : null, minMargin: this.unknown.minMargin },
      neurons,
    };
  }

  static fromJSON(state: unknown): AkidaStyleLearner {
    const where = 'AkidaStyleLearner.fromJSON';
    const s = state as BinaryFcState;
    if (typeof s !== 'object' || s === null || s.kind !== 'akida-binary-fc') throw new LearningError(where, 'not an akida-binary-fc state');
    if (s.version !== 1 && s.version !== 2) throw new LearningError(where, `unsupported version ${String(s.version)}`);
    if (!Array.isArray(s.neurons)) throw new LearningError(where, 'neurons missing');
    const l = new AkidaStyleLearner({
      inputSize: s.inputSize,
      inputLevels: s.version === 1 ? 1 : s.inputLevels ?? NaN,
      numClasses: 0,
      numWeights: s.numWeights,
      neuronsPerClass: s.neuronsPerClass,
      initialPlasticity: s.initialPlasticity,
      minPlasticity: s.minPlasticity,
      plasticityDecay: s.plasticityDecay,
      learningCompetition: s.learningCompetition,
      unknown: {
        minSimilarity: s.unknown?.minSimilarity ?? -Infinity,
        minMargin: s.unknown?.minMargin ?? 0,
      },
    });
    if (!Number.isInteger(s.numClasses) || s.numClasses < 0) throw new LearningError(where, `numClasses ${s.numClasses} invalid`);
    const N = s.numClasses * l.neuronsPerClass;
    if (s.neurons.length !== N) throw new LearningError(where, `${s.neurons.length} neurons, expected ${N}`);
    const W = l.numWeights;
    const I = l.synapses;
    l.conn = new Uint32Array(N * W);
    l.wmap = new Uint8Array(N * I);
    l.plasticity = new Float64Array(N);
    l.learnCount = new Uint32Array(N);
    for (let nr = 0; nr < N; nr++) {
      const n = s.neurons[nr];
      const at = `${where}: neuron ${nr}`;
      if (!n || !Array.isArray(n.connections) || n.connections.length !== W) throw new LearningError(at, `needs exactly ${W} connections`);
      for (let w = 0; w < W; w++) {
        const i = n.connections[w];
        if (!Number.isInteger(i) || i < 0 || i >= I) throw new LearningError(at, `connection ${String(i)} out of range 0..${I - 1}`);
        if (l.wmap[nr * I + i] !== 0) throw new LearningError(at, `duplicate connection ${i}`);
        l.wmap[nr * I + i] = 1;
        l.conn[nr * W + w] = i;
      }
      if (!(typeof n.plasticity === 'number' && n.plasticity >= 0 && n.plasticity <= 1)) throw new LearningError(at, `plasticity ${String(n.plasticity)} outside [0, 1]`);
      if (!Number.isInteger(n.learnCount) || n.learnCount < 0) throw new LearningError(at, `learnCount ${String(n.learnCount)} invalid`);
      l.plasticity[nr] = n.plasticity;
      l.learnCount[nr] = n.learnCount;
    }
    if (!Number.isInteger(s.rngState)) throw new LearningError(where, 'rngState missing');
    l.rng.state = s.rngState;
    l.classes = s.numClasses;
    return l;
  }
}
