/**
 * The recording service: labelled takes from any source into a dataset of
 * AEDAT 4 files indexed in SQLite (see take-files.ts for the folder layout).
 *
 * Crash safety, in one rule: a row is committed only for a complete, fsynced
 * file, and every file change that could strand something happens on the
 * file side, where a sweep at start cleans up.
 * - recording: events → `.part`, metadata → sidecar `.json`; stop = finish +
 *   fsync, rename to `.aedat4`, insert the row, drop the sidecar. At start a
 *   sidecar without a row is recovered: a complete file is indexed as is; a
 *   `.part` is salvaged up to its last readable packet (notes say so).
 * - delete: row removed in a transaction, then the file unlinked.
 * - trim: events rewritten to a new file, the row switched to it in a
 *   transaction, then the old file unlinked.
 * - start: `.aedat4` files no row names and `.part` files without a sidecar
 *   are leftovers of the above and are deleted — unless another live process
 *   holds the folder (`takes.owner.pid` beside it), whose temp files are work in progress.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { type EventBatch, sliceBatch } from '../../src-engine/events/batch';
import type { EventStream } from '../../src-engine/events/stream';
import type { ReadOptions } from '../../src-engine/formats/types';
import { openEventFile } from '../../src-engine/node/open-file';
import { ApiError, type LiveState, type TakeInfo } from '../ipc/contract';
import { newTakeName, PART_FILE_RE, PART_SUFFIX, Sidecar, SIDECAR_RE, sidecarName, TAKE_FILE_RE, takeFileOfSidecar, takesDir } from './take-files';
import { type TakeSource, type TakeSummary, TakeWriter } from './take-writer';
import { rowToInfo, type TakeRow, TakesTable } from './takes-table';

export type ProgressFn = (jobId: string, done: number, total: number) => void;

export interface RecordingServiceOptions {
  /** an open database on which the migrations have run (table `takes`) */
  db: Database.Database;
  /** the app's data folder; takes go to `<dataDir>/takes/` */
  dataDir: string;
  /** long jobs (export, import) report here */
  onProgress?: ProgressFn;
  /** bound on events waiting to be written while recording (default 4 Mi) */
  maxPendingEvents?: number;
  /** clock for createdAt (tests) */
  now?: () => number;
  /**
   * AEDAT 4 compression of live recordings (default 'none': JavaScript LZ4
   * manages ~3.5 Mev/s a core, which a busy sensor exceeds; trim, import and
   * salvage rewrite with LZ4, so trimming a take also compacts it)
   */
  liveCompression?: 'lz4' | 'none';
}

/** What the start-up sweep did. */
export interface RecoveryReport {
  recovered: TakeInfo[];
  /** files deleted: orphans of a delete/trim, unfinished temp files */
  removed: string[];
  /** why there was no sweep (another process owns the folder) */
  skipped?: string;
}

/** beside the takes folder, which then holds nothing but takes */
const LOCK_FILE = 'takes.owner.pid';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface NewTakeMeta {
  label: string;
  notes?: string;
  source: TakeSource;
  createdAt?: number;
}

export interface PendingTake {
  write(batch: EventBatch): Promise<void>;
  readonly events: number;
  commit(): Promise<TakeInfo>;
  abort(): Promise<void>;
}

interface ActiveRecording {
  writer: TakeWriter;
  file: string;
  meta: Sidecar;
}

const NOTE_RECOVERED = '(recovered after the app stopped during recording)';

export class RecordingService {
  readonly dir: string;
  private readonly lockPath: string;
  readonly table: TakesTable;
  readonly onProgress: ProgressFn;
  private active: ActiveRecording | null = null;
  private stopping: Promise<TakeInfo> | null = null;
  private readonly now: () => number;
  private readonly maxPending: number | undefined;
  private readonly liveCompression: 'lz4' | 'none';
  /** serialises file+row changes (delete, trim, commit) */
  private lock: Promise<unknown> = Promise.resolve();
  lastRecovery: RecoveryReport = { recovered: [], removed: [] };

