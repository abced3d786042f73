/**
 * The host side of the NSoC worker protocol (src-engine/nsoc/worker/protocol.ts)
 * for Node: starts src-engine/node/nsoc-worker in a worker thread and turns
 * its messages into promises. One request at a time is not required — the
 * worker answers in order, so the client keeps a FIFO of pending requests.
 *
 * The entry is found and started by worker-entry.ts: the worker's own bundle
 * in the CLI and bench bundles and in the app's build, its TypeScript source
 * (with tsx registered inside the worker) under tsx.
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startWorker, workerEntry } from './worker-entry';
import type { ErrorMessage, InferRequest, LoadedMessage, LoadRequest, NsocWorkerResponse, ResultMessage } from '../nsoc/worker/protocol';

export interface NsocWorkerClientOptions {
  /** the worker module; default: nsoc-worker next to this file, with this file's extension */
  entry?: URL;
  resourceLimits?: ResourceLimits;
}

export interface LoadOptions {
  sourceName?: string;
  path?: 'event' | 'dense';
  engine?: 'wasm' | 'js';
  /** every result also carries this layer's output (`layerOutput`), e.g. the learners' embedding */
  keepLayer?: number;
}

export interface InferOptions {
  tSensorUs?: number;
}

export interface WorkerResult extends ResultMessage {
  /** post → answer, measured on this side */
  roundTripMs: number;
}

/** A request the worker refused or could not do, or a worker that died. */
export class NsocWorkerError extends Error {
  override readonly name = 'NsocWorkerError';
  constructor(
    /** the error class in the worker (ModelFileError, RangeError, …), or 'WorkerExit' */
    readonly remoteName: string,
    readonly request: ErrorMessage['request'] | 'worker',
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  kind: 'load' | 'infer';
  seq: number | null;
  sentAt: number;
  resolve(value: LoadedMessage | WorkerResult): void;
  reject(e: Error): void;
}


/**
 * The bytes to post: the array itself when it spans its buffer, else a tight
 * copy (posting clones a view's whole buffer). Messages are copied, never
 * transferred: a transfer detaches the buffer here, and after the first detach
 * in a thread V8 checks every typed-array access for it (src-engine/formats/wasm.ts).
 */
function tight(a: Uint8Array): Uint8Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

export class NsocWorkerClient {
  private readonly worker: Worker;
  private readonly pending: Pending[] = [];
  private nextSeq = 0;
  private dead: NsocWorkerError | null = null;
  private readonly exited: Promise<number>;

  constructor(opts: NsocWorkerClientOptions = {}) {
    this.worker = startWorker(opts.entry ?? workerEntry('nsoc-worker', import.meta.url), opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {});
    this.worker.on('message', (m: NsocWorkerResponse) => this.onMessage(m));
    this.worker.on('error', (e: Error) => this.die(new NsocWorkerError(e.name, 'worker', `NSoC worker failed: ${e.message}`)));
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.die(new NsocWorkerError('WorkerExit', 'worker', `NSoC worker exited (code ${code})`));
        resolve(code);
      });
    });
  }

  /** Decodes and loads a `.nlm` model in the worker; rejects with NsocWorkerError (remoteName 'ModelFileError' for a bad file). */
  load(modelBytes: Uint8Array, opts: LoadOptions = {}): Promise<LoadedMessage> {
    const msg: LoadRequest = { type: 'load', modelBytes: tight(modelBytes) };
    if (opts.sourceName !== undefined) msg.sourceName = opts.sourceName;
    if (opts.path !== undefined) msg.path = opts.path;
    if (opts.engine !== undefined) msg.engine = opts.engine;
    if (opts.keepLayer !== undefined) msg.keepLayer = opts.keepLayer;
    return this.send('load', null, msg) as Promise<LoadedMessage>;
  }

  /** Runs one frame (HWC uint8, the model's input shape). */
  infer(frame: Uint8Array, opts: InferOptions = {}): Promise<WorkerResult> {
    const seq = this.nextSeq++;
    const msg: InferRequest = { type: 'infer', seq, frame: tight(frame) };
    if (opts.tSensorUs !== undefined) msg.tSensorUs = opts.tSensorUs;
    return this.send('infer', seq, msg) as Promise<WorkerResult>;
  }

  /** Requests still unanswered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Stops the worker; pending requests reject. */
  async close(): Promise<void> {
    if (!this.dead) await this.worker.terminate();
    await this.exited;
  }

  private send(kind: Pending['kind'], seq: number | null, msg: LoadRequest | InferRequest): Promise<LoadedMessage | WorkerResult> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, seq, sentAt: performance.now(), resolve, reject });
      this.worker.postMessage(msg);
    });
  }

  private onMessage(m: NsocWorkerResponse): void {
    const p = this.pending.shift();
    if (!p) return; // nothing asked: cannot happen with this worker
    if (m.type === 'error') {
      p.reject(new NsocWorkerError(m.errorName, m.request, m.message));
    } else if (m.type === 'loaded' && p.kind === 'load') {
      p.resolve(m);
    } else if (m.type === 'result' && p.kind === 'infer' && m.seq === p.seq) {
      p.resolve(Object.assign(m, { roundTripMs: performance.now() - p.sentAt }));
    } else {
      p.reject(new NsocWorkerError('ProtocolError', p.kind, `NSoC worker answered a ${p.kind} request with '${m.type}'`));
    }
  }

  private die(e: NsocWorkerError): void {
    if (this.dead) return;
    this.dead = e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}
