/**
 * FloatModel + activation ranges → QuantizedModel (docs/NSOC.md, "Conversion").
 *
 * Scales: a float value = scale × its integer. The input frame value v stands
 * for inputScale·v. For a layer with input scale S_in:
 * - weights: symmetric, k_max = 2^(b−1) − 1; per output channel S_w[o] =
 *   max|W[·,o]| / k_max and w = round(W / S_w) (depthwise kernels: one scale
 *   per tensor, because the pointwise sum mixes channels); 1-bit weights are
 *   sign(W) with S_w = mean|W|. QAT weights whose fake-quantized values sit on
 *   a grid that fits the bit width keep the QAT scale (exact).
 * - the potential p of output o then stands for S_p[o]·p + bias[o], with
 *   S_p = S_in·S_w[o] (separable: S_in·S_dw·S_pw[o]).
 * - activation of b bits over the range [0, A] (A from Clip/ReLU6, QAT, or
 *   calibration): step S_out = A / (2^b − 1). The float activation quantized
 *   to nearest, round(x / S_out) clamped to 2^b − 1, equals
 *   ceil((x − S_out/2) / S_out) for x > S_out/2 — the NSoC rule with
 *     T[o] = 16·(S_out/2 − bias[o]) / S_p[o],   s[o] = 16·S_out / S_p[o]
 *   (1/16 units), both rounded to integers: T moves by ≤ 1/32 of a potential
 *   unit, and level k's boundary T + (k−1)·s by ≤ k/2 sixteenths (negligible
 *   unless s is small). The next layer's S_in = S_out.
 * - a last layer without activation outputs potentials; outputScale = S_p and
 *   the bias goes to the layer's outputBias: score = outputScale·p + outputBias.
 */
import { kMax, type ActivationBits, type Layer, type ModelInput, type QuantizedModel, type WeightBits } from '../model';
import { roundHalfEven } from './chain';
import { ConversionError } from './errors';
import type { FloatLayer, FloatModel, QatWeights } from './graph';

export interface QuantizeOptions {
  /** weights of every layer but the first (default 4); the first layer's are 8-bit */
  weightBits?: WeightBits;
  /** default 4 */
  actBits?: ActivationBits;
  /** per-layer overrides by layer name (e.g. a binary "spike" layer) */
  layerActBits?: Record<string, ActivationBits>;
  /** the float value of one frame unit at the first layer's input (resolveInputScale) */
  firstLayerScale: number;
  /** the ONNX input value of one frame unit (recorded in meta.inputScale) */
  frameScale?: number;
  inputBits: ModelInput['bits'];
  labels?: string[];
  name?: string;
  meta?: Record<string, unknown>;
}

export type RangeSource = 'clip' | 'qat' | 'calibration' | 'none';

export interface LayerQuantReport {
  name: string;
  kind: Layer['kind'];
  weightBits: WeightBits;
  weightScales: 'per-channel' | 'per-tensor' | 'qat';
  actBits: ActivationBits | null;
  /** the activation range [0, range] in float units (null: no activation) */
  range: number | null;
  rangeSource: RangeSource;
  /** float value of one activation step (or of one potential unit for outputs without activation, per channel mean) */
  step: number | null;
  notes: string[];
}

interface QuantWeights {
  ints: Int8Array;
  /** per output channel (length = outputs) */
  scale: Float64Array;
  fromQat: boolean;
  note: string | null;
}

const EPS_GRID = 1e-3;