  constructor(opts: RecordingServiceOptions) {
    this.dir = takesDir(opts.dataDir);
    this.lockPath = join(opts.dataDir, LOCK_FILE);
    this.table = new TakesTable(opts.db);
    this.onProgress = opts.onProgress ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.maxPending = opts.maxPendingEvents;
    this.liveCompression = opts.liveCompression ?? 'none';
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  // ------------------------------------------------------------ recording

  get isRecording(): boolean {
    return this.active !== null;
  }

  async startRecording(args: { label: string; notes?: string }, source: TakeSource): Promise<TakeInfo> {
    if (this.active || this.stopping) throw new ApiError('conflict', `already recording "${this.active?.meta.label ?? '…'}": stop it first`);
    const label = args.label.trim();
    if (!label) throw new ApiError('invalid-argument', 'a take needs a label');
    checkGeometry(source);
    const file = newTakeName();
    const meta: Sidecar = { label, notes: args.notes ?? '', sensor: source.sensor, width: source.width, height: source.height, createdAt: this.now() };
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.path(sidecarName(file)), JSON.stringify(meta));
    let writer: TakeWriter;
    try {
      writer = await TakeWriter.create(this.path(file + PART_SUFFIX), source, this.maxPending, this.liveCompression);
    } catch (e) {
      await rm(this.path(sidecarName(file)), { force: true });
      throw e;
    }
    this.active = { writer, file, meta };
    return { id: 0, label, notes: meta.notes, sensor: source.sensor, width: source.width, height: source.height, durationUs: 0, events: 0, createdAt: meta.createdAt };
  }

  /**
   * Feeds the take being recorded (no-op when none). Never blocks; false when
   * the batch was dropped. With `geometry` (the pipeline tap's), batches from
   * a source of another size than the take's — the source was switched while
   * recording — are dropped and counted rather than written into the take.
   */
  append(batch: EventBatch, geometry?: { width: number; height: number }): boolean {
    const a = this.active;
    // while a stop is finishing the file, the live tap keeps delivering: those
    // events are past the take's end, not an error
    if (!a || this.stopping) return false;
    if (geometry && (geometry.width !== a.meta.width || geometry.height !== a.meta.height)) {
      a.writer.droppedEvents += batch.length;
      a.writer.outOfRangeEvents += batch.length;
      return false;
    }
    return a.writer.append(batch);
  }

  /** For LiveState.recording. */
  status(): LiveState['recording'] {
    const a = this.active;
    if (!a) return null;
    const w = a.writer;
    return { takeLabel: a.meta.label, startedAt: a.meta.createdAt, events: w.acceptedEvents, durationUs: w.events > 0 ? w.tLastUs - w.tFirstUs : 0 };
  }

  /** Events dropped from the current take because the disk fell behind. */
  get droppedEvents(): number {
    return this.active?.writer.droppedEvents ?? 0;
  }

  stopRecording(): Promise<TakeInfo> {
    if (this.stopping) return this.stopping;
    const a = this.active;
    if (!a) return Promise.reject(new ApiError('conflict', 'not recording'));
    this.stopping = this.serial(async () => {
      try {
        const summary = await a.writer.finish();
        await rename(this.path(a.file + PART_SUFFIX), this.path(a.file));
        const row = this.commit(a.file, a.meta, summary);
        await rm(this.path(sidecarName(a.file)), { force: true });
        return rowToInfo(row);
      } finally {
        this.active = null;
        this.stopping = null;
      }
    });
    return this.stopping;
  }

  /** Throws the take away. */
  async cancelRecording(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = null;
    await a.writer.abort();
    await rm(this.path(a.file + PART_SUFFIX), { force: true });
    await rm(this.path(sidecarName(a.file)), { force: true });
  }

  private commit(file: string, meta: Sidecar, s: TakeSummary, notes = meta.notes): TakeRow {
    return this.table.insert({
      file,
      label: meta.label,
      notes,
      sensor: meta.sensor,
      width: meta.width,
      height: meta.height,
      events: s.events,
      t_first_us: s.tFirstUs,
      t_last_us: s.tLastUs,
      duration_us: s.durationUs,
      created_at: meta.createdAt,
      thumb_width: s.thumbnail.width,
      thumb_height: s.thumbnail.height,
      thumb: s.thumbnail.pixels,
    });
  }

  /**
   * A take written by the caller at its own pace (imports): write batches,
   * then commit (file renamed into place, row inserted) or abort (nothing kept).
   */
  async beginTake(meta: NewTakeMeta): Promise<PendingTake> {
    checkGeometry(meta.source);
    await mkdir(this.dir, { recursive: true });
    const file = newTakeName();
    const part = this.path(file + PART_SUFFIX);
    const writer = await TakeWriter.create(part, meta.source, this.maxPending);
    const sidecar: Sidecar = { label: meta.label, notes: meta.notes ?? '', sensor: meta.source.sensor, width: meta.source.width, height: meta.source.height, createdAt: meta.createdAt ?? this.now() };
    let done = false;
    const abort = async () => {
      if (done) return;
      done = true;
      await writer.abort();
      await rm(part, { force: true });
    };
    return {
      write: (b) => writer.write(b),
      get events() {
        return writer.events;
      },
      commit: async () => {
        if (done) throw new Error('take already committed or aborted');
        let summary: TakeSummary;
        try {
          summary = await writer.finish();
        } catch (e) {
          await abort();
          throw e;
        }
        done = true;
        return this.serial(async () => {
          await rename(part, this.path(file));
          return rowToInfo(this.commit(file, sidecar, summary));
        });
      },
      abort,
    };
  }

