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

  /** Starts a worker and loads the `.nlm` bytes (copied: the caller keeps its buffer). */
  static async start(nlm: Uint8Array, sourceName = 'model.nlm'): Promise<WorkerEngine> {
    const client = new NsocWorkerClient();
    try {
      await client.load(nlm, { sourceName });
    } catch (e) {
      await client.close().catch(() => undefined);
      throw e;
    }
    return new WorkerEngine(client);
  }

  async infer(frame: Uint8Array, tSensorUs: number): Promise<EngineResult> {
    // the frame is the encoder's fresh copy: hand its buffer over instead of copying
    const r = await this.client.infer(frame, { tSensorUs, transfer: true });
    return { confidences: r.confidences, top: r.top, output: r.output, scores: r.scores, stats: r.stats, inferMs: r.timing.inferMs };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
