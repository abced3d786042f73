/**
 * ONNX graph → `Chain`: follows the data from the graph input to its output,
 * one node at a time, translating each supported node into a chain op and
 * refusing everything else with a ConversionError naming the node.
 *
 * Shapes are tracked in HWC (the runtime's layout) while ONNX describes NCHW;
 * a 2-D tensor remembers which 4-D map it was flattened from and in which
 * order (ONNX's CHW, or HWC after a Transpose to NHWC as tf2onnx writes), so
 * the dense layer after it can have its rows permuted.
 */
import { convOutputLength, samePadBefore } from '../shapes';
import type { Padding } from '../model';
import { ConversionError, graphError } from './errors';
import type { Chain, ChainOp, FakeQuant, QatWeights, Shape } from './graph';
import type { AttrValue, ConstTensor, OnnxGraph, OnnxNode } from './onnx-load';

interface TensorState {
  rank: 2 | 4;
  /** HWC; for rank 2: [1, 1, features] */
  shape: Shape;
  /** set on a flattened tensor whose map had more than one position */
  flat: { from: Shape; order: 'chw' | 'hwc' } | null;
  /** a Transpose to NHWC waiting for the Flatten/Reshape it must precede */
  nhwc: boolean;
}

const IGNORED_ATTRS_OK = new Set(['training_mode']);

/** Round half to even, as QuantizeLinear does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function fmt(v: readonly number[]): string {
  return `[${v.join(',')}]`;
}

class NodeReader {
  constructor(
    readonly n: OnnxNode,
    private readonly g: OnnxGraph,
    private readonly producers: Map<string, OnnxNode>,
  ) {}

  fail(reason: string): never {
    throw new ConversionError(this.n.name, this.n.op, reason);
  }

  attr(name: string): AttrValue | undefined {
    return this.n.attrs.get(name);
  }

  int(name: string, dflt: number): number {
    const a = this.attr(name);
    if (!a) return dflt;
    // old exporters leave the attribute type unset; a zero then decodes as the float 0
    if (a.kind === 'float' && Number.isInteger(a.value)) return a.value;
    if (a.kind !== 'int') this.fail(`attribute ${name} must be an int`);
    return a.value;
  }

  float(name: string, dflt: number): number {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.kind !== 'float') this.fail(`attribute ${name} must be a float`);
    return a.value;
  }

  ints(name: string, dflt: number[] | null): number[] | null {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.kind !== 'ints') this.fail(`attribute ${name} must be a list of ints`);
    return a.value;
  }

  str(name: string, dflt: string): string {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.kind !== 'string') this.fail(`attribute ${name} must be a string`);
    return a.value;
  }

  /** Optional input i (absent or ''). */
  has(i: number): boolean {
    return i < this.n.inputs.length && this.n.inputs[i] !== '';
  }

  /** A constant input, resolving QuantizeLinear→DequantizeLinear pairs over constants (QAT weights). */
  constInput(i: number, what: string, qatAxis: number | null = null): { t: ConstTensor; qat: QatWeights | null } {
    const name = this.n.inputs[i];
    if (name === undefined || name === '') this.fail(`needs its ${what} input`);
    const c = this.g.constants.get(name);
    if (c) return { t: c, qat: null };
    const p = this.producers.get(name);
    if (p && p.op === 'DequantizeLinear' && p.domain === '') {
      return this.dequantizedConstant(p, what, qatAxis);
    }
    return this.fail(
      p
        ? `${what} "${name}" is computed by node "${p.name}" (${p.op}); it must be a constant (an initializer, or a QuantizeLinear/DequantizeLinear pair over one)`
        : `${what} "${name}" must be a constant (an initializer)`,
    );
  }

  private dequantizedConstant(dq: OnnxNode, what: string, qatAxis: number | null): { t: ConstTensor; qat: QatWeights | null } {
    const q = this.producers.get(dq.inputs[0]);
    const fail = (reason: string): never => {
      throw new ConversionError(dq.name, dq.op, reason);
    };
    if (!q || q.op !== 'QuantizeLinear') return fail(`on the ${what} of "${this.n.name}" must dequantize a QuantizeLinear of a constant`);
    const w = this.g.constants.get(q.inputs[0]);
    if (!w) return fail(`on the ${what} of "${this.n.name}" must quantize a constant`);
    const qp = quantParams(q, this.g, fail);
    const dp = quantParams(dq, this.g, fail);
    if (!sameValues(qp.scale, dp.scale) || !sameValues(qp.zeroPoint, dp.zeroPoint) || qp.axis !== dp.axis) {
      fail(`uses a scale or zero point different from its QuantizeLinear "${q.name}"`);
    }
    if (qp.zeroPoint.some((z) => z !== 0)) {
      fail(`has a non-zero zero point: asymmetric weight quantization is not supported (the NSoC's weights are symmetric)`);
    }
    const perTensor = qp.scale.length === 1;
    const axis = qp.axis < 0 ? qp.axis + w.dims.length : qp.axis;
    if (!perTensor && (qatAxis === null || axis !== qatAxis)) {
      fail(`quantizes the ${what} per axis ${qp.axis}; only per-output-channel (axis ${qatAxis}) or per-tensor scales map onto the NSoC`);
    }
    if (!perTensor && w.dims[axis] !== qp.scale.length) fail(`has ${qp.scale.length} scales for ${w.dims[axis]} channels`);
    // Fake-quantize exactly as ONNX Runtime does: q = saturate(round(x / s)), x' = q·s, in float32.
    const inner = perTensor ? 1 : w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const n = w.dims[axis] ?? 1;
    const values = new Float64Array(w.values.length);
    for (let i = 0; i < values.length; i++) {
      const s = perTensor ? qp.scale[0] : qp.scale[Math.floor(i / inner) % n];
      const qv = Math.min(qp.qmax, Math.max(qp.qmin, roundHalfEven(Math.fround(w.values[i] / s))));
      values[i] = Math.fround(qv * s);
    }
    return { t: { dims: w.dims, dtype: 'float32', values }, qat: { scale: Float64Array.from(qp.scale) } };
  }
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  axis: number;
  qmin: number;
  qmax: number;
}

