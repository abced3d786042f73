/**
 * Event-based convolution (input convolution and plain convolution): visit
 * only the non-zero input activations and scatter each one's kernel into the
 * output potentials. For an event a at (y, x, c) and each kernel tap (ky, kx)
 * that lands on an output (oy, ox), the potentials of all output channels get
 * a × W[ky][kx][c][0 … cout) — a contiguous run in HWIO order.
 *
 * Work is grouped by input pixel: its non-zero channels are gathered once,
 * then for each tap the same accumulator run receives every channel's
 * weights (summed per output channel first when the pixel has several
 * events, so each potential is loaded and stored once per tap). Returns the
 * synaptic operations executed (taps × events × cout).
 */
import type { ConvGeometry } from '../runtime-plan';
import type { AxisTaps } from './taps';

export interface ConvScratch {
  /** non-zero channels of the current pixel: index and value */
  chan: Int32Array;
  val: Int32Array;
}

export interface EventCounts {
  events: number;
  ops: number;
}

export function eventConvScatter(
  input: Uint8Array,
  g: ConvGeometry,
  cout: number,
  weights: Int32Array,
  rows: AxisTaps,
  cols: AxisTaps,
  scratch: ConvScratch,
  acc: Int32Array,
  counts: EventCounts,
): void {
  const { inH, inW, inC, outW, kw } = g;
  const { chan, val } = scratch;
  const rowStart = rows.start;
  const rowTap = rows.tap;
  const rowOut = rows.out;
  const colStart = cols.start;
  const colTap = cols.tap;
  const colOut = cols.out;
  const tapStride = inC * cout;
  let events = 0;
  let ops = 0;
  acc.fill(0);
  for (let y = 0; y < inH; y++) {
    const ry0 = rowStart[y];
    const ry1 = rowStart[y + 1];
    for (let x = 0; x < inW; x++) {
      const base = (y * inW + x) * inC;
      let n = 0;
      for (let c = 0; c < inC; c++) {
        const a = input[base + c];
        if (a !== 0) {
          chan[n] = c * cout;
          val[n] = a;
          n++;
        }
      }
      if (n === 0) continue;
      events += n;
      const cx0 = colStart[x];
      const cx1 = colStart[x + 1];
      ops += (ry1 - ry0) * (cx1 - cx0) * n * cout;
      for (let ry = ry0; ry < ry1; ry++) {
        const rowAcc = rowOut[ry] * outW;
        const rowW = rowTap[ry] * kw;
        for (let rx = cx0; rx < cx1; rx++) {
          const accBase = (rowAcc + colOut[rx]) * cout;
          const wTap = (rowW + colTap[rx]) * tapStride;
          if (n === 1) {
            const a = val[0];
            const wb = wTap + chan[0];
            for (let co = 0; co < cout; co++) acc[accBase + co] += a * weights[wb + co];
          } else {
            // several events at this pixel: sum their contributions per output channel, one store each
            for (let co = 0; co < cout; co++) {
              let p = acc[accBase + co];
              for (let i = 0; i < n; i++) p += val[i] * weights[wTap + chan[i] + co];
              acc[accBase + co] = p;
            }
          }
        }
      }
    }
  }
  counts.events = events;
  counts.ops = ops;
}
