/**
 * The takes index: one row per finished take in SQLite table `takes`
 * (created by the takes migration in src-main/db/migrations/). A row exists
 * only for a complete, fsynced file; files without a row are swept at start.
 */
import type Database from 'better-sqlite3';
import type { TakeInfo } from '../ipc/contract';

export interface TakeRow {
  id: number;
  file: string;
  label: string;
  notes: string;
  sensor: string;
  width: number;
  height: number;
  events: number;
  t_first_us: number;
  t_last_us: number;
  duration_us: number;
  created_at: number;
  thumb_width: number;
  thumb_height: number;
  thumb: Uint8Array | null;
}

export type NewTake = Omit<TakeRow, 'id'>;

export function rowToInfo(r: TakeRow): TakeInfo {
  const info: TakeInfo = {
    id: r.id,
    label: r.label,
    notes: r.notes,
    sensor: r.sensor,
    width: r.width,
    height: r.height,
    durationUs: r.duration_us,
    events: r.events,
    createdAt: r.created_at,
  };
  if (r.thumb && r.thumb_width > 0 && r.thumb_height > 0) {
    info.thumbnail = { width: r.thumb_width, height: r.thumb_height, pixels: new Uint8Array(r.thumb) };
  }
  return info;
}

const COLUMNS = ['file', 'label', 'notes', 'sensor', 'width', 'height', 'events', 't_first_us', 't_last_us', 'duration_us', 'created_at', 'thumb_width', 'thumb_height', 'thumb'] as const;

export class TakesTable {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly filesStmt: Database.Statement;

  constructor(readonly db: Database.Database) {
    const exists = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'takes'").get();
    if (!exists) throw new Error("the database has no 'takes' table: run the migrations (src-main/db) before creating the recording service");
    this.insertStmt = db.prepare(`INSERT INTO takes (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`);
    this.getStmt = db.prepare('SELECT * FROM takes WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM takes ORDER BY created_at, id');
    this.deleteStmt = db.prepare('DELETE FROM takes WHERE id = ?');
    this.filesStmt = db.prepare('SELECT file FROM takes');
  }

  insert(t: NewTake): TakeRow {
    const r = this.insertStmt.run({ ...t, thumb: t.thumb ? Buffer.from(t.thumb) : null });
    return this.get(Number(r.lastInsertRowid))!;
  }

  get(id: number): TakeRow | undefined {
    return this.getStmt.get(id) as TakeRow | undefined;
  }

  list(): TakeRow[] {
    return this.listStmt.all() as TakeRow[];
  }

  delete(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }

  /** Points a take at a rewritten file with new figures (trim). */
  replaceFile(id: number, f: Pick<TakeRow, 'file' | 'events' | 't_first_us' | 't_last_us' | 'duration_us' | 'thumb_width' | 'thumb_height' | 'thumb'>): void {
    this.db
      .prepare('UPDATE takes SET file = @file, events = @events, t_first_us = @t_first_us, t_last_us = @t_last_us, duration_us = @duration_us, thumb_width = @thumb_width, thumb_height = @thumb_height, thumb = @thumb WHERE id = @id')
      .run({ ...f, thumb: f.thumb ? Buffer.from(f.thumb) : null, id });
  }

  files(): Set<string> {
    return new Set((this.filesStmt.all() as { file: string }[]).map((r) => r.file));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
