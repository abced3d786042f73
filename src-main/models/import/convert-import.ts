/**
 * The CPU-heavy half of an ONNX import, run in a worker thread (import-worker.ts):
 * calibration frames → convertOnnx → float-vs-quantized agreement → an NSoC
 * run over the frames for per-layer sparsity and ops → the model card. It
 * returns the bytes to write; the main thread writes the folder.
 */
import type { InputEncoding, ModelCard } from '../../../src-engine/models/card';
import { ModelCard as ModelCardSchema } from '../../../src-engine/models/card';
import { measureAgreement, type Agreement } from '../../../src-engine/nsoc/convert/agreement';
import { convertOnnx } from '../../../src-engine/nsoc/convert/convert';
import type { LayerQuantReport } from '../../../src-engine/nsoc/convert/quantize';
import { planMapping } from '../../../src-engine/nsoc/mapping';
import { encodeModel } from '../../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../../src-engine/nsoc/runtime';
import { modelShapes } from '../../../src-engine/nsoc/shapes';
import { encodeCalibrationFrames } from './calibration';

export interface ImportRequest {
  onnx: Uint8Array;
  /** the file the user picked, for the card */
  sourceName: string;
  name: string;
  /** the installed model whose input this network takes: its encoding is inherited */
  inheritFrom: { name: string; task: string; encoding: InputEncoding };
  resourcesDir: string;
  labels?: string[];
  /** default 96 */
  maxFrames?: number;
}

export interface ImportResult {
  nlm: Uint8Array;
  card: ModelCard;
  cardMarkdown: string;
  agreement: Agreement;
  report: LayerQuantReport[];
}

export type ImportStage = 'encode calibration frames' | 'convert' | 'measure agreement' | 'write';
export const IMPORT_STAGES: readonly ImportStage[] = ['encode calibration frames', 'convert', 'measure agreement', 'write'];

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export async function convertImport(req: ImportRequest, progress: (stage: ImportStage, done: number, total: number) => void): Promise<ImportResult> {
  const frames = await encodeCalibrationFrames(req.inheritFrom.encoding, req.resourcesDir, req.maxFrames ?? 96, (d, t) => progress('encode calibration frames', d, t));
  progress('convert', 0, 1);
  const result = convertOnnx(req.onnx, frames, { name: req.name, ...(req.labels ? { labels: req.labels } : {}) });
  const model = result.model;
  progress('convert', 1, 1);

  // one event-path run per frame: agreement with the float model, and the activity figures
  const rt = new NsocRuntime(model, { path: 'event' });
  const L = model.layers.length;
  const sparsity = new Float64Array(L), ops = new Float64Array(L);
  let seen = 0;
  const agreement = measureAgreement(result.float, model, frames, result.frameScale, (f) => {
    const r = rt.infer(f);
    r.stats.layers.forEach((l, j) => {
      sparsity[j] += l.outputSparsity;
      ops[j] += l.executedOps;
    });
    progress('measure agreement', ++seen, frames.length);
    return r.output;
  });
  model.meta.agreement = agreement;
  const nlm = encodeModel(model);

  const { outputs } = modelShapes(model);
  const d = Math.max(1, frames.length);
  const layers = model.layers.map((l, j) => ({
    name: l.name,
    kind: l.kind,
    shape: [...outputs[j]],
    weightBits: l.weightBits,
    activationBits: l.activation ? l.activation.bits : 0,
    sparsity: r4(sparsity[j] / d),
    macsDense: rt.plan.layers[j].denseMacs,
    opsExecuted: Math.round(ops[j] / d),
  }));
  const activated = layers.filter((l) => l.activationBits > 0);
  const mapping = planMapping(model);
  // the learners' embedding: the last layer with an activation before the classifier
  let embeddingLayer = 0;
  for (let j = 0; j < L - 1; j++) if (model.layers[j].activation) embeddingLayer = j;
  const embeddingSize = outputs[embeddingLayer].reduce((a, b) => a * b, 1);
  const evaluatedOn = `agreement with the float ONNX model (top-1) on ${frames.length} calibration frames from ${req.inheritFrom.encoding.sensor === 'dvs' ? 'the bundled demo recordings' : 'synthesized words'}; no labelled test set`;
  const card = ModelCardSchema.parse({
    format: 'neurolive-model-card',
    version: 1,
    name: req.name,
    task: req.inheritFrom.task,
    description: `Imported from ${req.sourceName} (${result.producer || 'unknown producer'}, opset ${result.opset}); converted for the NSoC; input encoding inherited from ${req.inheritFrom.name}.`,
    labels: model.labels,
    heldOutLabels: [],
    embeddingLayer,
    embeddingSize,
    input: req.inheritFrom.encoding,
    metrics: {
      // "accuracy" here is how far quantization moved the network: the float model agrees with itself
      floatAccuracy: 1,
      quantizedAccuracy: r4(agreement.top1),
      evaluatedOn,
      meanSparsity: r4(activated.reduce((a, l) => a + l.sparsity, 0) / Math.max(1, activated.length)),
      macsDense: layers.reduce((a, l) => a + l.macsDense, 0),
      opsExecuted: layers.reduce((a, l) => a + l.opsExecuted, 0),
      sizeBytes: nlm.length,
      neuralProcessors: mapping.nps,
      layers,
      agreement: { samples: agreement.samples, top1: r4(agreement.top1), meanAbsError: agreement.meanAbsError, meanAbsFloat: agreement.meanAbsFloat },
      mapping: { cnps: mapping.cnps, fnps: mapping.fnps, fnpsExternal: mapping.fnpsExternal, inputEngine: mapping.inputEngine, problems: mapping.problems },
    },
    training: {
      imported: req.sourceName,
      converter: result.report.map((r) => ({ name: r.name, kind: r.kind, weightBits: r.weightBits, weightScales: r.weightScales, actBits: r.actBits, range: r.range, rangeSource: r.rangeSource, notes: r.notes })),
      inputBits: model.input.bits,
      frameScale: result.frameScale,
    },
    createdAt: new Date().toISOString(),
  });
  return { nlm, card, cardMarkdown: importedCardMarkdown(card, result.report, agreement), agreement, report: result.report };
}

