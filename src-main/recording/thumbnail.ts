/**
 * A take's small grey preview: events summed per cell of a grid at most
 * THUMB_MAX cells on its longer side (aspect kept), then mapped to 0–255 by
 * the square root of the count relative to the busiest cell, so a few hot
 * pixels do not wash out the rest.
 */
import type { EventBatch } from '../../src-engine/events/batch';

export const THUMB_MAX = 64;

export interface Thumbnail {
  width: number;
  height: number;
  pixels: Uint8Array;
}

export class ThumbnailAccumulator {
  readonly width: number;
  readonly height: number;
  private readonly counts: Uint32Array;
  private readonly scale: number;

  constructor(sensorWidth: number, sensorHeight: number, max = THUMB_MAX) {
    this.scale = Math.max(1, Math.ceil(Math.max(sensorWidth, sensorHeight) / max));
    this.width = Math.max(1, Math.ceil(sensorWidth / this.scale));
    this.height = Math.max(1, Math.ceil(sensorHeight / this.scale));
    this.counts = new Uint32Array(this.width * this.height);
  }

  add(b: EventBatch): void {
    const { x, y } = b;
    const s = this.scale, w = this.width, h = this.height, c = this.counts;
    for (let i = 0; i < b.length; i++) {
      const cx = (x[i] / s) | 0;
      const cy = (y[i] / s) | 0;
      if (cx < w && cy < h) c[cy * w + cx]++;
    }
  }

  render(): Thumbnail {
    let max = 0;
    for (const v of this.counts) if (v > max) max = v;
    const pixels = new Uint8Array(this.counts.length);
    if (max > 0) {
      const k = 255 / Math.sqrt(max);
      for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(Math.sqrt(this.counts[i]) * k);
    }
    return { width: this.width, height: this.height, pixels };
  }
}
