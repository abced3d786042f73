/**
 * Where each tensor sits in the payload, derived from the layer geometry alone
 * (never from sizes stored in the file): for each layer in order,
 *   weights            (input-conv, conv: [kh][kw][cin][filters]; dense: [inputs][units]) packed at weightBits
 *   depthwise, pointwise (separable-conv: [kh][kw][cin], [cin][filters]) packed at weightBits
 *   threshold, step    int32 × output channels, when the layer has an activation
 *   outputScale        float32 × its declared length, when present
 *   outputBias         float32 × its declared length, when present (1.1)
 * each starting on a multiple of 4 bytes, zero-padded.
 */
import type { WeightBits } from '../model';
import { layerInputLength, layerOutputShape, type LayerGeometry, type Shape } from '../shapes';
import { packedBytes } from './bitpack';
import { align4 } from './format';

export type TensorName = 'weights' | 'depthwise' | 'pointwise' | 'threshold' | 'step' | 'outputScale' | 'outputBias';

export interface TensorSlot {
  layer: number;
  tensor: TensorName;
  /** number of elements */
  count: number;
  /** packed weights of that many bits, or 32-bit integers / floats */
  encoding: WeightBits | 'i32' | 'f32';
  /** from the start of the payload; a multiple of 4 */
  offset: number;
  /** without the padding */
  bytes: number;
}

export type PlannedLayer = LayerGeometry & {
  weightBits: WeightBits;
  activation: { bits: number } | null;
  /** 0 when the layer has no outputScale */
  outputScaleLength: number;
  /** 0 when the layer has no outputBias */
  outputBiasLength: number;
};

export interface PayloadPlan {
  slots: TensorSlot[];
  payloadBytes: number;
  /** all weight elements (what unpacking allocates as Int8) */
  totalWeights: number;
  /** input shape, then each layer's output shape */
  shapes: Shape[];
}

/** Throws ShapeError when the geometry is impossible. */
export function planPayload(inputShape: Shape, layers: readonly PlannedLayer[]): PayloadPlan {
  const slots: TensorSlot[] = [];
  const shapes: Shape[] = [inputShape];
  let offset = 0;
  let totalWeights = 0;
  const add = (layer: number, tensor: TensorName, count: number, encoding: TensorSlot['encoding']) => {
    const bytes = typeof encoding === 'number' ? packedBytes(count, encoding) : count * 4;
    slots.push({ layer, tensor, count, encoding, offset, bytes });
    offset += align4(bytes);
    if (typeof encoding === 'number') totalWeights += count;
  };
  let shape = inputShape;
  layers.forEach((layer, i) => {
    const out = layerOutputShape(layer, shape, i);
    const cin = layerInputLength(layer, shape);
    if (layer.kind === 'dense') {
      add(i, 'weights', cin * layer.units, layer.weightBits);
    } else {
      const [kh, kw] = layer.kernel;
      if (layer.kind === 'separable-conv') {
        add(i, 'depthwise', kh * kw * cin, layer.weightBits);
        add(i, 'pointwise', cin * layer.filters, layer.weightBits);
      } else {
        add(i, 'weights', kh * kw * cin * layer.filters, layer.weightBits);
      }
    }
    const channels = layer.kind === 'dense' ? layer.units : layer.filters;
    if (layer.activation) {
      add(i, 'threshold', channels, 'i32');
      add(i, 'step', channels, 'i32');
    }
    if (layer.outputScaleLength > 0) add(i, 'outputScale', layer.outputScaleLength, 'f32');
    if (layer.outputBiasLength > 0) add(i, 'outputBias', layer.outputBiasLength, 'f32');
    shapes.push(out);
    shape = out;
  });
  return { slots, payloadBytes: offset, totalWeights, shapes };
}
