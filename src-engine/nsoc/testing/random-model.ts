/**
 * Random valid QuantizedModels and inputs for property tests (and quick
 * experiments): random stacks of input convolution, convolution, separable
 * convolution and fully connected layers, kernels 1/3/5/7 (sometimes
 * non-square), strides 1–3, SAME/VALID padding, all weight and activation bit
 * widths, max and global average pooling, and thresholds/steps spread so that
 * outputs range from all-zero through partial to saturated (negative
 * thresholds included: a neuron can fire without any input event).
 * Deterministic from a seed.
 */
import { maxActivation } from '../arith';
import type { Activation, ActivationBits, Layer, Padding, Pooling, QuantizedModel, WeightBits } from '../model';
import { kMax } from '../model';
import { ModelRuntimeError, planModel } from '../runtime-plan';
import { layerOutputShape, type Shape } from '../shapes';

/** A small, fast, seedable PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Random weights on the b-bit grid; 1-bit weights are ±1, others include zeros. */
export function randomWeights(rng: Rng, n: number, bits: WeightBits, zeroFraction = 0.2): Int8Array {
  const w = new Int8Array(n);
  const k = kMax(bits);
  for (let i = 0; i < n; i++) {
    if (bits === 1) w[i] = rng() < 0.5 ? -1 : 1;
    else w[i] = rng() < zeroFraction ? 0 : randInt(rng, -k, k);
  }
  return w;
}

/**
 * Thresholds and steps around the expected potential scale σ of the layer,
 * so that some neurons stay silent, some fire partly and some saturate.
 */
export function randomActivation(rng: Rng, channels: number, sigma: number): Activation {
  const bits = pick(rng, [1, 2, 4] as const) as ActivationBits;
  const threshold = new Int32Array(channels);
  const step = new Int32Array(channels);
  const scale = 16 * Math.max(1, sigma);
  for (let c = 0; c < channels; c++) {
    const r = rng();
    threshold[c] = r < 0.1 ? 0 : Math.round((rng() * 3 - 1) * scale);
    const u = rng();
    step[c] = u < 0.1 ? 1 : u < 0.15 ? 1 << 20 : Math.max(1, Math.round((scale * (0.05 + 2 * rng())) / maxActivation(bits)));
  }
  return { bits, threshold, step };
}

export interface RandomModelOptions {
  maxLayers?: number;
  /** largest input height/width */
  maxSize?: number;
  maxChannels?: number;
  maxFilters?: number;
}

