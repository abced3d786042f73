/**
 * Does a model fit what a device says it can run (IDENTIFY's bit-width
 * masks)? Checked by the host before an upload — a readable refusal instead
 * of a transfer that ends in MODEL_INVALID — and by the device at LOAD_END.
 * The NP count is reported, not checked here: mapping onto NPs is the
 * device's business (src-engine/nsoc/mapping.ts for the simulated one).
 */
import type { QuantizedModel } from '../../../src-engine/nsoc/model';
import type { DeviceIdentity } from './messages';

const bitIndex = (bits: number) => Math.log2(bits);

export function capabilityProblems(model: QuantizedModel, d: Pick<DeviceIdentity, 'weightBitsMask' | 'activationBitsMask' | 'name'>): string[] {
  const problems: string[] = [];
  for (const l of model.layers) {
    if (!(d.weightBitsMask & (1 << bitIndex(l.weightBits)))) problems.push(`layer ${l.name}: ${l.weightBits}-bit weights (${d.name} supports ${bitsOf(d.weightBitsMask)})`);
    if (l.activation && !(d.activationBitsMask & (1 << bitIndex(l.activation.bits)))) {
      problems.push(`layer ${l.name}: ${l.activation.bits}-bit activations (${d.name} supports ${bitsOf(d.activationBitsMask)})`);
    }
  }
  return problems;
}

function bitsOf(mask: number): string {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) if (mask & (1 << i)) out.push(1 << i);
  return out.length ? out.join('/') + '-bit' : 'none';
}