function quantParams(n: OnnxNode, g: OnnxGraph, fail: (r: string) => never): QuantParams {
  const scale = g.constants.get(n.inputs[1] ?? '');
  if (!scale) return fail('needs a constant scale');
  const zpName = n.inputs[2] ?? '';
  const zp = zpName === '' ? null : g.constants.get(zpName);
  if (zpName !== '' && !zp) fail('needs a constant zero point');
  const dtype = zp?.dtype ?? 'uint8';
  if (dtype !== 'uint8' && dtype !== 'int8') fail(`with a ${dtype} zero point is not supported (int8 or uint8)`);
  const s = [...scale.values];
  if (s.some((v) => !(v > 0) || !Number.isFinite(v))) fail(`has a scale that is not positive: ${fmt(s)}`);
  const axisAttr = n.attrs.get('axis');
  const axis = axisAttr?.kind === 'int' ? axisAttr.value : 1;
  const [qmin, qmax] = dtype === 'uint8' ? [0, 255] : [-128, 127];
  const zeroPoint = zp ? [...zp.values] : s.map(() => 0);
  if (zeroPoint.length !== s.length) fail(`has ${zeroPoint.length} zero points for ${s.length} scales`);
  return { scale: s, zeroPoint, axis, qmin, qmax };
}

function shapeOfDims(dims: (number | null)[], inputName: string): Shape {
  const bad = (why: string): never => {
    throw graphError(`input "${inputName}" has shape ${fmt(dims.map((d) => d ?? -1))}: ${why}`);
  };
  if (dims.length !== 4 && dims.length !== 2) bad('expected NCHW (4-D) or N×features (2-D)');
  if (dims[0] !== null && dims[0] !== 1) bad(`its batch is fixed at ${dims[0]}; export with batch 1 or a dynamic batch`);
  const rest = dims.slice(1);
  if (rest.some((d) => d === null || d < 1)) bad('every dimension but the batch must be known and positive');
  const r = rest as number[];
  return dims.length === 4 ? [r[1], r[2], r[0]] : [1, 1, r[0]];
}

