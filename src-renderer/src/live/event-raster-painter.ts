/**
 * The 2D view's frame loop around EventRaster: folds chunks in, paints the
 * raster once per animation frame with one putImageData, and reports what
 * the view shows (size, fps, lit pixels, events drawn). Runs in
 * event-raster-worker.ts on the canvas the page transferred, or on the
 * page's own canvas where OffscreenCanvas is missing.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';
import { EventRaster, type RasterColours } from './event-raster';

export interface RasterOptions extends RasterColours {
  windowMs: number;
}

export interface RasterStats {
  width: number;
  height: number;
  fps: number;
  /** pixels lit in the last frame */
  lit: number;
  /** events folded in so far (what the chunks stood for) */
  events: number;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

export class RasterPainter {
  options: RasterOptions;
  private readonly raster = new EventRaster();
  private readonly ctx: Context2D;
  private image: ImageData | null = null;
  private dirty = true;
  private events = 0;
  private frames = 0;
  private fpsFrom = 0;
  private shown: RasterStats = { width: 0, height: 0, fps: 0, lit: 0, events: 0 };

  constructor(
    private readonly canvas: HTMLCanvasElement | OffscreenCanvas,
    options: RasterOptions,
    private readonly report: (s: RasterStats) => void,
  ) {
    const ctx = canvas.getContext('2d', { alpha: false }) as Context2D | null;
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
    this.options = options;
  }

  add(c: EventChunk): void {
    this.raster.add(c);
    this.events += c.total;
    this.dirty = true;
  }

  setOptions(o: RasterOptions): void {
    this.options = o;
    this.dirty = true;
  }

  frame(now: number): void {
    if (this.fpsFrom === 0) this.fpsFrom = now;
    this.frames++;
    const s = this.shown;
    let changed = false;
    // first figure after half a second, then every second
    if (now - this.fpsFrom >= (s.fps === 0 ? 500 : 1000)) {
      s.fps = Math.round((this.frames * 1000) / (now - this.fpsFrom));
      this.frames = 0;
      this.fpsFrom = now;
      s.events = this.events;
      changed = true;
    }
    const r = this.raster;
    if (this.dirty && r.width > 0) {
      this.dirty = false;
      if (this.canvas.width !== r.width || this.canvas.height !== r.height) {
        this.canvas.width = r.width;
        this.canvas.height = r.height;
      }
      if (!this.image || this.image.data.buffer !== r.pixels.buffer) {
        this.image = new ImageData(new Uint8ClampedArray(r.pixels.buffer), r.width, r.height);
      }
      const lit = r.render(this.options.windowMs * 1000, this.options);
      // keep fading even without new events until everything has aged out
      if (lit > 0) this.dirty = true;
      this.ctx.putImageData(this.image, 0, 0);
      if (s.width !== r.width || s.height !== r.height || (s.lit === 0 && lit > 0)) {
        s.width = r.width;
        s.height = r.height;
        s.events = this.events;
        changed = true;
      }
      if (changed || lit === 0) s.lit = lit;
    }
    if (changed) this.report({ ...s });
  }
}

