/**
 * Reference fully connected layer over the flattened HWC input; weights are
 * [inputs][units]. Returns the MACs executed.
 */
export function denseFullyConnectedPotentials(input: Uint8Array, units: number, weights: Int8Array, out: Int32Array): number {
  let macs = 0;
  for (let u = 0; u < units; u++) {
    let p = 0;
    for (let i = 0; i < input.length; i++) {
      p += input[i] * weights[i * units + u];
      macs++;
    }
    out[u] = p;
  }
  return macs;
}
