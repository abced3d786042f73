/**
 * Chain → FloatModel: fuses the chain's ops into NSoC layers, exactly.
 *
 * - BatchNormalization and constant Mul/Add/Sub/Div after a weighted op are
 *   folded into its weights and bias (per output channel). After a max pool
 *   that precedes the activation this needs a positive scale (max and a
 *   negative scale do not commute); after the activation it is refused.
 * - Relu / Clip(0, max) / a uint8 QuantizeLinear→DequantizeLinear pair set the
 *   layer's activation; successive ones merge (ReLU then Clip(0, 6) is ReLU6).
 * - A depthwise Conv directly followed by a 1×1 Conv becomes one separable
 *   layer (the depthwise bias is pushed through the pointwise weights).
 * - Global average pooling before the activation is the layer's pooling (the
 *   NSoC averages potentials); after the activation it cannot be the layer's
 *   pooling, but when a dense layer follows it is folded into that layer's
 *   weights (mean then linear = linear with the weights spread over H×W).
 * - A dense layer after a flatten of an H×W×C map gets its rows permuted from
 *   ONNX's CHW order to the runtime's HWC order.
 * - Weights move to the runtime's layouts (HWIO, [kh][kw][c], [in][out]).
 */
import { ConversionError } from './errors';
import type { Chain, ChainOp, FloatLayer, FloatModel, QatWeights, Shape } from './graph';

type Stage = 'linear' | 'pooled-pre-act' | 'gap-pre-act' | 'activated' | 'pooled' | 'gap-after-act';

interface Building {
  layer: FloatLayer;
  onnxOp: string;
  stage: Stage;
  /** a depthwise conv waiting for its pointwise partner */
  depthwise: Extract<ChainOp, { op: 'conv' }> | null;
  dwBias: Float64Array | null;
  bias: Float64Array;
  weights: Float64Array;
  dw: Float64Array | null;
  /** the GlobalAveragePool node folded into the next dense layer */
  gapNode: string | null;
}

function err(op: { node: string; onnxOp: string }, reason: string): ConversionError {
  return new ConversionError(op.node, op.onnxOp, reason);
}

function convToHwio(w: Float64Array, cout: number, cin: number, kh: number, kw: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x];
  return out;
}

function depthwiseToHwc(w: Float64Array, c: number, kh: number, kw: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[(y * kw + x) * c + ch] = w[(ch * kh + y) * kw + x];
  return out;
}

function perChannelQat(q: QatWeights | null, n: number): Float64Array | null {
  if (!q) return null;
  return q.scale.length === n ? Float64Array.from(q.scale) : new Float64Array(n).fill(q.scale[0]);
}

function pooledShape(shape: Shape, size: number, stride: number): Shape {
  return [Math.floor((shape[0] - size) / stride) + 1, Math.floor((shape[1] - size) / stride) + 1, shape[2]];
}

