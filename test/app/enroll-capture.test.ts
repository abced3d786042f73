// Enrolling after a countdown (waitForNext): the shot is the fullest of the
// overlapping windows that start within one window length of the first, so a
// word said a little late is learned whole instead of cut off. Driven through
// ClassesWiring with a scripted pipeline (windows and events by hand) and the
// real class store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EventBatch, Geometry } from '../../src-engine/events/batch';
import type { ModelFrame } from '../../src-engine/models/encoder';
import { ClassesWiring } from '../../src-main/app/classes-wiring';
import { openDatabase } from '../../src-main/db';
import type { EnrollResult } from '../../src-main/ipc/contract';
import { loadModel } from '../../src-main/models/load-model';
import type { EngineResult } from '../../src-main/pipeline/engine';
import type { LivePipeline } from '../../src-main/pipeline/live';
import { DEFAULT_SETTINGS } from '../../src-main/settings/store';
import { writeTestModel } from '../pipeline/fixture-model';

const root = mkdtempSync(join(tmpdir(), 'nl-capture-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** the two things ClassesWiring listens to: raw events (tap) and answered windows (onResult) */
class ScriptedPipeline {
  taps: ((b: EventBatch, g: Geometry) => void)[] = [];
  results: ((f: ModelFrame, r: EngineResult) => void)[] = [];
  lastResult = null;
  tap(fn: (b: EventBatch, g: Geometry) => void) {
    this.taps.push(fn);
    return () => {};
  }
  onResult(fn: (f: ModelFrame, r: EngineResult) => void) {
    this.results.push(fn);
    return () => {};
  }
  setClassifier() {}
  /** `n` events evenly spread over [t0, t1) µs */
  events(t0: number, t1: number, n: number) {
    const b = { t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), length: n };
    for (let i = 0; i < n; i++) b.t[i] = t0 + ((t1 - t0) * i) / n;
    for (const fn of this.taps) fn(b, { width: 128, height: 128 });
  }
  window(tStartUs: number, tEndUs: number, events: number) {
    const frame: ModelFrame = { index: 0, tStartUs, tEndUs, data: new Uint8Array(64 * 64 * 10), shape: [64, 64, 10], events };
    const result = { confidences: new Float64Array(10), top: 0, output: new Int32Array(10), scores: null, stats: {}, inferMs: 0, embedding: new Uint8Array(256).fill(events % 7) } as unknown as EngineResult;
    for (const fn of this.results) fn(frame, result);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

test('the capture takes the window with the most events among those starting within one window length of the first', async () => {
  const model = await loadModel(writeTestModel(join(root, 'models')));
  const { windowUs, hopUs } = model.card.input;
  assert.ok(hopUs < windowUs, 'the fixture model’s windows overlap');
  const pipeline = new ScriptedPipeline();
  const db = openDatabase(join(root, 'app.db'));
  const wiring = ClassesWiring.open(db, pipeline as unknown as LivePipeline, () => {});
  await wiring.selectModel(model, DEFAULT_SETTINGS);

  // a burst one hop long that the first window [hop, hop + window) cuts in half and the second [2·hop, 2·hop + window) holds whole
  const bs = hopUs + windowUs - hopUs / 2, be = bs + hopUs;
  pipeline.events(0, bs, 100);
  pipeline.events(bs, be, 5000);
  pipeline.events(be, 4 * windowUs, 100);

  const enrolled = (wiring.handlers().find(([n]) => n === 'enroll')![1] as (a: unknown) => Promise<EnrollResult>)({ name: 'late word', waitForNext: true });
  const inWindow = (t: number) => (t <= bs && be <= t + windowUs ? 5000 : t + windowUs > bs && t < be ? 2500 : 100);
  for (let t = hopUs; t < 6 * hopUs; t += hopUs) {
    await tick();
    pipeline.window(t, t + windowUs, inWindow(t));
  }
  const r = await enrolled;
  const shots = wiring.store.shots(r.cls.id);
  assert.equal(shots.length, 1);
  const events = wiring.store.shotEvents(shots[0].id);
  assert.equal(events.t.filter((t) => t >= bs && t < be).length, 5000, 'the shot holds the whole burst');
  assert.equal(events.t[0], 2 * hopUs, 'the shot is the second window, not the first (which cuts the burst)');
  db.close();
});

test('a capture with windows that do not overlap takes the next window', async () => {
  const model = await loadModel(writeTestModel(join(root, 'models2')));
  model.card.input = { ...model.card.input, hopUs: model.card.input.windowUs };
  const { windowUs } = model.card.input;
  const pipeline = new ScriptedPipeline();
  const db = openDatabase(join(root, 'app2.db'));
  const wiring = ClassesWiring.open(db, pipeline as unknown as LivePipeline, () => {});
  await wiring.selectModel(model, DEFAULT_SETTINGS);
  pipeline.events(0, windowUs, 10);
  pipeline.events(windowUs, 2 * windowUs, 900);
  const enrolled = (wiring.handlers().find(([n]) => n === 'enroll')![1] as (a: unknown) => Promise<EnrollResult>)({ name: 'next', waitForNext: true });
  await tick();
  pipeline.window(0, windowUs, 10);
  await tick();
  pipeline.window(windowUs, 2 * windowUs, 900);
  const r = await enrolled;
  assert.equal(wiring.store.shotEvents(wiring.store.shots(r.cls.id)[0].id).length, 10, 'the first window after the call, though the next one is fuller');
  db.close();
});
