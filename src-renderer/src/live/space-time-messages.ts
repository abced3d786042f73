/**
 * What the page and the 3D view's worker (space-time-worker.ts) say to each
 * other. The page only forwards: event columns (copied once, transferred,
 * never per-event objects), size, span and pointer input; the worker owns
 * the scene and the render loop and reports its frame rate.
 */
import type { EventColumns } from './space-time-ring';

export type ToWorker =
  /** canvas: the transferred OffscreenCanvas (typed loosely: this file also compiles without DOM types, for tests) */
  | { type: 'init'; canvas: object; width: number; height: number; dpr: number; spanMs: number }
  | { type: 'events'; chunk: EventColumns }
  | { type: 'resize'; width: number; height: number; dpr: number }
  | { type: 'span'; spanMs: number }
  /** a drag, CSS pixels since the last one */
  | { type: 'orbit'; dx: number; dy: number }
  /** wheel, pixels (positive = away) */
  | { type: 'zoom'; deltaY: number }
  | { type: 'home' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fps'; fps: number }
  | { type: 'error'; message: string };

/**
 * A message carrying a copy of the chunk's columns, with their buffers to
 * transfer: the page's own chunk stays intact for the 2D view, and the copy
 * (four memcpys) moves to the worker without being cloned again.
 */
export function eventsMessage(c: EventColumns): { message: ToWorker; transfer: ArrayBuffer[] } {
  const chunk: EventColumns = { t0Us: c.t0Us, width: c.width, height: c.height, t: c.t.slice(), x: c.x.slice(), y: c.y.slice(), p: c.p.slice() };
  return { message: { type: 'events', chunk }, transfer: [chunk.t.buffer, chunk.x.buffer, chunk.y.buffer, chunk.p.buffer] as ArrayBuffer[] };
}