/** Fuses a chain into float NSoC layers. */
export function foldChain(chain: Chain): FloatModel {
  const model: FloatModel = { input: chain.input, inputOps: [], layers: [] };
  let cur: Building | null = null;
  let shape: Shape = chain.input;
  let flat: Extract<ChainOp, { op: 'flatten' }> | null = null;

  const close = (b: Building, last: boolean): void => {
    if (b.depthwise) throw err(b.depthwise, 'must be followed directly by a 1×1 Conv: a depthwise convolution is half of the NSoC\'s separable layer');
    if (b.stage === 'gap-after-act') {
      throw err(
        { node: b.gapNode!, onnxOp: 'global average pooling' },
        'after the activation is supported only when a dense layer follows it (the NSoC averages potentials, before the activation; move the pooling before the ReLU)',
      );
    }
    if (!b.layer.activation && !last) {
      throw err(
        { node: b.layer.name, onnxOp: b.onnxOp },
        'output feeds the next layer without an activation (ReLU, Clip or a uint8 fake-quantization): the NSoC\'s activations are unsigned integers, so only the last layer may output raw potentials',
      );
    }
    b.layer.weights = Float32Array.from(b.weights);
    b.layer.bias = Float32Array.from(b.bias);
    if (b.dw) b.layer.depthwise = Float32Array.from(b.dw);
    model.layers.push(b.layer);
  };

  const needLayer = (op: ChainOp): Building => {
    if (!cur) throw err(op, 'before the first convolution or dense layer is not supported');
    if (cur.depthwise) throw err(cur.depthwise, `must be followed directly by a 1×1 Conv (the NSoC's separable layer), not by ${op.onnxOp} "${op.node}"`);
    return cur;
  };

  for (const op of chain.ops) {
    if (flat && op.op !== 'dense') throw err(op, 'after a flatten is not supported: only a dense layer may follow one');
    switch (op.op) {
      case 'conv': {
        if (cur?.depthwise) {
          cur = mergeSeparable(cur, op);
          shape = op.out;
          break;
        }
        if (cur) close(cur, false);
        const layer: FloatLayer = {
          name: op.node,
          nodes: [op.node],
          kind: 'conv',
          inShape: shape,
          outShape: op.out,
          kernel: op.kernel,
          stride: op.stride,
          padding: op.padding,
          outputs: op.cout,
          weights: new Float32Array(0),
          depthwise: null,
          bias: new Float32Array(0),
          weightQat: op.depthwise ? null : op.qat,
          depthwiseQat: op.depthwise ? op.qat : null,
          activation: null,
          pool: null,
        };
        cur = op.depthwise
          ? { layer: { ...layer, kind: 'separable-conv' }, onnxOp: op.onnxOp, stage: 'linear', depthwise: op, dwBias: Float64Array.from(op.bias), bias: new Float64Array(0), weights: new Float64Array(0), dw: depthwiseToHwc(op.weights, op.cin, op.kernel[0], op.kernel[1]), gapNode: null }
          : { layer, onnxOp: op.onnxOp, stage: 'linear', depthwise: null, dwBias: null, bias: Float64Array.from(op.bias), weights: convToHwio(op.weights, op.cout, op.cin, op.kernel[0], op.kernel[1]), dw: null, gapNode: null };
        shape = op.out;
        break;
      }
      case 'dense': {
        let inShape: Shape = shape;
        let weights = op.weights;
        let qat = op.qat;
        const nodes = [op.node];
        if (cur?.stage === 'gap-after-act') {
          // mean over H×W, then linear == linear over the flattened map with each weight spread over the H·W positions
          const [h, w, c]: Shape = cur.layer.outShape;
          const hw: number = h * w;
          const spread = new Float64Array(hw * c * op.units);
          for (let p = 0; p < hw; p++)
            for (let ch = 0; ch < c; ch++)
              for (let u = 0; u < op.units; u++) spread[(p * c + ch) * op.units + u] = op.weights[ch * op.units + u] / hw;
          weights = spread;
          inShape = cur.layer.outShape;
          qat = qat ? { scale: qat.scale.map((s: number): number => s / hw) } : null;
          nodes.unshift(cur.gapNode!);
          cur.stage = 'pooled';
        } else if (flat) {
          weights = flat.order === 'chw' ? chwRowsToHwc(op.weights, flat.from, op.units) : op.weights;
          inShape = flat.from;
          nodes.unshift(flat.node);
        }
        if (cur) close(cur, false);
        flat = null;
        cur = {
          layer: {
            name: op.node, nodes, kind: 'dense', inShape, outShape: [1, 1, op.units], kernel: [1, 1], stride: 1, padding: 'valid',
            outputs: op.units, weights: new Float32Array(0), depthwise: null, bias: new Float32Array(0), weightQat: qat, depthwiseQat: null, activation: null, pool: null,
          },
          onnxOp: op.onnxOp, stage: 'linear', depthwise: null, dwBias: null, bias: Float64Array.from(op.bias), weights, dw: null, gapNode: null,
        };
        shape = [1, 1, op.units];
        break;
      }
      case 'affine': {
        if (!cur && model.layers.length === 0) {
          const s0 = op.scale[0];
          if (op.shift.some((v) => v !== 0) || op.scale.some((v) => v !== s0) || !(s0 > 0)) {
            throw err(op, 'on the input is supported only as one positive scale (an offset or per-channel scale cannot be folded exactly into a zero-padded convolution); the NSoC\'s input is the raw uint8 frame');
          }
          model.inputOps.push({ kind: 'scale', factor: s0, node: op.node });
          break;
        }
        if (cur?.depthwise) {
          foldDepthwiseAffine(cur, op);
          break;
        }
        const b = needLayer(op);
        if (b.stage === 'pooled-pre-act') {
          const neg = op.scale.findIndex((v) => !(v > 0));
          if (neg >= 0) throw err(op, `has a non-positive scale in channel ${neg} after max pooling: it cannot be folded into the convolution (max pooling and a negative scale do not commute)`);
        } else if (b.stage !== 'linear' && b.stage !== 'gap-pre-act') {
          throw err(op, `after the activation of "${b.layer.name}" cannot be folded into a layer (the NSoC applies weights, then the activation)`);
        }
        foldAffine(b, op);
        b.layer.nodes.push(op.node);
        break;
      }
      case 'clamp': {
        const b = needLayer(op);
        const act = b.layer.activation;
        if (b.stage === 'gap-after-act') throw err(op, 'after a global average pooling that follows the activation is not supported');
        if (act) {
          if (act.fakeQuant) throw err(op, 'after a fake-quantization is not supported');
          if (op.min > 0) throw err(op, `with min ${op.min} is not supported (activations start at 0)`);
          act.max = act.max === null ? (Number.isFinite(op.max) ? op.max : null) : Math.min(act.max, op.max);
        } else {
          if (op.min !== 0) {
            throw err(op, op.min < 0 ? `with min ${op.min} is not supported: the NSoC's activations are unsigned (add a ReLU)` : `with min ${op.min} is not supported (activations start at 0)`);
          }
          b.layer.activation = { max: Number.isFinite(op.max) ? op.max : null, fakeQuant: null };
          b.stage = b.stage === 'pooled-pre-act' ? 'pooled' : 'activated';
        }
        b.layer.nodes.push(op.node);
        break;
      }
      case 'fake-quant': {
        const fq = op.fq;
        if (!cur && model.layers.length === 0) {
          if (fq.zeroPoint !== 0 || fq.qmin > 0) throw err(op, `on the input needs zero point 0 (got ${fq.zeroPoint}): the NSoC's input is the unsigned frame`);
          if (model.inputOps.some((o) => o.kind === 'fake-quant')) throw err(op, 'is a second fake-quantization of the input');
          model.inputOps.push({ kind: 'fake-quant', fq, node: op.node });
          break;
        }
        const b = needLayer(op);
        if (fq.zeroPoint !== 0) throw err(op, `with zero point ${fq.zeroPoint} on activations is not supported (the NSoC's activations start at 0: zero point 0)`);
        if (b.stage === 'gap-after-act') throw err(op, 'after a global average pooling that follows the activation is not supported');
        if (!b.layer.activation) {
          if (fq.qmin < 0) throw err(op, 'of signed activations is not supported (add a ReLU before it: the NSoC\'s activations are unsigned)');
          b.layer.activation = { max: null, fakeQuant: fq };
          b.stage = b.stage === 'pooled-pre-act' ? 'pooled' : 'activated';
        } else {
          if (b.layer.activation.fakeQuant) throw err(op, 'is the second fake-quantization of one activation');
          b.layer.activation.fakeQuant = fq;
        }
        b.layer.nodes.push(op.node);
        break;
      }
      case 'max-pool': {
        const b = needLayer(op);
        if (b.layer.pool || b.stage === 'gap-after-act') throw err(op, `is a second pooling in layer "${b.layer.name}" (the NSoC pools once per layer)`);
        b.layer.pool = { kind: 'max', size: op.size, stride: op.stride };
        b.layer.outShape = pooledShape(b.layer.outShape, op.size, op.stride);
        b.stage = b.layer.activation ? 'pooled' : 'pooled-pre-act';
        b.layer.nodes.push(op.node);
        shape = op.out;
        break;
      }
      case 'global-avg': {
        const b = needLayer(op);
        if (b.layer.kind === 'dense') throw err(op, 'after a dense layer is not supported');
        if (b.layer.activation) {
          if (b.stage === 'gap-after-act') throw err(op, 'is a second pooling');
          b.stage = 'gap-after-act';
          b.gapNode = op.node;
        } else {
          if (b.layer.pool) throw err(op, `is a second pooling in layer "${b.layer.name}" (the NSoC pools once per layer)`);
          b.layer.pool = { kind: 'global-avg' };
          b.layer.outShape = [1, 1, b.layer.outputs];
          b.stage = 'gap-pre-act';
          b.layer.nodes.push(op.node);
        }
        shape = op.out;
        break;
      }
      case 'flatten':
        flat = op;
        shape = op.out;
        break;
    }
  }
  if (flat) throw err(flat, 'is the last op: a dense layer must follow a flatten');
  if (!cur) throw new ConversionError('', '', 'the model has no convolution or dense layer');
  close(cur, true);
  return model;
}

