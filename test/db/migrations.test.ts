import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkMigrations, DatabaseVersionError, defaultDbPath, appDataDir, inTransaction, migrate, MIGRATIONS, openDatabase, userVersion, type Migration } from '../../src-main/db';

const dir = mkdtempSync(join(tmpdir(), 'nl-db-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db${n++}`, 'app.sqlite');

const tables = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

test('fresh database: every step applied, WAL, foreign keys, FULL sync, busy timeout', () => {
  const db = openDatabase(fresh());
  assert.equal(userVersion(db), MIGRATIONS.length);
  for (const t of ['classes', 'learned_state', 'models', 'shots']) assert.ok(tables(db).includes(t), t);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('reopening an up-to-date database applies nothing', () => {
  const p = fresh();
  openDatabase(p).close();
  const db = new Database(p);
  assert.deepEqual(migrate(db), []);
  db.close();
});

test('upgrade from an older user_version applies only the missing steps, keeping data', () => {
  const p = fresh();
  const v1 = openDatabase(p, { migrations: MIGRATIONS.slice(0, 1) });
  v1.prepare(`INSERT INTO models (id, name, task, embedding_size, added_at) VALUES (?, 'm', 'gesture', 8, 0)`).run('a'.repeat(64));
  v1.close();
  const step2: Migration = { version: 2, name: 'extra', up: (db) => db.exec(`CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT) STRICT`) };
  const db = new Database(p);
  assert.deepEqual(migrate(db, [...MIGRATIONS.slice(0, 1), step2]), [2]);
  assert.equal(userVersion(db), 2);
  assert.ok(tables(db).includes('extra'));
  assert.equal((db.prepare('SELECT count(*) AS n FROM models').get() as { n: number }).n, 1);
  db.close();
});

test('a failing step rolls back entirely: no half table, user_version unchanged', () => {
  const p = fresh();
  openDatabase(p).close();
  const bad: Migration = {
    version: MIGRATIONS.length + 1,
    name: 'bad',
    up: (db) => {
      db.exec('CREATE TABLE half (x INTEGER)');
      db.exec('THIS IS NOT SQL');
    },
  };
  const db = new Database(p);
  assert.throws(() => migrate(db, [...MIGRATIONS, bad]), /syntax error/);
  assert.equal(userVersion(db), MIGRATIONS.length);
  assert.ok(!tables(db).includes('half'));
  db.close();
});

test('a database from a newer build is refused, not written', () => {
  const p = fresh();
  openDatabase(p).close();
  const raw = new Database(p);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(() => openDatabase(p), (e: Error) => e instanceof DatabaseVersionError && new RegExp(`schema version 99.*knows up to ${MIGRATIONS.length}`).test(e.message));
});

test('migration list must be numbered 1, 2, 3 … in order', () => {
  const up = () => {};
  assert.throws(() => checkMigrations([{ version: 1, name: 'a', up }, { version: 3, name: 'c', up }]), /'c' has version 3, expected 2/);
  assert.doesNotThrow(() => checkMigrations(MIGRATIONS));
});

test('inTransaction commits on return and rolls back on throw', () => {
  const db = openDatabase(fresh());
  const ins = db.prepare(`INSERT INTO models (id, name, task, embedding_size, added_at) VALUES (?, 'm', 't', 4, 0)`);
  inTransaction(db, () => ins.run('b'.repeat(64)));
  assert.throws(() => inTransaction(db, () => {
    ins.run('c'.repeat(64));
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual((db.prepare('SELECT id FROM models').all() as { id: string }[]).map((r) => r.id[0]), ['b']);
  db.close();
});

test('schema refuses what the application refuses (foreign keys, origin, colour, name length)', () => {
  const db = openDatabase(fresh());
  const ins = db.prepare(`INSERT INTO classes (model_id, name, name_key, colour, origin, label_index, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)`);
  assert.throws(() => ins.run('d'.repeat(64), 'x', 'x', '#112233', 'enrolled', null), /FOREIGN KEY/);
  db.prepare(`INSERT INTO models (id, name, task, embedding_size, added_at) VALUES (?, 'm', 't', 4, 0)`).run('d'.repeat(64));
  assert.throws(() => ins.run('d'.repeat(64), 'x', 'x', '#112233', 'magic', null), /CHECK/);
  assert.throws(() => ins.run('d'.repeat(64), 'x', 'x', 'red', 'enrolled', null), /CHECK/);
  assert.throws(() => ins.run('d'.repeat(64), 'x'.repeat(65), 'x', '#112233', 'enrolled', null), /CHECK/);
  assert.doesNotThrow(() => ins.run('d'.repeat(64), '😀'.repeat(64), 'k', '#112233', 'enrolled', null));
  db.close();
});

test('database path: --db, then NEUROLIVE_DB, then the platform app-data folder', () => {
  assert.equal(defaultDbPath('/x/y.sqlite', { NEUROLIVE_DB: '/z' }), '/x/y.sqlite');
  assert.equal(defaultDbPath(undefined, { NEUROLIVE_DB: '/z.sqlite' }), '/z.sqlite');
  assert.equal(appDataDir('linux', {}, '/home/u'), '/home/u/.config/Neurolive');
  assert.equal(appDataDir('darwin', {}, '/Users/u'), '/Users/u/Library/Application Support/Neurolive');
  assert.match(appDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u'), /Roaming.Neurolive$/);
});