/** The ONNX (NCHW) dims of a state. */
function onnxDims(s: TensorState): number[] {
  return s.rank === 4 ? [1, s.shape[2], s.shape[0], s.shape[1]] : [1, s.shape[2]];
}

function featureCount(s: Shape): number {
  return s[0] * s[1] * s[2];
}

/**
 * Padding along one axis as ONNX gives it, matched to the NSoC's two modes:
 * VALID (no padding used) or TensorFlow SAME (the smaller half first).
 */
function paddingMode(input: number, k: number, stride: number, before: number, after: number): Padding | null {
  const out = Math.floor((input + before + after - k) / stride) + 1;
  if (before === 0 && out === convOutputLength(input, k, stride, 'valid')) return 'valid';
  if (out === convOutputLength(input, k, stride, 'same') && before === samePadBefore(input, k, stride)) return 'same';
  return null;
}

/** Builds the chain of supported ops from the graph input to its output. */
export function buildChain(g: OnnxGraph): Chain {
  const producers = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    if (n.domain !== '') throw new ConversionError(n.name, n.op, `from the custom domain "${n.domain}" is not supported`);
    for (const o of n.outputs) producers.set(o, n);
    for (const i of n.inputs) {
      if (i === '' || g.constants.has(i)) continue;
      const list = consumers.get(i) ?? [];
      if (!list.includes(n)) list.push(n);
      consumers.set(i, list);
    }
  }

  let input = shapeOfDims(g.input.dims, g.input.name);
  let state: TensorState = { rank: g.input.dims.length === 4 ? 4 : 2, shape: input, flat: null, nhwc: false };
  const ops: ChainOp[] = [];
  let tensor = g.input.name;
  let first = true;

  const soleConsumer = (t: string): OnnxNode => {
    const users = consumers.get(t) ?? [];
    if (users.length === 0) throw graphError(`tensor "${t}" is not used by any node: it does not reach the output "${g.output}"`);
    if (users.length > 1) {
      throw new ConversionError(
        users[1].name,
        users[1].op,
        `reads "${t}", which node "${users[0].name}" (${users[0].op}) also reads: branching graphs (residual or concatenated paths) are not supported — the NSoC runs a sequence of layers`,
      );
    }
    return users[0];
  };

  let guard = 0;
  while (tensor !== g.output) {
    if (++guard > g.nodes.length + 1) throw graphError('the graph has a cycle');
    const n = soleConsumer(tensor);
    const r = new NodeReader(n, g, producers);
    if (n.inputs[0] !== tensor) {
      r.fail(`takes the activations "${tensor}" as input ${n.inputs.indexOf(tensor)}; only ops whose first input is the data are supported`);
    }
    for (let i = 1; i < n.inputs.length; i++) {
      if (n.inputs[i] !== '' && n.inputs[i] === tensor) r.fail('uses the activations twice');
    }
    if (state.nhwc && n.op !== 'Flatten' && n.op !== 'Reshape') {
      r.fail('follows a Transpose to NHWC; only a Flatten or Reshape may follow one');
    }
    for (const o of n.outputs.slice(1)) {
      if (o !== '' && (consumers.get(o)?.length || o === g.output)) r.fail(`output "${o}" is used; only the first output of a node is supported`);
    }
    for (const [k, a] of n.attrs) if (a.kind === 'other' && !IGNORED_ATTRS_OK.has(k)) r.fail(`attribute ${k} of type ${a.type} is not supported`);

    const base = { node: n.name, onnxOp: n.op };
    let next = n.outputs[0];
    switch (n.op) {
      case 'Conv': {
        const op = convOp(r, state, base);
        ops.push(op);
        state = { rank: 4, shape: op.out, flat: null, nhwc: false };
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        const op = denseOp(r, state, base, n.op === 'Gemm');
        ops.push(op);
        state = { rank: 2, shape: op.out, flat: null, nhwc: false };
        break;
      }
      case 'BatchNormalization':
        ops.push(batchNormOp(r, state, base));
        break;
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
        ops.push(elementwiseOp(r, state, base, n.op));
        break;
      case 'Relu':
        ops.push({ ...base, op: 'clamp', min: 0, max: Infinity, out: state.shape });
        break;
      case 'Clip':
        ops.push(clipOp(r, g.opset, state));
        break;
      case 'QuantizeLinear': {
        const { op, output } = fakeQuantOp(r, g, state, soleConsumer);
        ops.push(op);
        next = output;
        break;
      }
      case 'MaxPool':
      case 'AveragePool':
      case 'GlobalMaxPool': {
        const op = poolOp(r, state, base);
        ops.push(op);
        state = { ...state, shape: op.out };
        break;
      }
      case 'GlobalAveragePool':
        if (state.rank !== 4) r.fail('needs a 4-D input');
        ops.push({ ...base, op: 'global-avg', out: [1, 1, state.shape[2]] });
        state = { ...state, shape: [1, 1, state.shape[2]] };
        break;
      case 'ReduceMean': {
        state = reduceMean(r, g.opset, state, ops, base);
        break;
      }
      case 'Flatten': {
        const axis = r.int('axis', 1);
        if (axis !== 1 && !(state.rank === 2 && (axis === -1 || axis === 1))) r.fail(`with axis ${axis} is not supported (only axis 1, which keeps the batch)`);
        state = flattenTo2d(state, ops, base);
        break;
      }
      case 'Reshape':
      case 'Squeeze':
      case 'Unsqueeze': {
        const dims = reshapeTarget(r, g.opset, state);
        state = applyReshape(r, state, dims, ops, base);
        break;
      }
      case 'Transpose': {
        const perm = r.ints('perm', null);
        if (first && state.rank === 4 && perm && fmt(perm) === '[0,3,1,2]') {
          // tf2onnx: an NHWC graph input transposed to NCHW. The input dims were N,H,W,C.
          const d = g.input.dims as number[];
          input = [d[1], d[2], d[3]];
          state = { ...state, shape: input };
        } else if (state.rank === 4 && perm && fmt(perm) === '[0,2,3,1]') {
          state = { ...state, nhwc: true };
        } else {
          r.fail(`with perm ${perm ? fmt(perm) : 'reversed'} is not supported (only NHWC↔NCHW at the input or before a flatten)`);
        }
        break;
      }
      case 'Identity':
      case 'Dropout':
        break;
      default:
        r.fail(unsupportedReason(n.op));
    }
    first = false;
    tensor = next;
  }
  if (ops.length === 0) throw graphError('the graph has no layers');
  return { input, ops };
}

