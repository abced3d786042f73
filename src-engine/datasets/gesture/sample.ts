/**
 * One clip → model inputs, through exactly the code the live app runs on a
 * webcam: rendered luma frames go into ModelInputEncoder.pushVideo (DVS
 * emulator → TimeChannelBinner). The first window is skipped so the emulator
 * has settled (its first frame only initialises the pixels).
 */
import type { InputEncoding } from '../../models/card';
import { ModelInputEncoder, type ModelFrame } from '../../models/encoder';
import { GestureRenderer } from './renderer';
import type { GestureClip } from './scene';

/** The encoding the gesture model is trained on (and the live app must use). */
export const GESTURE_INPUT: InputEncoding = {
  sensor: 'dvs',
  sensorWidth: 128,
  sensorHeight: 128,
  windowUs: 500_000,
  hopUs: 250_000,
  bins: 5,
  polarities: 2,
  clip: 15,
  width: 64,
  height: 64,
  layout: 'hwc',
  dvs: { preset: 'clean', fps: 30 },
};

export interface ClipRenderOptions {
  encoding?: InputEncoding;
  /** video frame rate fed to the emulator (it spreads events between frames) */
  fps: number;
  /** use the emulator's "noisy" preset (shot noise, leak, low-pass, more mismatch) */
  noisy: boolean;
  /** emulator seed (threshold mismatch and noise) */
  sensorSeed: number;
  /** window indices to return, ascending (window k starts k·hop after the first event) */
  windows: readonly number[];
}

export interface ClipWindows {
  frames: ModelFrame[];
  /** video frames rendered */
  videoFrames: number;
  /** DVS events made over the whole clip */
  events: number;
}

/** Renders `clip` at the encoding's sensor size until the wanted windows are complete. */
export function encodeClip(clip: GestureClip, opts: ClipRenderOptions): ClipWindows {
  const base = opts.encoding ?? GESTURE_INPUT;
  const enc: InputEncoding = { ...base, dvs: { fps: opts.fps, ...base.dvs, preset: opts.noisy ? 'noisy' : base.dvs?.preset ?? 'clean' } };
  const encoder = new ModelInputEncoder(enc, { seed: opts.sensorSeed, includeIncomplete: false });
  const renderer = new GestureRenderer(clip, enc.sensorWidth, enc.sensorHeight);
  const luma = new Uint8Array(enc.sensorWidth * enc.sensorHeight);
  const want = [...opts.windows].sort((a, b) => a - b);
  const last = want[want.length - 1] ?? 0;
  // enough frames for the last window plus slack for the grid's anchor (the first event)
  const maxFrames = Math.ceil(((enc.windowUs + last * enc.hopUs) / 1e6 + 0.5) * opts.fps);
  const frames: ModelFrame[] = [];
  let events = 0;
  let n = 0;
  for (; n < maxFrames && frames.length < want.length; n++) {
    const tUs = Math.round((n * 1e6) / opts.fps);
    events += encoder.pushVideo(renderer.render(tUs / 1e6, luma), enc.sensorWidth, enc.sensorHeight, tUs).length;
    for (const f of encoder.takeFrames()) if (want.includes(f.index)) frames.push(f);
  }
  if (frames.length < want.length) {
    // a scene without a single event (possible only in degenerate takes): pad with empty windows
    const shape: [number, number, number] = encoder.inputShape;
    while (frames.length < want.length) {
      const k = want[frames.length]!;
      frames.push({ index: k, tStartUs: k * enc.hopUs, tEndUs: k * enc.hopUs + enc.windowUs, data: new Uint8Array(shape[0] * shape[1] * shape[2]), shape, events: 0 });
    }
  }
  return { frames, videoFrames: n, events };
}
