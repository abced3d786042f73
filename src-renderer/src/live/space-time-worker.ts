/**
 * The 3D view's worker: owns the OffscreenCanvas the page transferred, the
 * three.js scene, the orbit camera and the render loop, so a slow frame
 * (software WebGL without a GPU takes 30–100 ms) never blocks the page.
 * Frames follow the worker's requestAnimationFrame (Chromium has it in
 * dedicated workers), or a 60 Hz timer where it is missing.
 */
import { receiveEventFeed, type FeedPort } from './event-feed-port';
import { SpaceTimeCloud } from './space-time-cloud';
import type { FromWorker, ToWorker } from './space-time-messages';
import { workerScope } from './worker-scope';

const { scope, nextFrame, cancelFrame } = workerScope<ToWorker, FromWorker>();

let cloud: SpaceTimeCloud | null = null;
let frameId = 0;
let frames = 0;
let fpsFrom = 0;
let fpsShown = 0;

function frame(now: number): void {
  frameId = nextFrame(frame);
  if (!cloud) return;
  cloud.render(now);
  frames++;
  // first figure after half a second, then every second
  if (now - fpsFrom >= (fpsShown === 0 ? 500 : 1000)) {
    fpsShown = Math.max(1, Math.round((frames * 1000) / (now - fpsFrom)));
    scope.postMessage({ type: 'fps', fps: fpsShown });
    frames = 0;
    fpsFrom = now;
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      // first, so chunks flow on to the other views even if WebGL fails here
      receiveEventFeed(m.feed as FeedPort, (c) => cloud?.add(c));
      try {
        cloud = new SpaceTimeCloud(m.canvas as OffscreenCanvas);
      } catch (err) {
        scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        return;
      }
      cloud.spanMs = m.spanMs;
      cloud.resize(m.width, m.height, m.dpr);
      fpsFrom = performance.now();
      frameId = nextFrame(frame);
      scope.postMessage({ type: 'ready' });
      break;
    case 'resize':
      cloud?.resize(m.width, m.height, m.dpr);
      break;
    case 'span':
      if (cloud) cloud.spanMs = m.spanMs;
      break;
    case 'orbit':
      cloud?.rotate(m.dx, m.dy);
      break;
    case 'zoom':
      cloud?.orbit.zoom(m.deltaY);
      break;
    case 'home':
      cloud?.orbit.reset();
      break;
    case 'stop':
      cancelFrame(frameId);
      cloud?.dispose();
      cloud = null;
      break;
  }
};
