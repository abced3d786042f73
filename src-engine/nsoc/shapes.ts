/**
 * Shape inference for the quantized model (HWC). One rule set shared by the
 * runtime, the model-file validator, the mapper and summary():
 * - convolution (input, plain, separable), TensorFlow conventions:
 *   SAME → ceil(in / stride), VALID → floor((in − k) / stride) + 1;
 * - then the layer's pooling, if any: max pooling is VALID
 *   (floor((in − size) / stride) + 1), global average pooling → 1×1×C;
 * - dense → 1×1×units, over the flattened HWC input.
 */
import type { Padding, Pooling } from './model';

/** [height, width, channels] */
export type Shape = [number, number, number];

/** What shape inference reads of a layer: a model.ts `Layer` or a model file's layer metadata. */
export type LayerGeometry =
  | { kind: 'dense'; name: string; units: number; pool?: Pooling }
  | {
      kind: 'input-conv' | 'conv' | 'separable-conv';
      name: string;
      kernel: [number, number];
      stride: number;
      padding: Padding;
      filters: number;
      pool?: Pooling;
    };

/** What modelShapes reads of a model. */
export interface ModelGeometry {
  input: { height: number; width: number; channels: number };
  layers: readonly LayerGeometry[];
}

export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(
    /** index of the offending layer, −1 for the model input */
    readonly layerIndex: number,
    readonly layerName: string,
    readonly reason: string,
  ) {
    super(layerIndex < 0 ? `model input: ${reason}` : `layer ${layerIndex} (${layerName}): ${reason}`);
  }
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** Spatial output length of a convolution-like window along one axis; 0 when the window does not fit. */
export function convOutputLength(input: number, kernel: number, stride: number, padding: Padding): number {
  if (padding === 'same') return Math.ceil(input / stride);
  return input < kernel ? 0 : Math.floor((input - kernel) / stride) + 1;
}

/**
 * TensorFlow SAME padding before the first row/column: the total padding is
 * max((out − 1)·stride + k − in, 0) and the smaller half goes first.
 */
export function samePadBefore(input: number, kernel: number, stride: number): number {
  const out = Math.ceil(input / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - input, 0) / 2);
}

/** Output shape of one layer, pooling included. Throws ShapeError on an impossible geometry. */
export function layerOutputShape(layer: LayerGeometry, inputShape: Shape, layerIndex = 0): Shape {
  const fail = (reason: string): never => {
    throw new ShapeError(layerIndex, layer.name, reason);
  };
  const [h, w, c] = inputShape;
  if (!isPositiveInt(h) || !isPositiveInt(w) || !isPositiveInt(c)) fail(`invalid input shape ${h}×${w}×${c}`);
  let shape: Shape;
  if (layer.kind === 'dense') {
    if (!isPositiveInt(layer.units)) fail(`invalid units ${layer.units}`);
    shape = [1, 1, layer.units];
  } else {
    const [kh, kw] = layer.kernel;
    if (!isPositiveInt(kh) || !isPositiveInt(kw)) fail(`invalid kernel ${kh}×${kw}`);
    if (!isPositiveInt(layer.stride)) fail(`invalid stride ${layer.stride}`);
    if (!isPositiveInt(layer.filters)) fail(`invalid filters ${layer.filters}`);
    if (layer.padding !== 'same' && layer.padding !== 'valid') fail(`invalid padding ${String(layer.padding)}`);
    const oh = convOutputLength(h, kh, layer.stride, layer.padding);
    const ow = convOutputLength(w, kw, layer.stride, layer.padding);
    if (oh < 1 || ow < 1) fail(`${kh}×${kw} VALID kernel does not fit a ${h}×${w} input`);
    shape = [oh, ow, layer.filters];
  }
  const pool = layer.pool;
  if (pool) {
    if (pool.kind === 'global-avg') {
      shape = [1, 1, shape[2]];
    } else if (pool.kind === 'max') {
      if (!isPositiveInt(pool.size) || !isPositiveInt(pool.stride)) fail(`invalid max pool ${pool.size}/${pool.stride}`);
      const ph = convOutputLength(shape[0], pool.size, pool.stride, 'valid');
      const pw = convOutputLength(shape[1], pool.size, pool.stride, 'valid');
      if (ph < 1 || pw < 1) fail(`${pool.size}×${pool.size} max pool does not fit a ${shape[0]}×${shape[1]} map`);
      shape = [ph, pw, shape[2]];
    } else {
      fail(`unknown pooling ${(pool as { kind: unknown }).kind}`);
    }
  }
  return shape;
}

/** Input channels a layer's weights are laid out for (dense: the flattened input length). */
export function layerInputLength(layer: LayerGeometry, inputShape: Shape): number {
  return layer.kind === 'dense' ? inputShape[0] * inputShape[1] * inputShape[2] : inputShape[2];
}

/** The model's input shape and every layer's output shape, in order. */
export function modelShapes(model: ModelGeometry): { input: Shape; outputs: Shape[] } {
  const { height, width, channels } = model.input;
  const input: Shape = [height, width, channels];
  if (!isPositiveInt(height) || !isPositiveInt(width) || !isPositiveInt(channels)) {
    throw new ShapeError(-1, 'input', `invalid shape ${height}×${width}×${channels}`);
  }
  const outputs: Shape[] = [];
  let shape = input;
  model.layers.forEach((layer, i) => {
    shape = layerOutputShape(layer, shape, i);
    outputs.push(shape);
  });
  return { input, outputs };
}
