/**
 * ONNX import jobs for AppCore's importModel: checks the file at once (it
 * must parse as ONNX and take the same input as an installed model, whose
 * encoding it inherits), then converts in a worker thread, reporting each
 * stage on topic 'progress', and writes `<userData>/models/<slug>/` through a
 * `.partial` folder renamed into place, so a failure leaves nothing behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker, workerEntry } from '../../../src-engine/node/worker-entry';
import { loadFloatModel } from '../../../src-engine/nsoc/convert/convert';
import { ApiError, type Progress } from '../../ipc/contract';
import type { LoadedModel } from '../load-model';
import { IMPORT_STAGES, type ImportRequest, type ImportResult, type ImportStage } from './convert-import';

export interface ImportJobOptions {
  /** where user models live: <userData>/models */
  modelsDir: string;
  resourcesDir: string;
  /** the installed models an import can inherit an input encoding from */
  installed: () => LoadedModel[];
  publish: (p: Progress) => void;
  /** the folder is in place: load it into the model list */
  installedModel: (dir: string) => Promise<void>;
  /** calibration frames (default 96) */
  maxFrames?: number;
}

/** 'My Net (v2)' → 'my-net-v2' */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'model';
}

function networkInput(m: LoadedModel): [number, number, number] {
  return [m.model.input.height, m.model.input.width, m.model.input.channels];
}

/** larger files are refused before reading: NSoC networks are kilobytes to a few megabytes */
export const MAX_ONNX_BYTES = 256 * 2 ** 20;

export class ImportJobs {
  private readonly running = new Set<Worker>();
  /** model ids (sha256 of model.nlm) being written, so one network is not installed twice */
  private readonly claimed = new Set<string>();

  constructor(private readonly o: ImportJobOptions) {}

