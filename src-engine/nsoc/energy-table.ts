/**
 * Energy per elementary operation, from M. Horowitz, "Computing's energy
 * problem (and what we can do about it)", ISSCC 2014 (45 nm, 0.9 V):
 * 8-bit integer multiply 0.2 pJ, 32-bit integer add 0.1 pJ, 64-bit read of an
 * 8 KB SRAM 10 pJ (so ≈ 0.156 pJ per bit). Scaled to the AKD1000's 28 nm by
 * 28/45 (dynamic energy ∝ C·V², C ∝ feature size at equal voltage) — a
 * first-order assumption. How operations combine into a synaptic op: energy.ts.
 */
export interface EnergyTable {
  name: string;
  /** pJ: 8-bit × 8-bit integer multiply */
  mult8: number;
  /** pJ: 32-bit integer add */
  add32: number;
  /** pJ per bit read or written in a small (8 KB) local SRAM */
  sramBit: number;
  /** factor applied to every figure (process scaling from the source's node) */
  scale: number;
  /** width of a stored membrane potential, bits */
  potentialBits: number;
  /** width of an event as stored and routed (address + value), bits */
  eventBits: number;
}

export const HOROWITZ_45NM_SCALED_28NM: EnergyTable = {
  name: 'Horowitz ISSCC 2014 (45 nm) × 28/45',
  mult8: 0.2,
  add32: 0.1,
  sramBit: 10 / 64,
  scale: 28 / 45,
  potentialBits: 32,
  eventBits: 32,
};

/** pJ of one synaptic operation: a weight read, a (b_w × b_a)-bit multiply, an add into the potential, the potential's read-modify-write. */
export function synapticOpPj(t: EnergyTable, weightBits: number, activationBits: number): number {
  // An array multiplier's energy grows with the product of the operand widths; a 1-bit (±1) weight only selects add or subtract.
  const multiply = weightBits === 1 ? 0 : (t.mult8 * weightBits * activationBits) / 64;
  return t.scale * (weightBits * t.sramBit + multiply + t.add32 + 2 * t.potentialBits * t.sramBit);
}

/** pJ of moving one event: written by the producing NP, read by the consuming one. */
export function eventPj(t: EnergyTable): number {
  return t.scale * t.eventBits * t.sramBit;
}

/** pJ of evaluating one neuron's activation once per inference: potential read and reset, compare, divide (≈ 3 adds). */
export function neuronPj(t: EnergyTable): number {
  return t.scale * (2 * t.potentialBits * t.sramBit + 3 * t.add32);
}
