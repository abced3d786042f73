// The app database's schema steps, in order.
//
// TO ADD A STEP: create `NNN-what.ts` in this folder exporting
// `export const migration: Migration = { version: NNN, name: 'what', up: (db) => db.exec(`…`) }`
// (NNN = the last version + 1, no gaps), then add ONE import and ONE entry to
// MIGRATIONS below. That is all: openDatabase() applies every step whose
// version is above the file's PRAGMA user_version, each in its own
// transaction together with the user_version bump. Never edit or renumber a
// step that has shipped; fix forward with a new one. Steps must not depend on
// code that may change later (inline the SQL).
//
// Owners: 001 classes (class store, issue 5), 002 takes (recording, issue 6).
import { migration as m001 } from './001-classes';
import { migration as m002 } from './002-takes';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [m001, m002];