function unsupportedReason(op: string): string {
  const why: Record<string, string> = {
    Sigmoid: 'the NSoC activation is a quantized ReLU',
    Tanh: 'the NSoC activation is a quantized ReLU',
    LeakyRelu: 'the NSoC activation is a quantized ReLU (no negative slope)',
    PRelu: 'the NSoC activation is a quantized ReLU (no negative slope)',
    Softmax: 'remove it from the export: the NSoC outputs the classifier potentials, and confidences are computed from them',
    Concat: 'the NSoC runs a sequence of layers',
    ConvTranspose: 'the NSoC has no transposed convolution',
    Resize: 'the NSoC has no resampling layer',
    Upsample: 'the NSoC has no resampling layer',
    Pad: 'use the convolution\'s own padding (SAME or VALID)',
  };
  return `is not supported${why[op] ? ` (${why[op]})` : ' by the NSoC converter'}`;
}

type Base = { node: string; onnxOp: string };

function convOp(r: NodeReader, s: TensorState, base: Base): Extract<ChainOp, { op: 'conv' }> {
  if (s.rank !== 4 || s.flat) r.fail('needs a 4-D NCHW input');
  const { t: w, qat } = r.constInput(1, 'weight', 0);
  if (w.dims.length !== 4) r.fail(`with a ${w.dims.length - 2}-D kernel is not supported (2-D convolutions only)`);
  const [cout, cinPerGroup, kh, kw] = w.dims;
  const [h, wid, cin] = s.shape;
  const dil = r.ints('dilations', [1, 1])!;
  if (dil.some((d) => d !== 1)) r.fail(`with dilations ${fmt(dil)} is not supported (the NSoC has no dilated convolution)`);
  const ks = r.ints('kernel_shape', null);
  if (ks && (ks[0] !== kh || ks[1] !== kw)) r.fail(`kernel_shape ${fmt(ks)} does not match its weights ${kh}×${kw}`);
  const strides = r.ints('strides', [1, 1])!;
  if (strides.length !== 2 || strides[0] !== strides[1]) r.fail(`with strides ${fmt(strides)} is not supported (the NSoC's stride is the same along both axes)`);
  const stride = strides[0];
  const group = r.int('group', 1);
  let depthwise = false;
  if (group === 1) {
    if (cinPerGroup !== cin) r.fail(`weights expect ${cinPerGroup} input channels, the input has ${cin}`);
  } else if (group === cin && cinPerGroup === 1) {
    if (cout !== cin) r.fail(`depthwise with a channel multiplier of ${cout / cin} is not supported (only 1: the NSoC's separable layer)`);
    depthwise = true;
  } else {
    r.fail(`with group ${group} is not supported (only 1, or depthwise with group = channels)`);
  }
  const padding = convPadding(r, h, wid, kh, kw, stride);
  const oh = convOutputLength(h, kh, stride, padding);
  const ow = convOutputLength(wid, kw, stride, padding);
  if (oh < 1 || ow < 1) r.fail(`kernel ${kh}×${kw} does not fit the ${h}×${wid} input`);
  let bias = new Float64Array(cout);
  if (r.has(2)) {
    const b = r.constInput(2, 'bias').t;
    if (b.values.length !== cout) r.fail(`bias has ${b.values.length} values for ${cout} channels`);
    bias = Float64Array.from(b.values);
  }
  return { ...base, op: 'conv', kernel: [kh, kw], stride, padding, cin, cout, depthwise, weights: w.values, bias, qat, out: [oh, ow, cout] };
}