  /** Adds a whole take from batches (imports, tests). */
  async addTake(meta: NewTakeMeta, batches: AsyncIterable<EventBatch> | Iterable<EventBatch>): Promise<TakeInfo> {
    const t = await this.beginTake(meta);
    try {
      for await (const b of batches) await t.write(b);
    } catch (e) {
      await t.abort();
      throw e;
    }
    return t.commit();
  }

  // ------------------------------------------------------------ the index

  listTakes(): TakeInfo[] {
    return this.table.list().map(rowToInfo);
  }

  getTake(id: number): TakeInfo {
    return rowToInfo(this.row(id));
  }

  row(id: number): TakeRow {
    const r = this.table.get(id);
    if (!r) throw new ApiError('not-found', `take ${id} does not exist (it may have been deleted)`);
    return r;
  }

  /** Row first (a transaction), then the file: a crash in between leaves an orphan file the next start sweeps. */
  deleteTake(id: number): Promise<void> {
    return this.serial(async () => {
      const r = this.row(id);
      this.table.transaction(() => this.table.delete(id));
      await rm(this.path(r.file), { force: true });
    });
  }

  /**
   * Keeps events with startUs ≤ t − t0 < endUs, t0 being the take's first
   * event time (the UI's timeline starts at 0). The events go to a new file;
   * the row switches to it in one transaction; then the old file goes.
   */
  trimTake(id: number, startUs: number, endUs: number): Promise<TakeInfo> {
    return this.serial(async () => {
      const r = this.row(id);
      if (!(endUs > startUs)) throw new ApiError('invalid-argument', `trim: the end (${endUs} µs) must come after the start (${startUs} µs)`);
      const lo = r.t_first_us + startUs;
      const hi = r.t_first_us + endUs;
      const file = newTakeName();
      const part = this.path(file + PART_SUFFIX);
      const writer = await TakeWriter.create(part, { sensor: r.sensor, width: r.width, height: r.height });
      let summary: TakeSummary;
      try {
        for await (const b of await this.openFile(r)) await writer.write(selectTimeRange(b, lo, hi));
        summary = await writer.finish();
      } catch (e) {
        await writer.abort();
        await rm(part, { force: true });
        throw e;
      }
      if (summary.events === 0) {
        await rm(part, { force: true });
        throw new ApiError('invalid-argument', `trim: no events between ${startUs} and ${endUs} µs (the take lasts ${r.duration_us} µs)`);
      }
      await rename(part, this.path(file));
      this.table.transaction(() =>
        this.table.replaceFile(id, {
          file,
          events: summary.events,
          t_first_us: summary.tFirstUs,
          t_last_us: summary.tLastUs,
          duration_us: summary.durationUs,
          thumb_width: summary.thumbnail.width,
          thumb_height: summary.thumbnail.height,
          thumb: summary.thumbnail.pixels,
        }),
      );
      await rm(this.path(r.file), { force: true });
      return this.getTake(id);
    });
  }

  /** The take's events as a stream, for playback through the pipeline (source kind 'take'). */
  openTake(id: number, opts: ReadOptions = {}): Promise<EventStream> {
    return this.openFile(this.row(id), opts);
  }

  /** Absolute path of a take's file (exports). */
  takePath(id: number): string {
    return this.path(this.row(id).file);
  }

  private openFile(r: TakeRow, opts: ReadOptions = {}): Promise<EventStream> {
    const p = this.path(r.file);
    if (!existsSync(p)) throw new ApiError('not-found', `the file of take ${r.id} ("${r.label}") is missing: ${p}`);
    return openEventFile(p, { ...opts, format: 'aedat4' });
  }

  // ------------------------------------------------------------ start-up sweep

