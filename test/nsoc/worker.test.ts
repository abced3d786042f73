// The NSoC in a Node worker thread (NsocWorkerClient → src-engine/node/nsoc-worker.ts
// → the host-agnostic handler): results identical to the in-thread runtime,
// failures reported as messages (never thrown across the boundary), and the
// worker still serving after one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeModel, ModelFileError } from '../../src-engine/nsoc/model-file';
import { createNsocWorkerHandler } from '../../src-engine/nsoc/worker/handler';
import type { NsocWorkerResponse } from '../../src-engine/nsoc/worker/protocol';
import { NsocWorkerClient, NsocWorkerError } from '../../src-engine/node/nsoc-worker-client';
import { bytesOf, expectedResults, workerTestFrames, workerTestModel, workerTestModelBytes } from './worker-fixture';

let client: NsocWorkerClient;
before(() => {
  client = new NsocWorkerClient();
});
after(async () => {
  await client.close();
});

const frames = workerTestFrames();

test('a worker thread loads an encoded ConvTiny and gives the in-thread results bit for bit', async () => {
  const loaded = await client.load(workerTestModelBytes(), { sourceName: 'convtiny.nlm' });
  const model = workerTestModel();
  assert.equal(loaded.type, 'loaded');
  assert.equal(loaded.model.name, model.name);
  assert.deepEqual(loaded.model.input, model.input);
  assert.equal(loaded.model.outputs, 10);
  assert.equal(loaded.model.path, 'event');
  assert.deepEqual(loaded.labels, model.labels);
  assert.equal(loaded.summary.layers, 7);
  assert.equal(loaded.summary.rows[5].type, 'Sep.Conv.');

  const expected = expectedResults(frames, { engine: loaded.model.engine });
  // several in flight at once: answered in order, each with its own seq
  const results = await Promise.all(frames.map((f, i) => client.infer(f, { tSensorUs: 1000 * i })));
  const seqs = results.map((r) => r.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, frames.length);
  results.forEach((r, i) => {
    const e = expected[i];
    assert.equal(r.tSensorUs, 1000 * i);
    assert.deepEqual(r.output, e.output, `frame ${i} output`);
    assert.deepEqual(bytesOf(r.scores!), bytesOf(e.scores), `frame ${i} scores`);
    assert.deepEqual(bytesOf(r.confidences), bytesOf(e.confidences), `frame ${i} confidences`);
    assert.equal(r.top, e.top);
    assert.equal(r.label, model.labels[e.top]);
    assert.equal(r.confidence, e.confidence);
    assert.deepEqual(r.stats, e.stats, `frame ${i} stats`);
    assert.deepEqual(r.frame, frames[i]); // the input comes back for reuse
    assert.ok(r.timing.inferMs >= 0 && r.timing.handledMs >= r.timing.inferMs && r.roundTripMs >= r.timing.handledMs);
  });
  // the frames are not all alike: the comparison covers more than one answer
  assert.ok(new Set(expected.map((e) => e.output.join())).size >= 4);
  assert.ok(expected.some((e) => e.stats.inputEvents === 0));
  assert.equal(client.inFlight, 0);
});

test('the dense reference path and the JavaScript engine also run in the worker, with equal outputs', async () => {
  for (const opts of [{ path: 'dense' as const }, { engine: 'js' as const }]) {
    const loaded = await client.load(workerTestModelBytes(), opts);
    assert.equal(loaded.model.path, opts.path ?? 'event');
    assert.equal(loaded.model.engine, 'js');
    const expected = expectedResults(frames.slice(0, 3), opts);
    for (let i = 0; i < 3; i++) {
      const r = await client.infer(frames[i]);
      assert.deepEqual(r.output, expected[i].output);
      assert.deepEqual(r.stats, expected[i].stats);
    }
  }
});

test('frames are copied, never transferred: the caller keeps its frame (also a view into a larger buffer) and gets it back', async () => {
  await client.load(workerTestModelBytes());
  const kept = frames[2].slice();
  const r = await client.infer(kept);
  assert.deepEqual(kept, frames[2]);
  assert.deepEqual(r.frame, frames[2]);
  const big = new Uint8Array(3 * kept.length);
  big.set(kept, kept.length);
  const view = big.subarray(kept.length, 2 * kept.length);
  const r2 = await client.infer(view);
  assert.equal(big.byteLength, 3 * kept.length, 'nothing detached');
  assert.deepEqual(r2.frame, frames[2]);
  assert.deepEqual(r2.output, r.output);
});

