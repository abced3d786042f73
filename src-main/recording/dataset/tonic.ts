/**
 * Tonic-style dataset folder: what a Python user loads with numpy alone.
 *
 *   labels.csv     filename,label          one row per sample
 *   NNNN_<label>.npy                       one structured array per take:
 *                                          [('t','<i8'),('x','<u2'),('y','<u2'),('p','|u1')]
 *                                          (t µs as recorded, p 1 = ON) — tonic's
 *                                          make_structured_array field names
 *   meta.json      sensor_size [W, H, 2] (tonic's convention) of the first
 *                  sample, and per sample its own size, sensor and notes
 *
 *   events = np.load('0001_wave.npy'); events['t'], events['x'] …
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, normalize } from 'node:path';
import { z } from 'zod';
import { EventFormatError } from '../../../src-engine/formats/errors';
import { NPY_EVENT_FIELDS } from '../../../src-engine/formats/numpy/npy-events';
import { openEventFile, writeEventFile } from '../../../src-engine/node/open-file';
import type { TakeInfo } from '../../ipc/contract';
import type { RecordingService } from '../service';
import { expectHeader, formatCsv, parseCsvRows } from './csv-rows';
import { DatasetError } from './errors';
import { slug } from './names';

export const TONIC_LABELS = 'labels.csv';
export const TONIC_META = 'meta.json';

const SampleMeta = z.object({
  width: z.number().int().min(1).max(32768),
  height: z.number().int().min(1).max(32768),
  sensor: z.string().max(200).optional(),
  notes: z.string().max(2000).optional(),
  createdAt: z.number().optional(),
});
const TonicMeta = z.object({
  format: z.literal('neurolive-tonic').optional(),
  sensor_size: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int()]).optional(),
  samples: z.record(z.string(), SampleMeta).optional(),
});
type TonicMeta = z.infer<typeof TonicMeta>;

export type { Report } from './progress';
import { EventProgress, type Report } from './progress';

export async function exportTonic(service: RecordingService, dir: string, takes: readonly TakeInfo[], report: Report): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  if (existsSync(join(dir, TONIC_LABELS))) throw new DatasetError(join(dir, TONIC_LABELS), 'already exists: export into an empty folder (nothing was overwritten)');
  const rows: [string, string][] = [];
  const samples: NonNullable<TonicMeta['samples']> = {};
  const width = String(takes.length).length;
  const progress = new EventProgress(takes.reduce((n, t) => n + t.events, 0), report);
  for (const [i, take] of takes.entries()) {
    const name = `${String(i + 1).padStart(Math.max(4, width), '0')}_${slug(take.label)}.npy`;
    await writeEventFile(join(dir, name), { width: take.width, height: take.height }, progress.count(await service.openTake(take.id, { reuseBatches: true })));
    rows.push([name, take.label]);
    samples[name] = { width: take.width, height: take.height, sensor: take.sensor, notes: take.notes, createdAt: take.createdAt };
  }
  const first = takes[0];
  const meta = {
    format: 'neurolive-tonic',
    sensor_size: first ? [first.width, first.height, 2] : undefined,
    dtype: NPY_EVENT_FIELDS,
    samples,
  };
  await writeFile(join(dir, TONIC_META), JSON.stringify(meta, null, 1) + '\n');
  // labels.csv last: a folder with it is a complete export
  await writeFile(join(dir, TONIC_LABELS), formatCsv(['filename', 'label'], rows));
  progress.finish();
  return [...rows.map((r) => r[0]), TONIC_META, TONIC_LABELS];
}

interface PlannedSample {
  file: string;
  line: number;
  label: string;
  meta: z.infer<typeof SampleMeta>;
}

async function readMeta(dir: string): Promise<TonicMeta> {
  const path = join(dir, TONIC_META);
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new DatasetError(path, `not valid JSON (${(e as Error).message})`);
  }
  const r = TonicMeta.safeParse(json);
  if (!r.success) throw new DatasetError(path, r.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`).join('; '));
  return r.data;
}

/** Reads labels.csv and meta.json and checks every named file exists before anything is imported. */
export async function planTonicImport(dir: string): Promise<PlannedSample[]> {
  const labelsPath = join(dir, TONIC_LABELS);
  if (!existsSync(labelsPath)) throw new DatasetError(labelsPath, 'not found: a tonic-style dataset has a labels.csv (filename,label)');
  const rows = expectHeader(parseCsvRows(await readFile(labelsPath, 'utf8'), labelsPath), ['filename', 'label'], labelsPath);
  const meta = await readMeta(dir);
  const seen = new Set<string>();
  return rows.map(({ line, fields: [file, label] }) => {
    const fail = (reason: string): never => {
      throw new DatasetError(labelsPath, reason, line);
    };
    if (!file) fail('the filename is empty');
    if (normalize(file).startsWith('..') || file.startsWith('/') || file.includes('\\')) fail(`"${file}" is outside the dataset folder`);
    if (!file.toLowerCase().endsWith('.npy')) fail(`"${file}" is not a .npy file`);
    if (seen.has(file)) fail(`"${file}" is listed twice`);
    seen.add(file);
    if (!label.trim()) fail(`the label of "${file}" is empty`);
    if (!existsSync(join(dir, file))) fail(`"${file}" does not exist in ${dir}`);
    const own = meta.samples?.[file];
    const size = own ?? (meta.sensor_size ? { width: meta.sensor_size[0], height: meta.sensor_size[1] } : undefined);
    if (!size) fail(`no sensor size for "${file}": ${TONIC_META} needs sensor_size [W, H, 2] (a .npy cannot hold one)`);
    return { file, line, label: label.trim(), meta: { ...size!, ...own } };
  });
}

/** Imports every sample as a take; on any failure the takes added so far are removed again. */
export async function importTonic(service: RecordingService, dir: string, report: Report): Promise<TakeInfo[]> {
  const plan = await planTonicImport(dir);
  const added: TakeInfo[] = [];
  report(0, plan.length);
  try {
    for (const [i, s] of plan.entries()) {
      const path = join(dir, s.file);
      const stream = await openEventFile(path, { format: 'npy', width: s.meta.width, height: s.meta.height });
      const take = await service.beginTake({
        label: s.label,
        notes: s.meta.notes ?? '',
        source: { sensor: s.meta.sensor ?? `imported: ${basename(s.file)}`, width: s.meta.width, height: s.meta.height },
        createdAt: s.meta.createdAt,
      });
      try {
        for await (const b of stream) {
          const bad = outside(b.x, b.y, b.length, s.meta.width, s.meta.height);
          if (bad >= 0) throw new DatasetError(path, `event ${take.events + bad} at (${b.x[bad]}, ${b.y[bad]}) is outside the ${s.meta.width} × ${s.meta.height} sensor given in ${TONIC_META}`);
          await take.write(b);
        }
      } catch (e) {
        await take.abort();
        throw e instanceof EventFormatError ? new DatasetError(path, e.message) : e;
      }
      added.push(await take.commit());
      report(i + 1, plan.length);
    }
  } catch (e) {
    for (const t of added) await service.deleteTake(t.id).catch(() => undefined);
    throw e;
  }
  return added;
}

function outside(x: Uint16Array, y: Uint16Array, n: number, w: number, h: number): number {
  for (let i = 0; i < n; i++) if (x[i] >= w || y[i] >= h) return i;
  return -1;
}

export async function removeExport(dir: string, files: readonly string[]): Promise<void> {
  for (const f of files) await rm(join(dir, f), { force: true });
}