  /** Validates and starts; resolves with the job id at once (the conversion continues in the worker). */
  async start(path: string, name?: string): Promise<{ jobId: string }> {
    const jobId = `import-${randomUUID().slice(0, 8)}`;
    const fail = (code: ApiError['code'], message: string): never => {
      this.o.publish({ jobId, label: 'Import failed', done: 0, total: 100, finished: true, error: message });
      throw new ApiError(code, message);
    };
    let bytes: Uint8Array;
    try {
      const st = await stat(path);
      if (!st.isFile()) fail('invalid-argument', `${path}: not a file`);
      if (st.size > MAX_ONNX_BYTES) fail('invalid-argument', `${basename(path)} is ${(st.size / 2 ** 20).toFixed(0)} MiB; a network for the NSoC is far smaller (at most ${MAX_ONNX_BYTES / 2 ** 20} MiB are read)`);
      bytes = new Uint8Array(await readFile(path));
    } catch (e) {
      if (e instanceof ApiError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      return fail(code === 'ENOENT' ? 'not-found' : 'invalid-argument', code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${(e as Error).message.split('\n')[0]})`);
    }
    let input: [number, number, number];
    try {
      input = loadFloatModel(bytes).float.input as [number, number, number];
    } catch (e) {
      return fail('invalid-argument', `${basename(path)} is not an ONNX model the converter can take: ${(e as Error).message.split('\n')[0]}`);
    }
    const installed = this.o.installed();
    const match = installed.find((m) => networkInput(m).join('×') === input.join('×'));
    if (!match) {
      const have = installed.map((m) => `${m.card.name} ${networkInput(m).join('×')}`).join(', ') || 'none installed';
      return fail('invalid-argument', `${basename(path)} takes ${input.join('×')} input (H×W×C); it must take the same input as an installed model (${have})`);
    }
    const displayName = name ?? basename(path, extname(path));
    await mkdir(this.o.modelsDir, { recursive: true });
    let slug = slugify(displayName);
    for (let k = 2; existsSync(join(this.o.modelsDir, slug)) || existsSync(join(this.o.modelsDir, `${slug}.partial`)); k++) slug = `${slugify(displayName)}-${k}`;
    // claimed at once (no await since the check), so two imports of one name cannot pick the same folder
    mkdirSync(join(this.o.modelsDir, `${slug}.partial`));
    const request: ImportRequest = {
      onnx: bytes,
      sourceName: basename(path),
      name: displayName,
      inheritFrom: { name: match.card.name, task: match.card.task, encoding: match.card.input },
      resourcesDir: this.o.resourcesDir,
      ...(this.o.maxFrames ? { maxFrames: this.o.maxFrames } : {}),
    };
    this.o.publish({ jobId, label: `${IMPORT_STAGES[0]} (${match.card.name}'s encoding)`, done: 0, total: 100, finished: false });
    void this.run(jobId, slug, request);
    return { jobId };
  }

  private async run(jobId: string, slug: string, request: ImportRequest): Promise<void> {
    // percent: each of the four stages is a quarter of the bar
    const total = 100;
    const at = (stage: ImportStage, fraction = 0) => Math.round((100 * (IMPORT_STAGES.indexOf(stage) + fraction)) / IMPORT_STAGES.length);
    const dir = join(this.o.modelsDir, slug), tmp = `${dir}.partial`;
    let claimed: string | null = null;
    try {
      const result = await this.convertInWorker(request, (stage, d, t) => {
        this.o.publish({ jobId, label: `${stage} ${d}/${t}`, done: at(stage, t > 0 ? d / t : 0), total, finished: false });
      });
      // the same network under the same name makes the same model.nlm, hence the same id: one copy is enough
      const id = createHash('sha256').update(result.nlm).digest('hex');
      const twin = this.o.installed().find((m) => m.id === id);
      if (twin || this.claimed.has(id)) throw new Error(`this network is already installed as ${twin ? `"${twin.card.name}"` : 'another import running now'} (same model.nlm)`);
      this.claimed.add(id);
      claimed = id;
      this.o.publish({ jobId, label: 'write', done: at('write'), total, finished: false });
      await mkdir(tmp, { recursive: true });
      await writeFile(join(tmp, 'model.nlm'), result.nlm);
      await writeFile(join(tmp, 'card.json'), `${JSON.stringify(result.card, null, 2)}\n`);
      await writeFile(join(tmp, 'card.md'), result.cardMarkdown);
      await rename(tmp, dir);
      await this.o.installedModel(dir);
      const a = result.agreement;
      this.o.publish({ jobId, label: `Imported ${result.card.name}: quantized top-1 agrees with float on ${(100 * a.top1).toFixed(1)} % of ${a.samples} frames`, done: total, total, finished: true });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 500);
      this.o.publish({ jobId, label: 'Import failed', done: 0, total, finished: true, error: `${request.sourceName}: ${msg}` });
    } finally {
      if (claimed) this.claimed.delete(claimed);
    }
  }

  private convertInWorker(request: ImportRequest, progress: (stage: ImportStage, done: number, total: number) => void): Promise<ImportResult> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(workerEntry('import-worker', import.meta.url), { workerData: { request } });
      this.running.add(worker);
      let settled = false;
      worker.on('message', (m: { type: 'progress'; stage: ImportStage; done: number; total: number } | { type: 'done'; result: ImportResult } | { type: 'error'; message: string }) => {
        if (m.type === 'progress') progress(m.stage, m.done, m.total);
        else {
          settled = true;
          if (m.type === 'done') resolve(m.result);
          else reject(new Error(m.message));
          void worker.terminate();
        }
      });
      worker.on('error', (e) => {
        settled = true;
        reject(e);
      });
      worker.on('exit', (code) => {
        this.running.delete(worker);
        if (!settled) reject(new Error(`the conversion worker stopped (exit code ${code})`));
      });
    });
  }

  /** Stops running conversions (their jobs report an error and leave nothing behind). */
  async close(): Promise<void> {
    await Promise.all([...this.running].map((w) => w.terminate()));
  }
}