function convPadding(r: NodeReader, h: number, w: number, kh: number, kw: number, stride: number): Padding {
  const autoPad = r.str('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return 'valid';
  if (autoPad === 'SAME_UPPER') return 'same';
  if (autoPad === 'SAME_LOWER') {
    // SAME_LOWER puts the larger half first: the same as SAME_UPPER when the total padding is even.
    if (sameTotal(h, kh, stride) % 2 === 0 && sameTotal(w, kw, stride) % 2 === 0) return 'same';
    r.fail('with auto_pad SAME_LOWER and an odd total padding is not supported (the NSoC pads like SAME_UPPER)');
  }
  if (autoPad !== 'NOTSET') r.fail(`with auto_pad ${autoPad} is not supported`);
  const pads = r.ints('pads', [0, 0, 0, 0])!;
  if (pads.length !== 4) r.fail(`pads ${fmt(pads)} must have 4 values`);
  const ph = paddingMode(h, kh, stride, pads[0], pads[2]);
  const pw = paddingMode(w, kw, stride, pads[1], pads[3]);
  if (ph && ph === pw) return ph;
  return r.fail(
    `with pads ${fmt(pads)} on a ${h}×${w} input (stride ${stride}) is not supported: the NSoC pads VALID (none) or SAME as TensorFlow does ` +
      `(${samePadBefore(h, kh, stride)} row(s) before, the rest after); export with matching padding`,
  );
}

function sameTotal(input: number, k: number, stride: number): number {
  const out = Math.ceil(input / stride);
  return Math.max((out - 1) * stride + k - input, 0);
}

function denseOp(r: NodeReader, s: TensorState, base: Base, gemm: boolean): Extract<ChainOp, { op: 'dense' }> {
  if (s.rank !== 2) r.fail('needs a 2-D input (flatten the feature map first)');
  const k = s.shape[2];
  if (gemm && r.int('transA', 0) !== 0) r.fail('with transA is not supported');
  const transB = gemm ? r.int('transB', 0) : 0;
  const { t: b, qat } = r.constInput(1, 'weight', transB ? 0 : 1);
  if (b.dims.length !== 2) r.fail(`weights must be 2-D, not ${fmt(b.dims)}`);
  const [bk, n] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (bk !== k) r.fail(`weights expect ${bk} inputs, the input has ${k}`);
  const alpha = gemm ? r.float('alpha', 1) : 1;
  const beta = gemm ? r.float('beta', 1) : 1;
  const weights = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) weights[i * n + j] = alpha * (transB ? b.values[j * k + i] : b.values[i * n + j]);
  const bias = new Float64Array(n);
  if (gemm && r.has(2)) {
    const c = r.constInput(2, 'bias').t;
    if (c.values.length === n) for (let j = 0; j < n; j++) bias[j] = beta * c.values[j];
    else if (c.values.length === 1) bias.fill(beta * c.values[0]);
    else r.fail(`bias C of shape ${fmt(c.dims)} is not supported (one value per output)`);
  }
  const scaledQat = qat && alpha !== 1 ? { scale: qat.scale.map((v) => v * Math.abs(alpha)) } : qat;
  return { ...base, op: 'dense', inputs: k, units: n, weights, bias, qat: scaledQat, out: [1, 1, n] };
}

