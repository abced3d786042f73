// `neurolive classify FILE --model MODEL.nlm [--json] [--hop 50ms]`: a recording
// through the simulated NSoC, window by window.
//
// The events are binned exactly as the model's input encoding says
// (TimeChannelBinner: window, bins, polarities, clip; the whole sensor scaled
// to the input's width × height; the window grid anchored at the first
// event, complete windows only — a recording shorter than one window still
// gives its first, partial window), each frame runs on NsocRuntime in this
// thread, and each window gets its top class and a confidence: the softmax of
// the model's scores (outputScale·p + outputBias, prediction.ts).
//
// --json writes JSON Lines: one {"type":"window",…} object per window as it is
// classified (streamable), then one {"type":"totals",…}.
import { parseArgs } from 'node:util';
import { TimeChannelBinner, type TimeChannelFrame } from '../../../src-engine/frames/time-channel';
import { AKD1000 } from '../../../src-engine/nsoc/hardware-profile';
import type { LayerActivity } from '../../../src-engine/nsoc/activity';
import type { QuantizedModel, TimeChannelEncoding } from '../../../src-engine/nsoc/model';
import { predict } from '../../../src-engine/nsoc/prediction';
import { NsocRuntime } from '../../../src-engine/nsoc/runtime';
import { si, summary } from '../../../src-engine/nsoc/summary';
import { parseDurationUs } from '../../../src-engine/util/units';
import { openWithGeometry } from '../open';
import { CliUsageError, describeInput, readModelFile, reportError } from './summary';
import { framesOfFile } from '../../classes/file-shots';
import { openClassifier, reportClassError } from './enroll';

export const CLASSIFY_USAGE = `neurolive classify FILE --model MODEL.nlm [--json] [--hop 50ms] [--path event|dense]
                                        per-window predictions (start/end µs, class, confidence = softmax
                                        of the scores) with the model's input encoding; --json: JSON Lines
  neurolive classify FILE --model M [--json] [--db PATH] [--learner ncm|binary-fc] [--threshold T]
                                        M a model name or folder: per-window classes, enrolled ones
                                        included (FILE: events, .wav or .y4m), "unknown" below threshold
                                        (default 0.5 with ncm, 0.4 with binary-fc)`;

/** The binner settings a model's input encoding asks for; an Error naming what is missing or inconsistent. */
export function binnerSettings(model: QuantizedModel, sourceName: string): TimeChannelEncoding {
  const e = model.input.encoding;
  if (!e || e.kind !== 'time-channel') {
    throw new RangeError(`${sourceName}: the model records no time-channel input encoding (window, bins, polarities, clip), so its frames cannot be made from events`);
  }
  if (e.bins * e.polarities !== model.input.channels) {
    throw new RangeError(`${sourceName}: input encoding gives ${e.bins} bins × ${e.polarities} polarities = ${e.bins * e.polarities} channels, the model input has ${model.input.channels}`);
  }
  const max = 2 ** model.input.bits - 1;
  if (e.clip > max) throw new RangeError(`${sourceName}: input encoding clips counts at ${e.clip}, above the model's ${model.input.bits}-bit input (max ${max})`);
  return e;
}

function parseHop(text: string): number {
  try {
    return parseDurationUs(text);
  } catch (e) {
    throw new CliUsageError(`--hop: ${(e as Error).message}`);
  }
}

export interface WindowPrediction {
  type: 'window';
  /** window number k of the grid: start = first event's t + k·hop */
  index: number;
  tStartUs: number;
  tEndUs: number;
  /** events in the window (before any filter), and counted into the frame */
  events: number;
  eventsKept: number;
  top: number;
  label: string | null;
  confidence: number;
  confidences: number[];
  scores: number[] | null;
  executedOps: number;
  denseMacs: number;
  /** wall time of NsocRuntime.infer (this simulator, not the chip) */
  inferMs: number;
}

export interface ClassifyTotals {
  type: 'totals';
  windows: number;
  meanExecutedOps: number;
  meanDenseMacs: number;
  /** Σ executed / Σ dense MACs */
  opsRatio: number;
  meanInferMs: number;
  /** the latency and energy estimates (summary.ts) for the mean measured activity, AKD1000 profile */
  estimatedLatencyUs: number;
  estimatedEnergyJ: number;
  /** windows per top label */
  classCounts: Record<string, number>;
  eventsIn: number;
  eventsKept: number;
}

