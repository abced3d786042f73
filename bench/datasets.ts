// Dataset generation speed: the gesture renderer alone (128×128, the sensor
// size, and 640×480, webcam-size test videos) and whole clips through the live
// encoder (render → DVS emulator → binner) at the generator's two frame rates.
// Clip rates are per core: the generator runs one worker per core.
import type { BenchRow } from './event-core';
import { GestureRenderer, encodeClip, makeGestureClip } from '../src-engine/datasets/gesture/index';

function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function renderRow(w: number, h: number, frames: number): BenchRow {
  const r = new GestureRenderer(makeGestureClip(1, 8, 3, 0, w / h), w, h);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < 20; i++) r.render(i / 200, out);
  const s = cpuSeconds(() => {
    for (let i = 0; i < frames; i++) r.render(i / 200, out);
  });
  return { name: `gesture render ${w}×${h}`, value: frames / s, unit: 'frames/s', note: 'CPU time, one core' };
}

function clipRow(fps: number, clips: number): BenchRow {
  encodeClip(makeGestureClip(1, 0, 0, 0), { fps, noisy: false, sensorSeed: 1, windows: [1, 3] });
  const s = cpuSeconds(() => {
    for (let i = 0; i < clips; i++) encodeClip(makeGestureClip(1, i % 11, i, i), { fps, noisy: i % 4 === 0, sensorSeed: i, windows: [1, 3] });
  });
  return { name: `gesture clips at ${fps} fps (2 windows)`, value: clips / s, unit: 'clips/s', note: 'render + emulator + binner, CPU time, one core' };
}

export async function datasetsBench(quick = false): Promise<BenchRow[]> {
  return [renderRow(128, 128, quick ? 500 : 3000), renderRow(640, 480, quick ? 30 : 200), clipRow(200, quick ? 6 : 30), clipRow(30, quick ? 10 : 60)];
}
