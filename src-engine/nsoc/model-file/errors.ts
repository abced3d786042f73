/**
 * Every failure to load a model file is a ModelFileError naming the source,
 * the byte offset and the reason, so a user can tell a truncated download
 * (`truncated`), a damaged file (`checksum`, `corrupt`), a file from a newer
 * Neurolive (`unsupported`) and a hostile size (`limit`) apart.
 */
export type ModelFileErrorKind = 'truncated' | 'corrupt' | 'unsupported' | 'limit' | 'checksum';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly kind: ModelFileErrorKind,
    readonly source: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${source}: model file ${kind} at byte ${offset}: ${reason}`);
  }
}

/**
 * A QuantizedModel that breaks the contract of model.ts (shapes, weight grid,
 * thresholds…). `path` names the place, e.g. `layers[2].weights[17]`.
 */
export class InvalidModelError extends Error {
  override readonly name = 'InvalidModelError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid model: ${path}: ${reason}`);
  }
}

/** Bounds that keep a hostile file from making us allocate without limit. */
export const MODEL_LIMITS = {
  /** a whole model file */
  maxFileBytes: 64 << 20,
  /** the JSON metadata section */
  maxMetadataBytes: 4 << 20,
  /** the fixed header may grow in later 1.x versions, but not beyond this */
  maxHeaderBytes: 4096,
  maxLayers: 1024,
  maxLabels: 1 << 16,
  /** spatial size of any feature map */
  maxDimension: 1 << 15,
  /** channels, filters or units of any layer */
  maxChannels: 1 << 16,
  /** kernel side */
  maxKernel: 64,
  /** all weights of the model together, as unpacked Int8 values (1-bit weights expand 8×) */
  maxTotalWeights: 64 << 20,
} as const;
