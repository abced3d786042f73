/**
 * The recording methods of the contract, ready for AppCore to register:
 * arguments arrive already parsed by the contract's schemas; long jobs
 * (export, import) return their job id at once and report on topic
 * 'progress' (label, done/total, then finished, with an error if it failed).
 *
 *   const rec = await createRecordingApi({ db, dataDir, publishProgress: (p) => hub.publish('progress', p), currentSource: () => … });
 *   for (const [name, fn] of Object.entries(rec.methods)) handlers.set(name, fn);
 *   // in the source's batch path:   rec.service.append(batch)
 *   // in LiveState:                 recording: rec.service.status()
 *   // source kind 'take':           rec.service.openTake(spec.takeId)
 */
import type Database from 'better-sqlite3';
import { ApiError, type MethodResults, type Progress, type TakeInfo } from '../ipc/contract';
import { DatasetError, exportDataset, importDataset } from './dataset';
import { createRecordingService, type RecordingService } from './service';
import type { TakeSource } from './take-writer';

export interface RecordingApiOptions {
  db: Database.Database;
  dataDir: string;
  publishProgress: (p: Progress) => void;
  /** what is playing now, or null when no source runs (recording is then refused) */
  currentSource: () => TakeSource | null;
}

type RecordingMethod = 'startRecording' | 'stopRecording' | 'listTakes' | 'deleteTake' | 'trimTake' | 'exportDataset' | 'importDataset';

export interface RecordingApi {
  service: RecordingService;
  methods: { [M in RecordingMethod]: (arg: never) => Promise<MethodResults[M]> };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function createRecordingApi(o: RecordingApiOptions): Promise<RecordingApi> {
  const labels = new Map<string, string>();
  const service = await createRecordingService({
    db: o.db,
    dataDir: o.dataDir,
    onProgress: (jobId, done, total) => o.publishProgress({ jobId, label: labels.get(jobId) ?? 'Dataset', done, total, finished: false }),
  });

  /** publishes the end of a job and never lets its failure go unhandled */
  const track = <T>(job: { jobId: string; done: Promise<T> }, label: string, count: (r: T) => number): { jobId: string } => {
    labels.set(job.jobId, label);
    job.done.then(
      (r) => {
        const n = count(r);
        o.publishProgress({ jobId: job.jobId, label, done: n, total: n, finished: true });
        labels.delete(job.jobId);
      },
      (e) => {
        o.publishProgress({ jobId: job.jobId, label, done: 0, total: 0, finished: true, error: message(e) });
        labels.delete(job.jobId);
      },
    );
    return { jobId: job.jobId };
  };

  const methods: RecordingApi['methods'] = {
    async startRecording(arg: { label: string; notes: string }): Promise<TakeInfo> {
      const src = o.currentSource();
      if (!src) throw new ApiError('unavailable', 'start a source first: there is nothing to record');
      return service.startRecording(arg, src);
    },
    stopRecording: async () => service.stopRecording(),
    listTakes: async () => service.listTakes(),
    deleteTake: async (arg: { id: number }) => service.deleteTake(arg.id),
    trimTake: async (arg: { id: number; startUs: number; endUs: number }) => service.trimTake(arg.id, arg.startUs, arg.endUs),
    async exportDataset(arg: { layout: 'tonic' | 'dvsgesture'; dir: string; takeIds?: number[] }) {
      const name = arg.layout === 'tonic' ? 'tonic' : 'DVS Gesture';
      return track(exportDataset(service, arg), `Export (${name}) to ${arg.dir}`, (r) => r.takes);
    },
    async importDataset(arg: { dir: string }) {
      return track(importDataset(service, arg), `Import from ${arg.dir}`, (r) => r.length);
    },
  };
  return { service, methods };
}

export { DatasetError };
