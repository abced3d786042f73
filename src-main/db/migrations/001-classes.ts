// Schema 1: the class store (issue 5). Models by content hash, their classes
// (pretrained and enrolled), the shots that taught enrolled classes (raw event
// snippet + embedding), and a cache of each learner's state.
//
// STRICT tables: a wrong type is an error instead of a silent coercion.
// Names are compared through name_key (NFC + case fold, computed in
// src-main/classes/names.ts), unique per model; the CHECKs repeat the
// application's limits so a bug elsewhere cannot store a name the UI refuses.
import type { Migration } from './types';

export const migration: Migration = {
  version: 1,
  name: 'classes',
  up: (db) => {
    db.exec(`
      CREATE TABLE models (
        id             TEXT PRIMARY KEY CHECK (length(id) = 64),  -- sha256 of model.nlm, hex
        name           TEXT NOT NULL,
        task           TEXT NOT NULL,
        embedding_size INTEGER NOT NULL CHECK (embedding_size > 0),
        labels         TEXT NOT NULL DEFAULT '[]',                -- JSON array: the card's labels, for reset
        added_at       INTEGER NOT NULL                           -- ms since epoch
      ) STRICT;

      CREATE TABLE classes (
        id          INTEGER PRIMARY KEY,
        model_id    TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        name_key    TEXT NOT NULL CHECK (length(name_key) >= 1),
        colour      TEXT NOT NULL CHECK (colour GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'),
        origin      TEXT NOT NULL CHECK (origin IN ('pretrained', 'enrolled')),
        label_index INTEGER CHECK ((origin = 'pretrained') = (label_index IS NOT NULL)),  -- pretrained: index in the card's labels
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER,                                      -- kiosk visitor classes
        UNIQUE (model_id, name_key)
      ) STRICT;
      CREATE INDEX classes_expiry ON classes(expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE shots (
        id          INTEGER PRIMARY KEY,
        class_id    INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL,
        sensor      TEXT NOT NULL CHECK (sensor IN ('dvs', 'audio')),
        width       INTEGER NOT NULL CHECK (width > 0),
        height      INTEGER NOT NULL CHECK (height > 0),
        event_count INTEGER NOT NULL CHECK (event_count >= 0),
        events      BLOB NOT NULL,                                -- snippet codec v1 (src-main/classes/snippet-codec.ts)
        features    BLOB NOT NULL,                                -- embedding-layer output, uint8
        model_id    TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE  -- the backbone that made the features
      ) STRICT;
      CREATE INDEX shots_by_class ON shots(class_id, id);

      CREATE TABLE learned_state (
        model_id   TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        learner    TEXT NOT NULL CHECK (learner IN ('ncm', 'binary-fc')),
        state      TEXT NOT NULL,                                 -- JSON
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (model_id, learner)
      ) STRICT;
    `);
  },
};
