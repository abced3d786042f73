/**
 * Reference convolution (input convolution and plain convolution): the
 * textbook loop nest, one output neuron at a time, over in-bounds taps only.
 * Returns the number of MACs it executed.
 */
import type { ConvGeometry } from '../runtime-plan';

export function denseConvPotentials(input: Uint8Array, g: ConvGeometry, cout: number, weights: Int8Array, out: Int32Array): number {
  const { inH, inW, inC, outH, outW, kh, kw, stride, padTop, padLeft } = g;
  let macs = 0;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let co = 0; co < cout; co++) {
        let p = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * stride - padTop + ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * stride - padLeft + kx;
            if (ix < 0 || ix >= inW) continue;
            for (let c = 0; c < inC; c++) {
              p += input[(iy * inW + ix) * inC + c] * weights[((ky * kw + kx) * inC + c) * cout + co];
              macs++;
            }
          }
        }
        out[(oy * outW + ox) * cout + co] = p;
      }
    }
  }
  return macs;
}
