// Hand-built quantized models for the model-file, summary and mapping tests:
// tensors sized from the geometry by hand, weights drawn from the grid.
import { kMax, type Activation, type ActivationBits, type Layer, type ModelInput, type Pooling, type QuantizedModel, type WeightBits } from '../../src-engine/nsoc/model';

/** mulberry32: a tiny seeded generator (this file must not pull in the event-format registry that test/support/fuzz.ts imports). */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  int(n: number): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  }
}

export type Spec =
  | { kind: 'input-conv'; k: number; stride?: number; padding?: 'same' | 'valid'; filters: number; act?: ActivationBits | null; pool?: Pooling }
  | { kind: 'conv' | 'separable-conv'; k: number; stride?: number; padding?: 'same' | 'valid'; filters: number; bits: WeightBits; act?: ActivationBits | null; pool?: Pooling; scale?: 'channel'; bias?: 'channel' }
  | { kind: 'dense'; units: number; bits: WeightBits; act?: ActivationBits | null; scale?: 'channel'; bias?: 'channel' };

function weights(rng: Rng, n: number, bits: WeightBits): Int8Array {
  const k = kMax(bits);
  const w = new Int8Array(n);
  for (let i = 0; i < n; i++) w[i] = bits === 1 ? (rng.int(2) ? 1 : -1) : rng.int(2 * k + 1) - k;
  return w;
}

function activation(rng: Rng, bits: ActivationBits, channels: number): Activation {
  const threshold = new Int32Array(channels);
  const step = new Int32Array(channels);
  for (let i = 0; i < channels; i++) {
    threshold[i] = rng.int(4000) - 1000;
    step[i] = 1 + rng.int(300);
  }
  return { bits, threshold, step };
}

const out = (n: number, stride: number, k: number, padding: 'same' | 'valid') => (padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1);

/** Builds a model; shapes are tracked here independently of src-engine/nsoc/shapes.ts. */
export function handModel(name: string, input: [number, number, number], specs: Spec[], seed = 1, inputExtra: Partial<ModelInput> = {}): QuantizedModel {
  const rng = new Rng(seed);
  let [h, w, c] = input;
  const layers: Layer[] = specs.map((s, i) => {
    const act = s.act === undefined ? 4 : s.act;
    const name = `${s.kind}_${i}`;
    let layer: Layer;
    if (s.kind === 'dense') {
      const inputs = h * w * c;
      layer = { kind: 'dense', name, units: s.units, weightBits: s.bits, weights: weights(rng, inputs * s.units, s.bits), activation: act === null ? null : activation(rng, act, s.units) };
      [h, w, c] = [1, 1, s.units];
    } else {
      const stride = s.stride ?? 1;
      const padding = s.padding ?? 'same';
      const acts = act === null ? null : activation(rng, act, s.filters);
      const common = { name, kernel: [s.k, s.k] as [number, number], stride, padding, filters: s.filters, activation: acts, ...(s.pool ? { pool: s.pool } : {}) };
      if (s.kind === 'input-conv') layer = { ...common, kind: 'input-conv', weightBits: 8, weights: weights(rng, s.k * s.k * c * s.filters, 8) };
      else if (s.kind === 'conv') layer = { ...common, kind: 'conv', weightBits: s.bits, weights: weights(rng, s.k * s.k * c * s.filters, s.bits) };
      else layer = { ...common, kind: 'separable-conv', weightBits: s.bits, depthwise: weights(rng, s.k * s.k * c, s.bits), pointwise: weights(rng, c * s.filters, s.bits) };
      h = out(h, stride, s.k, padding);
      w = out(w, stride, s.k, padding);
      c = s.filters;
      if (s.pool?.kind === 'max') {
        h = Math.floor((h - s.pool.size) / s.pool.stride) + 1;
        w = Math.floor((w - s.pool.size) / s.pool.stride) + 1;
      } else if (s.pool?.kind === 'global-avg') {
        h = w = 1;
      }
    }
    if ('scale' in s && s.scale) {
      layer.outputScale = Float32Array.from({ length: c }, () => (rng.int(1000) + 1) / 4096);
    }
    if ('bias' in s && s.bias) {
      layer.outputBias = Float32Array.from({ length: c }, () => (rng.int(2001) - 1000) / 1024);
    }
    return layer;
  });
  return {
    name,
    input: { height: input[0], width: input[1], channels: input[2], bits: 4, ...inputExtra },
    layers,
    labels: Array.from({ length: h * w * c }, (_, i) => `class ${i}`),
    meta: { source: 'hand-built', seed },
  };
}

const maxPool: Pooling = { kind: 'max', size: 2, stride: 2 };

/** The DVS-gesture network, shaped like the vendor's ConvTiny. */
export function convTiny(seed = 1): QuantizedModel {
  return handModel(
    'convtiny-gesture',
    [64, 64, 10],
    [
      { kind: 'conv', k: 3, filters: 16, bits: 4, pool: maxPool },
      { kind: 'conv', k: 3, filters: 16, bits: 4, pool: maxPool },
      { kind: 'conv', k: 3, filters: 32, bits: 4, pool: maxPool },
      { kind: 'conv', k: 3, filters: 64, bits: 4, pool: maxPool },
      { kind: 'conv', k: 3, filters: 128, bits: 4, pool: { kind: 'global-avg' } },
      { kind: 'separable-conv', k: 3, filters: 256, bits: 4, act: 1 },
      { kind: 'dense', units: 10, bits: 4, act: null, scale: 'channel' },
    ],
    seed,
    { encoding: { kind: 'time-channel', windowUs: 100_000, bins: 5, polarities: 2, clip: 15 } },
  );
}

/** The published KWS DS-CNN (AKIDA.md): InputConv 5×5×64 s2, four separable 3×3/64, Dense(33). */
export function dsCnnKws(seed = 2): QuantizedModel {
  return handModel(
    'ds-cnn-kws',
    [49, 10, 1],
    [
      { kind: 'input-conv', k: 5, stride: 2, filters: 64 },
      { kind: 'separable-conv', k: 3, filters: 64, bits: 4 },
      { kind: 'separable-conv', k: 3, filters: 64, bits: 4 },
      { kind: 'separable-conv', k: 3, filters: 64, bits: 4 },
      { kind: 'separable-conv', k: 3, filters: 64, bits: 4, pool: { kind: 'global-avg' } },
      { kind: 'dense', units: 33, bits: 4, act: null },
    ],
    seed,
    { bits: 8 },
  );
}

/** Every layer kind, weight width, padding, pooling and outputScale form, small. */
export function everyFeature(seed = 3): QuantizedModel {
  return handModel(
    'every-feature',
    [11, 9, 3],
    [
      { kind: 'input-conv', k: 3, stride: 2, padding: 'valid', filters: 5, act: 2, pool: { kind: 'max', size: 2, stride: 1 } },
      { kind: 'conv', k: 1, filters: 6, bits: 1, act: 1, scale: 'channel' },
      { kind: 'conv', k: 3, stride: 2, filters: 7, bits: 2, act: 4, scale: 'channel' },
      { kind: 'separable-conv', k: 3, filters: 9, bits: 8, act: 2 },
      { kind: 'dense', units: 5, bits: 4, act: 4 },
      { kind: 'dense', units: 3, bits: 2, act: null, scale: 'channel' },
    ],
    seed,
    { bits: 8, encoding: { kind: 'cochlea', channels: 64, note: 'free-form' } },
  );
}