function chwRowsToHwc(w: Float64Array, from: Shape, units: number): Float64Array {
  const [h, wd, c] = from;
  const out = new Float64Array(w.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let ch = 0; ch < c; ch++) {
        const src = (ch * h * wd + y * wd + x) * units;
        const dst = ((y * wd + x) * c + ch) * units;
        for (let u = 0; u < units; u++) out[dst + u] = w[src + u];
      }
  return out;
}

function foldAffine(b: Building, op: Extract<ChainOp, { op: 'affine' }>): void {
  const n = b.layer.outputs;
  if (op.scale.length !== n) throw err(op, `has ${op.scale.length} channels, the layer "${b.layer.name}" has ${n}`);
  for (let i = 0; i < b.weights.length; i++) b.weights[i] *= op.scale[i % n];
  for (let o = 0; o < n; o++) b.bias[o] = b.bias[o] * op.scale[o] + op.shift[o];
  const q = perChannelQat(b.layer.weightQat, n);
  if (q) {
    for (let o = 0; o < n; o++) q[o] *= Math.abs(op.scale[o]);
    b.layer.weightQat = { scale: q };
  }
}

function foldDepthwiseAffine(b: Building, op: Extract<ChainOp, { op: 'affine' }>): void {
  const c = b.depthwise!.cin;
  if (op.scale.length !== c) throw err(op, `has ${op.scale.length} channels, the depthwise conv has ${c}`);
  const dw = b.dw!;
  for (let i = 0; i < dw.length; i++) dw[i] *= op.scale[i % c];
  for (let ch = 0; ch < c; ch++) b.dwBias![ch] = b.dwBias![ch] * op.scale[ch] + op.shift[ch];
  const q = perChannelQat(b.layer.depthwiseQat, c);
  if (q) {
    for (let ch = 0; ch < c; ch++) q[ch] *= Math.abs(op.scale[ch]);
    b.layer.depthwiseQat = { scale: q };
  }
  b.layer.nodes.push(op.node);
}

