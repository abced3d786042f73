/**
 * The dense integer reference path: every layer computes every potential with
 * a plain loop nest (see conv.ts, separable.ts, fully-connected.ts), then
 * activates and pools (output.ts). Slow and obviously correct; the event path
 * must match it bit for bit. Its dense-MAC count is counted in the loops, not
 * taken from the closed form, so comparing the two checks both.
 */
import { countNonZero, outputBuffer, type LayerPlan, type LayerRunner } from '../runtime-plan';
import type { LayerStats } from '../stats';
import { denseConvPotentials } from './conv';
import { denseFullyConnectedPotentials } from './fully-connected';
import { denseOutput } from './output';
import { denseSeparablePotentials } from './separable';

export class DenseLayerRunner implements LayerRunner {
  readonly output: Uint8Array | Int32Array;
  private readonly potentials: Int32Array;
  private readonly activations: Uint8Array;
  private readonly depthwiseSums: Int32Array;

  constructor(readonly plan: LayerPlan) {
    const [mh, mw, mc] = plan.mapShape;
    this.potentials = new Int32Array(mh * mw * mc);
    this.activations = new Uint8Array(plan.activation ? mh * mw * mc : 0);
    this.depthwiseSums = new Int32Array(plan.layer.kind === 'separable-conv' ? mh * mw * plan.inShape[2] : 0);
    this.output = outputBuffer(plan);
  }

  run(input: Uint8Array, stats: LayerStats | null): void {
    const { layer, geometry } = this.plan;
    let macs: number;
    if (layer.kind === 'dense') {
      macs = denseFullyConnectedPotentials(input, layer.units, layer.weights, this.potentials);
    } else if (layer.kind === 'separable-conv') {
      macs = denseSeparablePotentials(input, geometry!, layer.filters, layer.depthwise, layer.pointwise, this.depthwiseSums, this.potentials);
    } else {
      macs = denseConvPotentials(input, geometry!, layer.filters, layer.weights, this.potentials);
    }
    denseOutput(this.plan, this.potentials, this.activations, this.output);
    if (stats) {
      stats.inputEvents = countNonZero(input);
      stats.outputEvents = countNonZero(this.output);
      stats.executedOps = macs;
      stats.denseMacs = macs;
    }
  }
}
