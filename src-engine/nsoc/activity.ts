/**
 * The per-layer counts the estimates need — the runtime's InferenceStats
 * (stats.ts) plugs in as is — and the worst case (every activation non-zero)
 * for when no inference has run.
 */
import { layerDenseMacs } from './stats';
import type { QuantizedModel } from './model';
import { convOutputLength, modelShapes, samePadBefore, type Shape } from './shapes';

export interface LayerActivity {
  /** synaptic operations performed */
  executedOps: number;
  denseMacs: number;
  /** non-zero input activations */
  inputEvents: number;
  /** non-zero outputs */
  outputEvents: number;
}

/** InferenceStats-like: `layers` (the runtime's) or `perLayer`. */
export type ActivityInput = { layers: readonly LayerActivity[] } | { perLayer: readonly LayerActivity[] };

export function activityLayers(a: ActivityInput): readonly LayerActivity[] {
  return 'layers' in a ? a.layers : a.perLayer;
}

const size = (s: Shape) => s[0] * s[1] * s[2];

/** Per layer: input shape, the map before pooling, output shape. */
export function layerMaps(model: QuantizedModel): { input: Shape; map: Shape; output: Shape }[] {
  const { input, outputs } = modelShapes(model);
  return model.layers.map((l, i) => {
    const inShape = i === 0 ? input : outputs[i - 1];
    let map: Shape;
    if (l.kind === 'dense') map = [1, 1, l.units];
    else map = [convOutputLength(inShape[0], l.kernel[0], l.stride, l.padding), convOutputLength(inShape[1], l.kernel[1], l.stride, l.padding), l.filters];
    return { input: inShape, map, output: outputs[i] };
  });
}

/** Dense MACs of each layer (stats.ts conventions: in-bounds taps only). */
export function denseMacsPerLayer(model: QuantizedModel): number[] {
  return layerMaps(model).map(({ input, map }, i) => {
    const l = model.layers[i];
    if (l.kind === 'dense') return layerDenseMacs('dense', null, size(input), l.units);
    const [kh, kw] = l.kernel;
    const same = l.padding === 'same';
    return layerDenseMacs(
      l.kind,
      {
        inH: input[0],
        inW: input[1],
        inC: input[2],
        outH: map[0],
        outW: map[1],
        kh,
        kw,
        stride: l.stride,
        padTop: same ? samePadBefore(input[0], kh, l.stride) : 0,
        padLeft: same ? samePadBefore(input[1], kw, l.stride) : 0,
      },
      size(input),
      l.filters,
    );
  });
}

/** Every activation non-zero: executed ops = dense MACs, events = sizes. An upper bound for the estimates. */
export function worstCaseActivity(model: QuantizedModel): { layers: LayerActivity[] } {
  const macs = denseMacsPerLayer(model);
  return {
    layers: layerMaps(model).map(({ input, output }, i) => ({ executedOps: macs[i], denseMacs: macs[i], inputEvents: size(input), outputEvents: size(output) })),
  };
}

/** Activation bits of each layer's input (the model input's bits for the first). */
export function inputActivationBits(model: QuantizedModel): number[] {
  return model.layers.map((_, i) => (i === 0 ? model.input.bits : (model.layers[i - 1].activation?.bits ?? 8)));
}
