/**
 * Any InferenceBackend as the live pipeline's InferenceEngine
 * (src-main/pipeline/engine.ts), so `setBackend('hid-device')` can swap the
 * worker for an attached NSoC without the pipeline knowing.
 *
 * The device reports only what changes per frame (input events, each layer's
 * output events and executed ops); everything static (layer names, kinds,
 * sizes, dense MACs) comes from the model, decoded here from the same bytes
 * the device received, so the pipeline gets the same full InferenceStats
 * the simulator gives.
 */
import { decodeModel } from '../../../src-engine/nsoc/model-file';
import { predict } from '../../../src-engine/nsoc/prediction';
import { planModel } from '../../../src-engine/nsoc/runtime-plan';
import { emptyLayerStats, finishStats, type InferenceStats } from '../../../src-engine/nsoc/stats';
import type { EngineResult, InferenceEngine } from '../../pipeline/engine';
import type { BackendResult, InferenceBackend } from './backend';

export interface BackendEngine extends InferenceEngine {
  readonly backendImpl: InferenceBackend;
}

/** Loads `nlm` on the backend and wraps it. `label` shows in the UI's backend badge. */
export async function createBackendEngine(backend: InferenceBackend, nlm: Uint8Array, label?: string): Promise<BackendEngine> {
  const model = decodeModel(nlm, 'model');
  const plan = planModel(model);
  await backend.load(nlm);
  const shown = label ?? (await backend.status()).label;
  const size = (s: readonly number[]) => s[0] * s[1] * s[2];
  const statsOf = (r: BackendResult): InferenceStats => {
    const layers = plan.layers.map((p) => emptyLayerStats(p.index, p.layer.name, p.layer.kind, size(p.inShape), size(p.outShape), p.denseMacs));
    const s: InferenceStats = { path: 'event', collected: true, inputSize: 0, inputEvents: 0, inputSparsity: 0, outputEvents: 0, executedOps: 0, denseMacs: 0, opsRatio: 0, layers };
    layers.forEach((l, i) => {
      const d = r.stats.layers[i];
      l.inputEvents = i === 0 ? r.stats.inputEvents : layers[i - 1].outputEvents;
      l.outputEvents = d?.outputEvents ?? 0;
      l.executedOps = d?.executedOps ?? 0;
    });
    finishStats(s);
    return s;
  };
  return {
    backend: backend.kind,
    label: shown,
    backendImpl: backend,
    async infer(frame: Uint8Array): Promise<EngineResult> {
      const t0 = performance.now();
      const r = await backend.infer(frame);
      const p = predict({ output: r.output, ...(r.scores ? { scores: r.scores } : {}) }, model.labels);
      return { confidences: p.confidences, top: p.top, output: r.output, scores: r.scores, stats: statsOf(r), inferMs: performance.now() - t0 };
    },
    close: () => backend.close(),
  };
}
