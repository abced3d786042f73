/**
 * Synthetic DVS time-channel frames (H×W×(2·bins), channel = bin·2 + polarity,
 * counts saturating at 15) for when no real recording is at hand: a few
 * moving outlines leave edges of events along their path — ON on the leading
 * side, OFF on the trailing side — plus sparse background noise. Density
 * comes out at a few per cent, like real DVS frames of a gesture.
 */
import { mulberry32, randInt } from './random-model';

export interface SyntheticFrameOptions {
  height?: number;
  width?: number;
  bins?: number;
  /** fraction of pixels with a noise event per bin */
  noise?: number;
  seed?: number;
}

export function syntheticDvsFrames(count: number, opts: SyntheticFrameOptions = {}): Uint8Array[] {
  const h = opts.height ?? 64;
  const w = opts.width ?? 64;
  const bins = opts.bins ?? 5;
  const ch = bins * 2;
  const noise = opts.noise ?? 0.002;
  const rng = mulberry32(opts.seed ?? 1);
  const frames: Uint8Array[] = [];
  for (let f = 0; f < count; f++) {
    const x = new Uint8Array(h * w * ch);
    const add = (yy: number, xx: number, c: number, n: number) => {
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) return;
      const i = (yy * w + xx) * ch + c;
      x[i] = Math.min(15, x[i] + n);
    };
    const shapes = randInt(rng, 1, 3);
    for (let s = 0; s < shapes; s++) {
      const cy = rng() * h;
      const cx = rng() * w;
      const ry = 4 + rng() * (h / 4);
      const rx = 4 + rng() * (w / 4);
      const vy = (rng() - 0.5) * 4;
      const vx = (rng() - 0.5) * 4;
      const fire = 0.3 + rng() * 0.6;
      for (let b = 0; b < bins; b++) {
        const oy = cy + vy * b;
        const ox = cx + vx * b;
        const steps = Math.ceil(2 * Math.PI * Math.max(rx, ry));
        for (let k = 0; k < steps; k++) {
          if (rng() > fire) continue;
          const t = (2 * Math.PI * k) / steps;
          const ny = Math.sin(t);
          const nx = Math.cos(t);
          // ON where the outline moves outward along its normal, OFF where it moves inward
          const pol = ny * vy + nx * vx >= 0 ? 1 : 0;
          const n = 1 + Math.floor(-Math.log(1 - rng()) * 1.5);
          add(Math.round(oy + ry * ny), Math.round(ox + rx * nx), b * 2 + pol, n);
        }
      }
    }
    const noisy = Math.round(noise * h * w * bins);
    for (let k = 0; k < noisy; k++) add(randInt(rng, 0, h - 1), randInt(rng, 0, w - 1), randInt(rng, 0, ch - 1), 1);
    frames.push(x);
  }
  return frames;
}
