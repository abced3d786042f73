/**
 * A configurable description of the neuromorphic processor the mapper and
 * the estimates target. The AKD1000 default takes what is public (sources in
 * docs/NSOC.md, "Mapping onto neural processors") and documents what is
 * assumed ([assumption] below).
 */
import { HOROWITZ_45NM_SCALED_28NM, type EnergyTable } from './energy-table';

export interface NpLimits {
  /** output channels (filters or units) one NP computes */
  maxFilters: number;
  /** weight memory of one NP, in bits */
  weightMemoryBits: number;
}

/** The input-convolution engine outside the NP mesh (Akida's HRC). */
export interface InputEngine {
  units: number;
  /** input channel counts it accepts */
  channels: readonly number[];
  /** square kernel sides it accepts */
  kernels: readonly number[];
  /** largest filter count, by `${kernel}/${channels}` (e.g. '3/1') */
  maxFilters: Readonly<Record<string, number>>;
  /** input MACs per clock cycle */
  macsPerCycle: number;
}

export interface HardwareProfile {
  name: string;
  clockHz: number;
  nodes: number;
  npsPerNode: number;
  /** NPs not available to layers (the AKD1000 mesh uses 2 for DMA) */
  reservedNps: number;
  /** of the usable NPs, how many can be configured as fully connected processors with on-chip weights */
  fnpInternal: number;
  /** … and with weights in external memory (no weight-memory limit) */
  fnpExternal: number;
  /** convolution NPs (every usable NP can be one) */
  cnp: NpLimits;
  /** fully connected NPs with on-chip weights */
  fnp: NpLimits;
  /** null: the first layer always runs on CNPs */
  inputEngine: InputEngine | null;
  /** synaptic operations one NP performs per clock cycle (the latency model) */
  synapticOpsPerCyclePerNp: number;
  /** fixed cycles per layer (event routing, activation pass) */
  cyclesPerLayer: number;
  energy: EnergyTable;
}

export function usableNps(p: HardwareProfile): number {
  return p.nodes * p.npsPerNode - p.reservedNps;
}

/**
 * AKD1000: 20 nodes × 4 NPs, 2 reserved for DMA → 78 usable (AKIDA.md; the
 * akida package's virtual AKD1000 device lists exactly 78, all CNP-capable,
 * 18 also FNP3 and 4 also FNP2). HRC filter limits: the Akida 1.0 hardware
 * constraints page. 64 filters per CNP: the largest count consistent with
 * every published AKD1000 map [assumption, see docs]; weight memory: 8 MB of
 * on-chip SRAM over 80 NPs [assumption: all of it for weights]. Clock
 * 300 MHz [assumption]; the three throughput figures (16 synaptic ops per
 * cycle per NP, 4 MACs per cycle on the input engine, 8192 cycles per layer)
 * are fitted to the two published AKD1000 clock counts (DS-CNN KWS, AkidaNet
 * 0.5) at an assumed 50% activity — a calibration, not a hardware fact:
 * docs/NSOC.md.
 */
export const AKD1000: HardwareProfile = {
  name: 'AKD1000',
  clockHz: 300e6,
  nodes: 20,
  npsPerNode: 4,
  reservedNps: 2,
  fnpInternal: 18,
  fnpExternal: 4,
  cnp: { maxFilters: 64, weightMemoryBits: Math.floor((8 * 2 ** 20 * 8) / 80) },
  fnp: { maxFilters: 1 << 16, weightMemoryBits: Math.floor((8 * 2 ** 20 * 8) / 80) },
  inputEngine: {
    units: 1,
    channels: [1, 3],
    kernels: [3, 5, 7],
    maxFilters: { '3/1': 512, '5/1': 192, '7/1': 96, '3/3': 192, '5/3': 64, '7/3': 32 },
    macsPerCycle: 4,
  },
  synapticOpsPerCyclePerNp: 16,
  cyclesPerLayer: 8192,
  energy: HOROWITZ_45NM_SCALED_28NM,
};
