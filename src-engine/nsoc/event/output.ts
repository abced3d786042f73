/**
 * The event path's output stage, with pooling fused before the activation:
 * because the activation is non-decreasing in p, the max of activations over a
 * window equals the activation of the max potential, so a 2×2 pool activates
 * a quarter of the neurons. Global average pooling sums the potentials per
 * channel and activates the exact mean once. Returns the output events.
 */
import { activate, activateMean } from '../arith';
import type { LayerPlan } from '../runtime-plan';

export function eventOutput(plan: LayerPlan, potentials: Int32Array, out: Uint8Array | Int32Array): number {
  const [mh, mw, ch] = plan.mapShape;
  const [oh, ow] = plan.outShape;
  const act = plan.activation;
  const pool = plan.pool;
  let events = 0;
  if (pool?.kind === 'global-avg') {
    const a = act!;
    const n = mh * mw;
    for (let c = 0; c < ch; c++) {
      let sum = 0;
      for (let i = c; i < n * ch; i += ch) sum += potentials[i];
      const v = activateMean(sum, n, a.threshold[c], a.step[c], a.maxOut);
      out[c] = v;
      if (v !== 0) events++;
    }
    return events;
  }
  if (!pool) {
    const n = mh * mw * ch;
    if (!act) {
      out.set(potentials.subarray(0, n));
      for (let i = 0; i < n; i++) if (potentials[i] !== 0) events++;
      return events;
    }
    const { threshold, step, maxOut } = act;
    for (let pos = 0, i = 0; pos < mh * mw; pos++) {
      for (let c = 0; c < ch; c++, i++) {
        const v = activate(potentials[i], threshold[c], step[c], maxOut);
        out[i] = v;
        if (v !== 0) events++;
      }
    }
    return events;
  }
  return act
    ? maxPoolActivate(potentials, mw, ch, oh, ow, pool.size, pool.stride, act.levels, act.maxOut, out as Uint8Array)
    : maxPoolPotentials(potentials, mw, ch, oh, ow, pool.size, pool.stride, out as Int32Array);
}

/**
 * Max of each window's potentials, then the activation as the count of
 * activation levels reached (arith.ts: activationLevel) — no division, and one
 * comparison for the silent majority.
 */
function maxPoolActivate(
  potentials: Int32Array, mw: number, ch: number, oh: number, ow: number, size: number, stride: number,
  levels: Int32Array, maxOut: number, out: Uint8Array,
): number {
  let events = 0;
  const rowStep = mw * ch;
  for (let py = 0, o = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      const corner = (py * stride * mw + px * stride) * ch;
      for (let c = 0; c < ch; c++, o++) {
        let m = potentials[corner + c];
        for (let dy = 0, rowBase = corner + c; dy < size; dy++, rowBase += rowStep) {
          for (let dx = 0, i = rowBase; dx < size; dx++, i += ch) {
            const p = potentials[i];
            if (p > m) m = p;
          }
        }
        const lb = c * maxOut;
        let v = 0;
        while (v < maxOut && m >= levels[lb + v]) v++;
        out[o] = v;
        if (v !== 0) events++;
      }
    }
  }
  return events;
}

function maxPoolPotentials(potentials: Int32Array, mw: number, ch: number, oh: number, ow: number, size: number, stride: number, out: Int32Array): number {
  let events = 0;
  for (let py = 0, o = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      const corner = (py * stride * mw + px * stride) * ch;
      for (let c = 0; c < ch; c++, o++) {
        let m = potentials[corner + c];
        for (let dy = 0; dy < size; dy++) {
          for (let dx = 0; dx < size; dx++) {
            const p = potentials[corner + (dy * mw + dx) * ch + c];
            if (p > m) m = p;
          }
        }
        out[o] = m;
        if (m !== 0) events++;
      }
    }
  }
  return events;
}
