// `neurolive live FILE --model M [--speed X] [--seconds N] [--json]`: a
// recording through the live pipeline exactly as the app runs it — replayed
// in real time (× speed), binned per the model card, inferred by the NSoC in
// a worker thread, with backpressure — printing predictions as they are
// published and, at the end, windows, drops and per-stage latency medians.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PredictionUpdate, SourceStatus } from '../ipc/contract';
import { loadModel } from '../models/load-model';
import { ReplaySource } from '../sources/replay';
import { WorkerEngine } from './engine';
import { LivePipeline } from './live';

export const LIVE_USAGE = `neurolive live FILE --model M [--speed X] [--seconds N] [--json]
                                        replay FILE in real time (× X, 0.1–10) through the live pipeline
                                        (worker NSoC, backpressure): predictions, drops, latency medians`;

export class LiveUsageError extends Error {}

export interface LiveSummary {
  type: 'summary';
  file: string;
  model: string;
  speed: number;
  wallSeconds: number;
  sensorSeconds: number;
  events: number;
  windowsBinned: number;
  windowsInferred: number;
  droppedWindows: number;
  predictions: number;
  latencyMs: { binned: number; inferred: number; sent: number };
  error?: string;
}

export async function liveCommand(args: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { model: { type: 'string' }, speed: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new LiveUsageError('live takes one FILE');
  if (!values.model) throw new LiveUsageError('live needs --model (a model name such as gesture, or a model folder)');
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed >= 0.1 && speed <= 10)) throw new LiveUsageError(`--speed must be a number from 0.1 to 10, not ${values.speed}`);
  const seconds = values.seconds === undefined ? Infinity : Number(values.seconds);
  if (!(seconds > 0)) throw new LiveUsageError(`--seconds must be a positive number, not ${values.seconds}`);
  const file = positionals[0];
  const json = values.json === true;

  // a missing or broken model is the user's input error: a message and exit code 2, not a stack
  const model = await loadModel(values.model).catch((e: Error) => {
    throw new RangeError(e.message);
  });
  const engine = await WorkerEngine.start(new Uint8Array(await readFile(join(model.dir, 'model.nlm'))), 'model.nlm').catch((e: Error) => {
    throw new RangeError(`${model.dir}: ${e.message}`);
  });
  let status: SourceStatus | null = null;
  let predictions = 0;
  const source = new ReplaySource({ kind: 'file', files: [file], speed, loop: Number.isFinite(seconds) });
  const pipeline = new LivePipeline(
    {
      prediction(p: PredictionUpdate) {
        predictions++;
        if (json) out(JSON.stringify({ type: 'prediction', window: p.window, tUs: p.tUs, label: p.labels[p.top] ?? null, confidence: p.scores[p.top] ?? 0, groundTruth: p.groundTruth ?? null }));
        else out(`window ${String(p.window).padStart(5)}  t ${(p.tUs / 1e6).toFixed(3).padStart(9)} s  ${(p.labels[p.top] ?? '?').padEnd(24)} ${((p.scores[p.top] ?? 0) * 100).toFixed(1).padStart(5)} %${p.groundTruth ? `  (truth: ${p.groundTruth})` : ''}`);
      },
      nsoc: () => undefined,
      events: () => undefined,
      sourceStatus: (s) => {
        status = s;
      },
      wantsEvents: () => false,
    },
    { id: model.id, name: model.card.name, card: model.card, model: model.model },
    engine,
    { geometry: () => ({ width: source.status().width, height: source.status().height }), groundTruth: () => source.status().groundTruth },
  );
  const t0 = performance.now();
  let stopped: SourceStatus = source.status();
  const ticker = setInterval(() => pipeline.tick(), 33);
  try {
    await source.start(pipeline);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const s = source.status();
        if (s.state === 'error' || s.state === 'paused' || (performance.now() - t0) / 1000 >= seconds) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    stopped = source.status();
    await source.stop();
    // let the last window finish in the engine, then publish it
    for (let i = 0; i < 200 && pipeline.queued > 0; i++) await new Promise((r) => setTimeout(r, 10));
    pipeline.tick();
  } finally {
    clearInterval(ticker);
    await engine.close();
  }
  const st = stopped;
  const l = pipeline.latency();
  const summary: LiveSummary = {
    type: 'summary',
    file,
    model: model.card.name,
    speed,
    wallSeconds: (performance.now() - t0) / 1000,
    sensorSeconds: (st.positionUs ?? 0) / 1e6,
    events: pipeline.eventsIn,
    windowsBinned: pipeline.windowsBinned,
    windowsInferred: pipeline.windowsInferred,
    droppedWindows: pipeline.droppedWindows,
    predictions,
    latencyMs: { binned: l.binnedMs, inferred: l.inferredMs, sent: l.sentMs },
  };
  const failed = (status as SourceStatus | null)?.state === 'error' ? (status as unknown as SourceStatus).error : st.state === 'error' ? st.error : undefined;
  if (failed) summary.error = failed;
  if (json) out(JSON.stringify(summary));
  else {
    out(
      `${summary.events.toLocaleString('en-US')} events in ${summary.wallSeconds.toFixed(1)} s at ${speed}×: ${summary.windowsBinned} windows, ${summary.windowsInferred} inferred, ${summary.droppedWindows} dropped`,
    );
    out(`latency (median, sensor time → …): binned ${l.binnedMs.toFixed(1)} ms · inferred ${l.inferredMs.toFixed(1)} ms · sent ${l.sentMs.toFixed(1)} ms`);
    if (failed) out(`error: ${failed}`);
  }
  return failed ? 2 : 0;
}
