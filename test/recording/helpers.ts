// Shared set-up for the recording tests: a migrated in-memory database and a temp data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src-main/db';
import { createRecordingService, type RecordingService, type RecordingServiceOptions } from '../../src-main/recording';
import { collectEvents } from '../../src-engine/events/stream';
import type { EventBatch } from '../../src-engine/events/batch';

export interface Fixture {
  dir: string;
  db: Database.Database;
  progress: [string, number, number][];
  service: RecordingService;
  reopen(opts?: Partial<RecordingServiceOptions>): Promise<RecordingService>;
  cleanup(): void;
}

export async function fixture(opts: Partial<RecordingServiceOptions> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-rec-'));
  const db = openDatabase(join(dir, 'app.db'));
  const progress: [string, number, number][] = [];
  const make = (o: Partial<RecordingServiceOptions> = {}) =>
    createRecordingService({ db, dataDir: dir, onProgress: (j, d, t) => progress.push([j, d, t]), ...opts, ...o });
  const service = await make();
  return {
    dir,
    db,
    progress,
    service,
    reopen: make,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function takeEvents(s: RecordingService, id: number): Promise<EventBatch> {
  return collectEvents(await s.openTake(id));
}
