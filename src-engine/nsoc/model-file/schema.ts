/**
 * The JSON metadata section of a model file, version 1: everything but the
 * tensors. Unknown keys are dropped, so a later 1.x may add optional fields
 * that this reader ignores. Tensor sizes are derived from these fields
 * (layout.ts), never read from the file.
 */
import { z } from 'zod';
import { MODEL_LIMITS as L } from './errors';

const count = (max: number) => z.number().int().min(1).max(max);
const name = z.string().max(1024);

const weightBits = z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]);
const activation = z.object({ bits: z.union([z.literal(1), z.literal(2), z.literal(4)]) }).nullable();
const pool = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('max'), size: count(L.maxKernel), stride: count(L.maxKernel) }),
  z.object({ kind: z.literal('global-avg') }),
]);

const common = {
  name,
  activation,
  pool: pool.optional(),
  /** length of the layer's outputScale tensor (its output channels), absent when it has none */
  outputScale: count(L.maxChannels).optional(),
  /** length of the layer's outputBias tensor (1.1, FLAG_OUTPUT_BIAS), absent when it has none */
  outputBias: count(L.maxChannels).optional(),
};
const convGeometry = {
  kernel: z.tuple([count(L.maxKernel), count(L.maxKernel)]),
  stride: count(L.maxKernel),
  padding: z.enum(['same', 'valid']),
  filters: count(L.maxChannels),
};

const layer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('input-conv'), ...common, ...convGeometry, weightBits: z.literal(8) }),
  z.object({ kind: z.literal('conv'), ...common, ...convGeometry, weightBits }),
  z.object({ kind: z.literal('separable-conv'), ...common, ...convGeometry, weightBits }),
  z.object({ kind: z.literal('dense'), ...common, units: count(L.maxChannels), weightBits }),
]);

const finite = z.number().refine(Number.isFinite, 'must be finite');
const encoding = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('time-channel'),
    windowUs: finite.refine((v) => v > 0, 'must be > 0'),
    bins: count(L.maxChannels),
    polarities: z.union([z.literal(1), z.literal(2)]),
    clip: finite.refine((v) => v >= 0, 'must be ≥ 0'),
  }),
  z.looseObject({ kind: z.literal('cochlea') }),
]);

export const metadataSchema = z.object({
  name,
  input: z.object({
    height: count(L.maxDimension),
    width: count(L.maxDimension),
    channels: count(L.maxChannels),
    bits: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
    encoding: encoding.optional(),
  }),
  labels: z.array(z.string().max(1024)).max(L.maxLabels),
  layers: z.array(layer).min(1).max(L.maxLayers),
  meta: z.record(z.string(), z.unknown()),
});

export type ModelMetadata = z.infer<typeof metadataSchema>;
export type LayerMetadata = ModelMetadata['layers'][number];

/** `layers.3.kernel.0: Too big: …` — the first problem zod found, for an error message. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'metadata does not match the schema';
  const where = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `metadata ${where}: ${issue.message}${more}`;
}
