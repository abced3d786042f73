// Live pipeline: a deliberately slow engine makes it drop whole windows (counted),
// never queue more than one waiting; latencies, predictions and event chunks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBatch } from '../../src-engine/events/batch';
import { GESTURE_INPUT } from '../../src-engine/datasets/gesture/sample';
import type { ModelCard } from '../../src-engine/models/card';
import { makeConvTiny } from '../../src-engine/nsoc/testing/convtiny';
import type { EventChunk, NsocUpdate, PredictionUpdate, SourceStatus } from '../../src-main/ipc/contract';
import type { EngineResult, InferenceEngine } from '../../src-main/pipeline/engine';
import { groundTruthLabel, LivePipeline, type PipelineModel } from '../../src-main/pipeline/live';
import { DVS_GESTURE_CLASSES } from '../../src-engine/formats/aedat/gesture-labels';
import { GESTURE_CLASSES } from '../../src-engine/datasets/gesture/classes';
import type { InferenceStats } from '../../src-engine/nsoc/stats';

const model = makeConvTiny();
const card = {
  name: 'test', task: 'gesture', labels: model.labels, input: { ...GESTURE_INPUT, windowUs: 10_000, hopUs: 10_000 },
} as unknown as ModelCard;
const pm: PipelineModel = { id: 'x', name: 'test', card, model };

function stats(): InferenceStats {
  return {
    path: 'event', collected: true, inputSize: 1, inputEvents: 1, inputSparsity: 0, outputEvents: 1, executedOps: 100, denseMacs: 1000, opsRatio: 0.1,
    layers: model.layers.map((l, index) => ({ index, name: l.name, kind: l.kind, inputSize: 10, inputEvents: 5, inputSparsity: 0.5, outputSize: 10, outputEvents: 2, outputSparsity: 0.8, executedOps: 10, denseMacs: 100 })),
  };
}

/** An engine that answers only when the test says so. */
class SlowEngine implements InferenceEngine {
  readonly backend = 'simulator' as const;
  readonly label = 'slow test engine';
  readonly waiting: { frame: Uint8Array; resolve: (r: EngineResult) => void }[] = [];
  maxConcurrent = 0;
  infer(frame: Uint8Array): Promise<EngineResult> {
    return new Promise((resolve) => {
      this.waiting.push({ frame, resolve });
      this.maxConcurrent = Math.max(this.maxConcurrent, this.waiting.length);
    });
  }
  answerOne(): void {
    const w = this.waiting.shift()!;
    const confidences = new Float64Array(10).fill(0.05);
    confidences[3] = 0.55;
    w.resolve({ confidences, top: 3, output: new Int32Array(10), scores: null, stats: stats(), inferMs: 1 });
  }
  async close() {}
}

function outputs() {
  const o = { predictions: [] as PredictionUpdate[], nsoc: [] as NsocUpdate[], chunks: [] as EventChunk[], statuses: [] as SourceStatus[], wants: true };
  return {
    o,
    out: {
      prediction: (p: PredictionUpdate) => o.predictions.push(p),
      nsoc: (n: NsocUpdate) => o.nsoc.push(n),
      events: (c: EventChunk) => o.chunks.push(c),
      sourceStatus: (s: SourceStatus) => o.statuses.push(s),
      wantsEvents: () => o.wants,
    },
  };
}

