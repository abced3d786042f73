// card.json and card.md of a shipped model folder (schema: src-engine/models/card.ts).
import { ModelCard, type InputEncoding } from '../../src-engine/models/card';
import type { NsocEvaluation } from './evaluate';

export interface FewShotFigure {
  ways: number;
  shots: number;
  episodes: number;
  meanAccuracy: number;
  ci95: [number, number];
  classes: string[];
  learner: string;
}

export interface CardInputs {
  task: string;
  name: string;
  description: string;
  labels: string[];
  heldOut: string[];
  input: InputEncoding;
  embeddingLayer: number;
  embeddingSize: number;
  floatAccuracy: number;
  evaluation: NsocEvaluation;
  evaluatedOn: string;
  sizeBytes: number;
  folderBytes: number;
  neuralProcessors: number;
  extraMetrics: Record<string, unknown>;
  training: Record<string, unknown>;
  hasEmbeddings: boolean;
  createdAt?: string;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function buildCard(c: CardInputs): ModelCard {
  const e = c.evaluation;
  return ModelCard.parse({
    format: 'neurolive-model-card',
    version: 1,
    name: c.name,
    task: c.task,
    description: c.description,
    labels: c.labels,
    heldOutLabels: c.heldOut,
    embeddingLayer: c.embeddingLayer,
    embeddingSize: c.embeddingSize,
    input: c.input,
    ...(c.hasEmbeddings ? { pretrainedEmbeddings: { file: 'embeddings.npy', labelsFile: 'embeddings-labels.npy' } } : {}),
    metrics: {
      floatAccuracy: r4(c.floatAccuracy),
      quantizedAccuracy: r4(e.accuracy),
      evaluatedOn: c.evaluatedOn,
      meanSparsity: r4(e.meanSparsity),
      macsDense: e.macsDense,
      opsExecuted: Math.round(e.opsExecuted),
      sizeBytes: c.sizeBytes,
      neuralProcessors: c.neuralProcessors,
      layers: e.layers.map((l) => ({ ...l, sparsity: r4(l.sparsity), opsExecuted: Math.round(l.opsExecuted) })),
      opsRatio: r4(e.opsRatio),
      inputSparsity: r4(e.inputSparsity),
      folderBytes: c.folderBytes,
      ...c.extraMetrics,
    },
    training: c.training,
    createdAt: c.createdAt ?? new Date().toISOString(),
  });
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

function target(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

/** The same card for people, with the targets of issue 4 checked against the measured figures. */
export function cardMarkdown(card: ModelCard, targets: { accuracy: number }): string {
  const m = card.metrics;
  const drop = m.floatAccuracy - m.quantizedAccuracy;
  const opsRatio = m.macsDense > 0 ? m.opsExecuted / m.macsDense : 0;
  const fewShot = (m as Record<string, unknown>).fewShot as FewShotFigure[] | undefined;
  const lines = [
    `# ${card.name}`,
    '',
    card.description,
    '',
    `- **Labels** (output order): ${card.labels.join(', ')}`,
    `- **Held out of training** (for the one-shot benchmark): ${card.heldOutLabels.length ? card.heldOutLabels.join(', ') : 'none'}`,
    `- **Input**: ${card.input.sensor === 'dvs' ? 'DVS events' : 'cochlea events'} (sensor ${card.input.sensorHeight}×${card.input.sensorWidth}), ${card.input.height}×${card.input.width}, ${card.input.bins} bins × ${card.input.polarities} polarities, window ${card.input.windowUs / 1000} ms, hop ${card.input.hopUs / 1000} ms, counts clipped at ${card.input.clip}, layout ${card.input.layout}`,
    `- **Embedding**: layer ${card.embeddingLayer} (${card.embeddingSize} units, 4-bit; learners use active = non-zero)`,
    '',
    '## Measured',
    '',
    `Evaluated on ${m.evaluatedOn}. The quantized figures are the NSoC simulator's (event path) on the converted model.`,
    '',
    '| figure | value | target | |',
    '| --- | --- | --- | --- |',
    `| float accuracy (PyTorch) | ${pct(m.floatAccuracy)} | | |`,
    `| quantized accuracy (NSoC) | ${pct(m.quantizedAccuracy)} | ≥ ${pct(targets.accuracy)} | ${target(m.quantizedAccuracy >= targets.accuracy)} |`,
    `| float − quantized | ${(100 * drop).toFixed(1)} points | ≤ 1.0 | ${target(drop <= 0.01)} |`,
    `| mean activation sparsity | ${pct(m.meanSparsity)} | ≥ 60 % | ${target(m.meanSparsity >= 0.6)} |`,
    `| executed ops / dense MACs | ${pct(opsRatio)} (${Math.round(m.opsExecuted).toLocaleString('en')} of ${m.macsDense.toLocaleString('en')}) | ≤ 35 % | ${target(opsRatio <= 0.35)} |`,
    `| model.nlm size | ${(m.sizeBytes / 1024).toFixed(1)} KiB | folder < 2 MB | ${target(((m as Record<string, unknown>).folderBytes as number) < 2_000_000)} |`,
    `| neural processors (AKD1000 map) | ${m.neuralProcessors} | | |`,
  ];
  if (fewShot?.length) {
    lines.push('', '## One-shot benchmark (classes the backbone never saw)', '', '| episodes | learner | accuracy (95 % CI) | classes |', '| --- | --- | --- | --- |');
    for (const f of fewShot) lines.push(`| ${f.ways}-way ${f.shots}-shot ×${f.episodes} | ${f.learner} | ${pct(f.meanAccuracy)} (${pct(f.ci95[0])}–${pct(f.ci95[1])}) | ${f.classes.join(', ')} |`);
  }
  lines.push('', '## Layers', '', '| # | layer | kind | output | weights | act. | sparsity | dense MACs | executed ops |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  m.layers.forEach((l, i) =>
    lines.push(`| ${i} | ${l.name} | ${l.kind} | ${l.shape.join('×')} | ${l.weightBits}-bit | ${l.activationBits ? `${l.activationBits}-bit` : 'potentials'} | ${pct(l.sparsity)} | ${l.macsDense.toLocaleString('en')} | ${Math.round(l.opsExecuted).toLocaleString('en')} |`),
  );
  lines.push('', '## Training', '', '```json', JSON.stringify(card.training, null, 2), '```', '');
  lines.push(
    '## Intended use and limits',
    '',
    card.task === 'gesture'
      ? '- Trained only on procedurally rendered figures passed through the DVS emulator; real DVS recordings (other optics, noise, people, backgrounds) are out of distribution — expect lower accuracy, and enrol real examples with the learners.'
      : '- Trained only on espeak-ng speech passed through the simulated cochlea and evaluated on flite voices; real microphones, accents, rooms and noise are out of distribution — expect lower accuracy, and enrol real examples with the learners.',
    '- One window is classified at a time; a gesture or word that straddles windows can be missed. The confidences are a softmax of the classifier scores, not calibrated probabilities.',
    '- A research and demonstration model for the simulated NSoC, not a safety or accessibility component.',
    '',
  );
  return lines.join('\n');
}
