/**
 * The on-disk dataset format shared by the generators (gesture, keywords) and
 * the trainer (training/, Python): a folder with `meta.json` and, per split,
 * `<split>-x.npy` (uint8 [N, H, W, C], exactly the live encoder's frames),
 * `<split>-y.npy` (int32 [N], index into `classes`) and `<split>-group.npy`
 * (int32 [N], subject / voice id).
 *
 * Generation is resumable: generators write shards (`shards/<split>-<k>-x.npy`
 * …), each renamed into place only when complete, skip shards that exist, then
 * `assembleSplits` concatenates them and `writeDatasetMeta` writes meta.json
 * last (atomically), so a folder with meta.json is a complete dataset.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputEncoding } from '../../src-engine/models/card';
import { encodeNpyHeader, parseNpyHeader, type NpyHeader } from '../../src-engine/formats/numpy/npy';

export interface DatasetGenOptions {
  outDir: string;
  seed: number;
  /** training samples per backbone class (val/test/fewshot scale from it or keep their defaults) */
  perClass?: number;
  /** a few samples per class, seconds to generate (CI smoke tests) */
  tiny?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

export const SplitEntry = z.object({
  count: z.number().int().nonnegative(),
  x: z.string().min(1),
  y: z.string().min(1),
  group: z.string().min(1),
});
export type SplitEntry = z.infer<typeof SplitEntry>;

export const DatasetMeta = z.object({
  format: z.literal('neurolive-dataset'),
  version: z.literal(1),
  task: z.string().min(1),
  seed: z.number().int(),
  /** all class names, held-out ones included; y indexes this list */
  classes: z.array(z.string().min(1)).min(1),
  backboneClasses: z.array(z.string().min(1)),
  heldOutClasses: z.array(z.string().min(1)),
  /**
   * Auxiliary classes (optional): only the `aux` split holds them; a trainer may learn them as extra
   * training-only targets (training/train.py: an auxiliary head) but they are never backbone outputs.
   */
  auxClasses: z.array(z.string().min(1)).optional(),
  /** exactly what the live app does to turn sensor data into these tensors */
  input: InputEncoding,
  splits: z.record(z.string(), SplitEntry),
  generator: z.record(z.string(), z.unknown()).and(z.object({ version: z.string() })),
});
export type DatasetMeta = z.infer<typeof DatasetMeta>;

export interface DatasetSummary {
  outDir: string;
  meta: DatasetMeta;
  seconds: number;
}

export type ShardDtype = 'u1' | 'i4';
const DTYPE_STR: Record<ShardDtype, string> = { u1: '|u1', i4: '<i4' };
const DTYPE_BYTES: Record<ShardDtype, number> = { u1: 1, i4: 4 };

export class DatasetError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'DatasetError';
  }
}

/**
 * Appends samples of one fixed shape to a .npy file. The file is written to
 * `<path>.partial` and renamed to `path` by close(), so an interrupted run
 * never leaves a complete-looking shard behind. The header is written up front
 * with N = 0 and rewritten on close: numpy leaves room for the first axis to
 * grow to 21 digits, so its length never changes.
 */
export class NpyShardWriter {
  private fd: number;
  private count = 0;
  private readonly sampleBytes: number;
  private readonly headerLength: number;
  private closed = false;
  readonly partialPath: string;

  constructor(
    readonly path: string,
    readonly dtype: ShardDtype,
    /** shape of one sample ([] for scalars such as labels) */
    readonly sampleShape: readonly number[],
  ) {
    let n = 1;
    for (const d of sampleShape) {
      if (!Number.isSafeInteger(d) || d <= 0) throw new RangeError(`NpyShardWriter: bad sample dimension ${d} in (${sampleShape.join(', ')})`);
      n *= d;
    }
    this.sampleBytes = n * DTYPE_BYTES[dtype];
    mkdirSync(dirname(path), { recursive: true });
    this.partialPath = `${path}.partial`;
    this.fd = openSync(this.partialPath, 'w');
    const header = encodeNpyHeader(DTYPE_STR[dtype], [0, ...sampleShape]);
    this.headerLength = header.length;
    writeSync(this.fd, header);
  }

  get length(): number {
    return this.count;
  }

