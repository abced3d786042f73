/**
 * Installed models: a folder with model.nlm + card.json (+ card.md, and the
 * optional pretrained embeddings). The model id is the sha256 of model.nlm, so
 * enrolled classes stay bound to the exact backbone that made their features.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelCard } from '../../src-engine/models/card';
import { parseModelCard } from '../../src-engine/models/card';
import type { QuantizedModel } from '../../src-engine/nsoc/model';
import { decodeModel } from '../../src-engine/nsoc/model-file/decode';
import { readNpyFile } from '../datasets/dataset-writer';

export interface LoadedModel {
  dir: string;
  /** sha256 of model.nlm, hex */
  id: string;
  card: ModelCard;
  model: QuantizedModel;
  sizeBytes: number;
  /** pretrained examples as embedding-layer outputs (card.pretrainedEmbeddings) */
  embeddings?: { data: Uint8Array; labels: Int32Array; size: number; count: number };
}

export class ModelLoadError extends Error {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'ModelLoadError';
  }
}

/** The repository's (or the packaged app's) resources/ folder. */
export function defaultResourcesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '../../resources');
}

/** `gesture` → resources/models/gesture; a path to a model folder (or its model.nlm) stays itself. */
export function resolveModelDir(nameOrDir: string, resourcesDir = defaultResourcesDir()): string {
  if (/^[a-z0-9][a-z0-9_-]*$/i.test(nameOrDir) && !existsSync(nameOrDir)) return join(resourcesDir, 'models', nameOrDir);
  const p = resolve(nameOrDir);
  return basename(p) === 'model.nlm' ? dirname(p) : p;
}

export async function loadModel(nameOrDir: string, resourcesDir?: string): Promise<LoadedModel> {
  const dir = resolveModelDir(nameOrDir, resourcesDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const installed = listModelNames(resourcesDir);
    throw new ModelLoadError(nameOrDir, `no model folder at ${dir}${installed.length ? ` (installed: ${installed.join(', ')})` : ''}`);
  }
  const nlmPath = join(dir, 'model.nlm'), cardPath = join(dir, 'card.json');
  if (!existsSync(nlmPath)) throw new ModelLoadError(dir, 'model.nlm is missing');
  if (!existsSync(cardPath)) throw new ModelLoadError(dir, 'card.json is missing');
  const bytes = new Uint8Array(await readFile(nlmPath));
  const model = decodeModel(bytes, nlmPath);
  const card = parseModelCard(await readFile(cardPath, 'utf8'), cardPath);
  if (model.labels.length && model.labels.join('\u0000') !== card.labels.join('\u0000')) {
    throw new ModelLoadError(dir, `card.json's labels (${card.labels.join(', ')}) differ from the network's (${model.labels.join(', ')})`);
  }
  const [h, w, c] = [model.input.height, model.input.width, model.input.channels];
  const want = card.input.layout === 'time-rows' ? [card.input.bins, card.input.width, card.input.polarities] : [card.input.height, card.input.width, card.input.bins * card.input.polarities];
  if (h !== want[0] || w !== want[1] || c !== want[2]) {
    throw new ModelLoadError(dir, `the network takes ${h}×${w}×${c} input, card.json's encoding makes ${want.join('×')}`);
  }
  const loaded: LoadedModel = { dir, id: createHash('sha256').update(bytes).digest('hex'), card, model, sizeBytes: bytes.length };
  if (card.pretrainedEmbeddings) {
    const e = readNpyFile(join(dir, card.pretrainedEmbeddings.file), 'u1');
    const l = readNpyFile(join(dir, card.pretrainedEmbeddings.labelsFile), 'i4');
    const [count, size] = e.header.shape;
    if (e.header.shape.length !== 2 || size !== card.embeddingSize) throw new ModelLoadError(dir, `embeddings shape (${e.header.shape.join(', ')}) is not [N, ${card.embeddingSize}]`);
    if (l.header.shape.length !== 1 || l.header.shape[0] !== count) throw new ModelLoadError(dir, `embedding labels shape (${l.header.shape.join(', ')}) is not [${count}]`);
    const labels = new Int32Array(l.data.slice().buffer);
    for (const v of labels) if (v < 0 || v >= card.labels.length) throw new ModelLoadError(dir, `embedding label ${v} is not one of the ${card.labels.length} labels`);
    loaded.embeddings = { data: e.data.slice(), labels, size: size!, count: count! };
  }
  return loaded;
}

/** Names of the model folders under resources/models. */
export function listModelNames(resourcesDir = defaultResourcesDir()): string[] {
  const root = join(resourcesDir, 'models');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((n) => existsSync(join(root, n, 'model.nlm'))).sort();
}

/** Every loadable model in the given folders (each a folder of model folders); broken ones are reported, not thrown. */
export async function listInstalledModels(roots: string[]): Promise<{ models: LoadedModel[]; errors: string[] }> {
  const models: LoadedModel[] = [], errors: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!existsSync(join(dir, 'model.nlm'))) continue;
      try {
        models.push(await loadModel(dir));
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
  }
  return { models, errors };
}