export function randomModel(seed: number, opts: RandomModelOptions = {}): QuantizedModel {
  const rng = mulberry32(seed);
  const maxSize = opts.maxSize ?? 12;
  const maxFilters = opts.maxFilters ?? 9;
  const input = {
    height: randInt(rng, 1, maxSize),
    width: randInt(rng, 1, maxSize),
    channels: randInt(rng, 1, opts.maxChannels ?? 4),
    bits: pick(rng, [1, 2, 4, 8] as const),
  };
  const nLayers = randInt(rng, 1, opts.maxLayers ?? 4);
  const layers: Layer[] = [];
  let shape: Shape = [input.height, input.width, input.channels];
  let inMax = maxActivation(input.bits);
  let density = 0.5;
  for (let i = 0; i < nLayers; i++) {
    const last = i === nLayers - 1;
    const name = `l${i}`;
    const [h, w, c] = shape;
    const r = rng();
    const kind: Layer['kind'] = i === 0 && r < 0.5 ? 'input-conv' : r < 0.55 ? 'conv' : r < 0.8 ? 'separable-conv' : 'dense';
    const activation: Activation | null = null;
    let layer: Layer;
    let fanIn: number;
    let wBits: WeightBits;
    if (kind === 'dense') {
      const units = randInt(rng, 1, 12);
      wBits = pick(rng, [1, 2, 4, 8] as const);
      layer = { kind, name, units, weightBits: wBits, weights: randomWeights(rng, h * w * c * units, wBits), activation };
      fanIn = h * w * c;
    } else {
      const square = rng() < 0.8;
      let kh = pick(rng, [1, 3, 5, 7]);
      let kw = square ? kh : pick(rng, [1, 3, 5, 7]);
      const stride = randInt(rng, 1, 3);
      let padding: Padding = rng() < 0.5 ? 'same' : 'valid';
      if (padding === 'valid' && (kh > h || kw > w)) {
        if (rng() < 0.5) padding = 'same';
        else {
          kh = Math.min(kh, h % 2 === 1 ? h : h - 1);
          kw = Math.min(kw, w % 2 === 1 ? w : w - 1);
        }
      }
      const filters = randInt(rng, 1, maxFilters);
      const kernel: [number, number] = [kh, kw];
      if (kind === 'input-conv') {
        wBits = 8;
        layer = { kind, name, kernel, stride, padding, filters, weightBits: 8, weights: randomWeights(rng, kh * kw * c * filters, 8), activation };
        fanIn = kh * kw * c;
      } else if (kind === 'conv') {
        wBits = pick(rng, [1, 2, 4, 8] as const);
        layer = { kind, name, kernel, stride, padding, filters, weightBits: wBits, weights: randomWeights(rng, kh * kw * c * filters, wBits), activation };
        fanIn = kh * kw * c;
      } else {
        wBits = pick(rng, [1, 2, 4, 8] as const);
        layer = {
          kind,
          name,
          kernel,
          stride,
          padding,
          filters,
          weightBits: wBits,
          depthwise: randomWeights(rng, kh * kw * c, wBits),
          pointwise: randomWeights(rng, c * filters, wBits),
          activation,
        };
        // depthwise sums then pointwise: σ grows with both fan-ins
        fanIn = kh * kw * c * Math.max(1, (kMax(wBits) * inMax) / 4);
      }
    }
    const map = layerOutputShape(layer, shape, i);
    const withActivation = !last || rng() < 0.5;
    // pooling: none, max (when it fits), global average (needs an activation)
    const pr = rng();
    let pool: Pooling | undefined;
    if (pr < 0.3) {
      const size = randInt(rng, 1, 3);
      const stride = randInt(rng, 1, 3);
      if (size <= map[0] && size <= map[1]) pool = { kind: 'max', size, stride };
    } else if (pr < 0.45 && withActivation) {
      pool = { kind: 'global-avg' };
    }
    layer.pool = pool;
    const sigma = Math.sqrt(fanIn * density) * (inMax / 2) * (kMax(wBits) / 2);
    const channels = kind === 'dense' ? (layer as { units: number }).units : (layer as { filters: number }).filters;
    layer.activation = withActivation ? randomActivation(rng, channels, sigma) : null;
    if (rng() < 0.3) layer.outputScale = Float32Array.from({ length: channels }, () => rng());
    layers.push(layer);
    shape = layerOutputShape(layer, shape, i);
    inMax = layer.activation ? maxActivation(layer.activation.bits) : 0;
    density = 0.4;
  }
  // outputScale is only meaningful on the last layer, and must match its output size
  for (const l of layers.slice(0, -1)) delete l.outputScale;
  const lastShape = shape[0] * shape[1] * shape[2];
  const lastLayer = layers[layers.length - 1];
  if (lastLayer.outputScale && lastLayer.outputScale.length !== lastShape) delete lastLayer.outputScale;
  const model: QuantizedModel = { name: `random-${seed}`, input, layers, labels: [], meta: { seed } };
  fitPotentialBound(model);
  return model;
}

/**
 * Halves the weights of any layer whose worst-case potential reaches the
 * runtime's limit (2^27) until it fits — large 8-bit separable layers over
 * uint8 input can exceed it. Halved weights stay on their grid.
 */
function fitPotentialBound(model: QuantizedModel): void {
  for (;;) {
    try {
      planModel(model);
      return;
    } catch (e) {
      if (!(e instanceof ModelRuntimeError) || !/worst-case potential/.test(e.reason)) throw e;
      const l = model.layers[e.layerIndex];
      const halve = (w: Int8Array) => w.forEach((v, i) => (w[i] = Math.trunc(v / 2)));
      if (l.kind === 'separable-conv') {
        halve(l.depthwise);
        halve(l.pointwise);
      } else {
        halve(l.weights);
      }
    }
  }
}

/** Input values: each non-zero with probability `density`, uniform in 1 … 2^bits − 1; `allMax` fills with the maximum. */
export function randomInput(model: QuantizedModel, seed: number, density: number, allMax = false): Uint8Array {
  const rng = mulberry32(seed ^ 0x9e3779b9);
  const { height, width, channels, bits } = model.input;
  const max = maxActivation(bits);
  const x = new Uint8Array(height * width * channels);
  for (let i = 0; i < x.length; i++) {
    if (allMax) x[i] = max;
    else if (rng() < density) x[i] = randInt(rng, 1, max);
  }
  return x;
}
