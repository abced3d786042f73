/**
 * The 2D view's worker: folds event chunks into the raster and paints it on
 * the OffscreenCanvas the page transferred, once per animation frame (or a
 * 60 Hz timer where workers have no requestAnimationFrame). At 5 M events/s
 * folding alone is several milliseconds a chunk; here it never holds up the page.
 */
import { receiveEventFeed, type FeedPort } from './event-feed-port';
import { RasterPainter, type RasterOptions, type RasterStats } from './event-raster-painter';
import { workerScope } from './worker-scope';

export type ToRasterWorker =
  /** canvas: the transferred OffscreenCanvas; feed: the page's event feed port (event-feed.ts) */
  | { type: 'init'; canvas: object; options: RasterOptions; feed: object }
  | { type: 'options'; options: RasterOptions }
  | { type: 'stop' };
export type FromRasterWorker = { type: 'stats'; stats: RasterStats } | { type: 'error'; message: string };

const { scope, nextFrame, cancelFrame } = workerScope<ToRasterWorker, FromRasterWorker>();

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
      // first, so chunks flow on to the other views even if this one fails
      receiveEventFeed(m.feed as FeedPort, (c) => painter?.add(c));
      try {
        painter = new RasterPainter(m.canvas as OffscreenCanvas, m.options, (stats) => scope.postMessage({ type: 'stats', stats }));
      } catch (err) {
        scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        return;
      }
      frameId = nextFrame(frame);
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
