/**
 * Time-window raster of an event stream for the 2D view. Each pixel keeps
 * the sensor time and polarity of its latest event; a frame paints pixels
 * whose latest event is younger than the accumulation window, fading with
 * age. Cost per frame: O(new events + pixels), no allocation — which is what
 * keeps 5 M events/s at display rate (a 346×260 sensor is 90k pixels).
 *
 * Pure TypeScript with no DOM so it runs in tests and workers.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';

export interface RasterColours {
  /** 0xAABBGGRR little-endian RGBA as Uint32 (ImageData byte order) */
  on: number;
  off: number;
  background: number;
}

export function rgbaWord(hex: string, alpha = 255): number {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export class EventRaster {
  width = 0;
  height = 0;
  /** latest event time per pixel, µs relative to `epochUs`; -Infinity = never */
  private last = new Float64Array(0);
  private pol = new Uint8Array(0);
  /** the image, one 32-bit RGBA word per pixel */
  pixels = new Uint32Array(0);
  /** newest sensor time seen, µs */
  nowUs = -Infinity;
  /** events folded in since the last `takeCount()` */
  private counted = 0;

  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.last = new Float64Array(n).fill(-Infinity);
    this.pol = new Uint8Array(n);
    this.pixels = new Uint32Array(n);
    this.nowUs = -Infinity;
  }

  clear(): void {
    this.last.fill(-Infinity);
    this.nowUs = -Infinity;
  }

  /** fold a chunk in; a chunk older than what we have (source restarted / seeked back) resets the raster */
  add(c: EventChunk): void {
    if (c.width !== this.width || c.height !== this.height) this.resize(c.width, c.height);
    const n = c.t.length;
    if (n === 0) return;
    const t0 = c.t0Us;
    if (t0 + c.t[n - 1] < this.nowUs - 1_000_000) this.clear();
    const { last, pol, width, height } = this;
    const t = c.t;
    const x = c.x;
    const y = c.y;
    const p = c.p;
    let newest = this.nowUs;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const yi = y[i];
      if (xi >= width || yi >= height) continue;
      const k = yi * width + xi;
      const ti = t0 + t[i];
      last[k] = ti;
      pol[k] = p[i];
      if (ti > newest) newest = ti;
    }
    this.nowUs = newest;
    this.counted += c.total;
  }

  takeCount(): number {
    const c = this.counted;
    this.counted = 0;
    return c;
  }

  /**
   * Paint pixels younger than `windowUs` with their polarity colour, fading
   * linearly with age over the window. Returns how many pixels are lit.
   */
  render(windowUs: number, colours: RasterColours): number {
    const { last, pol, pixels, nowUs } = this;
    const n = pixels.length;
    const bg = colours.background;
    if (!(nowUs > -Infinity)) {
      pixels.fill(bg);
      return 0;
    }
    const on = colours.on;
    const off = colours.off;
    const inv = 1 / windowUs;
    const bgR = bg & 255;
    const bgG = (bg >>> 8) & 255;
    const bgB = (bg >>> 16) & 255;
    let lit = 0;
    for (let k = 0; k < n; k++) {
      const age = nowUs - last[k];
      if (age >= windowUs) {
        pixels[k] = bg;
        continue;
      }
      lit++;
      // fade towards the background: a = 1 (newest) → 0 (window old)
      const a = 1 - age * inv;
      const c = pol[k] ? on : off;
      const r = bgR + ((c & 255) - bgR) * a;
      const g = bgG + (((c >>> 8) & 255) - bgG) * a;
      const b = bgB + (((c >>> 16) & 255) - bgB) * a;
      pixels[k] = (0xff000000 | ((b & 255) << 16) | ((g & 255) << 8) | (r & 255)) >>> 0;
    }
    return lit;
  }
}
