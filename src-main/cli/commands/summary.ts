// `neurolive summary MODEL.nlm [--json]`: the model table (summary.ts) of a model file.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelInput, QuantizedModel } from '../../../src-engine/nsoc/model';
import { EventFormatError } from '../../../src-engine/formats/errors';
import { decodeModel, InvalidModelError, MODEL_LIMITS, ModelFileError } from '../../../src-engine/nsoc/model-file';
import { ModelRuntimeError } from '../../../src-engine/nsoc/runtime-plan';
import { ShapeError } from '../../../src-engine/nsoc/shapes';
import { formatSummary, summary } from '../../../src-engine/nsoc/summary';
import { formatDurationUs } from '../../../src-engine/util/units';

export const SUMMARY_USAGE = `neurolive summary MODEL.nlm [--json]    layers, shapes, kernels, weight/activation bits, NPs,
                                        parameters, weight memory, latency and energy estimates`;

/** A wrong command line: exit code 64 and the usage. */
export class CliUsageError extends RangeError {}

/** Reads and decodes a `.nlm` file; a file larger than any model could be is refused before it is read. */
export async function readModelFile(path: string): Promise<QuantizedModel> {
  const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
  if (!isFile) throw new ModelFileError('corrupt', basename(path), 0, 'not a regular file');
  if (size > MODEL_LIMITS.maxFileBytes) throw new ModelFileError('limit', basename(path), 0, `${size} bytes, more than a model file may be (${MODEL_LIMITS.maxFileBytes})`);
  return decodeModel(new Uint8Array(await readFile(path)), basename(path));
}

/** "64×64×10, 4-bit; time-channel: window 100.000 ms, 5 bins × 2 polarities, clip 15" */
export function describeInput(input: ModelInput): string {
  const base = `${input.height}×${input.width}×${input.channels}, ${input.bits}-bit`;
  const e = input.encoding;
  if (!e) return `${base}; no input encoding recorded`;
  if (e.kind === 'time-channel') return `${base}; time-channel: window ${formatDurationUs(e.windowUs)}, ${e.bins} bins × ${e.polarities} polarit${e.polarities === 1 ? 'y' : 'ies'}, clip ${e.clip}`;
  return `${base}; ${e.kind} encoding`;
}

/** What the last layer's scores are (the `scores` NsocRuntime reports and classify's confidences use). */
export function describeOutput(model: QuantizedModel): string {
  const last = model.layers[model.layers.length - 1];
  const what = last.activation ? `${last.activation.bits}-bit activations` : 'int32 potentials';
  if (last.outputScale && last.outputBias) return `${what}, scores = outputScale·p + outputBias`;
  if (last.outputScale) return `${what}, scores = outputScale·p`;
  if (last.outputBias) return `${what}, scores = p + outputBias`;
  return `${what}, no dequantization (scores are the raw outputs)`;
}

/** Writes an error the way every command does; returns the exit code (64 usage, 2 bad input), or rethrows a bug. */
export function reportError(e: unknown, usage: string): number {
  if (e instanceof CliUsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`neurolive: ${(e as Error).message}\n\n${usage}\n`);
    return 64;
  }
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const bad =
    e instanceof ModelFileError || e instanceof InvalidModelError || e instanceof ModelRuntimeError || e instanceof ShapeError ||
    e instanceof EventFormatError || e instanceof RangeError || code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES';
  if (bad) {
    // a bad file or setting (RangeError: a window length, a frame value…): the message names it
    process.stderr.write(`neurolive: ${(e as Error).message}\n`);
    return 2;
  }
  throw e;
}

export async function summaryCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new CliUsageError('summary takes one MODEL.nlm');
    const model = await readModelFile(positionals[0]);
    const s = summary(model);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...s, input: model.input, labels: model.labels, output: describeOutput(model), meta: model.meta })}\n`);
    } else {
      const labels = model.labels.length > 20 ? `${model.labels.slice(0, 20).join(', ')}, … (${model.labels.length})` : model.labels.join(', ');
      process.stdout.write(`${formatSummary(s)}\nInput: ${describeInput(model.input)}\nOutput: ${describeOutput(model)}\nLabels: ${labels}\n`);
    }
    return 0;
  } catch (e) {
    return reportError(e, SUMMARY_USAGE);
  }
}
