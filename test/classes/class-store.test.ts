import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { ApiError } from '../../src-main/ipc/contract';
import { MIGRATIONS } from '../../src-main/db';
import { openClassStore } from '../../src-main/classes/class-store';
import { decodeSnippet, encodeSnippet, SnippetError } from '../../src-main/classes/snippet-codec';
import { classNameKey, normaliseClassName } from '../../src-main/classes/names';
import { batchFrom } from '../../src-engine/events/batch';
import { events, fakeModel, features, sameEvents, shot, tempDir } from './helpers';

const tmp = tempDir('nl-classes-');
test.after(tmp.cleanup);

function store(now = () => 1_700_000_000_000) {
  const s = openClassStore(tmp.path('store.sqlite'), { now });
  const m = fakeModel();
  s.registerModel(m);
  return { s, m };
}

const isApi = (code: string, re: RegExp) => (e: unknown) => e instanceof ApiError && e.code === code && re.test(e.message);

test('a registered model lists its pretrained classes in label order; registering again changes nothing', () => {
  const { s, m } = store();
  const list = s.list(m.id);
  assert.deepEqual(list.map((c) => [c.name, c.origin, c.shots, c.labelIndex]), [['wave', 'pretrained', 0, 0], ['clap', 'pretrained', 0, 1], ['swipe', 'pretrained', 0, 2]]);
  s.registerModel(m);
  assert.deepEqual(s.list(m.id).map((c) => c.id), list.map((c) => c.id));
  s.close();
});

