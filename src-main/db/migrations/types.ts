import type Database from 'better-sqlite3';

/**
 * One schema step. `up` runs inside a transaction that also sets
 * PRAGMA user_version = version, so a step is applied entirely or not at all.
 * Never edit a released step: add the next one.
 */
export interface Migration {
  /** 1, 2, 3 … with no gaps: the user_version after this step */
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}
