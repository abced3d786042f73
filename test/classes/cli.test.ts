// The edge-learning CLI in-process (main() with captured output): enroll from
// event files, list, classify with the enrolled class, forget, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { concatBatches } from '../../src-engine/events/batch';
import { writeEventFile } from '../../src-engine/node/open-file';
import { main } from '../../src-main/cli/main';
import { pattern, SENSOR, WINDOW_US, writeModelFolder } from './model-fixture';
import { tempDir } from './helpers';

const tmp = tempDir('nl-classes-cli-');
test.after(tmp.cleanup);
const model = writeModelFolder(join(tmp.dir, 'model'), { embeddings: true });
const db = join(tmp.dir, 'app.sqlite');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = process.stdout.write, e = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

async function eventFile(name: string, k: number, seeds: number[]): Promise<string> {
  const path = join(tmp.dir, name);
  await writeEventFile(path, SENSOR, [concatBatches(seeds.map((s, i) => pattern(k, s, 3000, 1_000_000 + i * WINDOW_US)))]);
  return path;
}

test('enroll → classes → classify recognises the enrolled class → forget', async () => {
  const shots = [await eventFile('four-1.aedat4', 4, [1]), await eventFile('four-2.aedat4', 4, [2])];
  const query = await eventFile('query.aedat4', 4, [31, 32, 33]);
  const r = await run('enroll', '--model', model, '--class', 'Four 4️⃣', '--db', db, ...shots);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /four-1\.aedat4: "Four 4️⃣" shot 1 \(class \d+, enrolled\).*learned and committed in [\d.]+ ms/);
  assert.match(r.out, /four-2\.aedat4: "Four 4️⃣" shot 2/);

  // the same name in another case adds to the class
  const again = await run('enroll', '--model', model, '--class', 'FOUR 4️⃣', '--db', db, '--json', shots[0]);
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.parse(again.out).shots, 3);

  process.env.NEUROLIVE_DB = db;
  try {
    const list = await run('classes', '--model', model, '--json');
    assert.equal(list.code, 0, list.err);
    const [{ classes }] = JSON.parse(list.out);
    assert.deepEqual(classes.filter((c: { origin: string }) => c.origin === 'enrolled').map((c: { name: string; shots: number }) => [c.name, c.shots]), [['Four 4️⃣', 3]]);
    assert.equal(classes.filter((c: { origin: string }) => c.origin === 'pretrained').length, 10);
    const text = await run('classes');
    assert.match(text.out, /test-gesture \(test-gesture, [0-9a-f]{12}…\): 11 classes/);
    assert.match(text.out, /enrolled\s+3 shots\s+Four 4️⃣/);
  } finally {
    delete process.env.NEUROLIVE_DB;
  }

  const c = await run('classify', query, '--model', model, '--db', db, '--json', '--threshold', '0');
  assert.equal(c.code, 0, c.err);
  const lines = c.out.trim().split('\n').map((l) => JSON.parse(l));
  const windows = lines.filter((l) => l.type === 'window');
  assert.ok(windows.length >= 3);
  const busy = windows.filter((w) => w.events > 1000);
  assert.ok(busy.length >= 2 && busy.every((w) => w.label === 'Four 4️⃣' && w.origin === 'enrolled' && w.by === 'learner'), JSON.stringify(windows));
  assert.equal(lines.at(-1).type, 'totals');

  const f = await run('forget', 'four 4️⃣', '--db', db);
  assert.equal(f.code, 0, f.err);
  assert.match(f.out, /forgot "Four 4️⃣" \(enrolled, 3 shots\) of test-gesture/);
  const after = await run('classify', query, '--model', model, '--db', db, '--json');
  assert.ok(!after.out.includes('Four 4️⃣'));
});

test('CLI errors: usage (64) and bad input (2) with readable messages', async () => {
  const shot = await eventFile('x.aedat4', 5, [1]);
  let r = await run('enroll', '--model', model, '--db', db, shot);
  assert.equal(r.code, 64);
  assert.match(r.err, /enroll needs --class NAME/);
  r = await run('enroll', '--model', join(tmp.dir, 'nope'), '--class', 'x', '--db', db, shot);
  assert.equal(r.code, 2);
  assert.match(r.err, /no model folder/);
  r = await run('enroll', '--model', model, '--class', '   ', '--db', db, shot);
  assert.equal(r.code, 2);
  assert.match(r.err, /a class name cannot be empty/);
  r = await run('enroll', '--model', model, '--class', 'x', '--learner', 'svm', '--db', db, shot);
  assert.equal(r.code, 64);
  assert.match(r.err, /--learner must be ncm or binary-fc/);
  r = await run('forget', 'never enrolled', '--db', db);
  assert.equal(r.code, 2);
  assert.match(r.err, /no class named "never enrolled"/);
  r = await run('classify', shot, '--model', model, '--db', db, '--hop', '10ms');
  assert.equal(r.code, 64);
  assert.match(r.err, /--hop applies to a bare \.nlm model/);
});
