/**
 * Reference output stage, in the order model.ts states it: activate every
 * position of the map, then pool the activations (max pooling), or activate
 * the exact spatial mean of the potentials (global average pooling). A layer
 * without activation outputs its potentials, max-pooled if asked.
 */
import { activate, activateMean, poolWindowStart } from '../arith';
import type { LayerPlan } from '../runtime-plan';

export function denseOutput(plan: LayerPlan, potentials: Int32Array, activations: Uint8Array, out: Uint8Array | Int32Array): void {
  const [mh, mw, ch] = plan.mapShape;
  const [oh, ow] = plan.outShape;
  const act = plan.activation;
  const pool = plan.pool;
  if (pool?.kind === 'global-avg') {
    // planModel guarantees an activation here
    const a = act!;
    for (let c = 0; c < ch; c++) {
      let sum = 0;
      for (let pos = 0; pos < mh * mw; pos++) sum += potentials[pos * ch + c];
      out[c] = activateMean(sum, mh * mw, a.threshold[c], a.step[c], a.maxOut);
    }
    return;
  }
  // the map after activation (or the potentials themselves)
  let map: Uint8Array | Int32Array = potentials;
  if (act) {
    for (let pos = 0; pos < mh * mw; pos++) {
      for (let c = 0; c < ch; c++) {
        activations[pos * ch + c] = activate(potentials[pos * ch + c], act.threshold[c], act.step[c], act.maxOut);
      }
    }
    map = activations;
  }
  if (!pool) {
    out.set(map.subarray(0, mh * mw * ch));
    return;
  }
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      for (let c = 0; c < ch; c++) {
        let m = -Infinity;
        for (let dy = 0; dy < pool.size; dy++) {
          for (let dx = 0; dx < pool.size; dx++) {
            const y = poolWindowStart(py, pool.stride) + dy;
            const x = poolWindowStart(px, pool.stride) + dx;
            m = Math.max(m, map[(y * mw + x) * ch + c]);
          }
        }
        out[(py * ow + px) * ch + c] = m;
      }
    }
  }
}
