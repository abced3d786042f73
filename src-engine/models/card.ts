/**
 * A shipped model is a folder: `model.nlm` (the quantized network), `card.json`
 * (this schema: labels, how sensor data becomes network input, measured
 * figures) and `card.md` (the same for people). The live pipeline, the CLI and
 * the learners configure themselves from the card alone, so a model trained on
 * a different encoding cannot be fed the wrong input silently.
 */
import { z } from 'zod';

/** How raw sensor data becomes the network's input tensor. */
export const InputEncoding = z.object({
  sensor: z.enum(['dvs', 'audio']),
  /**
   * sensor geometry the encoder expects: DVS pixels (the emulator renders at
   * this size, recordings are scaled to it); audio: cochlea channels × 1
   */
  sensorWidth: z.number().int().positive(),
  sensorHeight: z.number().int().positive(),
  /** TimeChannelBinner parameters */
  windowUs: z.number().int().positive(),
  hopUs: z.number().int().positive(),
  bins: z.number().int().positive(),
  polarities: z.union([z.literal(1), z.literal(2)]),
  clip: z.number().int().min(1).max(255),
  /** binner output size (after ROI/scaling), before any layout change */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /**
   * 'hwc': the binner's H × W × (bins·P) frame as is;
   * 'time-rows': audio — the 1 × channels × (bins·P) frame transposed to
   * bins × channels × P, so time runs down the rows (a spectrogram image)
   */
  layout: z.enum(['hwc', 'time-rows']),
  /** DVS emulator settings for webcam / video input */
  dvs: z
    .object({
      preset: z.enum(['clean', 'noisy']),
      /** frame rate the emulator was fed in training (live webcams run at their own rate) */
      fps: z.number().positive(),
      /** optional DvsParams overrides (thresholdOn, refractoryUs, …) */
      params: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
  /** cochlea settings for microphone / wav input */
  cochlea: z
    .object({
      sampleRate: z.number().int().positive(),
      channels: z.number().int().positive(),
      fMinHz: z.number().positive(),
      fMaxHz: z.number().positive(),
      /** CochleaConfig names: noise floor (dB, negative), delta step, level sampling, envelope */
      thresholdDb: z.number().optional(),
      deltaDb: z.number().positive().optional(),
      frameHopUs: z.number().positive().optional(),
      envelopeHz: z.number().positive().optional(),
      /** adaptive floor: background (minimum over noiseWindowUs) + this margin, dB; absent = off */
      noiseMarginDb: z.number().nonnegative().optional(),
      noiseWindowUs: z.number().positive().optional(),
    })
    .passthrough()
    .optional(),
});
export type InputEncoding = z.infer<typeof InputEncoding>;

export const LayerFigures = z.object({
  name: z.string(),
  kind: z.string(),
  shape: z.array(z.number().int()),
  weightBits: z.number().int(),
  activationBits: z.number().int(),
  sparsity: z.number().min(0).max(1),
  macsDense: z.number().nonnegative(),
  opsExecuted: z.number().nonnegative(),
});

export type LayerFigures = z.infer<typeof LayerFigures>;

export const ModelCard = z.object({
  format: z.literal('neurolive-model-card'),
  version: z.literal(1),
  name: z.string().min(1),
  task: z.string().min(1),
  description: z.string(),
  /** output classes, in the network's output order */
  labels: z.array(z.string().min(1)).min(1),
  /** classes kept out of backbone training (one-shot benchmark) */
  heldOutLabels: z.array(z.string()).default([]),
  /** index of the layer whose output is the learning embedding (the layer before the classifier) */
  embeddingLayer: z.number().int().nonnegative(),
  embeddingSize: z.number().int().positive(),
  input: InputEncoding,
  /**
   * examples of every label as embedding-layer outputs (uint8 .npy [N, embeddingSize]
   * and int32 .npy [N] label indices, files in the model folder): the learners
   * start from these, so pretrained and enrolled classes are scored alike
   */
  pretrainedEmbeddings: z.object({ file: z.string(), labelsFile: z.string() }).optional(),
  metrics: z
    .object({
      floatAccuracy: z.number().min(0).max(1),
      quantizedAccuracy: z.number().min(0).max(1),
      /** e.g. "procedural gestures, 6 unseen subjects, 660 clips" */
      evaluatedOn: z.string(),
      meanSparsity: z.number().min(0).max(1),
      macsDense: z.number().nonnegative(),
      opsExecuted: z.number().nonnegative(),
      sizeBytes: z.number().int().nonnegative(),
      neuralProcessors: z.number().int().nonnegative(),
      layers: z.array(LayerFigures),
    })
    .passthrough(),
  training: z.record(z.string(), z.unknown()).default({}),
  createdAt: z.string(),
});
export type ModelCard = z.infer<typeof ModelCard>;

export class ModelCardError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: not a valid model card: ${reason}`);
    this.name = 'ModelCardError';
  }
}

/** Parses card.json text; throws ModelCardError naming the first bad field. */
export function parseModelCard(text: string, source = 'card.json'): ModelCard {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelCardError(source, `not JSON (${(e as Error).message})`);
  }
  const r = ModelCard.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ModelCardError(source, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
