/**
 * Export and import as jobs: each starts at once and returns a job id; its
 * progress goes to the service's onProgress(jobId, done, total) — exports
 * count events (one long take still moves the bar), imports count samples —
 * and `done` settles with the result.
 * A failed export removes the files it wrote; a failed import removes the
 * takes it added — bad input loses nothing and leaves nothing half done.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type TakeInfo } from '../../ipc/contract';
import type { RecordingService } from '../service';
import { exportDvsGesture, importDvsGesture } from './dvsgesture';
import { DatasetError } from './errors';
import { exportTonic, importTonic, removeExport, TONIC_LABELS } from './tonic';

export type DatasetLayout = 'tonic' | 'dvsgesture';

export interface DatasetJob<T> {
  jobId: string;
  done: Promise<T>;
}

export interface ExportResult {
  dir: string;
  layout: DatasetLayout;
  takes: number;
  /** file names written, relative to dir */
  files: string[];
}

function job<T>(service: RecordingService, kind: string, run: (report: (done: number, total: number) => void) => Promise<T>): DatasetJob<T> {
  const jobId = `${kind}-${randomUUID()}`;
  const report = (done: number, total: number) => service.onProgress(jobId, done, total);
  const done = run(report);
  done.catch(() => undefined); // the caller may only look at progress; never an unhandled rejection
  return { jobId, done };
}

export function exportDataset(service: RecordingService, args: { layout: DatasetLayout; dir: string; takeIds?: number[] }): DatasetJob<ExportResult> {
  return job(service, 'export', async (report) => {
    const takes = args.takeIds ? args.takeIds.map((id) => service.getTake(id)) : service.listTakes();
    if (takes.length === 0) throw new ApiError('invalid-argument', 'there are no takes to export');
    try {
      const files = args.layout === 'tonic' ? await exportTonic(service, args.dir, takes, report) : await exportDvsGesture(service, args.dir, takes, report);
      return { dir: args.dir, layout: args.layout, takes: takes.length, files };
    } catch (e) {
      if (!(e instanceof DatasetError && /already exists/.test(e.reason))) await cleanPartialExport(args.dir);
      throw e;
    }
  });
}

/** After a failed export: removes the files of this export (by their generated names), never anything else. */
async function cleanPartialExport(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const ours = /^(\d{4,}_[a-z0-9-]+\.npy|take\d{4,}_[a-z0-9-]+(\.aedat|_labels\.csv)|meta\.json)$/;
  const names = (await readdir(dir)).filter((f) => ours.test(f));
  await removeExport(dir, names);
}

/** Detects the layout: labels.csv → tonic; X.aedat with X_labels.csv → DVS Gesture. */
export function detectLayout(dir: string): DatasetLayout {
  if (!existsSync(dir)) throw new DatasetError(dir, 'folder not found');
  return existsSync(join(dir, TONIC_LABELS)) ? 'tonic' : 'dvsgesture';
}

export function importDataset(service: RecordingService, args: { dir: string; layout?: DatasetLayout }): DatasetJob<TakeInfo[]> {
  return job(service, 'import', async (report) => {
    const layout = args.layout ?? detectLayout(args.dir);
    return layout === 'tonic' ? importTonic(service, args.dir, report) : importDvsGesture(service, args.dir, report);
  });
}
