// Schema 2: the takes index (recording, issue 6). One row per finished take:
// its AEDAT 4 file under <dataDir>/takes/ (name only), label and notes, the
// source that produced it, the event figures and a small grey thumbnail.
// A row is inserted only once its file is complete and fsynced
// (src-main/recording/service.ts), so the index never names a hollow file.
import type { Migration } from './types';

export const migration: Migration = {
  version: 2,
  name: 'takes',
  up: (db) => {
    db.exec(`
      CREATE TABLE takes (
        id           INTEGER PRIMARY KEY,
        file         TEXT NOT NULL UNIQUE CHECK (file GLOB 'take-*.aedat4'),
        label        TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
        notes        TEXT NOT NULL DEFAULT '',
        sensor       TEXT NOT NULL,
        width        INTEGER NOT NULL CHECK (width BETWEEN 1 AND 32768),
        height       INTEGER NOT NULL CHECK (height BETWEEN 1 AND 32768),
        events       INTEGER NOT NULL CHECK (events >= 0),
        t_first_us   INTEGER NOT NULL,
        t_last_us    INTEGER NOT NULL,
        duration_us  INTEGER NOT NULL CHECK (duration_us >= 0),
        created_at   INTEGER NOT NULL,
        thumb_width  INTEGER NOT NULL DEFAULT 0,
        thumb_height INTEGER NOT NULL DEFAULT 0,
        thumb        BLOB
      ) STRICT;
      CREATE INDEX takes_by_label ON takes (label);
    `);
  },
};
