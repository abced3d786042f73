// Runs a converted model on the simulated NSoC (event path) over a dataset
// split: accuracy, per-layer sparsity, executed ops vs dense MACs.
import type { QuantizedModel } from '../../src-engine/nsoc/model';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { modelShapes } from '../../src-engine/nsoc/shapes';
import { argmax } from '../../src-engine/nsoc/prediction';
import type { LayerFigures } from '../../src-engine/models/card';

/** one layer's measured figures, as the model card stores them */
export type LayerFigure = LayerFigures;

export interface NsocEvaluation {
  samples: number;
  correct: number;
  accuracy: number;
  /** mean over the layers with an activation (the classifier's potentials excluded) */
  meanSparsity: number;
  inputSparsity: number;
  macsDense: number;
  /** mean per inference */
  opsExecuted: number;
  opsRatio: number;
  layers: LayerFigure[];
  /** confusion[true][predicted] */
  confusion: number[][];
}

export interface Samples {
  /** [N, H, W, C] uint8, C order */
  data: Uint8Array;
  count: number;
  /** model output index per sample (−1: not a model class, skipped) */
  target: Int32Array;
}

export function evaluateOnNsoc(model: QuantizedModel, s: Samples, onProgress?: (done: number, total: number) => void): NsocEvaluation {
  const rt = new NsocRuntime(model, { path: 'event', reuseResult: true });
  const { outputs } = modelShapes(model);
  const size = model.input.height * model.input.width * model.input.channels;
  const L = model.layers.length;
  const sparsity = new Float64Array(L);
  const ops = new Float64Array(L);
  let inSparsity = 0;
  const k = model.labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let n = 0;
  let correct = 0;
  for (let i = 0; i < s.count; i++) {
    const t = s.target[i];
    if (t < 0) continue;
    const r = rt.infer(s.data.subarray(i * size, (i + 1) * size));
    const top = argmax(r.scores ?? r.output);
    confusion[t][top]++;
    if (top === t) correct++;
    r.stats.layers.forEach((l, j) => {
      sparsity[j] += l.outputSparsity;
      ops[j] += l.executedOps;
    });
    inSparsity += r.stats.inputSparsity;
    n++;
    onProgress?.(i + 1, s.count);
  }
  const d = Math.max(1, n);
  const layers: LayerFigure[] = model.layers.map((l, j) => ({
    name: l.name,
    kind: l.kind,
    shape: [...outputs[j]],
    weightBits: l.weightBits,
    activationBits: l.activation ? l.activation.bits : 0,
    sparsity: sparsity[j] / d,
    macsDense: rt.plan.layers[j].denseMacs,
    opsExecuted: ops[j] / d,
  }));
  const activated = layers.filter((l) => l.activationBits > 0);
  const macsDense = layers.reduce((a, l) => a + l.macsDense, 0);
  const opsExecuted = layers.reduce((a, l) => a + l.opsExecuted, 0);
  return {
    samples: n,
    correct,
    accuracy: correct / d,
    meanSparsity: activated.reduce((a, l) => a + l.sparsity, 0) / Math.max(1, activated.length),
    inputSparsity: inSparsity / d,
    macsDense,
    opsExecuted,
    opsRatio: macsDense > 0 ? opsExecuted / macsDense : 0,
    layers,
    confusion,
  };
}

/** Embedding-layer outputs (uint8) of the given frames, on the NSoC. */
export function embeddingsOnNsoc(model: QuantizedModel, layer: number, frames: readonly Uint8Array[]): Uint8Array[] {
  const rt = new NsocRuntime(model, { path: 'event', keepLayerOutputs: true, collectStats: false });
  return frames.map((f) => {
    const out = rt.infer(f).layerOutputs![layer];
    if (!(out instanceof Uint8Array)) throw new Error(`layer ${layer} has no activation: it cannot be the embedding`);
    return out;
  });
}
