/**
 * Event-based separable convolution: the depthwise part scatters each input
 * event into its own channel of the depthwise sums; the pointwise part then
 * visits only the non-zero depthwise sums and adds sum × Wp[c][0 … cout) to
 * the position's potentials. Returns the operations executed in `counts`.
 */
import type { ConvGeometry } from '../runtime-plan';
import type { EventCounts } from './conv';
import type { AxisTaps } from './taps';

export function eventSeparableScatter(
  input: Uint8Array,
  g: ConvGeometry,
  cout: number,
  depthwise: Int32Array,
  pointwise: Int32Array,
  rows: AxisTaps,
  cols: AxisTaps,
  dw: Int32Array,
  acc: Int32Array,
  counts: EventCounts,
): void {
  const { inH, inW, inC, outH, outW, kw } = g;
  let events = 0;
  let ops = 0;
  dw.fill(0);
  acc.fill(0);
  for (let y = 0; y < inH; y++) {
    const ry0 = rows.start[y];
    const ry1 = rows.start[y + 1];
    for (let x = 0; x < inW; x++) {
      const base = (y * inW + x) * inC;
      const cx0 = cols.start[x];
      const cx1 = cols.start[x + 1];
      for (let c = 0; c < inC; c++) {
        const a = input[base + c];
        if (a === 0) continue;
        events++;
        ops += (ry1 - ry0) * (cx1 - cx0);
        for (let ry = ry0; ry < ry1; ry++) {
          const rowAcc = rows.out[ry] * outW;
          const rowW = rows.tap[ry] * kw;
          for (let rx = cx0; rx < cx1; rx++) {
            dw[(rowAcc + cols.out[rx]) * inC + c] += a * depthwise[(rowW + cols.tap[rx]) * inC + c];
          }
        }
      }
    }
  }
  for (let pos = 0; pos < outH * outW; pos++) {
    const accBase = pos * cout;
    for (let c = 0; c < inC; c++) {
      const d = dw[pos * inC + c];
      if (d === 0) continue;
      ops += cout;
      const wb = c * cout;
      for (let co = 0; co < cout; co++) acc[accBase + co] += d * pointwise[wb + co];
    }
  }
  counts.events = events;
  counts.ops = ops;
}