/** Quantizes weights whose output channel is the fastest axis (HWIO, [in][out], [cin][cout]). */
export function quantizeWeights(w: Float32Array, outputs: number, bits: WeightBits, perTensor: boolean, qat: QatWeights | null): QuantWeights {
  const k = kMax(bits);
  const groups = perTensor ? 1 : outputs;
  const group = (i: number) => (perTensor ? 0 : i % outputs);
  const scale = new Float64Array(groups);
  let note: string | null = null;
  if (qat && (qat.scale.length === 1 || qat.scale.length === groups || perTensor)) {
    const qs = qat.scale;
    const uniform = qs.every((v) => v === qs[0]);
    if (!perTensor || uniform) {
      const ints = new Int8Array(w.length);
      let fits = true;
      for (let i = 0; i < w.length && fits; i++) {
        const s = qs.length === 1 ? qs[0] : qs[group(i)];
        const q = w[i] / s;
        const r = roundHalfEven(q);
        if (Math.abs(q - r) > EPS_GRID || Math.abs(r) > k || (bits === 1 && r === 0)) fits = false;
        ints[i] = r;
      }
      if (fits) {
        for (let g = 0; g < groups; g++) scale[g] = qs.length === 1 ? qs[0] : qs[g];
        return { ints, scale: expand(scale, outputs), fromQat: true, note: null };
      }
      note = `QAT weights do not fit ${bits}-bit symmetric weights (±${k}); requantized from their values`;
    } else {
      note = 'per-channel QAT scales on depthwise weights; requantized per tensor';
    }
  }
  const ints = new Int8Array(w.length);
  if (bits === 1) {
    const sum = new Float64Array(groups);
    const cnt = new Float64Array(groups);
    for (let i = 0; i < w.length; i++) {
      sum[group(i)] += Math.abs(w[i]);
      cnt[group(i)]++;
      ints[i] = w[i] >= 0 ? 1 : -1;
    }
    for (let g = 0; g < groups; g++) scale[g] = sum[g] > 0 ? sum[g] / cnt[g] : 1;
  } else {
    const max = new Float64Array(groups);
    for (let i = 0; i < w.length; i++) max[group(i)] = Math.max(max[group(i)], Math.abs(w[i]));
    for (let g = 0; g < groups; g++) scale[g] = max[g] > 0 ? max[g] / k : 1;
    for (let i = 0; i < w.length; i++) ints[i] = Math.max(-k, Math.min(k, roundHalfEven(w[i] / scale[group(i)])));
  }
  return { ints, scale: expand(scale, outputs), fromQat: false, note };
}

function expand(scale: Float64Array, n: number): Float64Array {
  return scale.length === n ? scale : new Float64Array(n).fill(scale[0]);
}

function activationBitsFor(levels: number): ActivationBits | null {
  return levels <= 1 ? 1 : levels <= 3 ? 2 : levels <= 15 ? 4 : null;
}