export async function classifyCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        json: { type: 'boolean', default: false },
        hop: { type: 'string' },
        path: { type: 'string', default: 'event' },
        db: { type: 'string' },
        learner: { type: 'string' },
        threshold: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new CliUsageError('classify takes one event FILE');
    if (values.model === undefined) throw new CliUsageError('classify needs --model MODEL.nlm');
    if (values.path !== 'event' && values.path !== 'dense') throw new CliUsageError(`--path must be event or dense, not '${values.path}'`);
    // a model name or folder (card.json): the learner with the database's classes
    if (!values.model.toLowerCase().endsWith('.nlm')) return await classifyWithClasses(positionals[0], values);
    if (values.db !== undefined || values.learner !== undefined || values.threshold !== undefined) throw new CliUsageError('--db, --learner and --threshold need a model name or folder, not a bare .nlm file');
    const input = positionals[0];
    const hop = values.hop !== undefined ? parseHop(values.hop) : null;
    const model = await readModelFile(values.model);
    const enc = binnerSettings(model, values.model);
    const hopUs = hop ?? enc.windowUs;
    const rt = new NsocRuntime(model, { path: values.path });
    const json = values.json;

    const { stream, progress, sensor } = await openWithGeometry(input, 'classifying', { reuseBatches: true });
    const binner = new TimeChannelBinner({
      sensor,
      windowUs: enc.windowUs,
      bins: enc.bins,
      hopUs,
      polarities: enc.polarities,
      clip: enc.clip,
      size: { width: model.input.width, height: model.input.height },
    });

    const out = (s: string) => process.stdout.write(s);
    if (!json) {
      out(`${input}: ${sensor.width}×${sensor.height} → ${describeInput(model.input)}, hop ${hopUs} µs\n`);
      out(`model ${model.name}, ${rt.path} path (${rt.engine})\n`);
      out(`${['window', 'start µs', 'end µs', 'events', 'class', 'confidence', 'ops / MACs'].map((h, i) => (i < 4 ? h.padStart(COL[i]) : h.padEnd(COL[i]))).join('  ')}\n`);
    }
    const layers = rt.plan.layers.length;
    const sum: LayerActivity[] = Array.from({ length: layers }, () => ({ executedOps: 0, denseMacs: 0, inputEvents: 0, outputEvents: 0 }));
    const classCounts: Record<string, number> = {};
    let windows = 0;
    let inferMs = 0;
    let executed = 0;
    let dense = 0;

    const classify = (f: TimeChannelFrame) => {
      const t0 = performance.now();
      const r = rt.infer(f.data);
      const ms = performance.now() - t0;
      const p = predict(r, model.labels);
      windows++;
      inferMs += ms;
      executed += r.stats.executedOps;
      dense += r.stats.denseMacs;
      r.stats.layers.forEach((l, i) => {
        sum[i].executedOps += l.executedOps;
        sum[i].denseMacs += l.denseMacs;
        sum[i].inputEvents += l.inputEvents;
        sum[i].outputEvents += l.outputEvents;
      });
      const name = p.label ?? String(p.top);
      classCounts[name] = (classCounts[name] ?? 0) + 1;
      if (json) {
        const w: WindowPrediction = {
          type: 'window',
          index: f.index,
          tStartUs: f.tStartUs,
          tEndUs: f.tEndUs,
          events: f.eventsIn,
          eventsKept: f.eventsKept,
          top: p.top,
          label: p.label,
          confidence: p.confidence,
          confidences: Array.from(p.confidences),
          scores: r.scores ? Array.from(r.scores) : null,
          executedOps: r.stats.executedOps,
          denseMacs: r.stats.denseMacs,
          inferMs: ms,
        };
        out(`${JSON.stringify(w)}\n`);
      } else {
        const cells = [String(f.index), String(f.tStartUs), String(f.tEndUs), String(f.eventsIn), name, p.confidence.toFixed(3), `${(100 * r.stats.opsRatio).toFixed(1)} %`];
        out(`${cells.map((c, i) => (i < 4 ? c.padStart(COL[i]) : c.padEnd(COL[i]))).join('  ').trimEnd()}\n`);
      }
    };

    // classify reads each frame once, at once: the binner may reuse its buffer
    for await (const batch of stream) binner.pushEach(batch, classify);
    for (const f of binner.flush()) classify(f);
    progress.finish();

    const n = Math.max(windows, 1);
    const mean = sum.map((l) => ({ executedOps: l.executedOps / n, denseMacs: l.denseMacs / n, inputEvents: l.inputEvents / n, outputEvents: l.outputEvents / n }));
    const estimate = summary(model, AKD1000, { perLayer: mean });
    const b = binner.summary();
    const totals: ClassifyTotals = {
      type: 'totals',
      windows,
      meanExecutedOps: executed / n,
      meanDenseMacs: dense / n,
      opsRatio: dense > 0 ? executed / dense : 0,
      meanInferMs: inferMs / n,
      estimatedLatencyUs: estimate.latency.seconds * 1e6,
      estimatedEnergyJ: estimate.energy.totalJ,
      classCounts,
      eventsIn: b.eventsIn,
      eventsKept: b.eventsKept,
    };
    if (json) {
      out(`${JSON.stringify(totals)}\n`);
    } else {
      const counts = Object.entries(classCounts).sort((a, c) => c[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ');
      out(
        `${windows} windows of ${b.eventsIn.toLocaleString('en-US')} events; per window: ${si(totals.meanExecutedOps)} synaptic ops of ${si(totals.meanDenseMacs)} dense MACs ` +
          `(${(100 * totals.opsRatio).toFixed(1)} %), ${totals.meanInferMs.toFixed(2)} ms in this simulator; ` +
          `estimated on ${AKD1000.name}: ${si(estimate.latency.seconds, 's')}, ${si(estimate.energy.totalJ, 'J')} per inference\n` +
          `classes: ${counts || 'none'}\n`,
      );
    }
    return 0;
  } catch (e) {
    return reportError(e, CLASSIFY_USAGE);
  }
}

