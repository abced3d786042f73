/**
 * Reference separable convolution: the depthwise sums (one kh×kw kernel per
 * input channel, no activation), then the pointwise 1×1 convolution over them.
 * Returns the MACs executed (depthwise + pointwise).
 */
import type { ConvGeometry } from '../runtime-plan';

export function denseSeparablePotentials(
  input: Uint8Array,
  g: ConvGeometry,
  cout: number,
  depthwise: Int8Array,
  pointwise: Int8Array,
  /** scratch for the depthwise sums, outH·outW·inC */
  dw: Int32Array,
  out: Int32Array,
): number {
  const { inH, inW, inC, outH, outW, kh, kw, stride, padTop, padLeft } = g;
  let macs = 0;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < inC; c++) {
        let d = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * stride - padTop + ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * stride - padLeft + kx;
            if (ix < 0 || ix >= inW) continue;
            d += input[(iy * inW + ix) * inC + c] * depthwise[(ky * kw + kx) * inC + c];
            macs++;
          }
        }
        dw[(oy * outW + ox) * inC + c] = d;
      }
    }
  }
  for (let pos = 0; pos < outH * outW; pos++) {
    for (let co = 0; co < cout; co++) {
      let p = 0;
      for (let c = 0; c < inC; c++) {
        p += dw[pos * inC + c] * pointwise[c * cout + co];
        macs++;
      }
      out[pos * cout + co] = p;
    }
  }
  return macs;
}
