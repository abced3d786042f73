/**
 * The messages between a host (main thread, renderer) and a worker running
 * the simulated NSoC (handler.ts). Plain structured-clone data; the large
 * arrays travel as transfers, never copies:
 *
 *   host → worker   load  {modelBytes}                  → loaded {model, summary, labels} | error
 *                   infer {seq, frame, tSensorUs}        → result {seq, …}                  | error {seq}
 *
 * The worker answers every request exactly once, in the order received, so a
 * host may keep one FIFO of pending requests. A failure never escapes the
 * worker as an exception: it is an `error` message naming the request.
 */
import type { ModelInput } from '../model';
import type { InferenceStats } from '../stats';
import type { ModelSummary } from '../summary';

/** Bumped when a message changes incompatibly (host and worker ship together; this catches stale bundles). */
export const NSOC_WORKER_PROTOCOL = 1;

export interface LoadRequest {
  type: 'load';
  /** a `.nlm` file; its buffer is transferred to the worker */
  modelBytes: Uint8Array;
  /** names the model in error messages (a file name); default 'model' */
  sourceName?: string;
  /** NsocRuntime options: execution path and engine (defaults: event path, WebAssembly where available) */
  path?: 'event' | 'dense';
  engine?: 'wasm' | 'js';
  /** index of a layer whose output every result also carries (`layerOutput`): the learners' embedding */
  keepLayer?: number;
}

export interface InferRequest {
  type: 'infer';
  /** chosen by the host, echoed in the answer */
  seq: number;
  /** one HWC uint8 frame of the model's input shape; its buffer is transferred to the worker */
  frame: Uint8Array;
  /** the sensor time of the frame (e.g. its window end), echoed in the answer */
  tSensorUs?: number;
}

export type NsocWorkerRequest = LoadRequest | InferRequest;

export interface LoadedModel {
  name: string;
  input: ModelInput;
  /** outputs of the last layer */
  outputs: number;
  path: 'event' | 'dense';
  engine: 'wasm' | 'js';
}

export interface LoadedMessage {
  type: 'loaded';
  protocol: number;
  model: LoadedModel;
  labels: string[];
  /** summary() on the default hardware profile (worst-case activity) */
  summary: ModelSummary;
}

export interface InferenceTiming {
  /** NsocRuntime.infer alone, in the worker */
  inferMs: number;
  /** from the request's arrival in the worker to the answer being posted: infer, prediction, packing */
  handledMs: number;
}

export interface ResultMessage {
  type: 'result';
  seq: number;
  tSensorUs: number | null;
  /** the last layer's int32 output */
  output: Int32Array;
  /** outputScale·p + outputBias, or null when the model has neither */
  scores: Float32Array | null;
  /** argmax of scores (else output), the first on a tie */
  top: number;
  label: string | null;
  confidence: number;
  /** softmax of scores (else output) — prediction.ts */
  confidences: Float64Array;
  stats: InferenceStats;
  timing: InferenceTiming;
  /** the request's frame, handed back (transferred) so the host can reuse the buffer */
  frame: Uint8Array;
  /** the output of the layer named by the load's `keepLayer` (absent when none was asked for) */
  layerOutput?: Uint8Array | Int32Array;
}

export interface ErrorMessage {
  type: 'error';
  /** which request failed; 'unknown' for a message that is not a request */
  request: 'load' | 'infer' | 'unknown';
  /** the failed infer's seq, else null */
  seq: number | null;
  /** the error's class name (ModelFileError, RangeError, …) */
  errorName: string;
  message: string;
}

export type NsocWorkerResponse = LoadedMessage | ResultMessage | ErrorMessage;

/**
 * How a handler sends: postMessage of the host. Copied, never transferred: a
 * transfer detaches an ArrayBuffer, and after the first detach in a thread
 * V8 checks every typed-array access there for it (src-engine/formats/wasm.ts);
 * the runtime's loops ran 1.5–2× slower. A result is a few KB.
 */
export type PostResponse = (message: NsocWorkerResponse) => void;
