/**
 * The event-based path, one layer: scatter the input events into the
 * potentials (conv.ts, separable.ts, fully-connected.ts), then pool and
 * activate (output.ts). Weights are widened to Int32Array once here, and every
 * scratch buffer is allocated at construction.
 */
import { outputBuffer, type LayerPlan, type LayerRunner } from '../runtime-plan';
import type { LayerStats } from '../stats';
import { eventConvScatter, type ConvScratch, type EventCounts } from './conv';
import { eventFullyConnectedScatter } from './fully-connected';
import { eventOutput } from './output';
import { eventSeparableScatter } from './separable';
import { axisTaps, type AxisTaps } from './taps';

export class EventLayerRunner implements LayerRunner {
  readonly output: Uint8Array | Int32Array;
  private readonly potentials: Int32Array;
  private readonly weights: Int32Array;
  private readonly pointwise: Int32Array;
  private readonly depthwiseSums: Int32Array;
  private readonly rows: AxisTaps | null = null;
  private readonly cols: AxisTaps | null = null;
  private readonly scratch: ConvScratch;
  private readonly counts: EventCounts = { events: 0, ops: 0 };

  constructor(readonly plan: LayerPlan) {
    const { layer, geometry: g, mapShape } = plan;
    this.potentials = new Int32Array(mapShape[0] * mapShape[1] * mapShape[2]);
    this.output = outputBuffer(plan);
    const inC = plan.inShape[2];
    this.scratch = { chan: new Int32Array(inC), val: new Int32Array(inC) };
    if (g) {
      this.rows = axisTaps(g.inH, g.outH, g.kh, g.stride, g.padTop);
      this.cols = axisTaps(g.inW, g.outW, g.kw, g.stride, g.padLeft);
    }
    if (layer.kind === 'separable-conv') {
      this.weights = Int32Array.from(layer.depthwise);
      this.pointwise = Int32Array.from(layer.pointwise);
      this.depthwiseSums = new Int32Array(mapShape[0] * mapShape[1] * inC);
    } else {
      this.weights = Int32Array.from(layer.weights);
      this.pointwise = new Int32Array(0);
      this.depthwiseSums = new Int32Array(0);
    }
  }

  run(input: Uint8Array, stats: LayerStats | null): void {
    const { layer, geometry } = this.plan;
    const counts = this.counts;
    if (layer.kind === 'dense') {
      eventFullyConnectedScatter(input, layer.units, this.weights, this.potentials, counts);
    } else if (layer.kind === 'separable-conv') {
      eventSeparableScatter(input, geometry!, layer.filters, this.weights, this.pointwise, this.rows!, this.cols!, this.depthwiseSums, this.potentials, counts);
    } else {
      eventConvScatter(input, geometry!, layer.filters, this.weights, this.rows!, this.cols!, this.scratch, this.potentials, counts);
    }
    const outputEvents = eventOutput(this.plan, this.potentials, this.output);
    if (stats) {
      stats.inputEvents = counts.events;
      stats.outputEvents = outputEvents;
      stats.executedOps = counts.ops;
      stats.denseMacs = this.plan.denseMacs;
    }
  }
}
