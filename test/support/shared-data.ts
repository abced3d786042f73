// Access to the real recordings in ../shared/data/events (never copied into the repo).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventBatch } from '../../src-engine/events/batch';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_EVENTS_DIR = resolve(here, '../../../shared/data/events');
export const hasSharedData = existsSync(SHARED_EVENTS_DIR);

/** Use as `{ skip: skipWithoutSharedData }` in node:test; also prints once why. */
export const skipWithoutSharedData: string | false = hasSharedData
  ? false
  : `real recordings not found at ${SHARED_EVENTS_DIR}: skipping ground-truth checks`;
if (!hasSharedData) console.log(`# SKIP ${skipWithoutSharedData}`);

export type Txyp = [number, number, number, number];

export interface Truth {
  format: string;
  width: number | null;
  height: number | null;
  file: string;
  count: number;
  first: Txyp[];
  last: Txyp[];
  t_min: number;
  t_max: number;
  sum_x: number;
  sum_y: number;
  sum_p: number;
  sum_t_minus_first: number;
  max_x: number;
  max_y: number;
  sha256: string;
  sensor_size_convention?: [number, number];
  [k: string]: unknown;
}

export const SHARED_FILES = [
  'evt2_sample.raw',
  'ncars_sample.dat',
  'dvxplorer_sample.aedat4',
  'dvs128_walking.aedat',
  'davis240c_translboxes.aedat',
] as const;

export function sharedPath(name: string): string {
  return join(SHARED_EVENTS_DIR, name);
}

export function loadTruth(name: string): Truth {
  return JSON.parse(readFileSync(sharedPath(`${name}.truth.json`), 'utf8')) as Truth;
}

export function loadFramesTruth(name: string): any {
  return JSON.parse(readFileSync(sharedPath(`${name}.frames.json`), 'utf8'));
}

/** The truth files' recipe: sha256 over packed 13-byte records <i8 t, <u2 x, <u2 y, u1 p>. */
export function eventsSha256(b: EventBatch): string {
  const rec = Buffer.alloc(b.length * 13);
  for (let i = 0; i < b.length; i++) {
    const o = i * 13;
    rec.writeBigInt64LE(BigInt(b.t[i]), o);
    rec.writeUInt16LE(b.x[i], o + 8);
    rec.writeUInt16LE(b.y[i], o + 10);
    rec.writeUInt8(b.p[i], o + 12);
  }
  return createHash('sha256').update(rec).digest('hex');
}

export function eventAt(b: EventBatch, i: number): Txyp {
  return [b.t[i], b.x[i], b.y[i], b.p[i]];
}

/** Checks a decoded recording against every figure in its truth file; returns a list of mismatches. */
export function compareWithTruth(b: EventBatch, truth: Truth): string[] {
  const bad: string[] = [];
  const eq = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  eq('count', b.length, truth.count);
  if (b.length === 0) return bad;
  eq('first', truth.first.map((_, i) => eventAt(b, i)), truth.first);
  eq('last', truth.last.map((_, i) => eventAt(b, b.length - truth.last.length + i)), truth.last);
  let sx = 0, sy = 0, sp = 0, st = 0, mx = 0, my = 0, tmin = Infinity, tmax = -Infinity;
  const t0 = b.t[0];
  for (let i = 0; i < b.length; i++) {
    sx += b.x[i]; sy += b.y[i]; sp += b.p[i]; st += b.t[i] - t0;
    if (b.x[i] > mx) mx = b.x[i];
    if (b.y[i] > my) my = b.y[i];
    if (b.t[i] < tmin) tmin = b.t[i];
    if (b.t[i] > tmax) tmax = b.t[i];
  }
  eq('sum_x', sx, truth.sum_x);
  eq('sum_y', sy, truth.sum_y);
  eq('sum_p', sp, truth.sum_p);
  eq('sum_t_minus_first', st, truth.sum_t_minus_first);
  eq('max_x', mx, truth.max_x);
  eq('max_y', my, truth.max_y);
  eq('t_min', tmin, truth.t_min);
  eq('t_max', tmax, truth.t_max);
  eq('sha256', eventsSha256(b), truth.sha256);
  return bad;
}
