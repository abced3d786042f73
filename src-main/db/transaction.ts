import type Database from 'better-sqlite3';

/**
 * Runs fn in one transaction: committed when fn returns, rolled back when it
 * throws (the error propagates). BEGIN IMMEDIATE takes the write lock up front,
 * so two connections (app + CLI) never deadlock upgrading a read to a write —
 * the second waits for busy_timeout instead. Nested calls become savepoints
 * (better-sqlite3's behaviour).
 */
export function inTransaction<T>(db: Database.Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}
