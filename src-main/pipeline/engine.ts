/**
 * The inference engine as the live pipeline sees it: one frame in, one
 * result out, asynchronously. The real one is the simulated NSoC in a worker
 * thread (never the Electron main thread); tests substitute a deliberately
 * slow engine to exercise backpressure. A USB NSoC backend will implement the
 * same interface.
 */
import { NsocWorkerClient } from '../../src-engine/node/nsoc-worker-client';
import type { InferenceStats } from '../../src-engine/nsoc/stats';
import type { Backend } from '../ipc/contract';

export interface EngineResult {
  /** softmax over the head's scores (prediction.ts) */
  confidences: Float64Array;
  top: number;
  output: Int32Array;
  scores: Float32Array | null;
  stats: InferenceStats;
  /** time in the engine proper (worker: NsocRuntime.infer) */
  inferMs: number;
  /** the embedding layer's output, when the engine was started with one (the learners' features) */
  embedding?: Uint8Array;
}

export interface InferenceEngine {
  readonly backend: Backend;
  readonly label: string;
  infer(frame: Uint8Array, tSensorUs: number): Promise<EngineResult>;
  close(): Promise<void>;
}

/** The simulated NSoC in a worker thread. */
export class WorkerEngine implements InferenceEngine {
  readonly backend = 'simulator' as const;
  readonly label = 'Simulated NSoC (worker thread)';

  private constructor(private readonly client: NsocWorkerClient) {}

  /** Starts a worker and loads the `.nlm` bytes (copied: the caller keeps its buffer); `embeddingLayer`: results carry that layer's output. */
  static async start(nlm: Uint8Array, sourceName = 'model.nlm', opts: { embeddingLayer?: number } = {}): Promise<WorkerEngine> {
    const client = new NsocWorkerClient();
    try {
      await client.load(nlm, { sourceName, ...(opts.embeddingLayer !== undefined ? { keepLayer: opts.embeddingLayer } : {}) });
    } catch (e) {
      await client.close().catch(() => undefined);
      throw e;
    }
    return new WorkerEngine(client);
  }

  async infer(frame: Uint8Array, tSensorUs: number): Promise<EngineResult> {
    // copied, not transferred: the frame stays usable here (enrollment previews it, learners embed it); 40 kB a window
    const r = await this.client.infer(frame, { tSensorUs });
    const out: EngineResult = { confidences: r.confidences, top: r.top, output: r.output, scores: r.scores, stats: r.stats, inferMs: r.timing.inferMs };
    if (r.layerOutput instanceof Uint8Array) out.embedding = r.layerOutput;
    return out;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
