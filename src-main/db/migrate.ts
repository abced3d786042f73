import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';

export class DatabaseVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseVersionError';
  }
}

/** Checks the list: versions 1, 2, 3 … in order, no gaps or duplicates. */
export function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new DatabaseVersionError(`migration '${m.name}' has version ${m.version}, expected ${i + 1} (versions run 1, 2, 3 … in list order)`);
  });
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to the last step of `list` (default: MIGRATIONS),
 * one transaction per step. Returns the versions applied. A database from a
 * newer build (user_version above what this build knows) is refused rather
 * than written to.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = MIGRATIONS): number[] {
  checkMigrations(list);
  const from = userVersion(db);
  if (from > list.length) {
    throw new DatabaseVersionError(`${db.name}: the database has schema version ${from}, this Neurolive knows up to ${list.length}; it was written by a newer version — update Neurolive or use another --db`);
  }
  const applied: number[] = [];
  for (const m of list.slice(from)) {
    db.transaction(() => {
      m.up(db);
      // user_version lives in the database header and is part of the transaction
      db.pragma(`user_version = ${m.version | 0}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
