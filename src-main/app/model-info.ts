/** LoadedModel (src-main/models) → the contract's ModelInfo. */
import type { ModelInfo } from '../ipc/contract';
import type { LoadedModel } from '../models/load-model';

export const BUILTIN_TASKS = new Set(['gesture', 'keywords']);

export function modelInfo(m: LoadedModel, builtin: boolean): ModelInfo {
  const c = m.card, e = c.input, metrics = c.metrics;
  const info: ModelInfo = {
    id: m.id,
    name: c.name,
    task: c.task,
    sensor: e.sensor,
    labels: [...c.labels],
    input: { width: e.width, height: e.height, bins: e.bins, polarities: e.polarities, windowUs: e.windowUs, sensorWidth: e.sensorWidth, sensorHeight: e.sensorHeight },
    sizeBytes: m.sizeBytes,
    neuralProcessors: metrics?.neuralProcessors ?? 0,
    layers: (metrics?.layers ?? []).map((l) => ({ ...l, shape: [...l.shape] })),
    builtin,
  };
  if (metrics) {
    info.accuracy = { float: metrics.floatAccuracy, quantized: metrics.quantizedAccuracy, evaluatedOn: metrics.evaluatedOn };
    info.sparsity = metrics.meanSparsity;
    info.macsDense = metrics.macsDense;
    info.opsExecuted = metrics.opsExecuted;
  }
  return info;
}