/** card.md of an imported model: what was quantized and how much the outputs moved. */
export function importedCardMarkdown(card: ModelCard, report: readonly LayerQuantReport[], a: Agreement): string {
  const m = card.metrics;
  const rel = a.meanAbsFloat > 0 ? ` (${((100 * a.meanAbsError) / a.meanAbsFloat).toFixed(1)} % of the mean |score|)` : '';
  const lines = [
    `# ${card.name}`,
    '',
    card.description,
    '',
    `- **Labels** (output order): ${card.labels.join(', ')}`,
    `- **Input**: ${card.input.sensor === 'dvs' ? 'DVS events' : 'cochlea events'}, ${card.input.height}×${card.input.width}, ${card.input.bins} bins × ${card.input.polarities} polarities, window ${card.input.windowUs / 1000} ms`,
    '',
    '## How much quantization moved the network',
    '',
    `On ${a.samples} calibration frames the quantized network's top class equals the float network's on ${pct(a.top1)} of them; mean |Δscore| ${a.meanAbsError.toPrecision(3)}${rel}.`,
    'This is agreement with the float model, not accuracy: no labelled test set was given.',
    '',
    `Mean activation sparsity ${pct(m.meanSparsity)}, executed ops ${Math.round(m.opsExecuted).toLocaleString('en')} of ${m.macsDense.toLocaleString('en')} dense MACs, ${m.neuralProcessors} neural processors, model.nlm ${(m.sizeBytes / 1024).toFixed(1)} KiB.`,
    '',
    '## What was quantized',
    '',
    '| # | layer | kind | weights | activations | range | sparsity | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  report.forEach((r, i) =>
    lines.push(`| ${i} | ${r.name} | ${r.kind} | ${r.weightBits}-bit ${r.weightScales} | ${r.actBits === null ? 'potentials' : `${r.actBits}-bit`} | ${r.range === null ? '—' : `0…${r.range.toPrecision(3)} (${r.rangeSource})`} | ${pct(m.layers[i]?.sparsity ?? 0)} | ${r.notes.join('; ')} |`),
  );
  lines.push('');
  return lines.join('\n');
}
