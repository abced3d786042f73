/**
 * DVS Gesture-style dataset folder (IBM DVS128 Gesture's own layout):
 *
 *   take0001_<label>.aedat          AEDAT 3.1, one per take, times as recorded
 *   take0001_<label>_labels.csv     class,startTime_usec,endTime_usec
 *                                   (one row: the take's first event time and
 *                                   last + 1, so [start, end) holds every event)
 *   classes.csv                     class,name — every class id used: DVS
 *                                   Gesture's own 1–11 where a label is one of
 *                                   its classes, 12… for the others
 *
 * Import reads any folder in this layout, the original dataset included:
 * every `X.aedat` with an `X_labels.csv` beside it; each labels row becomes a
 * take of the events with start ≤ t < end (one pass over the file). Class
 * names come from classes.csv, else DVS Gesture's list.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DVS_GESTURE_CLASSES, formatGestureLabels, type GestureLabel, labelsPathFor, parseGestureLabels } from '../../../src-engine/formats/aedat/gesture-labels';
import { aedat3Writer } from '../../../src-engine/formats/aedat/aedat3';
import type { EventBatch } from '../../../src-engine/events/batch';
import { EventFormatError } from '../../../src-engine/formats/errors';
import { openFileSink } from '../../../src-engine/node/file-io';
import { openEventFile } from '../../../src-engine/node/open-file';
import type { TakeInfo } from '../../ipc/contract';
import { type PendingTake, type RecordingService, selectTimeRange } from '../service';
import { expectHeader, formatCsv, parseCsvRows } from './csv-rows';
import { DatasetError } from './errors';
import { assignClassIds, slug } from './names';
import { EventProgress, type Report } from './progress';

export const CLASSES_CSV = 'classes.csv';

export async function exportDvsGesture(service: RecordingService, dir: string, takes: readonly TakeInfo[], report: Report): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  if (existsSync(join(dir, CLASSES_CSV))) throw new DatasetError(join(dir, CLASSES_CSV), 'already exists: export into an empty folder (nothing was overwritten)');
  const ids = assignClassIds(takes.map((t) => t.label));
  const maxClassId = Math.max(DVS_GESTURE_CLASSES.length, ...ids.values());
  const written: string[] = [];
  const width = Math.max(4, String(takes.length).length);
  const progress = new EventProgress(takes.reduce((n, t) => n + t.events, 0), report);
  for (const [i, take] of takes.entries()) {
    const name = `take${String(i + 1).padStart(width, '0')}_${slug(take.label)}.aedat`;
    const row = service.row(take.id);
    // writerForPath reads '.aedat' as AEDAT 4, so the AEDAT 3.1 writer is named explicitly
    await writeAedat31(join(dir, name), take, progress.count(await service.openTake(take.id, { reuseBatches: true })));
    const label: GestureLabel = { classId: ids.get(take.label)!, startUs: row.t_first_us, endUs: take.events > 0 ? row.t_last_us + 1 : row.t_first_us };
    await writeFile(labelsPathFor(join(dir, name)), formatGestureLabels([label], { maxClassId }));
    written.push(name, labelsPathFor(name));
  }
  const classes = [...ids.entries()].sort((a, b) => a[1] - b[1]).map(([label, id]) => [id, label] as [number, string]);
  await writeFile(join(dir, CLASSES_CSV), formatCsv(['class', 'name'], classes));
  written.push(CLASSES_CSV);
  progress.finish();
  return written;
}

async function writeAedat31(path: string, take: TakeInfo, batches: AsyncIterable<EventBatch>): Promise<void> {
  const sink = await openFileSink(path);
  try {
    const w = aedat3Writer.create({ width: take.width, height: take.height, source: take.sensor }, sink);
    for await (const b of batches) await w.write(b);
    await w.close();
  } finally {
    await sink.close();
  }
}

/** classes.csv → id → name; absent: DVS Gesture's own names. */
async function readClasses(dir: string): Promise<Map<number, string>> {
  const path = join(dir, CLASSES_CSV);
  const names = new Map<number, string>(DVS_GESTURE_CLASSES.map((n, i) => [i + 1, n]));
  if (!existsSync(path)) return names;
  const rows = expectHeader(parseCsvRows(await readFile(path, 'utf8'), path), ['class', 'name'], path);
  const mine = new Map<number, string>();
  for (const { line, fields } of rows) {
    const id = /^\d{1,6}$/.test(fields[0]) ? Number(fields[0]) : NaN;
    if (!(id >= 1)) throw new DatasetError(path, `class "${fields[0].slice(0, 20)}" is not a whole number ≥ 1`, line);
    if (!fields[1].trim()) throw new DatasetError(path, `class ${id} has no name`, line);
    if (mine.has(id)) throw new DatasetError(path, `class ${id} is listed twice`, line);
    mine.set(id, fields[1].trim());
  }
  return mine;
}

