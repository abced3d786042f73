/**
 * What the page and the 3D view's worker (space-time-worker.ts) say to each
 * other. The page only forwards size, span and pointer input; event chunks
 * arrive on the feed port (event-feed.ts) handed over with `init`. The
 * worker owns the scene and the render loop and reports its frame rate.
 */

export type ToWorker =
  /** canvas: the transferred OffscreenCanvas, feed: the event feed's MessagePort (typed loosely: this file also compiles without DOM types, for tests) */
  | { type: 'init'; canvas: object; width: number; height: number; dpr: number; spanMs: number; feed: object }
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

