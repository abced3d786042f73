// Class packs: enrolled classes carried to another machine in one file.
//
// Format: UTF-8 JSON, versioned, blobs in base64:
//   { format: "neurolive-class-pack", version: 1, exportedAt,
//     model: { id, name, task, embeddingSize },
//     classes: [ { name, colour, origin, createdAt, expiresAt,
//                  shots: [ { createdAt, sensor, width, height, eventCount,
//                             events /* snippet codec v1 */, features } ] } ] }
// JSON rather than a SQLite file so a pack can be inspected and diffed, and
// so importing never opens a foreign database file. Import validates every
// field (zod), decodes every snippet, and writes nothing unless all of it is
// good. Importing into a different backbone re-learns the features from the
// raw snippets (featureFn).
import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { ApiError } from '../ipc/contract';
import { inTransaction } from '../db';
import type { ClassStore, FeatureFn, ShotGeometry, StoredClass } from './class-store';
import { classNameKey, normaliseClassName } from './names';
import { decodeSnippet, SnippetError } from './snippet-codec';

export const PACK_FORMAT = 'neurolive-class-pack';
export const PACK_VERSION = 1;
/** a pack larger than this is refused before it is read */
export const MAX_PACK_BYTES = 512 * 1024 * 1024;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

const PackShot = z.object({
  createdAt: z.number().int().nonnegative(),
  sensor: z.enum(['dvs', 'audio']),
  width: z.number().int().min(1).max(65535),
  height: z.number().int().min(1).max(65535),
  eventCount: z.number().int().nonnegative(),
  events: base64,
  features: base64,
});

const PackClass = z.object({
  name: z.string(),
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
  origin: z.enum(['pretrained', 'enrolled']),
  createdAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nullable().default(null),
  shots: z.array(PackShot).min(1, 'a class in a pack needs at least one shot').max(10_000),
});

export const ClassPack = z.object({
  format: z.literal(PACK_FORMAT),
  version: z.literal(PACK_VERSION),
  exportedAt: z.number().int().nonnegative(),
  model: z.object({
    id: z.string().regex(/^[0-9a-f]{64}$/, 'a model id is 64 hex digits'),
    name: z.string(),
    task: z.string(),
    embeddingSize: z.number().int().positive(),
  }),
  classes: z.array(PackClass).max(10_000),
});
export type ClassPack = z.infer<typeof ClassPack>;

export class PackError extends ApiError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('invalid-argument', `${path}: not a usable class pack: ${reason}`);
    this.name = 'PackError';
  }
}

const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const unb64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/**
 * Writes the model's classes that have shots (default: every enrolled class;
 * `classIds` picks, pretrained classes with extra shots included) to `path`
 * (temp file + rename, so a failed export leaves no half file).
 */
export async function exportPack(store: ClassStore, path: string, modelId: string, classIds?: readonly number[]): Promise<{ path: string; classes: number }> {
  const model = store.model(modelId);
  if (!model) throw new ApiError('not-found', `model ${modelId.slice(0, 12)}… is not known to the class store`);
  let classes: StoredClass[] = store.list(modelId);
  if (classIds) {
    const want = new Set(classIds);
    for (const id of want) if (!classes.some((c) => c.id === id)) throw new ApiError('not-found', `class id ${id} is not a class of this model`);
    classes = classes.filter((c) => want.has(c.id));
  } else {
    classes = classes.filter((c) => c.origin === 'enrolled');
  }
  classes = classes.filter((c) => c.shots > 0);
  const pack: ClassPack = {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    exportedAt: store.now(),
    model: { id: model.id, name: model.name, task: model.task, embeddingSize: model.embeddingSize },
    classes: classes.map((c) => ({
      name: c.name,
      colour: c.colour,
      origin: c.origin,
      createdAt: c.createdAt,
      expiresAt: c.expiresAt ?? null,
      shots: store.shots(c.id).map((s) => ({
        createdAt: s.createdAt,
        sensor: s.geometry.sensor,
        width: s.geometry.width,
        height: s.geometry.height,
        eventCount: s.eventCount,
        events: b64(store.shotSnippetBytes(s.id)),
        features: b64(s.features),
      })),
    })),
  };
  const tmp = `${path}.partial`;
  await writeFile(tmp, JSON.stringify(pack));
  await rename(tmp, path);
  return { path, classes: classes.length };
}