  async recover(): Promise<RecoveryReport> {
    await mkdir(this.dir, { recursive: true });
    const report: RecoveryReport = { recovered: [], removed: [] };
    // another live process (the web host beside the app, a second core in tests) may be writing here:
    // its temp files are not leftovers, so the sweep waits for a start with the folder to itself
    const other = await this.claimFolder();
    if (other !== null) {
      report.skipped = `another Neurolive process (pid ${other}) uses ${this.dir}: nothing swept`;
      this.lastRecovery = report;
      return report;
    }
    const names = new Set(await readdir(this.dir));
    const indexed = this.table.files();
    for (const name of [...names].filter((n) => SIDECAR_RE.test(n))) {
      const file = takeFileOfSidecar(name);
      const sidecarPath = this.path(name);
      let meta: Sidecar | null = null;
      try {
        meta = Sidecar.parse(JSON.parse(await readFile(sidecarPath, 'utf8')));
      } catch {
        meta = null;
      }
      if (meta && !indexed.has(file)) {
        const info = await this.salvage(file, meta, names.has(file) ? file : names.has(file + PART_SUFFIX) ? file + PART_SUFFIX : null);
        if (info) {
          report.recovered.push(info);
          indexed.add(file);
        }
      }
      await rm(sidecarPath, { force: true });
      names.delete(name);
      names.delete(file + PART_SUFFIX);
      if (indexed.has(file)) names.delete(file);
    }
    for (const name of names) {
      if ((TAKE_FILE_RE.test(name) && !indexed.has(name)) || PART_FILE_RE.test(name)) {
        await rm(this.path(name), { force: true });
        report.removed.push(name);
      }
    }
    this.lastRecovery = report;
    return report;
  }

  /** Re-reads whatever of an interrupted take is readable into a fresh file and indexes it; null when nothing is. */
  private async salvage(file: string, meta: Sidecar, from: string | null): Promise<TakeInfo | null> {
    if (!from) return null;
    const fromPath = this.path(from);
    const complete = from === file;
    const out = newTakeName();
    const part = this.path(out + PART_SUFFIX);
    const writer = await TakeWriter.create(part, { sensor: meta.sensor, width: meta.width, height: meta.height });
    let summary: TakeSummary;
    let truncated = false;
    try {
      try {
        // small batches: a torn tail loses at most one packet's worth
        for await (const b of await openEventFile(fromPath, { format: 'aedat4', batchSize: 4096 })) await writer.write(b);
      } catch {
        truncated = true;
      }
      summary = await writer.finish();
    } catch {
      await writer.abort();
      await rm(part, { force: true });
      await rm(fromPath, { force: true });
      return null;
    }
    await rm(fromPath, { force: true });
    if (summary.events === 0) {
      await rm(part, { force: true });
      return null;
    }
    await rename(part, this.path(out));
    const notes = complete && !truncated ? meta.notes : [meta.notes, NOTE_RECOVERED].filter(Boolean).join(' ');
    return rowToInfo(this.commit(out, meta, summary, notes));
  }

  /** Finishes a recording in progress (app quit), waits for pending work. */
  async close(): Promise<void> {
    if (this.active) await this.stopRecording().catch(() => undefined);
    await this.lock;
    if (this.ownsFolder) await rm(this.lockPath, { force: true });
    this.ownsFolder = false;
  }

  private ownsFolder = false;

  /** Writes our pid to the folder's lock file; returns the pid of a live other owner instead, or null. */
  private async claimFolder(): Promise<number | null> {
    const path = this.lockPath;
    try {
      const pid = Number((await readFile(path, 'utf8')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) return pid;
    } catch {
      // no lock: ours to take
    }
    await writeFile(path, String(process.pid));
    this.ownsFolder = true;
    return null;
  }
}

function checkGeometry(s: TakeSource): void {
  if (!(Number.isInteger(s.width) && Number.isInteger(s.height) && s.width >= 1 && s.height >= 1 && s.width <= 32768 && s.height <= 32768)) {
    throw new ApiError('invalid-argument', `cannot record a source of ${s.width} × ${s.height}: the sensor size must be known (1…32768 each side)`);
  }
}

/** Events of `b` with lo ≤ t < hi: a view when they are contiguous (sorted input), else a filtered copy. */
export function selectTimeRange(b: EventBatch, lo: number, hi: number): EventBatch {
  const t = b.t;
  let n = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < b.length; i++) {
    if (t[i] >= lo && t[i] < hi) {
      if (first < 0) first = i;
      last = i;
      n++;
    }
  }
  if (n === 0) return sliceBatch(b, 0, 0);
  if (last - first + 1 === n) return sliceBatch(b, first, last + 1);
  const out = { t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), length: n };
  for (let i = 0, k = 0; i < b.length; i++) {
    if (t[i] >= lo && t[i] < hi) {
      out.t[k] = t[i];
      out.x[k] = b.x[i];
      out.y[k] = b.y[i];
      out.p[k] = b.p[i];
      k++;
    }
  }
  return out;
}

/** Creates the service and runs the start-up sweep (recover or discard what a crash left). */
export async function createRecordingService(opts: RecordingServiceOptions): Promise<RecordingService> {
  const s = new RecordingService(opts);
  await s.recover();
  return s;
}
