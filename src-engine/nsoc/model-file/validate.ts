/**
 * The model contract (model.ts) checked in full, for the encoder, the decoder
 * and anyone holding a QuantizedModel from elsewhere (the converter): the
 * metadata schema, the layer rules, shapes layer to layer, tensor sizes and
 * every tensor value.
 */
import { kMax, type Layer, type QuantizedModel } from '../model';
import { ShapeError, type Shape } from '../shapes';
import { InvalidModelError } from './errors';
import { planPayload, type PayloadPlan, type PlannedLayer, type TensorName, type TensorSlot } from './layout';
import { describeSchemaError, metadataSchema, type ModelMetadata } from './schema';

/** The metadata section describing a model (no tensors). Tolerates malformed input; the schema judges it. */
export function modelMetadata(model: QuantizedModel): unknown {
  const layers = model.layers;
  return {
    name: model.name,
    input: model.input && {
      height: model.input.height,
      width: model.input.width,
      channels: model.input.channels,
      bits: model.input.bits,
      ...(model.input.encoding !== undefined ? { encoding: model.input.encoding } : {}),
    },
    labels: model.labels,
    layers: Array.isArray(layers)
      ? layers.map((l: Layer) => {
          if (!l || typeof l !== 'object') return l;
          const geometry =
            l.kind === 'dense'
              ? { units: l.units }
              : { kernel: l.kernel, stride: l.stride, padding: l.padding, filters: l.filters };
          return {
            kind: l.kind,
            name: l.name,
            ...geometry,
            weightBits: l.weightBits,
            activation: l.activation ? { bits: l.activation.bits } : l.activation,
            ...(l.pool !== undefined ? { pool: l.pool } : {}),
            ...(l.outputScale !== undefined ? { outputScale: (l.outputScale as { length?: unknown })?.length } : {}),
            ...(l.outputBias !== undefined ? { outputBias: (l.outputBias as { length?: unknown })?.length } : {}),
          };
        })
      : layers,
    meta: model.meta,
  };
}

/** Parses metadata against the schema; throws InvalidModelError. */
export function parseMetadata(raw: unknown): ModelMetadata {
  const r = metadataSchema.safeParse(raw);
  if (!r.success) throw new InvalidModelError('metadata', describeSchemaError(r.error));
  return r.data;
}

/**
 * Rules across layers, then the payload plan (shapes and tensor sizes).
 * Throws InvalidModelError. Does not apply MODEL_LIMITS.maxTotalWeights —
 * callers decide whether that is a limit or an invalid model.
 */
export function planModel(meta: ModelMetadata): PayloadPlan {
  const last = meta.layers.length - 1;
  const planned: PlannedLayer[] = meta.layers.map((l, i) => {
    const at = `layers[${i}] (${l.name})`;
    if (l.kind === 'input-conv' && i !== 0) throw new InvalidModelError(at, 'an input-conv layer can only be the first layer');
    if (l.activation === null && i !== last) throw new InvalidModelError(at, 'only the last layer may omit its activation');
    if (l.activation === null && l.pool?.kind === 'global-avg') {
      throw new InvalidModelError(at, 'global average pooling needs an activation (the mean of potentials is not an integer)');
    }
    const channels = l.kind === 'dense' ? l.units : l.filters;
    if (l.outputScale !== undefined && l.outputScale !== channels) {
      throw new InvalidModelError(at, `outputScale has ${l.outputScale} values, expected one per output channel (${channels})`);
    }
    if (l.outputBias !== undefined && l.outputBias !== channels) {
      throw new InvalidModelError(at, `outputBias has ${l.outputBias} values, expected one per output channel (${channels})`);
    }
    return { ...l, outputScaleLength: l.outputScale ?? 0, outputBiasLength: l.outputBias ?? 0 };
  });
  const input: Shape = [meta.input.height, meta.input.width, meta.input.channels];
  let plan: PayloadPlan;
  try {
    plan = planPayload(input, planned);
  } catch (e) {
    if (e instanceof ShapeError) throw new InvalidModelError(e.layerIndex < 0 ? 'input' : `layers[${e.layerIndex}] (${e.layerName})`, e.reason);
    throw e;
  }
  const [h, w, c] = plan.shapes[plan.shapes.length - 1];
  if (meta.labels.length !== h * w * c) {
    throw new InvalidModelError('labels', `${meta.labels.length} labels for ${h}×${w}×${c} = ${h * w * c} outputs of the last layer`);
  }
  return plan;
}