/** The quantized activation of a layer: bits, step in float units, range and its source. */
function activationPlan(layer: FloatLayer, calibrated: number | null, bits: ActivationBits, explicitBits: boolean) {
  const act = layer.activation!;
  const notes: string[] = [];
  const fq = act.fakeQuant;
  if (fq) {
    const clipLevels = act.max === null ? Infinity : Math.floor(act.max / fq.scale + 1e-6);
    const levels = Math.min(fq.qmax, clipLevels);
    const fitted = activationBitsFor(levels);
    if (fitted && !explicitBits) return { bits: fitted, step: fq.scale, range: levels * fq.scale, source: 'qat' as RangeSource, notes };
    if (fitted && (1 << bits) - 1 >= levels) return { bits, step: fq.scale, range: levels * fq.scale, source: 'qat' as RangeSource, notes };
    notes.push(`QAT activation has ${levels} levels; requantized to ${bits} bits`);
    const range = levels * fq.scale;
    return { bits, step: range / ((1 << bits) - 1), range, source: 'qat' as RangeSource, notes };
  }
  let range: number;
  let source: RangeSource;
  if (act.max !== null) {
    range = act.max;
    source = 'clip';
  } else {
    source = 'calibration';
    range = calibrated ?? 0;
    if (!(range > 0)) {
      notes.push('never active on the calibration set: range set to 1');
      range = 1;
    }
  }
  return { bits, step: range / ((1 << bits) - 1), range, source, notes };
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Quantizes the float model. `ranges[i]` is the calibrated activation range
 * of layer i (used only where neither a Clip nor a QAT node sets it).
 */
export function quantizeModel(fm: FloatModel, ranges: readonly (number | null)[], opts: QuantizeOptions): { model: QuantizedModel; report: LayerQuantReport[] } {
  const weightBits = opts.weightBits ?? 4;
  const defaultActBits = opts.actBits ?? 4;
  if (!(opts.firstLayerScale > 0) || !Number.isFinite(opts.firstLayerScale)) throw new ConversionError('', '', `input scale ${opts.firstLayerScale} must be a positive number`);
  let sIn = opts.firstLayerScale;
  const layers: Layer[] = [];
  const report: LayerQuantReport[] = [];

  fm.layers.forEach((fl, index) => {
    const last = index === fm.layers.length - 1;
    const bits: WeightBits = index === 0 ? 8 : weightBits;
    const fail = (reason: string): never => {
      throw new ConversionError(fl.name, '', `layer ${index}: ${reason}`);
    };
    const n = fl.outputs;
    const notes: string[] = [];
    const plan = fl.activation
      ? activationPlan(fl, ranges[index] ?? null, opts.layerActBits?.[fl.name] ?? defaultActBits, opts.layerActBits?.[fl.name] !== undefined)
      : null;
    // Potential scale per output channel.
    let sp: Float64Array;
    let weightInfo: Record<string, Int8Array>;
    let scales: LayerQuantReport['weightScales'];
    if (fl.kind === 'separable-conv') {
      const dw = quantizeWeights(fl.depthwise!, fl.inShape[2], bits, true, fl.depthwiseQat);
      const pw = quantizeWeights(fl.weights, n, bits, false, fl.weightQat);
      for (const q of [dw, pw]) if (q.note) notes.push(q.note);
      sp = pw.scale.map((s) => sIn * dw.scale[0] * s);
      weightInfo = { depthwise: dw.ints, pointwise: pw.ints };
      scales = dw.fromQat && pw.fromQat ? 'qat' : 'per-channel';
    } else {
      const q = quantizeWeights(fl.weights, n, bits, false, fl.weightQat);
      if (q.note) notes.push(q.note);
      sp = q.scale.map((s) => sIn * s);
      weightInfo = { weights: q.ints };
      scales = q.fromQat ? 'qat' : 'per-channel';
    }

    let activation: Layer['activation'] = null;
    let outputScale: Float32Array;
    let outputBias: Float32Array | null = null;
    let actBits: ActivationBits | null = null;
    let range: number | null = null;
    let rangeSource: RangeSource = 'none';
    let stepValue: number | null;
    if (plan) {
      notes.push(...plan.notes);
      const threshold = new Int32Array(n);
      const step = new Int32Array(n);
      for (let o = 0; o < n; o++) {
        const t = Math.round((16 * (plan.step / 2 - fl.bias[o])) / sp[o]);
        const s = Math.max(1, Math.round((16 * plan.step) / sp[o]));
        if (!Number.isFinite(t) || Math.abs(t) > INT32_MAX || s > INT32_MAX) {
          fail(`channel ${o}: threshold ${t} or step ${s} (1/16 potential units) does not fit an int32 — its bias or range dwarfs its weights' scale`);
        }
        threshold[o] = t;
        step[o] = s;
      }
      const minStep = step.reduce((a, b) => Math.min(a, b), Infinity);
      if (minStep < 16) notes.push(`step below one potential unit (min ${minStep}/16): coarse activation resolution`);
      if (step.some((s) => s >= 2 ** 16) || threshold.some((t) => Math.abs(t) >= 2 ** 19)) notes.push('threshold ≥ 2^19 or step ≥ 2^16: beyond the AKD1000 register widths');
      activation = { bits: plan.bits, threshold, step };
      outputScale = new Float32Array(n).fill(plan.step);
      actBits = plan.bits;
      range = plan.range;
      rangeSource = plan.source;
      stepValue = plan.step;
      sIn = plan.step;
    } else {
      if (!last) fail('has no activation but is not the last layer');
      if (fl.pool?.kind === 'global-avg') fail('global average pooling in a last layer without activation is not supported (the NSoC activates the mean)');
      outputScale = Float32Array.from(sp);
      outputBias = Float32Array.from(fl.bias);
      stepValue = sp.reduce((a, b) => a + b, 0) / n;
    }

    const base = { name: fl.name, activation, outputScale, ...(outputBias ? { outputBias } : {}), ...(fl.pool ? { pool: fl.pool } : {}) };
    let layer: Layer;
    if (fl.kind === 'dense') {
      layer = { ...base, kind: 'dense', units: n, weightBits: bits, weights: weightInfo.weights as Int8Array };
    } else if (fl.kind === 'separable-conv') {
      layer = {
        ...base, kind: 'separable-conv', kernel: fl.kernel, stride: fl.stride, padding: fl.padding, filters: n, weightBits: bits,
        depthwise: weightInfo.depthwise as Int8Array, pointwise: weightInfo.pointwise as Int8Array,
      };
    } else if (index === 0) {
      layer = { ...base, kind: 'input-conv', kernel: fl.kernel, stride: fl.stride, padding: fl.padding, filters: n, weightBits: 8, weights: weightInfo.weights as Int8Array };
    } else {
      layer = { ...base, kind: 'conv', kernel: fl.kernel, stride: fl.stride, padding: fl.padding, filters: n, weightBits: bits, weights: weightInfo.weights as Int8Array };
    }
    layers.push(layer);
    report.push({ name: fl.name, kind: layer.kind, weightBits: bits, weightScales: fl.kind === 'separable-conv' && scales !== 'qat' ? 'per-channel' : scales, actBits, range, rangeSource, step: stepValue, notes });
  });

  const outputs = fm.layers[fm.layers.length - 1].outShape;
  const count = outputs[0] * outputs[1] * outputs[2];
  const labels = opts.labels ?? Array.from({ length: count }, (_, i) => `class ${i}`);
  if (labels.length !== count) throw new ConversionError('', '', `${labels.length} labels given for ${count} outputs`);
  const model: QuantizedModel = {
    name: opts.name ?? 'converted',
    input: { height: fm.input[0], width: fm.input[1], channels: fm.input[2], bits: opts.inputBits },
    layers,
    labels,
    meta: { ...opts.meta, inputScale: opts.frameScale ?? opts.firstLayerScale },
  };
  return { model, report };
}

/**
 * Dequantized scores of a model's output, in doubles: outputScale·p +
 * outputBias of the last layer (the float bias the integer potentials leave
 * out). NsocRuntime's `scores` are the same values rounded to float32.
 */
export function dequantizeOutput(model: QuantizedModel, output: ArrayLike<number>): Float64Array {
  const last = model.layers[model.layers.length - 1];
  const scale = last.outputScale;
  const bias = last.outputBias;
  const out = new Float64Array(output.length);
  for (let i = 0; i < out.length; i++) {
    const s = scale ? scale[scale.length === 1 ? 0 : i % scale.length] : 1;
    out[i] = output[i] * s + (bias ? bias[bias.length === 1 ? 0 : i % bias.length] : 0);
  }
  return out;
}

/**
 * How frame values relate to the model: `frameScale` (ONNX input = frameScale
 * × frame value) and the scale of the first layer's input after the input ops.
 * An input fake-quantization fixes frameScale so that its integers are the
 * frame values; otherwise it is `requested` (default 1).
 */
export function resolveInputScale(fm: FloatModel, requested?: number): { frameScale: number; firstLayerScale: number } {
  if (requested !== undefined && !(requested > 0 && Number.isFinite(requested))) {
    throw new ConversionError('', '', `input scale ${requested} must be a positive number`);
  }
  let factor = 1;
  let frameScale: number | null = null;
  for (const op of fm.inputOps) {
    if (op.kind === 'scale') {
      factor *= op.factor;
    } else {
      frameScale = op.fq.scale / factor;
      if (requested !== undefined && Math.abs(requested - frameScale) > 1e-6 * frameScale) {
        throw new ConversionError(op.node, 'QuantizeLinear', `on the input fixes the frame scale at ${frameScale}, which contradicts the requested input scale ${requested}`);
      }
      factor = op.fq.scale / frameScale;
    }
  }
  const fs = frameScale ?? requested ?? 1;
  return { frameScale: fs, firstLayerScale: fs * factor };
}
