/**
 * The float reference: runs a FloatModel (the folded ONNX model) in double
 * precision on HWC tensors. It is what calibration measures activation
 * ranges on, what the quantized model is compared against, and — since the
 * folding is exact — it reproduces the ONNX model's own outputs (the tests
 * hold it to PyTorch's within 1e-4).
 *
 * Per layer: potentials p = bias + weights·input (convolution with TensorFlow
 * SAME/VALID padding, separable = depthwise then pointwise, or dense over the
 * HWC-flattened input); global average pooling averages p; the activation
 * clamps to [0, max] and applies a QAT fake-quantization; max pooling takes
 * the max of the activations.
 */
import { samePadBefore } from '../shapes';
import { roundHalfEven } from './chain';
import type { FakeQuant, FloatLayer, FloatModel } from './graph';

/** Called with a layer's activations (after ReLU/clip/fake-quant, before max pooling), or its potentials when it has no activation. */
export type LayerObserver = (layerIndex: number, values: Float64Array) => void;

function fakeQuantize(v: Float64Array, fq: FakeQuant): void {
  const { scale, zeroPoint, qmin, qmax } = fq;
  for (let i = 0; i < v.length; i++) {
    const q = Math.min(qmax, Math.max(qmin, roundHalfEven(Math.fround(v[i] / scale)) + zeroPoint));
    v[i] = (q - zeroPoint) * scale;
  }
}

function conv(layer: FloatLayer, x: Float64Array, out: Float64Array, oh: number, ow: number): void {
  const [h, w, cin] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const s = layer.stride;
  const cout = layer.outputs;
  const W = layer.weights;
  const top = layer.padding === 'same' ? samePadBefore(h, kh, s) : 0;
  const left = layer.padding === 'same' ? samePadBefore(w, kw, s) : 0;
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++) {
      const o0 = (oy * ow + ox) * cout;
      for (let o = 0; o < cout; o++) out[o0 + o] = layer.bias[o];
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * s - top + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * s - left + kx;
          if (ix < 0 || ix >= w) continue;
          const i0 = (iy * w + ix) * cin;
          const w0 = (ky * kw + kx) * cin * cout;
          for (let i = 0; i < cin; i++) {
            const a = x[i0 + i];
            if (a === 0) continue;
            const wi = w0 + i * cout;
            for (let o = 0; o < cout; o++) out[o0 + o] += a * W[wi + o];
          }
        }
      }
    }
}

function separable(layer: FloatLayer, x: Float64Array, out: Float64Array, oh: number, ow: number): void {
  const [h, w, c] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const s = layer.stride;
  const cout = layer.outputs;
  const D = layer.depthwise!;
  const P = layer.weights;
  const top = layer.padding === 'same' ? samePadBefore(h, kh, s) : 0;
  const left = layer.padding === 'same' ? samePadBefore(w, kw, s) : 0;
  const d = new Float64Array(c);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++) {
      d.fill(0);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * s - top + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * s - left + kx;
          if (ix < 0 || ix >= w) continue;
          const i0 = (iy * w + ix) * c;
          const k0 = (ky * kw + kx) * c;
          for (let ch = 0; ch < c; ch++) d[ch] += x[i0 + ch] * D[k0 + ch];
        }
      }
      const o0 = (oy * ow + ox) * cout;
      for (let o = 0; o < cout; o++) out[o0 + o] = layer.bias[o];
      for (let ch = 0; ch < c; ch++) {
        const a = d[ch];
        if (a === 0) continue;
        for (let o = 0; o < cout; o++) out[o0 + o] += a * P[ch * cout + o];
      }
    }
}

function dense(layer: FloatLayer, x: Float64Array, out: Float64Array): void {
  const n = layer.outputs;
  const W = layer.weights;
  for (let o = 0; o < n; o++) out[o] = layer.bias[o];
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    if (a === 0) continue;
    for (let o = 0; o < n; o++) out[o] += a * W[i * n + o];
  }
}

/** One layer: potentials, pooling, activation. Returns the layer output (HWC). */
export function runFloatLayer(layer: FloatLayer, x: Float64Array, index = 0, observe?: LayerObserver): Float64Array {
  const [h, w] = layer.inShape;
  let oh = 1;
  let ow = 1;
  if (layer.kind !== 'dense') {
    const [kh, kw] = layer.kernel;
    const s = layer.stride;
    oh = layer.padding === 'same' ? Math.ceil(h / s) : Math.floor((h - kh) / s) + 1;
    ow = layer.padding === 'same' ? Math.ceil(w / s) : Math.floor((w - kw) / s) + 1;
  }
  const c = layer.outputs;
  let p = new Float64Array(oh * ow * c);
  if (layer.kind === 'conv') conv(layer, x, p, oh, ow);
  else if (layer.kind === 'separable-conv') separable(layer, x, p, oh, ow);
  else dense(layer, x, p);

  if (layer.pool?.kind === 'global-avg') {
    const mean = new Float64Array(c);
    for (let i = 0; i < p.length; i++) mean[i % c] += p[i];
    for (let o = 0; o < c; o++) mean[o] /= oh * ow;
    p = mean;
    oh = ow = 1;
  }
  const act = layer.activation;
  if (act) {
    const max = act.max ?? Infinity;
    for (let i = 0; i < p.length; i++) p[i] = Math.min(max, Math.max(0, p[i]));
    if (act.fakeQuant) fakeQuantize(p, act.fakeQuant);
  }
  observe?.(index, p);
  if (layer.pool?.kind === 'max') {
    const { size, stride } = layer.pool;
    const ph = Math.floor((oh - size) / stride) + 1;
    const pw = Math.floor((ow - size) / stride) + 1;
    const pooled = new Float64Array(ph * pw * c).fill(-Infinity);
    for (let y = 0; y < ph; y++)
      for (let x2 = 0; x2 < pw; x2++)
        for (let dy = 0; dy < size; dy++)
          for (let dx = 0; dx < size; dx++) {
            const src = ((y * stride + dy) * ow + x2 * stride + dx) * c;
            const dst = (y * pw + x2) * c;
            for (let o = 0; o < c; o++) if (p[src + o] > pooled[dst + o]) pooled[dst + o] = p[src + o];
          }
    p = pooled;
  }
  return p;
}

/**
 * Runs the float model on one input: the ONNX model's input values, in HWC
 * order. Returns the last layer's output.
 */
export function runFloat(model: FloatModel, input: ArrayLike<number>, observe?: LayerObserver): Float64Array {
  const [h, w, c] = model.input;
  if (input.length !== h * w * c) throw new RangeError(`runFloat: input has ${input.length} values, the model expects ${h}×${w}×${c}`);
  let x: Float64Array = Float64Array.from(input);
  for (const op of model.inputOps) {
    if (op.kind === 'fake-quant') fakeQuantize(x, op.fq);
    else for (let i = 0; i < x.length; i++) x[i] *= op.factor;
  }
  model.layers.forEach((layer, i) => {
    x = runFloatLayer(layer, x, i, observe);
  });
  return x;
}

/** The ONNX input for a uint8 HWC frame: frameScale × value. */
export function frameToFloat(frame: ArrayLike<number>, frameScale: number): Float64Array {
  const out = new Float64Array(frame.length);
  for (let i = 0; i < frame.length; i++) out[i] = frame[i] * frameScale;
  return out;
}