  /** Appends one sample, or several when `data` holds a whole number of samples. */
  append(data: Uint8Array | Int32Array): void {
    if (this.closed) throw new Error(`NpyShardWriter: ${this.path} is closed`);
    const want = this.dtype === 'u1' ? Uint8Array : Int32Array;
    if (!(data instanceof want)) throw new TypeError(`NpyShardWriter: ${this.path} holds ${this.dtype}, got ${data.constructor.name}`);
    if (data.byteLength === 0 || data.byteLength % this.sampleBytes !== 0) {
      throw new RangeError(`NpyShardWriter: ${data.byteLength} bytes is not a whole number of ${this.sampleBytes}-byte samples (${this.path})`);
    }
    // typed arrays are little-endian on every platform Node/Electron ship for
    writeSync(this.fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.count += data.byteLength / this.sampleBytes;
  }

  /** Writes the final header, flushes and renames the file into place. */
  close(): void {
    if (this.closed) return;
    const header = encodeNpyHeader(DTYPE_STR[this.dtype], [this.count, ...this.sampleShape]);
    if (header.length !== this.headerLength) throw new Error(`NpyShardWriter: header grew from ${this.headerLength} to ${header.length} bytes`);
    writeSync(this.fd, header, 0, header.length, 0);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
    renameSync(this.partialPath, this.path);
  }

  /** Drops the unfinished file (after an error). */
  abort(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
    rmSync(this.partialPath, { force: true });
  }
}

/** One split's shard of x, y and group, written together. */
export class SplitShardWriter {
  readonly x: NpyShardWriter;
  readonly y: NpyShardWriter;
  readonly group: NpyShardWriter;
  private readonly one = new Int32Array(1);

  constructor(dir: string, split: string, shard: number, sampleShape: readonly number[]) {
    const p = shardPaths(dir, split, shard);
    this.x = new NpyShardWriter(p.x, 'u1', sampleShape);
    this.y = new NpyShardWriter(p.y, 'i4', []);
    this.group = new NpyShardWriter(p.group, 'i4', []);
  }

  add(x: Uint8Array, label: number, group: number): void {
    this.x.append(x);
    this.one[0] = label;
    this.y.append(this.one);
    this.one[0] = group;
    this.group.append(this.one);
  }

  /** Closes x and group first and y last: a shard counts as done when its y file exists. */
  close(): void {
    this.x.close();
    this.group.close();
    this.y.close();
  }

