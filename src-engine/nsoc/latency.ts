/**
 * Estimated latency of one inference (batch 1): each layer's executed
 * synaptic operations spread evenly over the processors it is mapped on,
 *   cycles(layer) = cyclesPerLayer + ⌈ops / (NPs × synapticOpsPerCyclePerNp)⌉
 * (the input engine: ⌈ops / macsPerCycle⌉ on its unit), and layers taken one
 * after another — the hardware overlaps consecutive layers as events flow, so
 * this errs on the long side. Calibration against published clock counts:
 * docs/NSOC.md.
 */
import { activityLayers, type ActivityInput } from './activity';
import type { HardwareProfile } from './hardware-profile';
import type { ModelMapping } from './mapping';

export interface LatencyEstimate {
  clockHz: number;
  perLayerCycles: number[];
  cycles: number;
  seconds: number;
}

export function estimateLatency(mapping: ModelMapping, activity: ActivityInput, profile: HardwareProfile): LatencyEstimate {
  const counts = activityLayers(activity);
  if (counts.length !== mapping.layers.length) {
    throw new Error(`activity has ${counts.length} layers, the mapping ${mapping.layers.length}`);
  }
  const perLayerCycles = mapping.layers.map((l, i) => {
    const ops = counts[i].executedOps;
    const rate = l.processor === 'hrc' ? (profile.inputEngine?.macsPerCycle ?? 1) : Math.max(1, l.nps) * profile.synapticOpsPerCyclePerNp;
    return profile.cyclesPerLayer + Math.ceil(ops / rate);
  });
  const cycles = perLayerCycles.reduce((s, c) => s + c, 0);
  return { clockHz: profile.clockHz, perLayerCycles, cycles, seconds: cycles / profile.clockHz };
}