/** depthwise (pending in `b`) + 1×1 conv `pw` → one separable layer. */
function mergeSeparable(b: Building, pw: Extract<ChainOp, { op: 'conv' }>): Building {
  const dw = b.depthwise!;
  if (pw.depthwise || pw.kernel[0] !== 1 || pw.kernel[1] !== 1 || pw.stride !== 1) {
    throw err(dw, `must be followed directly by a 1×1 Conv with stride 1 (the NSoC's separable layer), not by the ${pw.kernel.join('×')} Conv "${pw.node}"`);
  }
  const c = dw.cin;
  const n = pw.cout;
  const weights = new Float64Array(c * n); // [cin][cout]
  for (let o = 0; o < n; o++) for (let i = 0; i < c; i++) weights[i * n + o] = pw.weights[o * c + i];
  const bias = Float64Array.from(pw.bias);
  for (let o = 0; o < n; o++) for (let i = 0; i < c; i++) bias[o] += weights[i * n + o] * b.dwBias![i];
  const layer: FloatLayer = { ...b.layer, name: pw.node, nodes: [...b.layer.nodes, pw.node], outputs: n, outShape: pw.out, weightQat: pw.qat };
  return { ...b, layer, onnxOp: pw.onnxOp, depthwise: null, weights, bias, dwBias: null, stage: 'linear' };
}
