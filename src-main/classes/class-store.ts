// The class store: models (by content hash), their classes, the shots that
// taught them and the learners' cached state, in the app database
// (src-main/db, schema 001-classes). Every write is one transaction; a class
// is usable the instant enroll() returns, because the in-memory learner
// (classifier.ts) is updated right after the commit and a restart rebuilds it
// from exactly what was committed. Nothing a user types reaches SQL except as a
// bound parameter.
import type Database from 'better-sqlite3';
import type { EventBatch } from '../../src-engine/events/batch';
import { ApiError, type ClassInfo } from '../ipc/contract';
import { inTransaction, openDatabase, type OpenDatabaseOptions } from '../db';
import { classNameKey, normaliseClassName, normaliseColour, PALETTE } from './names';
import { decodeSnippet, encodeSnippet } from './snippet-codec';
import { exportPack, importPack, type ImportOptions } from './pack';

export type SensorKind = 'dvs' | 'audio';

/** what the store needs to know about a backbone (LoadedModel has all of it) */
export interface ModelRecord {
  /** sha256 of model.nlm, 64 hex digits */
  id: string;
  name: string;
  task: string;
  embeddingSize: number;
  /** the card's labels: the pretrained classes, in output order */
  labels: readonly string[];
}

export interface ShotGeometry {
  sensor: SensorKind;
  width: number;
  height: number;
}

export interface ShotInput {
  /** the raw events of the shot (the model window it was learned from) */
  events: EventBatch;
  geometry: ShotGeometry;
  /** the embedding-layer output for those events, embeddingSize bytes */
  features: Uint8Array;
}

export interface StoredShot {
  id: number;
  classId: number;
  createdAt: number;
  geometry: ShotGeometry;
  eventCount: number;
  /** the backbone that made the features */
  modelId: string;
  features: Uint8Array;
}

export interface EnrollTarget {
  /** add a shot to this existing class … */
  classId?: number;
  /** … or create a class with this name */
  name?: string;
  colour?: string;
  /** kiosk visitor classes: ms since epoch after which expire() removes the class */
  expiresAt?: number | null;
}

/** ClassInfo plus what was just stored */
export interface EnrolledClass extends ClassInfo {
  shotId: number;
  /** the card label index for pretrained classes, null for enrolled ones */
  labelIndex: number | null;
}

export interface StoredClass extends ClassInfo {
  labelIndex: number | null;
}

/** computes an embedding from raw events (re-learning after a backbone change, importing a pack) */
export type FeatureFn = (events: EventBatch, geometry: ShotGeometry) => Promise<Uint8Array>;

export interface ClassStoreOptions extends OpenDatabaseOptions {
  /** clock (ms since epoch); tests pin it */
  now?: () => number;
}

interface ClassRow {
  id: number;
  model_id: string;
  name: string;
  colour: string;
  origin: 'pretrained' | 'enrolled';
  label_index: number | null;
  created_at: number;
  expires_at: number | null;
  shots: number;
}

interface ShotRow {
  id: number;
  class_id: number;
  created_at: number;
  sensor: SensorKind;
  width: number;
  height: number;
  event_count: number;
  features: Buffer;
  model_id: string;
}

const CLASS_COLUMNS = `c.id, c.model_id, c.name, c.colour, c.origin, c.label_index, c.created_at, c.expires_at,
  (SELECT count(*) FROM shots s WHERE s.class_id = c.id) AS shots`;

function toInfo(r: ClassRow): StoredClass {
  return {
    id: r.id,
    modelId: r.model_id,
    name: r.name,
    colour: r.colour,
    origin: r.origin,
    shots: r.shots,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    labelIndex: r.label_index,
  };
}

function toShot(r: ShotRow): StoredShot {
  return {
    id: r.id,
    classId: r.class_id,
    createdAt: r.created_at,
    geometry: { sensor: r.sensor, width: r.width, height: r.height },
    eventCount: r.event_count,
    modelId: r.model_id,
    features: new Uint8Array(r.features.buffer, r.features.byteOffset, r.features.byteLength),
  };
}