interface PlannedFile {
  aedat: string;
  labelsFile: string;
  labels: GestureLabel[];
}

export async function planDvsGestureImport(dir: string): Promise<{ files: PlannedFile[]; classes: Map<number, string> }> {
  const classes = await readClasses(dir);
  const maxClassId = Math.max(...classes.keys());
  const names = (await readdir(dir)).sort();
  const files: PlannedFile[] = [];
  for (const name of names) {
    if (!name.toLowerCase().endsWith('.aedat')) continue;
    const labelsFile = labelsPathFor(name);
    if (!names.includes(labelsFile)) continue;
    const path = join(dir, labelsFile);
    let labels: GestureLabel[];
    try {
      labels = parseGestureLabels(await readFile(path, 'utf8'), path, { maxClassId });
    } catch (e) {
      if (e instanceof EventFormatError) {
        const m = /^line (\d+): (.*)$/s.exec(e.reason);
        throw new DatasetError(path, m ? m[2] : e.reason, m ? Number(m[1]) : undefined);
      }
      throw e;
    }
    labels.forEach((l, i) => {
      if (!classes.has(l.classId)) throw new DatasetError(path, `class ${l.classId} (row ${i + 1}) is not in ${existsSync(join(dir, CLASSES_CSV)) ? CLASSES_CSV : "DVS Gesture's 11 classes and there is no " + CLASSES_CSV}`);
    });
    files.push({ aedat: name, labelsFile, labels });
  }
  if (files.length === 0) throw new DatasetError(dir, 'no recording with labels: a DVS Gesture-style folder has X.aedat files each with an X_labels.csv');
  return { files, classes };
}

export async function importDvsGesture(service: RecordingService, dir: string, report: Report): Promise<TakeInfo[]> {
  const { files, classes } = await planDvsGestureImport(dir);
  const total = files.reduce((n, f) => n + f.labels.length, 0);
  const added: TakeInfo[] = [];
  report(0, total);
  try {
    for (const f of files) {
      const path = join(dir, f.aedat);
      let stream;
      try {
        stream = await openEventFile(path);
      } catch (e) {
        throw e instanceof EventFormatError ? new DatasetError(path, e.message) : e;
      }
      const { width, height } = stream.info;
      if (!(width >= 1 && height >= 1)) throw new DatasetError(path, 'the recording states no sensor size (AEDAT 3.1 #Source with a known device, or a #Neurolive-Geometry line)');
      const sensor = `DVS Gesture-style: ${f.aedat}`;
      const pending: PendingTake[] = [];
      try {
        for (const l of f.labels) {
          pending.push(await service.beginTake({ label: classes.get(l.classId)!, notes: '', source: { sensor, width, height } }));
        }
        for await (const b of stream) {
          for (let k = 0; k < f.labels.length; k++) await pending[k].write(selectTimeRange(b, f.labels[k].startUs, f.labels[k].endUs));
        }
      } catch (e) {
        for (const p of pending) await p.abort();
        throw e instanceof EventFormatError ? new DatasetError(path, e.message) : e;
      }
      for (const p of pending) {
        added.push(await p.commit());
        report(added.length, total);
      }
    }
  } catch (e) {
    for (const t of added) await service.deleteTake(t.id).catch(() => undefined);
    throw e;
  }
  return added;
}
