/**
 * Threshold calibration for models with random (untrained) weights, standing
 * in for what training with activity regularization achieves: layer by layer,
 * each output channel's threshold is set so that a target fraction of its
 * outputs fire on the calibration frames, and its step so that the top 1 % of
 * potentials reach the largest activation. Thresholds are kept ≥ 0, so a
 * region without input events stays silent, as in a trained network.
 */
import { maxActivation } from '../arith';
import type { Layer, QuantizedModel } from '../model';
import { NsocRuntime } from '../runtime';

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
}

function singleLayerModel(layer: Layer, input: [number, number, number]): QuantizedModel {
  return { name: 'calibration', input: { height: input[0], width: input[1], channels: input[2], bits: 8 }, layers: [layer], labels: [], meta: {} };
}

/**
 * Sets the threshold and step of every layer that has an activation, in
 * place, from the pooled potentials (max pooling) or spatial means (global
 * average pooling) on `frames`. Returns the model.
 */
export function calibrateThresholds(model: QuantizedModel, frames: Uint8Array[], targetDensity: number): QuantizedModel {
  let inputs = frames;
  let shape: [number, number, number] = [model.input.height, model.input.width, model.input.channels];
  for (const layer of model.layers) {
    const act = layer.activation;
    const gap = layer.pool?.kind === 'global-avg';
    // the potentials the activation sees: pooled by max, or all positions for a spatial mean
    const probe = new NsocRuntime(singleLayerModel({ ...layer, activation: null, pool: gap ? undefined : layer.pool }, shape), { collectStats: false });
    const [oh, ow, ch] = probe.plan.layers[0].outShape;
    const positions = oh * ow;
    if (act) {
      const perChannel = Array.from({ length: ch }, () => new Float64Array(inputs.length * (gap ? 1 : positions)));
      inputs.forEach((x, f) => {
        const p = probe.infer(x).output;
        for (let c = 0; c < ch; c++) {
          if (gap) {
            let sum = 0;
            for (let pos = 0; pos < positions; pos++) sum += p[pos * ch + c];
            perChannel[c][f] = sum / positions;
          } else {
            for (let pos = 0; pos < positions; pos++) perChannel[c][f * positions + pos] = p[pos * ch + c];
          }
        }
      });
      const maxOut = maxActivation(act.bits);
      for (let c = 0; c < ch; c++) {
        const v = perChannel[c].sort();
        const t = Math.max(0, Math.round(16 * quantile(v, 1 - targetDensity)));
        const top = 16 * quantile(v, 0.99);
        act.threshold[c] = t;
        act.step[c] = Math.max(1, Math.ceil((top - t) / maxOut));
      }
    }
    const run = new NsocRuntime(singleLayerModel(layer, shape), { collectStats: false });
    shape = run.plan.layers[0].outShape;
    if (act) inputs = inputs.map((x) => Uint8Array.from(run.infer(x).output));
  }
  return model;
}