/** Text table column widths: window, start, end, events (right-aligned), class, confidence, ops. */
const COL = [6, 14, 14, 8, 16, 10, 10];

export interface ClassWindow {
  type: 'window';
  index: number;
  tStartUs: number;
  tEndUs: number;
  events: number;
  /** the class id, or null for "unknown" */
  classId: number | null;
  label: string | null;
  origin: 'pretrained' | 'enrolled' | null;
  similarity: number;
  margin: number;
  by: 'learner' | 'head';
}

/**
 * classify with a model folder: every model window through the encoder (the
 * app's path), its embedding through the learner holding the pretrained and
 * enrolled classes of the database.
 */
async function classifyWithClasses(input: string, values: { db?: string; model?: string; learner?: string; threshold?: string; json?: boolean; hop?: string }): Promise<number> {
  try {
    if (values.hop !== undefined) throw new CliUsageError('--hop applies to a bare .nlm model; a model folder uses its card\'s hop');
    const { store, loaded, classifier } = await openClassifier(values);
    try {
      const origin = new Map(store.list(loaded.id).map((c) => [c.id, c.origin]));
      const ff = await framesOfFile(loaded, input, 'classifying');
      const out = (s: string) => process.stdout.write(s);
      if (!values.json) {
        out(`${input}: model ${loaded.card.name} (${loaded.id.slice(0, 12)}…), learner ${classifier.learnerKind}, ${origin.size} classes (${[...origin.values()].filter((o) => o === 'enrolled').length} enrolled)\n`);
        out(`${['window', 'start µs', 'end µs', 'events'].map((h, i) => h.padStart(COL[i])).join('  ')}  class             similarity\n`);
      }
      const counts: Record<string, number> = {};
      for (const f of ff.frames) {
        const p = classifier.classifyFrame(f.data);
        const name = p.name ?? '(unknown)'; // parenthesised: a model may have a class called "unknown"
        counts[name] = (counts[name] ?? 0) + 1;
        if (values.json) {
          const w: ClassWindow = { type: 'window', index: f.index, tStartUs: f.tStartUs, tEndUs: f.tEndUs, events: f.events, classId: p.classId, label: p.name, origin: p.classId !== null ? (origin.get(p.classId) ?? null) : null, similarity: p.similarity, margin: p.margin, by: p.by };
          out(`${JSON.stringify(w)}\n`);
        } else {
          const cells = [String(f.index), String(f.tStartUs), String(f.tEndUs), String(f.events)];
          out(`${cells.map((c, i) => c.padStart(COL[i])).join('  ')}  ${name.padEnd(16)}  ${p.similarity.toFixed(3)}\n`);
        }
      }
      if (values.json) out(`${JSON.stringify({ type: 'totals', windows: ff.frames.length, classCounts: counts })}\n`);
      else out(`${ff.frames.length} windows; classes: ${Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}\n`);
      return 0;
    } finally {
      store.close();
    }
  } catch (e) {
    return reportClassError(e, CLASSIFY_USAGE);
  }
}