  abort(): void {
    this.x.abort();
    this.y.abort();
    this.group.abort();
  }
}

export function shardPaths(dir: string, split: string, shard: number): { x: string; y: string; group: string } {
  const base = join(dir, 'shards', `${split}-${String(shard).padStart(4, '0')}`);
  return { x: `${base}-x.npy`, y: `${base}-y.npy`, group: `${base}-group.npy` };
}

/** True when all three files of a shard were completed by an earlier run. */
export function shardDone(dir: string, split: string, shard: number): boolean {
  const p = shardPaths(dir, split, shard);
  return existsSync(p.y) && existsSync(p.x) && existsSync(p.group);
}

export interface NpyArray {
  header: NpyHeader;
  /** the raw data bytes (no copy: a view of the file's bytes) */
  data: Uint8Array;
}

/** Reads a whole C-order .npy file of u1 or little-endian i4. */
export function readNpyFile(path: string, expect?: ShardDtype): NpyArray {
  const bytes = new Uint8Array(readFileSync(path));
  const header = parseNpyHeader(bytes, path);
  const d = header.descr;
  if (d.kind !== 'scalar') throw new DatasetError(path, `expected a plain array, found a structured dtype`);
  if (header.fortranOrder) throw new DatasetError(path, 'Fortran-order arrays are not used by datasets');
  const dtype: ShardDtype | null = d.typeChar === 'u' && d.itemsize === 1 ? 'u1' : d.typeChar === 'i' && d.itemsize === 4 && d.byteOrder !== '>' ? 'i4' : null;
  if (!dtype || (expect && dtype !== expect)) throw new DatasetError(path, `dtype ${d.str}, expected ${DTYPE_STR[expect ?? 'u1']}`);
  let n = DTYPE_BYTES[dtype];
  for (const s of header.shape) n *= s;
  const have = bytes.length - header.headerLength;
  if (have < n) throw new DatasetError(path, `truncated: shape (${header.shape.join(', ')}) needs ${n} data bytes, the file has ${have} (data starts at byte ${header.headerLength})`);
  return { header, data: bytes.subarray(header.headerLength, header.headerLength + n) };
}

function int32View(a: NpyArray): Int32Array {
  const copy = a.data.slice();
  return new Int32Array(copy.buffer, 0, copy.byteLength / 4);
}

/**
 * Concatenates each split's shards (in shard order) into `<split>-x.npy`,
 * `<split>-y.npy`, `<split>-group.npy` in `dir`. `splits` maps split names to
 * their shard counts. Returns meta.json's `splits` entry. Shards are kept, so
 * a rerun can reassemble; delete `dir/shards` to reclaim the space.
 */
export function assembleSplits(dir: string, splits: Record<string, number>): Record<string, SplitEntry> {
  const out: Record<string, SplitEntry> = {};
  for (const [split, shards] of Object.entries(splits)) {
    const entry: SplitEntry = { count: 0, x: `${split}-x.npy`, y: `${split}-y.npy`, group: `${split}-group.npy` };
    let sampleShape: number[] | null = null;
    const writers: Partial<Record<'x' | 'y' | 'group', NpyShardWriter>> = {};
    try {
      for (let k = 0; k < shards; k++) {
        const p = shardPaths(dir, split, k);
        if (!shardDone(dir, split, k)) throw new DatasetError(p.y, 'shard missing: generation did not finish');
        const x = readNpyFile(p.x, 'u1');
        const y = readNpyFile(p.y, 'i4');
        const g = readNpyFile(p.group, 'i4');
        const n = x.header.shape[0];
        if (y.header.shape.length !== 1 || y.header.shape[0] !== n || g.header.shape[0] !== n) {
          throw new DatasetError(p.x, `shard has ${n} samples but y has (${y.header.shape.join(', ')}) and group (${g.header.shape.join(', ')})`);
        }
        const shape = x.header.shape.slice(1);
        if (!sampleShape) {
          sampleShape = shape;
          writers.x = new NpyShardWriter(join(dir, entry.x), 'u1', sampleShape);
          writers.y = new NpyShardWriter(join(dir, entry.y), 'i4', []);
          writers.group = new NpyShardWriter(join(dir, entry.group), 'i4', []);
        } else if (shape.join(',') !== sampleShape.join(',')) {
          throw new DatasetError(p.x, `sample shape (${shape.join(', ')}) differs from earlier shards (${sampleShape.join(', ')})`);
        }
        if (n === 0) continue;
        writers.x!.append(x.data);
        writers.y!.append(int32View(y));
        writers.group!.append(int32View(g));
        entry.count += n;
      }
      if (!writers.x) throw new DatasetError(join(dir, 'shards'), `split '${split}' has no shards`);
      writers.x.close();
      writers.y!.close();
      writers.group!.close();
    } catch (e) {
      for (const w of Object.values(writers)) w.abort();
      throw e;
    }
    out[split] = entry;
  }
  return out;
}

/** Validates and writes meta.json atomically (temp file + rename): the last step of generation. */
export function writeDatasetMeta(dir: string, meta: DatasetMeta): void {
  const checked = DatasetMeta.parse(meta);
  const tmp = join(dir, 'meta.json.partial');
  writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  renameSync(tmp, join(dir, 'meta.json'));
}

/** Reads and validates `dir/meta.json`; throws DatasetError naming the first bad field. */
export function readDatasetMeta(dir: string): DatasetMeta {
  const path = join(dir, 'meta.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(path, 'no meta.json: not a dataset folder, or generation has not finished');
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(path, `not JSON (${(e as Error).message})`);
  }
  const r = DatasetMeta.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new DatasetError(path, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export interface DatasetSplit {
  /** uint8, shape [count, ...sampleShape] in C order */
  x: Uint8Array;
  sampleShape: number[];
  y: Int32Array;
  group: Int32Array;
  count: number;
}

/** Loads one split named in meta.json, checking the arrays agree with each other and with meta. */
export function readSplit(dir: string, name: string): DatasetSplit {
  const meta = readDatasetMeta(dir);
  const entry = meta.splits[name];
  if (!entry) throw new DatasetError(join(dir, 'meta.json'), `no split '${name}' (has ${Object.keys(meta.splits).join(', ')})`);
  const x = readNpyFile(join(dir, entry.x), 'u1');
  const y = readNpyFile(join(dir, entry.y), 'i4');
  const g = readNpyFile(join(dir, entry.group), 'i4');
  const n = x.header.shape[0];
  if (n !== entry.count) throw new DatasetError(join(dir, entry.x), `${n} samples, meta.json says ${entry.count}`);
  if (y.header.shape[0] !== n || g.header.shape[0] !== n) throw new DatasetError(join(dir, entry.y), `y/group lengths (${y.header.shape[0]}, ${g.header.shape[0]}) differ from x (${n})`);
  const labels = int32View(y);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= meta.classes.length) throw new DatasetError(join(dir, entry.y), `label ${labels[i]} at index ${i} is outside the ${meta.classes.length} classes`);
  }
  return { x: x.data, sampleShape: x.header.shape.slice(1), y: labels, group: int32View(g), count: n };
}

/** Removes stale `.partial` files an interrupted run left in `dir/shards`. */
export function cleanPartialShards(dir: string): void {
  const shards = join(dir, 'shards');
  if (!existsSync(shards)) return;
  for (const f of readdirSync(shards)) if (f.endsWith('.partial')) rmSync(join(shards, f), { force: true });
}

/**
 * Shards with a key of their own (a split or part of one added after the
 * rest, e.g. gesture's novel fewshot shards or an `aux` split): when
 * `dir/shards/<keyFile>` does not hold `key`, the shards `owns` picks are
 * deleted and the key written, so only they are made again and every other
 * shard stays byte-identical. Returns whether they were kept.
 */
export function keepShardsOfKey(dir: string, keyFile: string, key: string, owns: (shardFile: string) => boolean): boolean {
  const path = join(dir, 'shards', keyFile);
  if (existsSync(path) && readFileSync(path, 'utf8') === key) return true;
  for (const f of readdirSync(join(dir, 'shards'))) if (owns(f)) rmSync(join(dir, 'shards', f), { force: true });
  writeFileSync(path, key);
  return false;
}