function checkModelId(id: string): void {
  if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new ApiError('invalid-argument', `a model id is a sha256 in 64 lower-case hex digits, not ${JSON.stringify(String(id)).slice(0, 80)}`);
}

function checkGeometry(g: ShotGeometry): void {
  if (!g || (g.sensor !== 'dvs' && g.sensor !== 'audio')) throw new ApiError('invalid-argument', `a shot's sensor is 'dvs' or 'audio', not ${JSON.stringify(g?.sensor)}`);
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(g[k]) || g[k] < 1 || g[k] > 65535) throw new ApiError('invalid-argument', `a shot's sensor ${k} must be an integer in 1..65535, not ${g[k]}`);
  }
}

export class ClassStore {
  readonly now: () => number;
  private readonly st: ReturnType<ClassStore['prepare']>;

  constructor(
    readonly db: Database.Database,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.st = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      model: db.prepare(`SELECT id, name, task, embedding_size, labels FROM models WHERE id = ?`),
      models: db.prepare(`SELECT id, name, task, embedding_size, labels FROM models ORDER BY added_at, id`),
      insertModel: db.prepare(`INSERT INTO models (id, name, task, embedding_size, labels, added_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET name = excluded.name, task = excluded.task, labels = excluded.labels`),
      classById: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes c WHERE c.id = ?`),
      classByKey: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes c WHERE c.model_id = ? AND c.name_key = ?`),
      classesOf: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes c WHERE c.model_id = ? AND (c.expires_at IS NULL OR c.expires_at > ?) ORDER BY c.id`),
      pretrainedOf: db.prepare(`SELECT id, label_index FROM classes WHERE model_id = ? AND origin = 'pretrained'`),
      insertClass: db.prepare(`INSERT INTO classes (model_id, name, name_key, colour, origin, label_index, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      countClasses: db.prepare(`SELECT count(*) AS n FROM classes WHERE model_id = ?`),
      insertShot: db.prepare(`INSERT INTO shots (class_id, created_at, sensor, width, height, event_count, events, features, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      lastShot: db.prepare(`SELECT id FROM shots WHERE class_id = ? ORDER BY id DESC LIMIT 1`),
      deleteShot: db.prepare(`DELETE FROM shots WHERE id = ?`),
      shotsOfClass: db.prepare(`SELECT id, class_id, created_at, sensor, width, height, event_count, features, model_id FROM shots WHERE class_id = ? ORDER BY id`),
      shotsOfModel: db.prepare(`SELECT s.id, s.class_id, s.created_at, s.sensor, s.width, s.height, s.event_count, s.features, s.model_id
        FROM shots s JOIN classes c ON c.id = s.class_id WHERE c.model_id = ? AND (c.expires_at IS NULL OR c.expires_at > ?) ORDER BY s.id`),
      shotEvents: db.prepare(`SELECT events FROM shots WHERE id = ?`),
      rename: db.prepare(`UPDATE classes SET name = ?, name_key = ? WHERE id = ?`),
      recolour: db.prepare(`UPDATE classes SET colour = ? WHERE id = ?`),
      deleteClass: db.prepare(`DELETE FROM classes WHERE id = ?`),
      deleteEnrolled: db.prepare(`DELETE FROM classes WHERE model_id = ? AND origin = 'enrolled'`),
      deleteShotsOfModel: db.prepare(`DELETE FROM shots WHERE class_id IN (SELECT id FROM classes WHERE model_id = ?)`),
      expire: db.prepare(`DELETE FROM classes WHERE expires_at IS NOT NULL AND expires_at <= ?`),
      expiredModels: db.prepare(`SELECT DISTINCT model_id FROM classes WHERE expires_at IS NOT NULL AND expires_at <= ?`),
      saveState: db.prepare(`INSERT INTO learned_state (model_id, learner, state, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(model_id, learner) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      loadState: db.prepare(`SELECT state FROM learned_state WHERE model_id = ? AND learner = ?`),
      dropState: db.prepare(`DELETE FROM learned_state WHERE model_id = ?`),
      enrolledModelsOfTask: db.prepare(`SELECT m.id, max(s.id) AS last FROM models m JOIN classes c ON c.model_id = m.id JOIN shots s ON s.class_id = c.id
        WHERE m.task = ? AND m.id <> ? GROUP BY m.id ORDER BY last DESC`),
    };
  }

  close(): void {
    if (this.checkpointTimer) clearImmediate(this.checkpointTimer);
    this.checkpointTimer = null;
    this.db.close();
  }

  private walBytes = 0;
  private checkpointTimer: NodeJS.Immediate | null = null;

  /**
   * WAL checkpoints copy the log into the database file and fsync it: tens of
   * ms for a few MB. SQLite's automatic checkpoint (every 1000 pages) would run
   * inside whichever commit crosses the line, i.e. inside an enrollment's 20 ms
   * budget; so after ~1 MB of shots a passive checkpoint is queued for the next
   * turn of the event loop instead (idle time between a person's shots). The
   * automatic checkpoint stays as the backstop.
   */
  private noteWrite(bytes: number): void {
    this.walBytes += bytes;
    if (this.walBytes < 1 << 20 || this.checkpointTimer || !this.db.open) return;
    this.checkpointTimer = setImmediate(() => {
      this.checkpointTimer = null;
      this.walBytes = 0;
      if (this.db.open && !this.db.inTransaction) this.db.pragma('wal_checkpoint(PASSIVE)');
    });
    this.checkpointTimer.unref();
  }

  // ------------------------------------------------------------ models

  /**
   * Records a backbone and its pretrained classes (one per card label), once;
   * later calls update name/task/labels and add pretrained classes for new
   * labels. Pretrained classes keep any rename/recolour the user made.
   */
  registerModel(m: ModelRecord): void {
    checkModelId(m.id);
    if (!Number.isInteger(m.embeddingSize) || m.embeddingSize < 1) throw new ApiError('invalid-argument', `embedding size ${m.embeddingSize} must be a positive integer`);
    inTransaction(this.db, () => {
      this.st.insertModel.run(m.id, m.name, m.task, m.embeddingSize, JSON.stringify(m.labels), this.now());
      this.addMissingPretrained(m.id, m.labels);
    });
  }

  private addMissingPretrained(modelId: string, labels: readonly string[]): void {
    const have = new Set((this.st.pretrainedOf.all(modelId) as { label_index: number }[]).map((r) => r.label_index));
    let n = (this.st.countClasses.get(modelId) as { n: number }).n;
    labels.forEach((label, i) => {
      if (have.has(i)) return;
      const name = normaliseClassName(label);
      // a user class may already hold the label's name: the pretrained one gets a suffix
      let key = classNameKey(name);
      let stored = name;
      for (let k = 2; this.st.classByKey.get(modelId, key); k++) {
        stored = `${name} (${k})`;
        key = classNameKey(stored);
      }
      this.st.insertClass.run(modelId, stored, key, PALETTE[n++ % PALETTE.length], 'pretrained', i, 0, null);
    });
  }

  model(id: string): ModelRecord | null {
    const r = this.st.model.get(id) as { id: string; name: string; task: string; embedding_size: number; labels: string } | undefined;
    return r ? { id: r.id, name: r.name, task: r.task, embeddingSize: r.embedding_size, labels: JSON.parse(r.labels) as string[] } : null;
  }

  models(): ModelRecord[] {
    return (this.st.models.all() as { id: string }[]).map((r) => this.model(r.id)!);
  }

  private requireModel(id: string): ModelRecord {
    checkModelId(id);
    const m = this.model(id);
    if (!m) throw new ApiError('not-found', `model ${id.slice(0, 12)}… is not known to the class store (load it once first)`);
    return m;
  }

  // ------------------------------------------------------------ classes

  list(modelId: string): StoredClass[] {
    return (this.st.classesOf.all(modelId, this.now()) as ClassRow[]).map(toInfo);
  }

  get(classId: number): StoredClass {
    if (!Number.isInteger(classId) || classId < 0) throw new ApiError('invalid-argument', `a class id is a non-negative integer, not ${String(classId)}`);
    const r = this.st.classById.get(classId) as ClassRow | undefined;
    if (!r) throw new ApiError('not-found', `no class with id ${classId}`);
    return toInfo(r);
  }

  /** the class whose name matches (NFC + case fold), or null */
  findByName(modelId: string, name: string): StoredClass | null {
    const r = this.st.classByKey.get(modelId, classNameKey(normaliseClassName(name))) as ClassRow | undefined;
    return r ? toInfo(r) : null;
  }

  private refuseDuplicate(modelId: string, name: string, except?: number): string {
    const key = classNameKey(name);
    const clash = this.st.classByKey.get(modelId, key) as ClassRow | undefined;
    if (clash && clash.id !== except) {
      throw new ApiError('conflict', `a class named "${clash.name}" already exists for this model${clash.name === name ? '' : ` (names are compared ignoring case and Unicode normalisation: "${name}" is the same name)`}; choose another name`);
    }
    return key;
  }

  /**
   * Stores one shot, creating the class when `target.name` is given, in one
   * transaction. Returns the class as committed.
   */
  enroll(modelId: string, target: EnrollTarget, shot: ShotInput): EnrolledClass {
    const model = this.requireModel(modelId);
    checkGeometry(shot.geometry);
    if (!(shot.features instanceof Uint8Array) || shot.features.length !== model.embeddingSize) {
      throw new ApiError('invalid-argument', `features have ${shot.features?.length} values, the model's embedding has ${model.embeddingSize}`);
    }
    const hasId = target.classId !== undefined && target.classId !== null;
    if (hasId === (target.name !== undefined && target.name !== null)) throw new ApiError('invalid-argument', 'enroll takes either an existing class id or a new class name');
    const colour = target.colour !== undefined ? normaliseColour(target.colour) : null;
    const events = encodeSnippet(shot.events);
    const name = hasId ? null : normaliseClassName(target.name);
    if (target.expiresAt != null && !Number.isFinite(target.expiresAt)) throw new ApiError('invalid-argument', 'expiresAt must be a time in ms');
    const now = this.now();
    return inTransaction(this.db, () => {
      let classId: number;
      if (hasId) {
        const c = this.get(target.classId!);
        if (c.modelId !== modelId) throw new ApiError('invalid-argument', `class "${c.name}" belongs to another model`);
        classId = c.id;
        if (colour) this.st.recolour.run(colour, classId);
      } else {
        const key = this.refuseDuplicate(modelId, name!);
        const n = (this.st.countClasses.get(modelId) as { n: number }).n;
        classId = Number(this.st.insertClass.run(modelId, name, key, colour ?? PALETTE[n % PALETTE.length], 'enrolled', null, now, target.expiresAt ?? null).lastInsertRowid);
      }
      const g = shot.geometry;
      const shotId = Number(this.st.insertShot.run(classId, now, g.sensor, g.width, g.height, shot.events.length, events, shot.features, modelId).lastInsertRowid);
      this.noteWrite(events.length + shot.features.length);
      return { ...this.get(classId), shotId };
    });
  }

  /**
   * Removes the class's most recent shot. An enrolled class left with no shots
   * is deleted (undoing a fresh enrollment removes it): returns null then.
   */
  undoLastShot(classId: number): StoredClass | null {
    return inTransaction(this.db, () => {
      const c = this.get(classId);
      const last = this.st.lastShot.get(classId) as { id: number } | undefined;
      if (!last) throw new ApiError('not-found', `class "${c.name}" has no shot to undo`);
      this.st.deleteShot.run(last.id);
      if (c.origin === 'enrolled' && c.shots === 1) {
        this.st.deleteClass.run(classId);
        return null;
      }
      return this.get(classId);
    });
  }

  rename(classId: number, name: string): StoredClass {
    const n = normaliseClassName(name);
    return inTransaction(this.db, () => {
      const c = this.get(classId);
      const key = this.refuseDuplicate(c.modelId, n, classId);
      this.st.rename.run(n, key, classId);
      return this.get(classId);
    });
  }

  recolour(classId: number, colour: string): StoredClass {
    const col = normaliseColour(colour);
    return inTransaction(this.db, () => {
      this.get(classId);
      this.st.recolour.run(col, classId);
      return this.get(classId);
    });
  }

  /** deletes a class and its shots; a deleted pretrained class comes back with resetToPretrained */
  delete(classId: number): void {
    inTransaction(this.db, () => {
      this.get(classId);
      this.st.deleteClass.run(classId);
    });
  }

  /**
   * Back to the model as shipped: enrolled classes and every shot removed,
   * pretrained classes restored (names, colours, deleted ones re-added).
   */
  resetToPretrained(modelId: string): StoredClass[] {
    const m = this.requireModel(modelId);
    return inTransaction(this.db, () => {
      this.st.deleteShotsOfModel.run(modelId);
      this.st.deleteEnrolled.run(modelId);
      this.db.prepare(`DELETE FROM classes WHERE model_id = ?`).run(modelId);
      this.st.dropState.run(modelId);
      this.addMissingPretrained(modelId, m.labels);
      return this.list(modelId);
    });
  }

  /** Deletes classes whose expiry has passed (kiosk visitors); returns how many. */
  expire(now = this.now()): number {
    return inTransaction(this.db, () => {
      for (const r of this.st.expiredModels.all(now) as { model_id: string }[]) this.st.dropState.run(r.model_id);
      return this.st.expire.run(now).changes;
    });
  }

  // ------------------------------------------------------------ shots

  shots(classId: number): StoredShot[] {
    return (this.st.shotsOfClass.all(classId) as ShotRow[]).map(toShot);
  }

  /** every live shot of the model's classes, in the order they were taken */
  shotsOfModel(modelId: string): StoredShot[] {
    return (this.st.shotsOfModel.all(modelId, this.now()) as ShotRow[]).map(toShot);
  }

  /** the raw events of a shot (decoded and validated) */
  shotEvents(shotId: number): EventBatch {
    const r = this.st.shotEvents.get(shotId) as { events: Buffer } | undefined;
    if (!r) throw new ApiError('not-found', `no shot with id ${shotId}`);
    return decodeSnippet(new Uint8Array(r.events.buffer, r.events.byteOffset, r.events.byteLength));
  }

  /** @internal raw snippet bytes, for packs */
  shotSnippetBytes(shotId: number): Uint8Array {
    const r = this.st.shotEvents.get(shotId) as { events: Buffer } | undefined;
    if (!r) throw new ApiError('not-found', `no shot with id ${shotId}`);
    return new Uint8Array(r.events.buffer, r.events.byteOffset, r.events.byteLength);
  }

  /** @internal one shot row with pre-encoded events, inside the caller's transaction */
  insertShotRaw(classId: number, createdAt: number, g: ShotGeometry, eventCount: number, events: Uint8Array, features: Uint8Array, modelId: string): number {
    return Number(this.st.insertShot.run(classId, createdAt, g.sensor, g.width, g.height, eventCount, events, features, modelId).lastInsertRowid);
  }

  /** @internal a class row inside the caller's transaction */
  insertClassRaw(modelId: string, name: string, colour: string | null, createdAt: number, expiresAt: number | null): number {
    const key = this.refuseDuplicate(modelId, name);
    const n = (this.st.countClasses.get(modelId) as { n: number }).n;
    return Number(this.st.insertClass.run(modelId, name, key, colour ?? PALETTE[n % PALETTE.length], 'enrolled', null, createdAt, expiresAt).lastInsertRowid);
  }

  // ------------------------------------------------------------ learned state (a cache)

  saveLearnedState(modelId: string, learner: 'ncm' | 'binary-fc', state: unknown): void {
    this.st.saveState.run(modelId, learner, JSON.stringify(state), this.now());
  }

  loadLearnedState(modelId: string, learner: 'ncm' | 'binary-fc'): unknown | null {
    const r = this.st.loadState.get(modelId, learner) as { state: string } | undefined;
    return r ? (JSON.parse(r.state) as unknown) : null;
  }

  // ------------------------------------------------------------ packs (pack.ts)

  /** one file with the chosen classes (default: all enrolled ones) and their shots */
  exportPack(path: string, modelId: string, classIds?: readonly number[]): Promise<{ path: string; classes: number }> {
    return exportPack(this, path, modelId, classIds);
  }

  /** all-or-nothing import; a pack from another backbone needs opts.featureFn */
  importPack(path: string, modelId: string, opts?: ImportOptions): Promise<StoredClass[]> {
    return importPack(this, path, modelId, opts);
  }

  // ------------------------------------------------------------ backbone changes

  /**
   * The model of the same task whose enrolled shots are the newest, when
   * `modelId` itself has none: its classes should be re-learned for this one.
   */
  relearnSource(modelId: string): string | null {
    const m = this.requireModel(modelId);
    if (this.list(modelId).some((c) => c.origin === 'enrolled')) return null;
    const r = this.st.enrolledModelsOfTask.all(m.task, modelId) as { id: string }[];
    for (const { id } of r) if (this.list(id).some((c) => c.origin === 'enrolled')) return id;
    return null;
  }

  /**
   * Re-learns classes for a new backbone: every enrolled class of `fromModelId`
   * (default: relearnSource) is copied to `modelId` with its raw snippets and
   * features re-extracted by featureFn. The old model's classes stay (switching
   * back shows them). Features are computed first, then everything is written
   * in one transaction. Returns the new model's classes.
   */
  async relearn(modelId: string, featureFn: FeatureFn, fromModelId?: string | null): Promise<StoredClass[]> {
    const target = this.requireModel(modelId);
    const from = fromModelId ?? this.relearnSource(modelId);
    if (!from) return this.list(modelId);
    this.requireModel(from);
    const classes = this.list(from).filter((c) => c.origin === 'enrolled');
    const plan: { cls: StoredClass; shots: { shot: StoredShot; events: Uint8Array; features: Uint8Array }[] }[] = [];
    for (const cls of classes) {
      const shots = [];
      for (const shot of this.shots(cls.id)) {
        const events = this.shotSnippetBytes(shot.id).slice();
        const features = await featureFn(decodeSnippet(events), shot.geometry);
        if (features.length !== target.embeddingSize) throw new ApiError('internal', `re-learning "${cls.name}": the feature function gave ${features.length} values, the model's embedding has ${target.embeddingSize}`);
        shots.push({ shot, events, features });
      }
      plan.push({ cls, shots });
    }
    return inTransaction(this.db, () => {
      for (const { cls, shots } of plan) {
        const existing = this.st.classByKey.get(modelId, classNameKey(cls.name)) as ClassRow | undefined;
        const id = existing ? existing.id : this.insertClassRaw(modelId, cls.name, cls.colour, cls.createdAt, cls.expiresAt ?? null);
        for (const s of shots) this.insertShotRaw(id, s.shot.createdAt, s.shot.geometry, s.shot.eventCount, s.events, s.features, modelId);
      }
      this.st.dropState.run(modelId);
      return this.list(modelId);
    });
  }
}

/** Opens (creating and migrating) the database at dbPath as a class store. */
export function openClassStore(dbPath: string, opts: ClassStoreOptions = {}): ClassStore {
  return new ClassStore(openDatabase(dbPath, opts), { now: opts.now });
}