/** The tensor a slot describes, as the model holds it. */
export function tensorOf(layer: Layer, name: TensorName): unknown {
  switch (name) {
    case 'weights':
      return layer.kind === 'separable-conv' ? undefined : layer.weights;
    case 'depthwise':
      return layer.kind === 'separable-conv' ? layer.depthwise : undefined;
    case 'pointwise':
      return layer.kind === 'separable-conv' ? layer.pointwise : undefined;
    case 'threshold':
      return layer.activation?.threshold;
    case 'step':
      return layer.activation?.step;
    case 'outputScale':
      return layer.outputScale;
    case 'outputBias':
      return layer.outputBias;
  }
}

export interface TensorProblem {
  slot: TensorSlot;
  /** element index, or −1 when the whole tensor is wrong (type or length) */
  index: number;
  reason: string;
}

const expectedType = { i32: Int32Array, f32: Float32Array } as const;

/** The first tensor whose type, length or values break the contract, or null. */
export function findTensorProblem(model: QuantizedModel, plan: PayloadPlan): TensorProblem | null {
  for (const slot of plan.slots) {
    const t = tensorOf(model.layers[slot.layer], slot.tensor);
    const type = typeof slot.encoding === 'number' ? Int8Array : expectedType[slot.encoding];
    if (!(t instanceof type)) return { slot, index: -1, reason: `must be an ${type.name}` };
    if (t.length !== slot.count) return { slot, index: -1, reason: `has ${t.length} values, the layer's shape needs ${slot.count}` };
    if (typeof slot.encoding === 'number') {
      const bits = slot.encoding;
      const k = kMax(bits);
      const v = t as Int8Array;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (bits === 1 ? x !== 1 && x !== -1 : x > k || x < -k) {
          return { slot, index: i, reason: `weight ${x} is outside the ${bits}-bit grid ${bits === 1 ? '{−1, +1}' : `[−${k}, ${k}]`}` };
        }
      }
    } else if (slot.tensor === 'step') {
      const v = t as Int32Array;
      for (let i = 0; i < v.length; i++) if (v[i] <= 0) return { slot, index: i, reason: `step ${v[i]} must be > 0` };
    } else if (slot.tensor === 'outputScale' || slot.tensor === 'outputBias') {
      const v = t as Float32Array;
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return { slot, index: i, reason: `${slot.tensor} ${v[i]} is not finite` };
    }
  }
  return null;
}

export function describeSlot(slot: TensorSlot, model: { layers: readonly { name: string }[] }, index = -1): string {
  const at = `layers[${slot.layer}] (${model.layers[slot.layer]?.name}).${slot.tensor}`;
  return index >= 0 ? `${at}[${index}]` : at;
}

/**
 * Checks a whole in-memory model. Throws InvalidModelError naming the place;
 * returns the metadata and payload plan the encoder needs.
 */
export function validateModel(model: QuantizedModel): { meta: ModelMetadata; plan: PayloadPlan } {
  if (!model || typeof model !== 'object') throw new InvalidModelError('model', 'not an object');
  if (!Array.isArray(model.layers)) throw new InvalidModelError('layers', 'not an array');
  const meta = parseMetadata(modelMetadata(model));
  const plan = planModel(meta);
  const p = findTensorProblem(model, plan);
  if (p) throw new InvalidModelError(describeSlot(p.slot, model, p.index), p.reason);
  return { meta, plan };
}