test('a corrupt model file is an error message with the ModelFileError text; the worker keeps serving', async () => {
  const good = workerTestModelBytes();
  const bad = good.slice();
  bad[good.length - 100] ^= 0x40;
  let local = '';
  try {
    decodeModel(bad, 'bad.nlm');
  } catch (e) {
    assert.ok(e instanceof ModelFileError);
    local = e.message;
  }
  assert.match(local, /bad\.nlm: model file checksum at byte \d+: CRC-32 is/);
  await assert.rejects(client.load(bad, { sourceName: 'bad.nlm' }), (e: unknown) => e instanceof NsocWorkerError && e.remoteName === 'ModelFileError' && e.request === 'load' && e.message === local);
  // a failed load leaves no model: infer is refused, with a message
  await assert.rejects(client.infer(frames[0]), (e: unknown) => e instanceof NsocWorkerError && e.request === 'infer' && /no model is loaded/.test(e.message));
  // truncated bytes and garbage too
  await assert.rejects(client.load(good.subarray(0, 20)), (e: unknown) => e instanceof NsocWorkerError && e.remoteName === 'ModelFileError' && /model file truncated at byte 20/.test(e.message));
  await assert.rejects(client.load(new TextEncoder().encode('{"not": "a model"}')), (e: unknown) => e instanceof NsocWorkerError && /magic "NLMODEL\\0" is missing/.test(e.message));
  // then a good load and inference work
  await client.load(good);
  const r = await client.infer(frames[0]);
  assert.deepEqual(r.output, expectedResults([frames[0]])[0].output);
});

test('a frame of the wrong size or beyond the input bits is an error naming the problem', async () => {
  await client.load(workerTestModelBytes());
  await assert.rejects(client.infer(new Uint8Array(100)), (e: unknown) => e instanceof NsocWorkerError && e.remoteName === 'RangeError' && /input has 100 values, the model input 64×64×10 needs 40960/.test(e.message));
  const loud = new Uint8Array(40960);
  loud[7] = 16;
  await assert.rejects(client.infer(loud), (e: unknown) => e instanceof NsocWorkerError && /input value 16 at index 7 is above the model's 4-bit input range/.test(e.message));
  const r = await client.infer(frames[3]);
  assert.equal(r.output.length, 10);
});

test('a closed client rejects new requests instead of hanging', async () => {
  const c = new NsocWorkerClient();
  const pending = c.load(workerTestModelBytes());
  await c.close();
  await assert.rejects(pending, NsocWorkerError);
  await assert.rejects(c.infer(frames[0]), (e: unknown) => e instanceof NsocWorkerError && /exited/.test(e.message));
});

test('the handler, without any worker: malformed requests are answered with errors, never thrown', () => {
  const sent: NsocWorkerResponse[] = [];
  const handle = createNsocWorkerHandler((m) => sent.push(m));
  for (const m of [null, 42, 'load', { type: 'frobnicate' }, { type: 'load' }, { type: 'load', modelBytes: [1, 2] }, { type: 'infer', frame: new Uint8Array(1) }, { type: 'infer', seq: 3, frame: 'x' }, { type: 'infer', seq: 4, frame: new Uint8Array(1), tSensorUs: '5' }]) {
    assert.doesNotThrow(() => handle(m));
  }
  assert.deepEqual(
    sent.map((m) => (m.type === 'error' ? [m.request, m.seq, m.errorName, m.message] : m.type)),
    [
      ['unknown', null, 'TypeError', "not a request: type null (expected 'load' or 'infer')"],
      ['unknown', null, 'TypeError', "not a request: type null (expected 'load' or 'infer')"],
      ['unknown', null, 'TypeError', "not a request: type null (expected 'load' or 'infer')"],
      ['unknown', null, 'TypeError', 'not a request: type "frobnicate" (expected \'load\' or \'infer\')'],
      ['load', null, 'TypeError', 'load: modelBytes must be a Uint8Array'],
      ['load', null, 'TypeError', 'load: modelBytes must be a Uint8Array'],
      ['infer', null, 'TypeError', 'infer: seq must be a finite number'],
      ['infer', 3, 'TypeError', 'infer: frame must be a Uint8Array'],
      ['infer', 4, 'TypeError', 'infer: tSensorUs must be a number'],
    ],
  );
  // an unknown runtime option is refused by name
  handle({ type: 'load', modelBytes: workerTestModelBytes(), path: 'quantum' });
  const last = sent[sent.length - 1];
  assert.ok(last.type === 'error' && last.errorName === 'ModelRuntimeError' && /unknown execution path quantum/.test(last.message));
});
