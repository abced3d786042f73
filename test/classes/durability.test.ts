// Kills an enrolling process (SIGKILL) at random moments, 51 times (three
// databases side by side, 17 kills each, so process start-up overlaps); after each
// kill the database must pass PRAGMA integrity_check and hold every enrollment
// the child had acknowledged (printed after its commit returned): the shot's
// raw events decode to exactly what was enrolled, its features match, and its
// class is listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { openClassStore } from '../../src-main/classes/class-store';
import { events, fakeModel, features, sameEvents, tempDir } from './helpers';

const KILLS = 51; // ≥ 50, split evenly over the lanes
const tmp = tempDir('nl-durability-');
test.after(tmp.cleanup);

// bundled once, so each restart costs a plain node start instead of a TypeScript compile
const child = join(tmp.dir, 'child.cjs');
buildSync({ entryPoints: [join(import.meta.dirname, 'durability-child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: child, external: ['better-sqlite3'], minify: true, logLevel: 'silent' });
const NODE_PATH = join(import.meta.dirname, '../../node_modules');

/** runs the child until it has acknowledged `acks` enrollments (or started, for 0), then SIGKILLs it */
function runAndKill(dbPath: string, firstSeed: number, acks: number): Promise<{ shotId: number; classId: number; seed: number }[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dbPath, String(firstSeed)], { env: { ...process.env, NODE_PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: { shotId: number; classId: number; seed: number }[] = [];
    let buf = '';
    let err = '';
    let killed = false;
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => (err += d));
    p.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
        if (m) acked.push({ shotId: Number(m[1]), classId: Number(m[2]), seed: Number(m[3]) });
        if (!killed && (line === 'ready' ? acks === 0 : acked.length >= acks)) {
          killed = true;
          p.kill('SIGKILL');
        }
      }
    });
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${err}`));
      // acks printed before the kill landed count too: they were committed
      else resolve(acked);
    });
  });
}

const LANES = 3;

/** one database: KILLS / LANES kill-restart-check rounds; returns the acknowledged enrollments */
async function lane(lane: number): Promise<number> {
  const dbPath = join(tmp.dir, `app-${lane}.sqlite`);
  const model = fakeModel();
  let rng = 12345 + lane;
  const rand = (n: number) => ((rng = (rng * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const all: { shotId: number; classId: number; seed: number }[] = [];
  let seed = 1;
  for (let k = 0; k < KILLS / LANES; k++) {
    // 0 acks: killed during start-up (opening, migrating, registering the model)
    const acked = await runAndKill(dbPath, seed, rand(6));
    all.push(...acked);
    seed += 1000;
    const store = openClassStore(dbPath);
    try {
      const at = `lane ${lane}, kill ${k}`;
      assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok', at);
      assert.equal((store.db.pragma("foreign_key_check") as unknown[]).length, 0, at);
      if (all.length === 0) continue;
      const listed = new Set(store.list(model.id).map((c) => c.id));
      for (const a of all) {
        assert.ok(listed.has(a.classId), `${at}: class ${a.classId} of an acknowledged enrollment is listed`);
        const s = store.shots(a.classId).find((x) => x.id === a.shotId);
        assert.ok(s, `${at}: acknowledged shot ${a.shotId} exists`);
        assert.deepEqual(Array.from(s.features), Array.from(features(model.embeddingSize, a.seed)), at);
        assert.ok(sameEvents(store.shotEvents(a.shotId), events(2000, a.seed)), `${at}: shot ${a.shotId} events intact`);
      }
    } finally {
      store.close();
    }
  }
  return all.length;
}

test(`SIGKILL while enrolling, ${KILLS} times: integrity ok and every acknowledged enrollment intact`, { timeout: 180_000 }, async () => {
  const acked = await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
  for (const n of acked) assert.ok(n >= KILLS / LANES, `enrollments were acknowledged in every lane (${acked.join(', ')})`);
});
