// Soak: the whole app core (built-in demo → encoder → NSoC worker → topics)
// at 10× speed for a simulated hour (~6 min wall; --quick: 3 simulated
// minutes), then at 1× for a shorter run. Reports RSS growth after warm-up
// (target < 5 %) and dropped windows (target: none at 1×).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GESTURE_INPUT } from '../src-engine/datasets/gesture/sample';
import type { ModelCard } from '../src-engine/models/card';
import { encodeModel } from '../src-engine/nsoc/model-file';
import { makeConvTiny } from '../src-engine/nsoc/testing/convtiny';
import { AppCore } from '../src-main/app/core';
import type { BenchRow } from './event-core';

const RESOURCES = resolve(dirname(fileURLToPath(import.meta.url)), '../resources');

/** The shipped gesture model when installed, else a ConvTiny-shaped random one with the same input. */
function modelDirs(tmp: string): string[] {
  if (existsSync(join(RESOURCES, 'models', 'gesture', 'model.nlm'))) return [join(RESOURCES, 'models')];
  const dir = join(tmp, 'models', 'convtiny');
  mkdirSync(dir, { recursive: true });
  const m = makeConvTiny();
  writeFileSync(join(dir, 'model.nlm'), encodeModel(m));
  const card: ModelCard = {
    format: 'neurolive-model-card', version: 1, name: 'convtiny-random', task: 'gesture', description: 'soak stand-in', labels: m.labels, heldOutLabels: [],
    embeddingLayer: 5, embeddingSize: 256, input: GESTURE_INPUT,
    metrics: { floatAccuracy: 0, quantizedAccuracy: 0, evaluatedOn: '-', meanSparsity: 0, macsDense: 0, opsExecuted: 0, sizeBytes: 0, neuralProcessors: 0, layers: [] },
    training: {}, createdAt: new Date(0).toISOString(),
  };
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  return [join(tmp, 'models')];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
};

interface SoakRun {
  speed: number;
  wallS: number;
  simulatedS: number;
  windows: number;
  inferred: number;
  dropped: number;
  rssWarmMB: number;
  rssEndMB: number;
  growthPct: number;
  latency: { binnedMs: number; inferredMs: number; sentMs: number };
  predictions: number;
  loops: number;
  model: string;
}

async function soakRun(speed: number, wallS: number, dirs: string[], tmp: string): Promise<SoakRun> {
  const core = await AppCore.create({ userDataDir: join(tmp, `user-${speed}`), resourcesDir: RESOURCES, runtime: 'browser', version: 'soak', modelDirs: dirs });
  let predictions = 0;
  // subscribers as the UI has them: every topic drawn
  core.on('prediction', () => predictions++);
  core.on('events', () => undefined);
  core.on('nsoc', () => undefined);
  core.on('state', () => undefined);
  await core.invoke('playback', { speed });
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { t: number; rss: number }[] = [];
  const t0 = performance.now();
  let lastPrint = 0;
  while ((performance.now() - t0) / 1000 < wallS) {
    await new Promise((r) => setTimeout(r, 1000));
    gc?.();
    const t = (performance.now() - t0) / 1000;
    samples.push({ t, rss: process.memoryUsage().rss });
    if (t - lastPrint >= 30) {
      lastPrint = t;
      const s = core.getState();
      console.log(`  soak ${speed}×: ${t.toFixed(0)} s, rss ${(samples[samples.length - 1].rss / 2 ** 20).toFixed(0)} MB, dropped ${s.droppedWindows}, latency ${JSON.stringify(s.latency)}`);
    }
  }
  const st = core.getState();
  const p = core.pipeline;
  // warm-up: the first 20 % (JIT, worker start, buffers reaching their size)
  const warm = samples.filter((s) => s.t >= wallS * 0.2 && s.t < wallS * 0.3).map((s) => s.rss);
  const end = samples.filter((s) => s.t >= wallS * 0.9).map((s) => s.rss);
  const rssWarm = median(warm), rssEnd = median(end);
  const src = (core as unknown as { source: { loops?: number } | null }).source;
  const run: SoakRun = {
    speed,
    wallS,
    simulatedS: wallS * speed,
    windows: p.windowsBinned,
    inferred: p.windowsInferred,
    dropped: st.droppedWindows,
    rssWarmMB: rssWarm / 2 ** 20,
    rssEndMB: rssEnd / 2 ** 20,
    growthPct: rssWarm ? ((rssEnd - rssWarm) / rssWarm) * 100 : 0,
    latency: st.latency,
    predictions,
    loops: src?.loops ?? 0,
    model: st.model?.name ?? 'none',
  };
  await core.close();
  return run;
}

export async function soakBench(quick: boolean): Promise<BenchRow[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'nl-soak-'));
  try {
    const dirs = modelDirs(tmp);
    const fast = await soakRun(10, quick ? 18 : 360, dirs, tmp);
    const real = await soakRun(1, quick ? 20 : 90, dirs, tmp);
    const rows: BenchRow[] = [];
    for (const r of [fast, real]) {
      const tag = `soak ${r.speed}× (${r.simulatedS >= 120 ? `${(r.simulatedS / 60).toFixed(0)} simulated min` : `${r.simulatedS.toFixed(0)} s`})`;
      rows.push({ name: `${tag}: RSS growth after warm-up`, value: r.growthPct, unit: '%', note: `target < 5 %; ${r.rssWarmMB.toFixed(0)} → ${r.rssEndMB.toFixed(0)} MB; model ${r.model}`, run: r });
      rows.push({ name: `${tag}: dropped windows`, value: r.dropped, unit: 'windows', note: `of ${r.windows} binned, ${r.inferred} inferred${r.speed === 1 ? '; target 0 at 1×' : ''}` });
      rows.push({ name: `${tag}: latency sensor→sent (median)`, value: r.latency.sentMs, unit: 'ms', note: `binned ${r.latency.binnedMs.toFixed(1)} ms, inferred ${r.latency.inferredMs.toFixed(1)} ms` });
    }
    return rows;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
