// Gesture test videos on disk (.y4m), for the CLI, e2e tests and Chromium's fake camera.
import { writeFileSync } from 'node:fs';
import { renderGestureClip, type GestureClipOptions } from '../../../src-engine/datasets/gesture/index';

export { renderGestureClip };
export type { GestureClipOptions };

/** Renders a gesture clip and writes it to `path`; returns the byte count. */
export function writeGestureY4m(path: string, opts: GestureClipOptions): number {
  const bytes = renderGestureClip(opts);
  writeFileSync(path, bytes);
  return bytes.length;
}