/** Per-channel values of a constant broadcast against the data (scalar, [C], [C,1,1], [1,C,1,1]; 2-D: [F], [1,F]). */
function perChannel(r: NodeReader, t: ConstTensor, s: TensorState, what: string): Float64Array {
  const c = s.shape[2];
  const dims = [...t.dims];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  const want = s.rank === 4 ? [c, 1, 1] : [c];
  const ok = t.dims.length <= onnxDims(s).length && (t.values.length === 1 || fmt(dims) === fmt(want));
  if (!ok) r.fail(`${what} of shape ${fmt(t.dims)} does not broadcast per channel over ${fmt(onnxDims(s))}`);
  return t.values.length === 1 ? new Float64Array(c).fill(t.values[0]) : Float64Array.from(t.values);
}

function batchNormOp(r: NodeReader, s: TensorState, base: Base): ChainOp {
  if (r.int('training_mode', 0) !== 0) r.fail('in training mode is not supported (export the model in eval mode)');
  const c = s.shape[2];
  const get = (i: number, what: string) => {
    const v = r.constInput(i, what).t.values;
    if (v.length !== c) r.fail(`${what} has ${v.length} values for ${c} channels`);
    return v;
  };
  const gamma = get(1, 'scale');
  const beta = get(2, 'bias');
  const mean = get(3, 'mean');
  const variance = get(4, 'variance');
  const eps = r.float('epsilon', 1e-5);
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = gamma[i] / Math.sqrt(variance[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  return { ...base, op: 'affine', scale, shift, out: s.shape };
}

function elementwiseOp(r: NodeReader, s: TensorState, base: Base, op: string): ChainOp {
  const k = r.constInput(1, 'operand').t;
  const v = perChannel(r, k, s, 'the constant operand');
  const c = v.length;
  const scale = new Float64Array(c).fill(1);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    if (op === 'Add') shift[i] = v[i];
    else if (op === 'Sub') shift[i] = -v[i];
    else if (op === 'Mul') scale[i] = v[i];
    else {
      if (v[i] === 0) r.fail('divides by zero');
      scale[i] = 1 / v[i];
    }
  }
  return { ...base, op: 'affine', scale, shift, out: s.shape };
}

function clipOp(r: NodeReader, opset: number, s: TensorState): ChainOp {
  let min = -Infinity;
  let max = Infinity;
  if (opset < 11) {
    min = r.float('min', -Infinity);
    max = r.float('max', Infinity);
  } else {
    const scalar = (i: number, what: string) => {
      if (!r.has(i)) return null;
      const t = r.constInput(i, what).t;
      if (t.values.length !== 1) r.fail(`${what} must be a scalar`);
      return t.values[0];
    };
    min = scalar(1, 'min') ?? -Infinity;
    max = scalar(2, 'max') ?? Infinity;
  }
  if (!(max > 0)) r.fail(`with max ${max} is not supported (the activation range must be above 0)`);
  return { node: r.n.name, onnxOp: r.n.op, op: 'clamp', min, max, out: s.shape };
}

/** QuantizeLinear → [Clip] → DequantizeLinear on the activations: one fake-quant op. */
function fakeQuantOp(
  r: NodeReader,
  g: OnnxGraph,
  s: TensorState,
  soleConsumer: (t: string) => OnnxNode,
): { op: ChainOp; output: string } {
  const q = r.n;
  const qp = quantParams(q, g, (reason) => r.fail(reason));
  if (qp.scale.length !== 1) r.fail('with per-axis scales on activations is not supported (one scale per tensor)');
  let qmin = qp.qmin;
  let qmax = qp.qmax;
  let next = soleConsumer(q.outputs[0]);
  const nodes = [q.name];
  if (next.op === 'Clip') {
    // PyTorch's (0, 127) range: an integer Clip between the pair.
    const cr = new NodeReader(next, g, new Map());
    const lo = cr.has(1) ? cr.constInput(1, 'min').t.values[0] : qmin;
    const hi = cr.has(2) ? cr.constInput(2, 'max').t.values[0] : qmax;
    qmin = Math.max(qmin, lo);
    qmax = Math.min(qmax, hi);
    nodes.push(next.name);
    next = soleConsumer(next.outputs[0]);
  }
  if (next.op !== 'DequantizeLinear') r.fail(`must be followed by a DequantizeLinear (a fake-quantization pair), not by ${next.op} "${next.name}"`);
  const dp = quantParams(next, g, (reason) => {
    throw new ConversionError(next.name, next.op, reason);
  });
  if (!sameValues(qp.scale, dp.scale) || !sameValues(qp.zeroPoint, dp.zeroPoint)) {
    throw new ConversionError(next.name, next.op, `uses a scale or zero point different from its QuantizeLinear "${q.name}"`);
  }
  const fq: FakeQuant = { scale: qp.scale[0], zeroPoint: qp.zeroPoint[0], qmin, qmax };
  return { op: { node: q.name, onnxOp: 'QuantizeLinear/DequantizeLinear', op: 'fake-quant', fq, out: s.shape }, output: next.outputs[0] };
}

function poolOp(r: NodeReader, s: TensorState, base: Base): ChainOp {
  if (s.rank !== 4 || s.flat) r.fail('needs a 4-D input');
  const [h, w, c] = s.shape;
  if (r.n.op === 'GlobalMaxPool') {
    if (h !== w) r.fail(`over a non-square ${h}×${w} map is not supported (the NSoC's max pooling is square)`);
    return { ...base, op: 'max-pool', size: h, stride: h, out: [1, 1, c] };
  }
  const ks = r.ints('kernel_shape', null);
  if (!ks || ks.length !== 2) r.fail('needs a 2-D kernel_shape');
  const strides = r.ints('strides', [1, 1])!;
  const pads = r.ints('pads', [0, 0, 0, 0])!;
  const dil = r.ints('dilations', [1, 1])!;
  const autoPad = r.str('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') r.fail(`with auto_pad ${autoPad} is not supported (only unpadded pooling)`);
  if (pads.some((p) => p !== 0)) r.fail(`with pads ${fmt(pads)} is not supported (the NSoC pools without padding)`);
  if (dil.some((d) => d !== 1)) r.fail(`with dilations ${fmt(dil)} is not supported`);
  if (r.n.op === 'AveragePool') {
    // Only a window covering the whole map: that is global average pooling.
    if (ks[0] === h && ks[1] === w) return { ...base, op: 'global-avg', out: [1, 1, c] };
    r.fail(`with kernel ${fmt(ks)} on a ${h}×${w} map is not supported (the NSoC averages only globally)`);
  }
  if (ks[0] !== ks[1]) r.fail(`with kernel ${fmt(ks)} is not supported (square windows only)`);
  if (strides[0] !== strides[1]) r.fail(`with strides ${fmt(strides)} is not supported (the same stride along both axes)`);
  const size = ks[0];
  const stride = strides[0];
  const oh = convOutputLength(h, size, stride, 'valid');
  const ow = convOutputLength(w, size, stride, 'valid');
  if (r.int('ceil_mode', 0) === 1) {
    const ch = Math.ceil((h - size) / stride) + 1;
    const cw = Math.ceil((w - size) / stride) + 1;
    if (ch !== oh || cw !== ow) r.fail(`with ceil_mode on a ${h}×${w} map is not supported (it adds a partial window the NSoC does not compute)`);
  }
  if (oh < 1 || ow < 1) r.fail(`window ${size} does not fit the ${h}×${w} map`);
  return { ...base, op: 'max-pool', size, stride, out: [oh, ow, c] };
}

function reduceMean(r: NodeReader, opset: number, s: TensorState, ops: ChainOp[], base: Base): TensorState {
  if (s.rank !== 4) r.fail('needs a 4-D input');
  let axes = r.ints('axes', null);
  if (opset >= 18 && r.has(1)) axes = [...r.constInput(1, 'axes').t.values];
  const norm = (axes ?? [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a)).sort();
  if (fmt(norm) !== '[2,3]') r.fail(`over axes ${fmt(axes ?? [])} is not supported (only the spatial axes 2 and 3: global average pooling)`);
  const c = s.shape[2];
  ops.push({ ...base, op: 'global-avg', out: [1, 1, c] });
  const keep = r.int('keepdims', 1);
  return { rank: keep ? 4 : 2, shape: [1, 1, c], flat: null, nhwc: false };
}

function flattenTo2d(s: TensorState, ops: ChainOp[], base: Base): TensorState {
  if (s.rank === 2) return s;
  const n = featureCount(s.shape);
  if (s.shape[0] * s.shape[1] > 1) {
    const order = s.nhwc ? 'hwc' : 'chw';
    ops.push({ ...base, op: 'flatten', from: s.shape, order, out: [1, 1, n] });
  }
  return { rank: 2, shape: [1, 1, n], flat: s.shape[0] * s.shape[1] > 1 ? { from: s.shape, order: s.nhwc ? 'hwc' : 'chw' } : null, nhwc: false };
}

function reshapeTarget(r: NodeReader, opset: number, s: TensorState): number[] {
  const dims = onnxDims(s);
  if (r.n.op === 'Reshape') {
    const t = r.constInput(1, 'shape').t.values;
    const out = [...t].map((v, i) => (v === 0 && r.int('allowzero', 0) === 0 ? dims[i] : v));
    const known = out.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const total = dims.reduce((a, b) => a * b, 1);
    if (out.filter((v) => v === -1).length > 1 || known === 0 || total % known !== 0) r.fail(`to ${fmt([...t])} does not fit ${fmt(dims)}`);
    return out.map((v) => (v === -1 ? total / known : v));
  }
  let axes = r.ints('axes', null);
  if (opset >= 13 && r.has(1)) axes = [...r.constInput(1, 'axes').t.values];
  if (r.n.op === 'Squeeze') {
    const sq = (axes ?? dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i > 0)).map((a) => (a < 0 ? a + dims.length : a));
    if (sq.includes(0)) r.fail('of the batch axis is not supported');
    return dims.filter((_, i) => !sq.includes(i));
  }
  if (!axes) r.fail('needs axes');
  const out = [...dims];
  const rank = dims.length + axes.length;
  for (const a of axes.map((x) => (x < 0 ? x + rank : x)).sort((x, y) => x - y)) out.splice(a, 0, 1);
  return out;
}

/** Only flattening, or a no-op between 1×1×C and C: anything else would reorder features the NSoC keeps in HWC order. */
function applyReshape(r: NodeReader, s: TensorState, dims: number[], ops: ChainOp[], base: Base): TensorState {
  const total = featureCount(s.shape);
  const spatial = s.shape[0] * s.shape[1];
  if (dims.length === 2 && dims[0] === 1 && dims[1] === total) return flattenTo2d(s, ops, base);
  if (dims.length === 4 && dims[0] === 1 && dims[1] === total && dims[2] === 1 && dims[3] === 1) {
    if (s.rank === 4 && spatial === 1) return s;
    if (s.rank === 2 && !s.flat) return { rank: 4, shape: [1, 1, total], flat: null, nhwc: false };
  }
  if (s.rank === 4 && dims.length === 4 && dims.every((d, i) => d === onnxDims(s)[i])) return s;
  return r.fail(
    `to ${fmt(dims)} of a ${fmt(onnxDims(s))} tensor is not supported: only flattening to [1, ${total}], or a no-op between [1, C, 1, 1] and [1, C]`,
  );
}
