/**
 * The worker side of protocol.ts, independent of the host: Node's
 * worker_threads (src-engine/node/nsoc-worker.ts) and a browser Web Worker
 * (browser-entry.ts) both feed it their messages and give it their
 * postMessage. It holds one model at a time; a load replaces it, a failed
 * load leaves none loaded (so a result never comes from a model the host
 * thinks was replaced).
 */
import { decodeModel } from '../model-file';
import { predict } from '../prediction';
import { NsocRuntime } from '../runtime';
import { summary } from '../summary';
import { NSOC_WORKER_PROTOCOL, type ErrorMessage, type NsocWorkerResponse, type PostResponse, type ResultMessage } from './protocol';

const clock: { now(): number } = (globalThis as { performance?: { now(): number } }).performance ?? Date;

function describe(e: unknown): { errorName: string; message: string } {
  if (e instanceof Error) return { errorName: e.name, message: e.message };
  return { errorName: 'Error', message: String(e) };
}

export function createNsocWorkerHandler(post: PostResponse): (message: unknown) => void {
  let runtime: NsocRuntime | null = null;
  let labels: string[] = [];
  let keepLayer: number | null = null;

  const fail = (request: ErrorMessage['request'], seq: number | null, e: unknown) => {
    post({ type: 'error', request, seq, ...describe(e) });
  };

  const load = (m: Record<string, unknown>) => {
    runtime = null;
    labels = [];
    keepLayer = null;
    const bytes = m.modelBytes;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('load: modelBytes must be a Uint8Array');
    const sourceName = typeof m.sourceName === 'string' ? m.sourceName : 'model';
    const model = decodeModel(bytes, sourceName);
    const keep = m.keepLayer;
    if (keep !== undefined && !(Number.isInteger(keep) && (keep as number) >= 0 && (keep as number) < model.layers.length)) {
      throw new RangeError(`load: keepLayer must be a layer index from 0 to ${model.layers.length - 1}, not ${String(keep)}`);
    }
    const rt = new NsocRuntime(model, {
      ...(keep !== undefined ? { keepLayerOutputs: true } : {}),
      ...(m.path !== undefined ? { path: m.path as 'event' | 'dense' } : {}),
      ...(m.engine !== undefined ? { engine: m.engine as 'wasm' | 'js' } : {}),
    });
    const [h, w, c] = rt.plan.layers[rt.plan.layers.length - 1].outShape;
    const answer: NsocWorkerResponse = {
      type: 'loaded',
      protocol: NSOC_WORKER_PROTOCOL,
      model: { name: model.name, input: model.input, outputs: h * w * c, path: rt.path, engine: rt.engine },
      labels: model.labels,
      summary: summary(model),
    };
    runtime = rt;
    labels = model.labels;
    keepLayer = keep === undefined ? null : (keep as number);
    post(answer);
  };

  const infer = (m: Record<string, unknown>, seq: number, started: number) => {
    const frame = m.frame;
    if (!(frame instanceof Uint8Array)) throw new TypeError('infer: frame must be a Uint8Array');
    if (m.tSensorUs !== undefined && typeof m.tSensorUs !== 'number') throw new TypeError('infer: tSensorUs must be a number');
    if (!runtime) throw new Error('infer: no model is loaded (send a load request first)');
    const t0 = clock.now();
    const r = runtime.infer(frame);
    const inferMs = clock.now() - t0;
    const p = predict(r, labels);
    const answer: ResultMessage = {
      type: 'result',
      seq,
      tSensorUs: (m.tSensorUs as number | undefined) ?? null,
      output: r.output,
      scores: r.scores ?? null,
      top: p.top,
      label: p.label,
      confidence: p.confidence,
      confidences: p.confidences,
      stats: r.stats,
      timing: { inferMs, handledMs: 0 },
      frame,
    };
    if (keepLayer !== null && r.layerOutputs) answer.layerOutput = r.layerOutputs[keepLayer];
    answer.timing.handledMs = clock.now() - started;
    post(answer);
  };

  return (message: unknown) => {
    const started = clock.now();
    const m = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    if (m.type === 'load') {
      try {
        load(m);
      } catch (e) {
        fail('load', null, e);
      }
    } else if (m.type === 'infer') {
      const seq = typeof m.seq === 'number' && Number.isFinite(m.seq) ? m.seq : null;
      try {
        if (seq === null) throw new TypeError('infer: seq must be a finite number');
        infer(m, seq, started);
      } catch (e) {
        fail('infer', seq, e);
      }
    } else {
      fail('unknown', null, new TypeError(`not a request: type ${JSON.stringify(m.type ?? null)} (expected 'load' or 'infer')`));
    }
  };
}
