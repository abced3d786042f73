/**
 * What the views' drawing workers (space-time-worker.ts, event-raster-worker.ts)
 * use of their DedicatedWorkerGlobalScope — typed here because the renderer
 * compiles with DOM types — and a frame clock: requestAnimationFrame where the
 * worker has it (Chromium), else a ~60 Hz timer.
 */
export interface WorkerScope<In, Out> {
  onmessage: ((e: MessageEvent<In>) => void) | null;
  postMessage(message: Out): void;
  requestAnimationFrame?: (cb: (now: number) => void) => number;
  cancelAnimationFrame?: (id: number) => void;
}

export function workerScope<In, Out>(): {
  scope: WorkerScope<In, Out>;
  nextFrame: (cb: (now: number) => void) => number;
  cancelFrame: (id: number) => void;
} {
  const scope = self as unknown as WorkerScope<In, Out>;
  const nextFrame = scope.requestAnimationFrame
    ? (cb: (now: number) => void) => scope.requestAnimationFrame!(cb)
    : (cb: (now: number) => void) => setTimeout(() => cb(performance.now()), 16) as unknown as number;
  const cancelFrame = scope.cancelAnimationFrame ? (id: number) => scope.cancelAnimationFrame!(id) : (id: number) => clearTimeout(id);
  return { scope, nextFrame, cancelFrame };
}