/** Reads and fully validates a pack; PackError names the field and class/shot. */
export async function readPack(path: string): Promise<ClassPack> {
  const st = await stat(path);
  if (!st.isFile()) throw new PackError(path, 'not a regular file');
  if (st.size > MAX_PACK_BYTES) throw new PackError(path, `${st.size} bytes, more than a pack may be (${MAX_PACK_BYTES})`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new PackError(path, `not JSON (${(e as Error).message})`);
  }
  const fmt = (raw as { format?: unknown } | null)?.format;
  if (fmt !== PACK_FORMAT) throw new PackError(path, `format is ${JSON.stringify(fmt) ?? 'missing'}, expected "${PACK_FORMAT}"`);
  const ver = (raw as { version?: unknown }).version;
  if (ver !== PACK_VERSION) throw new PackError(path, `version ${JSON.stringify(ver)}, this Neurolive reads version ${PACK_VERSION}`);
  const r = ClassPack.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PackError(path, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const pack = r.data;
  const keys = new Set<string>();
  pack.classes.forEach((c, ci) => {
    const at = `classes.${ci} ("${c.name.slice(0, 64)}")`;
    let name: string;
    try {
      name = normaliseClassName(c.name);
    } catch (e) {
      throw new PackError(path, `${at}.name: ${(e as Error).message}`);
    }
    const key = classNameKey(name);
    if (keys.has(key)) throw new PackError(path, `${at}: the pack has two classes named "${name}"`);
    keys.add(key);
    c.shots.forEach((s, si) => {
      const where = `${at}.shots.${si}`;
      try {
        const b = decodeSnippet(unb64(s.events));
        if (b.length !== s.eventCount) throw new PackError(path, `${where}: events hold ${b.length} events, eventCount says ${s.eventCount}`);
      } catch (e) {
        if (e instanceof SnippetError) throw new PackError(path, `${where}.events: ${e.message}`);
        throw e;
      }
      const f = unb64(s.features);
      if (f.length !== pack.model.embeddingSize) throw new PackError(path, `${where}.features: ${f.length} values, the pack's model embeds ${pack.model.embeddingSize}`);
    });
  });
  return pack;
}

export interface ImportOptions {
  /** needed when the pack comes from a different backbone: re-extracts features from the raw snippets */
  featureFn?: FeatureFn;
  /** a class name that exists already: refuse the whole import (default) or add the pack's shots to it */
  onConflict?: 'refuse' | 'merge';
}

/**
 * Imports a pack into `modelId`'s classes in one transaction: all or nothing.
 * Returns the classes created or extended.
 */
export async function importPack(store: ClassStore, path: string, modelId: string, opts: ImportOptions = {}): Promise<StoredClass[]> {
  const model = store.model(modelId);
  if (!model) throw new ApiError('not-found', `model ${modelId.slice(0, 12)}… is not known to the class store`);
  const pack = await readPack(path);
  const sameBackbone = pack.model.id === model.id;
  if (!sameBackbone && !opts.featureFn) {
    throw new ApiError('invalid-argument', `${path}: the pack was made with model "${pack.model.name}" (${pack.model.id.slice(0, 12)}…), not "${model.name}"; its classes must be re-learned from their raw events, which needs the model loaded`);
  }
  if (sameBackbone && pack.model.embeddingSize !== model.embeddingSize) throw new PackError(path, `embedding size ${pack.model.embeddingSize} differs from the model's ${model.embeddingSize}`);
  const conflicts = pack.classes.map((c) => store.findByName(modelId, c.name)).filter((c): c is StoredClass => c !== null);
  if (conflicts.length && (opts.onConflict ?? 'refuse') === 'refuse') {
    throw new ApiError('conflict', `${path}: this model already has classes named ${conflicts.map((c) => `"${c.name}"`).join(', ')}; rename or delete them first, or import with merge`);
  }
  // features first (re-learning is async), then one transaction
  type Prepared = { s: ClassPack['classes'][number]['shots'][number]; events: Uint8Array; geometry: ShotGeometry; features: Uint8Array };
  const prepared: { c: ClassPack['classes'][number]; shots: Prepared[] }[] = [];
  for (const c of pack.classes) {
    const shots: Prepared[] = [];
    for (const s of c.shots) {
      const events = unb64(s.events);
      const geometry = { sensor: s.sensor, width: s.width, height: s.height };
      const features = sameBackbone ? unb64(s.features) : await opts.featureFn!(decodeSnippet(events), geometry);
      if (features.length !== model.embeddingSize) throw new ApiError('internal', `re-learning "${c.name}": the feature function gave ${features.length} values, the model embeds ${model.embeddingSize}`);
      shots.push({ s, events, geometry, features });
    }
    prepared.push({ c, shots });
  }
  return inTransaction(store.db, () => {
    const ids: number[] = [];
    for (const { c, shots } of prepared) {
      const name = normaliseClassName(c.name);
      const existing = store.findByName(modelId, name);
      const id = existing ? existing.id : store.insertClassRaw(modelId, name, c.colour.toLowerCase(), c.createdAt, c.expiresAt);
      for (const { s, events, geometry, features } of shots) store.insertShotRaw(id, s.createdAt, geometry, s.eventCount, events, features, modelId);
      ids.push(id);
    }
    return ids.map((id) => store.get(id));
  });
}
