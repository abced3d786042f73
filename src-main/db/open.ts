// Opening the app database (one SQLite file for classes, takes, …).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';

export interface OpenDatabaseOptions {
  /** schema steps (default: all of MIGRATIONS); tests pass a prefix to build an older file */
  migrations?: readonly Migration[];
  readonly?: boolean;
  /** ms to wait for another connection's write lock (default 5000) */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed, with its folder) and migrates the database.
 *
 * - journal_mode = WAL: readers never block the writer (the UI lists classes
 *   while the engine enrolls) and a commit is one append to the -wal file.
 * - synchronous = FULL: every commit is fsynced before it returns, so an
 *   enrollment the app has acknowledged survives power loss and OS crashes,
 *   not only a killed process (NORMAL in WAL mode already survives SIGKILL but
 *   may lose the last commits on power loss). The fsync costs ~1–3 ms here, well
 *   inside the 20 ms enrollment budget (bench 'learning' measures it).
 * - foreign_keys = ON: SQLite's default is off, per connection.
 * - busy_timeout: a second process (CLI while the app runs) waits instead of
 *   failing with SQLITE_BUSY.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Database.Database {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
