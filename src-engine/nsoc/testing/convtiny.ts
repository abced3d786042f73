/**
 * A network shaped like the vendor's published DVS-gesture "ConvTiny"
 * (akida_models dvs/model_convtiny_gesture.py; see AKIDA.md): 64×64×10 uint8
 * input (4-bit counts), 3×3 convolution blocks of 16, 16, 32, 64 filters each
 * with 2×2 max pooling, a 128-filter block with global average pooling, a 3×3
 * separable layer of 256 filters with binary outputs, and a 10-way classifier
 * without activation; 8-bit first-layer weights, 4-bit elsewhere, 4-bit
 * activations. The weights are random (per-output-channel quantized normal
 * samples); thresholds are calibrated to a target activation density.
 */
import type { Activation, ActivationBits, Layer, QuantizedModel, WeightBits } from '../model';
import { kMax } from '../model';
import { calibrateThresholds } from './calibrate';
import { mulberry32 } from './random-model';
import { syntheticDvsFrames } from './synthetic-frames';

export interface ConvTinyOptions {
  seed?: number;
  /** frames to calibrate thresholds on (default: 16 synthetic DVS frames) */
  calibration?: Uint8Array[];
  /** fraction of each layer's outputs that fire on the calibration frames (default 0.3) */
  targetDensity?: number;
}

/** Normal samples, quantized per output channel (cout fastest) to the symmetric b-bit grid. */
function quantizedNormal(rng: () => number, n: number, cout: number, bits: WeightBits): Int8Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const k = kMax(bits);
  const q = new Int8Array(n);
  for (let co = 0; co < cout; co++) {
    let m = 0;
    for (let i = co; i < n; i += cout) m = Math.max(m, Math.abs(f[i]));
    for (let i = co; i < n; i += cout) q[i] = m > 0 ? Math.round((f[i] / m) * k) : 0;
  }
  return q;
}

const activation = (bits: ActivationBits, channels: number): Activation => ({
  bits,
  threshold: new Int32Array(channels),
  step: new Int32Array(channels).fill(16),
});

export function makeConvTiny(opts: ConvTinyOptions = {}): QuantizedModel {
  const rng = mulberry32(opts.seed ?? 7);
  const layers: Layer[] = [];
  const conv = (name: string, cin: number, filters: number, first: boolean): void => {
    const bits = first ? 8 : 4;
    const weights = quantizedNormal(rng, 9 * cin * filters, filters, bits);
    const base = { name, kernel: [3, 3] as [number, number], stride: 1, padding: 'same' as const, filters, activation: activation(4, filters) };
    layers.push(first ? { ...base, kind: 'input-conv', weightBits: 8, weights } : { ...base, kind: 'conv', weightBits: 4, weights });
  };
  conv('conv_0', 10, 16, true);
  conv('conv_1', 16, 16, false);
  conv('conv_2', 16, 32, false);
  conv('conv_3', 32, 64, false);
  conv('conv_4', 64, 128, false);
  for (let i = 0; i < 4; i++) layers[i].pool = { kind: 'max', size: 2, stride: 2 };
  layers[4].pool = { kind: 'global-avg' };
  layers.push({
    kind: 'separable-conv',
    name: 'spike_generator',
    kernel: [3, 3],
    stride: 1,
    padding: 'same',
    filters: 256,
    weightBits: 4,
    depthwise: quantizedNormal(rng, 9 * 128, 1, 4),
    pointwise: quantizedNormal(rng, 128 * 256, 256, 4),
    activation: activation(1, 256),
  });
  layers.push({ kind: 'dense', name: 'dense', units: 10, weightBits: 4, weights: quantizedNormal(rng, 256 * 10, 10, 4), activation: null });
  const model: QuantizedModel = {
    name: 'convtiny-random',
    input: { height: 64, width: 64, channels: 10, bits: 4, encoding: { kind: 'time-channel', windowUs: 100_000, bins: 5, polarities: 2, clip: 15 } },
    layers,
    labels: Array.from({ length: 10 }, (_, i) => `class_${i}`),
    meta: { note: 'random weights, thresholds calibrated to a target activation density', seed: opts.seed ?? 7 },
  };
  return calibrateThresholds(model, opts.calibration ?? syntheticDvsFrames(16, { seed: (opts.seed ?? 7) + 1 }), opts.targetDensity ?? 0.3);
}