test('enroll creates a class, is listed at once, and more shots add to it by id', () => {
  const { s, m } = store();
  const a = s.enroll(m.id, { name: '  Thumbs up ' }, shot(m, 1));
  assert.equal(a.name, 'Thumbs up');
  assert.equal(a.origin, 'enrolled');
  assert.equal(a.shots, 1);
  assert.match(a.colour, /^#[0-9a-f]{6}$/);
  const b = s.enroll(m.id, { classId: a.id, colour: '#AABBCC' }, shot(m, 2));
  assert.equal(b.shots, 2);
  assert.equal(b.colour, '#aabbcc');
  assert.equal(s.list(m.id).find((c) => c.id === a.id)?.shots, 2);
  const shots = s.shots(a.id);
  assert.deepEqual(Array.from(shots[1].features), Array.from(features(m.embeddingSize, 2)));
  assert.ok(sameEvents(s.shotEvents(shots[0].id), events(200, 1)));
  assert.deepEqual(shots[0].geometry, { sensor: 'dvs', width: 128, height: 128 });
  s.close();
});

test('duplicate names are refused across case and Unicode normalisation variants', () => {
  const { s, m } = store();
  s.enroll(m.id, { name: 'Café' }, shot(m, 1));
  for (const dup of ['café', 'CAFÉ', 'Cafe\u0301', 'CAFE\u0301', ' café  ', 'wave', 'WAVE']) {
    assert.throws(() => s.enroll(m.id, { name: dup }, shot(m, 2)), isApi('conflict', /already exists/), dup);
  }
  s.enroll(m.id, { name: 'Strasse' }, shot(m, 3));
  assert.throws(() => s.enroll(m.id, { name: 'Straße' }, shot(m, 4)), isApi('conflict', /"Strasse" already exists.*same name/));
  assert.throws(() => s.enroll(m.id, { name: 'ΟΔΟΣ' }, shot(m, 5)) && s.enroll(m.id, { name: 'οδος' }, shot(m, 6)), isApi('conflict', /already exists/));
  // nothing half-written by the refused attempts
  assert.equal(s.list(m.id).filter((c) => c.origin === 'enrolled').length, 3);
  assert.equal(s.shotsOfModel(m.id).length, 3);
  s.close();
});

test('names: stored NFC, 1–64 code points, no control characters, readable errors', () => {
  assert.equal(normaliseClassName('Cafe\u0301'), 'Café');
  assert.equal(normaliseClassName('👋'.repeat(64)), '👋'.repeat(64));
  assert.throws(() => normaliseClassName('👋'.repeat(65)), /at most 64 characters \(this one has 65\)/);
  assert.throws(() => normaliseClassName('   '), /cannot be empty/);
  assert.throws(() => normaliseClassName('a\nb'), /control characters/);
  assert.throws(() => normaliseClassName('a\ud800b'), /lone surrogate/);
  assert.equal(classNameKey('ǅ'), classNameKey('ǆ'));
});

test('injection-looking names are stored and found verbatim', () => {
  const { s, m } = store();
  const names = [`Robert'); DROP TABLE classes;--`, `" OR 1=1 --`, `%_*\\`, `x'||(SELECT sqlite_version())||'`, `; PRAGMA user_version = 99;`];
  for (const [i, n] of names.entries()) s.enroll(m.id, { name: n }, shot(m, 10 + i));
  const listed = s.list(m.id).filter((c) => c.origin === 'enrolled').map((c) => c.name);
  assert.deepEqual(listed, names);
  for (const n of names) assert.equal(s.findByName(m.id, n)?.name, n);
  assert.equal(s.findByName(m.id, '%'), null);
  assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok');
  s.close();
});

test('undo removes the last shot; undoing the only shot of an enrolled class removes the class', () => {
  const { s, m } = store();
  const a = s.enroll(m.id, { name: 'pinch' }, shot(m, 1));
  s.enroll(m.id, { classId: a.id }, shot(m, 2));
  const after = s.undoLastShot(a.id);
  assert.equal(after?.shots, 1);
  assert.deepEqual(Array.from(s.shots(a.id)[0].features), Array.from(features(m.embeddingSize, 1)));
  assert.equal(s.undoLastShot(a.id), null);
  assert.equal(s.findByName(m.id, 'pinch'), null);
  // a pretrained class with an extra shot keeps existing after undo
  const wave = s.findByName(m.id, 'wave')!;
  s.enroll(m.id, { classId: wave.id }, shot(m, 3));
  assert.equal(s.undoLastShot(wave.id)?.shots, 0);
  assert.throws(() => s.undoLastShot(wave.id), isApi('not-found', /"wave" has no shot to undo/));
  s.close();
});

test('rename, recolour, delete and reset to pretrained', () => {
  const { s, m } = store();
  const a = s.enroll(m.id, { name: 'pinch' }, shot(m, 1));
  assert.equal(s.rename(a.id, 'Pinch ✌').name, 'Pinch ✌');
  assert.equal(s.rename(a.id, 'PINCH ✌').name, 'PINCH ✌', 'a class may change the case of its own name');
  assert.throws(() => s.rename(a.id, 'Clap'), isApi('conflict', /"clap" already exists/));
  assert.throws(() => s.recolour(a.id, 'blue'), isApi('invalid-argument', /#rrggbb/));
  assert.equal(s.recolour(a.id, '#00FF00').colour, '#00ff00');
  const wave = s.findByName(m.id, 'wave')!;
  s.rename(wave.id, 'hello');
  s.delete(s.findByName(m.id, 'clap')!.id);
  assert.throws(() => s.delete(9999), isApi('not-found', /no class with id 9999/));
  const b = s.enroll(m.id, { name: 'tap' }, shot(m, 2));
  s.delete(b.id);
  assert.equal(s.shots(b.id).length, 0, 'shots go with their class');
  const reset = s.resetToPretrained(m.id);
  assert.deepEqual(reset.map((c) => [c.name, c.origin, c.shots]), [['wave', 'pretrained', 0], ['clap', 'pretrained', 0], ['swipe', 'pretrained', 0]]);
  assert.equal(s.shotsOfModel(m.id).length, 0);
  s.close();
});

test('classes belong to their model; bad ids and feature sizes are refused with readable errors', () => {
  const { s, m } = store();
  const other = fakeModel('keywords', ['yes', 'no'], 8, 'keywords');
  s.registerModel(other);
  const a = s.enroll(m.id, { name: 'hello' }, shot(m, 1));
  assert.deepEqual(s.list(other.id).map((c) => c.name), ['yes', 'no']);
  assert.throws(() => s.enroll(other.id, { classId: a.id }, shot(other, 2)), isApi('invalid-argument', /belongs to another model/));
  assert.throws(() => s.enroll(other.id, { name: 'x' }, shot(m, 2)), isApi('invalid-argument', /16 values, the model's embedding has 8/));
  assert.throws(() => s.enroll('f'.repeat(64), { name: 'x' }, shot(m, 2)), isApi('not-found', /not known/));
  assert.throws(() => s.enroll('nope', { name: 'x' }, shot(m, 2)), isApi('invalid-argument', /64 lower-case hex/));
  assert.throws(() => s.enroll(m.id, {}, shot(m, 2)), isApi('invalid-argument', /either an existing class id or a new class name/));
  s.close();
});

test('visitor classes expire', () => {
  let now = 1_000_000;
  const s = openClassStore(tmp.path('kiosk.sqlite'), { now: () => now });
  const m = fakeModel();
  s.registerModel(m);
  s.enroll(m.id, { name: 'visitor', expiresAt: now + 60_000 }, shot(m, 1));
  s.enroll(m.id, { name: 'staff' }, shot(m, 2));
  now += 59_999;
  assert.equal(s.expire(), 0);
  assert.ok(s.findByName(m.id, 'visitor'));
  now += 1;
  assert.equal(s.list(m.id).some((c) => c.name === 'visitor'), false, 'hidden from the list the moment it expires');
  assert.equal(s.expire(), 1);
  assert.equal(s.findByName(m.id, 'visitor'), null);
  assert.ok(s.findByName(m.id, 'staff'));
  s.close();
});

test('snippet codec: exact round trip (deltas and absolute f64), corrupt input names the offset', () => {
  const a = events(1000, 5);
  assert.ok(sameEvents(decodeSnippet(encodeSnippet(a)), a));
  const odd = batchFrom([5.5, 3, 1e15], [1, 2, 65535], [0, 65535, 7], [1, 0, 1]);
  const enc = encodeSnippet(odd);
  assert.equal(enc[5], 1, 'non-integer / decreasing times are stored as f64');
  assert.ok(sameEvents(decodeSnippet(enc), odd));
  assert.equal(decodeSnippet(encodeSnippet(batchFrom([], [], [], []))).length, 0);
  const good = encodeSnippet(a);
  assert.throws(() => decodeSnippet(good.subarray(0, good.length - 1)), (e: unknown) => e instanceof SnippetError && /1000 events need \d+ bytes/.test(e.message));
  const bad = good.slice();
  bad[0] = 0;
  assert.throws(() => decodeSnippet(bad), /byte 0: not an event snippet/);
  const v2 = good.slice();
  v2[4] = 2;
  assert.throws(() => decodeSnippet(v2), /byte 4: version 2/);
});

test('pack: export → import into another database round-trips classes, shots, events and features', async () => {
  const { s, m } = store();
  const a = s.enroll(m.id, { name: 'pinch 🤏', colour: '#123456' }, shot(m, 1));
  s.enroll(m.id, { classId: a.id }, shot(m, 2));
  s.enroll(m.id, { name: 'tap' }, shot(m, 3));
  const path = tmp.path('pack.json');
  assert.deepEqual(await s.exportPack(path, m.id), { path, classes: 2 });
  const { s: t } = store();
  const imported = await t.importPack(path, m.id);
  assert.deepEqual(imported.map((c) => [c.name, c.colour, c.shots, c.origin]), [['pinch 🤏', '#123456', 2, 'enrolled'], ['tap', s.findByName(m.id, 'tap')!.colour, 1, 'enrolled']]);
  const src = s.shotsOfModel(m.id), dst = t.shotsOfModel(m.id);
  assert.equal(dst.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(Array.from(dst[i].features), Array.from(src[i].features));
    assert.ok(sameEvents(t.shotEvents(dst[i].id), s.shotEvents(src[i].id)));
    assert.equal(dst[i].createdAt, src[i].createdAt);
  }
  // importing again: the names exist, nothing is written
  await assert.rejects(t.importPack(path, m.id), isApi('conflict', /already has classes named "pinch 🤏", "tap"/));
  assert.equal(t.shotsOfModel(m.id).length, 3);
  // merge adds the shots to the existing classes
  await t.importPack(path, m.id, { onConflict: 'merge' });
  assert.equal(t.findByName(m.id, 'tap')!.shots, 2);
  s.close();
  t.close();
});

test('pack: corrupt or foreign files are refused with the field named, and nothing is imported', async () => {
  const { s, m } = store();
  s.enroll(m.id, { name: 'pinch' }, shot(m, 1));
  const path = tmp.path('pack.json');
  await s.exportPack(path, m.id);
  const good = JSON.parse(readFileSync(path, 'utf8'));
  const { s: t } = store();
  const attempt = async (mutate: (p: any) => unknown, re: RegExp) => {
    const p = structuredClone(good);
    const text = mutate(p);
    const f = tmp.path('bad.json');
    writeFileSync(f, typeof text === 'string' ? text : JSON.stringify(p));
    await assert.rejects(t.importPack(f, m.id), (e: unknown) => e instanceof ApiError && re.test(e.message), re.source);
  };
  await attempt(() => '{"format": "neurolive-class-pack", "vers', /not JSON/);
  await attempt((p) => { p.format = 'zip'; }, /format is "zip", expected "neurolive-class-pack"/);
  await attempt((p) => { p.version = 9; }, /version 9, this Neurolive reads version 1/);
  await attempt((p) => { p.classes[0].colour = 'red'; }, /classes\.0\.colour: a colour is #rrggbb/);
  await attempt((p) => { p.classes[0].name = ''; }, /classes\.0 \(""\)\.name: a class name cannot be empty/);
  await attempt((p) => { p.classes[0].shots = []; }, /classes\.0\.shots: a class in a pack needs at least one shot/);
  await attempt((p) => { p.classes[0].shots[0].events = p.classes[0].shots[0].events.slice(0, 40); }, /classes\.0 \("pinch"\)\.shots\.0\.events: event snippet, byte \d+/);
  await attempt((p) => { p.classes[0].shots[0].eventCount = 3; }, /events hold 200 events, eventCount says 3/);
  await attempt((p) => { p.classes[0].shots[0].features = Buffer.from([1, 2, 3]).toString('base64'); }, /features: 3 values, the pack's model embeds 16/);
  await attempt((p) => { p.classes[0].shots[0].features = '!!!'; }, /features: not base64/);
  await attempt((p) => { p.classes.push(structuredClone(p.classes[0])); p.classes[1].name = 'PINCH'; }, /two classes named "PINCH"/);
  await attempt((p) => { p.model.id = 'e'.repeat(64); }, /made with model "gesture".*needs the model loaded/);
  assert.equal(t.list(m.id).filter((c) => c.origin === 'enrolled').length, 0);
  s.close();
  t.close();
});

test('importing into a different backbone re-learns features from the raw events', async () => {
  const { s, m } = store();
  s.enroll(m.id, { name: 'pinch' }, shot(m, 1));
  const path = tmp.path('pack.json');
  await s.exportPack(path, m.id);
  const other = fakeModel('gesture-v2', m.labels as string[], 4);
  const { s: t } = store();
  t.registerModel(other);
  const seen: number[] = [];
  const [c] = await t.importPack(path, other.id, {
    featureFn: async (ev) => {
      seen.push(ev.length);
      return Uint8Array.of(ev.length & 255, ev.x[0] & 255, 0, 1);
    },
  });
  assert.deepEqual(seen, [200]);
  assert.deepEqual(Array.from(t.shots(c.id)[0].features), [200, events(200, 1).x[0] & 255, 0, 1]);
  assert.equal(t.shots(c.id)[0].modelId, other.id);
  s.close();
  t.close();
});

test('backbone change: classes of the old model of the same task are re-learned from raw snippets', async () => {
  const { s, m } = store();
  const a = s.enroll(m.id, { name: 'pinch', colour: '#010203' }, shot(m, 1));
  s.enroll(m.id, { classId: a.id }, shot(m, 2));
  s.enroll(m.id, { name: 'tap' }, shot(m, 3));
  const v2 = fakeModel('gesture', [...m.labels, 'circle'], 8);
  s.registerModel(v2);
  assert.equal(s.relearnSource(v2.id), m.id);
  const keywords = fakeModel('kw', ['yes'], 8, 'keywords');
  s.registerModel(keywords);
  assert.equal(s.relearnSource(keywords.id), null, 'another task never inherits');
  const classes = await s.relearn(v2.id, async (ev) => new Uint8Array(8).fill(ev.length % 7));
  assert.deepEqual(classes.map((c) => [c.name, c.origin, c.shots]), [
    ['wave', 'pretrained', 0], ['clap', 'pretrained', 0], ['swipe', 'pretrained', 0], ['circle', 'pretrained', 0], ['pinch', 'enrolled', 2], ['tap', 'enrolled', 1],
  ]);
  assert.equal(s.findByName(v2.id, 'pinch')!.colour, '#010203');
  assert.ok(s.shotsOfModel(v2.id).every((sh) => sh.features.length === 8 && sh.modelId === v2.id));
  assert.equal(s.relearnSource(v2.id), null, 'done once');
  assert.equal(s.list(m.id).filter((c) => c.origin === 'enrolled').length, 2, 'the old model keeps its classes');
  s.close();
});
