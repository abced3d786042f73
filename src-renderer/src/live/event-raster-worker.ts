/**
 * The 2D view's worker: folds event chunks into the raster and paints it on
 * the OffscreenCanvas the page transferred, once per animation frame (or a
 * 60 Hz timer where workers have no requestAnimationFrame). At 5 M events/s
 * folding alone is several milliseconds a chunk; here it never holds up the page.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';
import { RasterPainter, type RasterOptions, type RasterStats } from './event-raster-painter';

export type ToRasterWorker =
  /** canvas: the transferred OffscreenCanvas */
  | { type: 'init'; canvas: object; options: RasterOptions }
  | { type: 'events'; chunk: EventChunk }
  | { type: 'options'; options: RasterOptions }
  | { type: 'stop' };
export type FromRasterWorker = { type: 'stats'; stats: RasterStats } | { type: 'error'; message: string };

/** the parts of DedicatedWorkerGlobalScope used here (the renderer compiles with DOM types) */
interface WorkerScope {
  onmessage: ((e: MessageEvent<ToRasterWorker>) => void) | null;
  postMessage(message: FromRasterWorker): void;
  requestAnimationFrame?: (cb: (now: number) => void) => number;
  cancelAnimationFrame?: (id: number) => void;
}
const scope = self as unknown as WorkerScope;
const nextFrame: (cb: (now: number) => void) => number = scope.requestAnimationFrame
  ? (cb) => scope.requestAnimationFrame!(cb)
  : (cb) => setTimeout(() => cb(performance.now()), 16) as unknown as number;
const cancelFrame: (id: number) => void = scope.cancelAnimationFrame ? (id) => scope.cancelAnimationFrame!(id) : (id) => clearTimeout(id);

let painter: RasterPainter | null = null;
let frameId = 0;

function frame(now: number): void {
  frameId = nextFrame(frame);
  painter?.frame(now);
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      try {
        painter = new RasterPainter(m.canvas as OffscreenCanvas, m.options, (stats) => scope.postMessage({ type: 'stats', stats }));
      } catch (err) {
        scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        return;
      }
      frameId = nextFrame(frame);
      break;
    case 'events':
      painter?.add(m.chunk);
      break;
    case 'options':
      painter?.setOptions(m.options);
      break;
    case 'stop':
      cancelFrame(frameId);
      painter = null;
      break;
  }
};