/** `windows` windows of 10 ms of random events at 128×128, as one batch */
function events(fromUs: number, windows: number, perWindow = 500) {
  const n = windows * perWindow;
  const b = makeBatch(n);
  for (let i = 0; i < n; i++) {
    b.t[i] = fromUs + Math.floor((i * 10_000) / perWindow);
    b.x[i] = (i * 37) % 128;
    b.y[i] = (i * 91) % 128;
    b.p[i] = i & 1;
  }
  return b;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('live pipeline backpressure', () => {
  it('keeps one window in the engine and one waiting, dropping and counting the rest', async () => {
    const engine = new SlowEngine();
    const { o, out } = outputs();
    let wall = 0;
    const p = new LivePipeline(out, pm, engine, { geometry: () => ({ width: 128, height: 128 }), now: () => wall });
    let t = 0;
    // 200 windows arrive while the engine answers none
    for (let k = 0; k < 20; k++) {
      p.events(events(t, 10), { tUs: t + 100_000, wallMs: wall, speed: 1 });
      t += 100_000;
      wall += 100;
      assert.ok(p.queued <= 2, `queued ${p.queued}`);
    }
    assert.equal(engine.waiting.length, 1, 'one window in the engine');
    assert.equal(p.queued, 2, 'plus one waiting');
    const binned = p.windowsBinned;
    assert.ok(binned >= 195, `${binned} windows binned`);
    assert.equal(p.droppedWindows, binned - 2, 'every other window was dropped and counted');
    // the engine catches up: the waiting (newest) window goes next, nothing else
    engine.answerOne();
    await flush();
    assert.equal(engine.waiting.length, 1);
    engine.answerOne();
    await flush();
    assert.equal(engine.waiting.length, 0);
    assert.equal(p.queued, 0);
    assert.equal(engine.maxConcurrent, 1, 'never two frames in the engine at once');
    assert.equal(p.windowsInferred, 2);
    p.tick();
    assert.equal(o.predictions.length, 1, 'only the newest prediction is published per tick');
    const pred = o.predictions[0];
    assert.equal(pred.top, 3);
    assert.equal(pred.labels[3], 'class_3');
    assert.equal(pred.scores.length, 10);
    assert.ok(pred.window >= binned - 2, 'the published window is the newest one');
    assert.equal(o.nsoc.length, 1);
    const n = o.nsoc[0];
    assert.equal(n.sparsity.length, model.layers.length);
    assert.ok(n.energyMicroJ > 0 && n.powerMilliW > 0, 'energy estimate from the stats');
    assert.equal(n.opsExecuted, 100);
    assert.equal(n.macsDense, 1000);
  });

  it('memory stays bounded under a long overload (no queue grows)', async () => {
    const engine = new SlowEngine();
    const { out } = outputs();
    const p = new LivePipeline(out, pm, engine, { geometry: () => ({ width: 128, height: 128 }) });
    let t = 0;
    for (let k = 0; k < 300; k++) {
      p.events(events(t, 10, 200), { tUs: t + 100_000, wallMs: performance.now(), speed: 1 });
      t += 100_000;
      if (k % 50 === 0) {
        engine.answerOne();
        await flush();
      }
      assert.ok(p.queued <= 2);
      assert.ok(engine.waiting.length <= 1);
    }
    assert.ok(p.droppedWindows > 2900, `${p.droppedWindows} dropped`);
  });

  it('latency medians follow the sensor clock: binned, inferred, sent', async () => {
    const engine = new SlowEngine();
    const { o, out } = outputs();
    let wall = 1000;
    const p = new LivePipeline(out, pm, engine, { geometry: () => ({ width: 128, height: 128 }), now: () => wall });
    // 2 windows of events; their last event happened at wall 1000 (the source's clock)
    p.events(events(0, 2), { tUs: 20_000, wallMs: 1000, speed: 1 });
    // a later event closes window 1: it ended at sensor 20 000 = wall 1000; now is 1005
    wall = 1005;
    p.events(events(20_000, 1, 1), { tUs: 20_000, wallMs: 1000, speed: 1 });
    assert.ok(p.windowsBinned >= 1);
    wall = 1030;
    engine.answerOne();
    await flush();
    wall = 1040;
    p.tick();
    const l = p.latency();
    assert.ok(l.binnedMs >= 0 && l.binnedMs <= 15, `binned ${l.binnedMs}`);
    assert.ok(l.inferredMs >= 30 && l.inferredMs <= 40, `inferred ${l.inferredMs}`);
    assert.ok(l.sentMs >= l.inferredMs, `sent ${l.sentMs}`);
    assert.equal(o.predictions.length, 1);
  });

  it('event chunks: at most the cap per push, totals kept, times relative to t0', () => {
    const { o, out } = outputs();
    const p = new LivePipeline(out, null, null, { geometry: () => ({ width: 128, height: 128 }), maxChunkEvents: 1000 });
    p.events(events(0, 10, 500), { tUs: 100_000, wallMs: 0, speed: 1 });
    p.tick();
    assert.equal(o.chunks.length, 1);
    const c = o.chunks[0];
    assert.equal(c.total, 5000);
    assert.equal(c.t.length, 1000, 'capped');
    assert.equal(c.t[0], 0);
    assert.equal(c.t0Us, 0);
    assert.deepEqual([c.width, c.height], [128, 128]);
    // the next interval samples every 5th event, spread over all of it
    p.events(events(100_000, 10, 500), { tUs: 200_000, wallMs: 0, speed: 1 });
    p.tick();
    const d = o.chunks[1];
    assert.equal(d.total, 5000);
    assert.equal(d.t.length, 1000);
    assert.ok(d.t[d.t.length - 1] > 90_000, 'decimated across the whole interval, not its start');
    o.wants = false;
    p.events(events(200_000, 1), { tUs: 210_000, wallMs: 0, speed: 1 });
    p.tick();
    assert.equal(o.chunks.length, 2, 'nothing drawn when nobody listens');
  });

  it('an engine error is reported readably and the pipeline keeps going', async () => {
    const { out } = outputs();
    let fail = true;
    const engine: InferenceEngine = {
      backend: 'simulator', label: 'flaky',
      infer: async () => {
        if (fail) throw new Error('worker exploded\n    at stack line');
        return { confidences: new Float64Array(10).fill(0.1), top: 0, output: new Int32Array(10), scores: null, stats: stats(), inferMs: 1 };
      },
      close: async () => {},
    };
    const p = new LivePipeline(out, pm, engine, { geometry: () => ({ width: 128, height: 128 }) });
    p.events(events(0, 3), { tUs: 30_000, wallMs: performance.now(), speed: 1 });
    await flush();
    await flush();
    assert.equal(p.lastError, 'worker exploded');
    fail = false;
    p.events(events(30_000, 3), { tUs: 60_000, wallMs: performance.now(), speed: 1 });
    await flush();
    await flush();
    assert.ok(p.windowsInferred >= 1);
  });
});

describe('ground truth in the model’s words', () => {
  it('maps every DVS Gesture class name to the gesture model’s label of the same class', () => {
    DVS_GESTURE_CLASSES.forEach((name, i) => assert.equal(groundTruthLabel(name, GESTURE_CLASSES), GESTURE_CLASSES[i], name));
  });
  it('keeps a name no label matches, and null', () => {
    assert.equal(groundTruthLabel('juggling', GESTURE_CLASSES), 'juggling');
    assert.equal(groundTruthLabel(null, GESTURE_CLASSES), null);
  });
});
