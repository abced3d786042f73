/**
 * Event-based fully connected layer: one row of weights ([inputs][units]) per
 * non-zero input, added into the unit potentials.
 */
import type { EventCounts } from './conv';

export function eventFullyConnectedScatter(input: Uint8Array, units: number, weights: Int32Array, acc: Int32Array, counts: EventCounts): void {
  let events = 0;
  acc.fill(0);
  for (let i = 0; i < input.length; i++) {
    const a = input[i];
    if (a === 0) continue;
    events++;
    const wb = i * units;
    for (let u = 0; u < units; u++) acc[u] += a * weights[wb + u];
  }
  counts.events = events;
  counts.ops = events * units;
}
