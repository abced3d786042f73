// A rendered gesture as a .y4m video: test clips for the CLI, the live
// pipeline and Chromium's fake camera (which plays 4:2:0 y4m).
import { encodeY4m, type Y4mColorSpace } from '../../media/y4m';
import { GESTURE_ALL_CLASSES, gestureClassIndex } from './classes';
import { GestureRenderer } from './renderer';
import { makeGestureClip } from './scene';

export interface GestureClipOptions {
  /** class name or index into GESTURE_ALL_CLASSES (the novel few-shot gestures included) */
  gesture: string | number;
  /** subject id (default 10 000: a test-split subject, never in training) */
  subject?: number;
  take?: number;
  /** dataset seed the subject is drawn from (default 1) */
  seed?: number;
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  colorSpace?: Y4mColorSpace;
}

/** Renders a clip and returns the bytes of a .y4m file (default 320×240, 30 fps, 2 s, 420jpeg). */
export function renderGestureClip(opts: GestureClipOptions): Uint8Array {
  const classIndex = typeof opts.gesture === 'number' ? opts.gesture : gestureClassIndex(opts.gesture);
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= GESTURE_ALL_CLASSES.length) throw new RangeError(`gesture class index ${classIndex} is outside 0…${GESTURE_ALL_CLASSES.length - 1}`);
  const width = opts.width ?? 320, height = opts.height ?? 240, fps = opts.fps ?? 30, seconds = opts.seconds ?? 2;
  if (!(fps > 0 && fps <= 1000)) throw new RangeError(`fps must be from 0 to 1000, not ${fps}`);
  if (!(seconds > 0 && seconds <= 600)) throw new RangeError(`seconds must be from 0 to 600, not ${seconds}`);
  const clip = makeGestureClip(opts.seed ?? 1, classIndex, opts.subject ?? 10_000, opts.take ?? 0, width / height);
  const r = new GestureRenderer(clip, width, height);
  const frames: Uint8Array[] = [];
  const n = Math.max(1, Math.round(seconds * fps));
  for (let i = 0; i < n; i++) frames.push(r.render(i / fps));
  return encodeY4m(frames, { width, height, fps, colorSpace: opts.colorSpace, comments: [`neurolive-gesture=${GESTURE_ALL_CLASSES[classIndex]}`] });
}
