import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ModelInputEncoder } from '../../src-engine/models/encoder';
import { loadModel, type LoadedModel } from '../../src-main/models/load-model';
import { openClassStore } from '../../src-main/classes/class-store';
import { ClassClassifier } from '../../src-main/classes/classifier';
import { busiestFrame, sensorGeometry } from '../../src-main/classes/features';
import { pattern, SENSOR, writeModelFolder } from './model-fixture';
import { tempDir } from './helpers';

const tmp = tempDir('nl-classifier-');
test.after(tmp.cleanup);

const withEmb = writeModelFolder(join(tmp.dir, 'with-emb'), { embeddings: true });
const noEmb = writeModelFolder(join(tmp.dir, 'no-emb'), { embeddings: false });
const v2 = writeModelFolder(join(tmp.dir, 'v2'), { embeddings: true, seed: 11 });

function frameOf(loaded: LoadedModel, k: number, seed: number) {
  const enc = new ModelInputEncoder(loaded.card.input, { eventGeometry: SENSOR });
  const events = pattern(k, seed);
  const f = busiestFrame([...enc.pushEvents(events), ...enc.flush()])!;
  return { frame: f.data, events };
}

function shotOf(c: ClassClassifier, k: number, seed: number) {
  const { frame, events } = frameOf(c.loaded, k, seed);
  return { events, geometry: { ...sensorGeometry(c.loaded), ...SENSOR }, features: c.embed(frame).features };
}

/** fraction of 6 fresh samples of pattern k classified as `name` */
function hitRate(c: ClassClassifier, k: number, name: string | null): number {
  let hit = 0;
  for (let s = 0; s < 6; s++) if (c.classifyFrame(frameOf(c.loaded, k, 5000 + s).frame).name === name) hit++;
  return hit / 6;
}

for (const learner of ['ncm', 'binary-fc'] as const) {
  test(`${learner}: pretrained classes from the shipped embeddings; a one-shot class is recognised the moment enroll returns`, async () => {
    const loaded = await loadModel(withEmb);
    const store = openClassStore(tmp.path('db.sqlite'));
    const c = await ClassClassifier.open(store, loaded, { learner, unknownThreshold: 0 });
    assert.deepEqual(c.list().map((x) => x.name), loaded.card.labels);
    for (let k = 0; k < 4; k++) assert.ok(hitRate(c, k, `p${k}`) >= 0.8, `pretrained p${k}`);
    assert.notEqual(hitRate(c, 4, 'p2'), 0, 'pattern 4 looks most like p2 before it is enrolled');
    const r = c.enroll({ name: 'four' }, shotOf(c, 4, 1));
    assert.equal(r.shots, 1);
    assert.ok(r.learnMs >= 0);
    assert.ok(hitRate(c, 4, 'four') >= 0.8, 'the new class is recognised');
    for (let k = 0; k < 4; k++) assert.ok(hitRate(c, k, `p${k}`) >= 0.8, `p${k} still recognised after enrolling`);
    // a restart rebuilds the same learner from the database
    const before = Array.from({ length: 5 }, (_, k) => c.classifyFrame(frameOf(loaded, k, 77).frame));
    store.close();
    const store2 = openClassStore(store.db.name);
    const c2 = await ClassClassifier.open(store2, loaded, { learner, unknownThreshold: 0 });
    const after = Array.from({ length: 5 }, (_, k) => c2.classifyFrame(frameOf(loaded, k, 77).frame));
    assert.deepEqual(after.map((p) => [p.name, p.similarity]), before.map((p) => [p.name, p.similarity]));
    // undo of the only shot removes the class and the learner forgets it
    assert.equal(c2.undoLastShot(r.id), null);
    assert.equal(hitRate(c2, 4, 'four'), 0);
    store2.close();
  });
}

test('binary-fc: the cached learned state is used on restart and equals a replay', async () => {
  const loaded = await loadModel(withEmb);
  const path = tmp.path('db.sqlite');
  const store = openClassStore(path);
  const c = await ClassClassifier.open(store, loaded, { learner: 'binary-fc', unknownThreshold: 0 });
  c.enroll({ name: 'five' }, shotOf(c, 5, 1));
  const cached = store.loadLearnedState(loaded.id, 'binary-fc') as { state: unknown };
  assert.ok(cached && cached.state, 'state saved with the shot');
  store.db.prepare('DELETE FROM learned_state').run();
  c.load(); // a replay from the shots
  assert.deepEqual(JSON.parse(JSON.stringify((c as unknown as { learner: { toJSON(): unknown } }).learner.toJSON())), cached.state);
  store.close();
});

