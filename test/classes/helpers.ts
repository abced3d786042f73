// Shared fixtures for the class-store tests: a temp folder, a fake model and shots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import type { ModelRecord, ShotInput } from '../../src-main/classes/class-store';

export function tempDir(prefix: string): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return { dir, path: (name) => join(dir, `${n++}-${name}`), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function fakeModel(name = 'gesture', labels: string[] = ['wave', 'clap', 'swipe'], embeddingSize = 16, task = 'gesture'): ModelRecord {
  return { id: createHash('sha256').update(`${name}/${labels.join(',')}/${embeddingSize}`).digest('hex'), name, task, embeddingSize, labels };
}

/** a deterministic little recording: n events starting at t0 */
export function events(n: number, seed: number, t0 = 1_000_000): EventBatch {
  const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  let tt = t0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    tt += s % 97;
    t[i] = tt;
    x[i] = s % 128;
    y[i] = (s >>> 8) % 128;
    p[i] = (s >>> 16) & 1;
  }
  return batchFrom(t, x, y, p);
}

export function features(size: number, seed: number): Uint8Array {
  const f = new Uint8Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    f[i] = (s >>> 24) % 16;
  }
  return f;
}

export function shot(model: ModelRecord, seed: number, n = 200): ShotInput {
  return { events: events(n, seed), geometry: { sensor: 'dvs', width: 128, height: 128 }, features: features(model.embeddingSize, seed) };
}

export function sameEvents(a: EventBatch, b: EventBatch): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a.t[i] !== b.t[i] || a.x[i] !== b.x[i] || a.y[i] !== b.y[i] || a.p[i] !== b.p[i]) return false;
  return true;
}