test('unknown: below the threshold nothing is forced into a class', async () => {
  const loaded = await loadModel(withEmb);
  const store = openClassStore(tmp.path('db.sqlite'));
  const c = await ClassClassifier.open(store, loaded, { learner: 'ncm', unknownThreshold: 0.999 });
  const p = c.classifyFrame(frameOf(loaded, 6, 1).frame);
  assert.equal(p.classId, null);
  assert.equal(p.name, null);
  assert.ok(p.bestClassId !== null && p.similarity < 0.999);
  c.setUnknownThreshold(0);
  assert.notEqual(c.classifyFrame(frameOf(loaded, 6, 1).frame).classId, null);
  assert.throws(() => c.setUnknownThreshold(2), /between 0 and 1/);
  store.close();
});

test('without shipped embeddings the network head answers for pretrained classes, the learner for enrolled ones', async () => {
  const loaded = await loadModel(noEmb);
  const store = openClassStore(tmp.path('db.sqlite'));
  const c = await ClassClassifier.open(store, loaded, { learner: 'ncm', unknownThreshold: 0.5 });
  const p = c.classifyFrame(frameOf(loaded, 0, 1).frame);
  assert.equal(p.by, 'head');
  assert.ok(loaded.card.labels.includes(p.name!));
  c.enroll({ name: 'five' }, shotOf(c, 5, 1));
  c.enroll({ name: 'six' }, shotOf(c, 6, 1));
  assert.ok(hitRate(c, 5, 'five') >= 0.8);
  assert.ok(hitRate(c, 6, 'six') >= 0.8);
  // a pattern unlike both enrolled classes is rejected by the learner and left to the head
  const q = c.classifyFrame(frameOf(loaded, 0, 1).frame);
  assert.equal(q.by, 'head');
  assert.equal(q.name, p.name);
  store.close();
});

test('switching to a new backbone of the same task re-learns the enrolled classes from their raw events', async () => {
  const old = await loadModel(withEmb);
  const store = openClassStore(tmp.path('db.sqlite'));
  const c = await ClassClassifier.open(store, old, { learner: 'ncm', unknownThreshold: 0 });
  c.enroll({ name: 'four' }, shotOf(c, 4, 1));
  c.enroll({ name: 'six' }, shotOf(c, 6, 1));
  const next = await loadModel(v2);
  assert.notEqual(next.id, old.id);
  const c2 = await ClassClassifier.open(store, next, { learner: 'ncm', unknownThreshold: 0 });
  assert.deepEqual(c2.list().filter((x) => x.origin === 'enrolled').map((x) => [x.name, x.shots]), [['four', 1], ['six', 1]]);
  // the features were recomputed by the new backbone, not copied
  const oldF = store.shotsOfModel(old.id).map((s) => Array.from(s.features));
  const newF = store.shotsOfModel(next.id).map((s) => Array.from(s.features));
  assert.notDeepEqual(newF, oldF);
  assert.ok(hitRate(c2, 4, 'four') >= 0.8);
  assert.ok(hitRate(c2, 6, 'six') >= 0.8);
  store.close();
});

test('a pack from the old backbone imported through the new model is re-learned and recognised', async () => {
  const old = await loadModel(withEmb);
  const a = openClassStore(tmp.path('db.sqlite'));
  const c = await ClassClassifier.open(a, old, { learner: 'ncm', unknownThreshold: 0 });
  c.enroll({ name: 'six' }, shotOf(c, 6, 1));
  const pack = tmp.path('pack.json');
  assert.deepEqual(await c.exportPack(pack), { path: pack, classes: 1 });
  const b = openClassStore(tmp.path('db.sqlite'));
  const c2 = await ClassClassifier.open(b, await loadModel(v2), { learner: 'ncm', unknownThreshold: 0 });
  const [six] = await c2.importPack(pack);
  assert.equal(six.name, 'six');
  assert.ok(hitRate(c2, 6, 'six') >= 0.8);
  a.close();
  b.close();
});
