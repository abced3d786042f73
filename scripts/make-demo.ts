/**
 * Builds the bundled demo recordings (resources/demo/): procedural gesture
 * clips from the project's own generator (src-engine/datasets/gesture),
 * rendered at the gesture model's sensor size and turned into events by the
 * DVS emulator, exactly as the app turns a webcam into events. Each file
 * strings a few gestures together on one emulated sensor and gets a DVS
 * Gesture-style `_labels.csv`, so the demo shows ground truth next to the
 * prediction. Deterministic (fixed seeds).
 *
 *   node --import tsx scripts/make-demo.ts [--out resources/demo] [--seconds 2]
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { concatBatches, type EventBatch } from '../src-engine/events/batch';
import { formatGestureLabels, labelsPathFor, type GestureLabel } from '../src-engine/formats/aedat/gesture-labels';
import { GESTURE_CLASSES } from '../src-engine/datasets/gesture/classes';
import { GestureRenderer } from '../src-engine/datasets/gesture/renderer';
import { GESTURE_INPUT } from '../src-engine/datasets/gesture/sample';
import { makeGestureClip } from '../src-engine/datasets/gesture/scene';
import { writeEventFile } from '../src-engine/node/open-file';
import { DvsEmulator } from '../src-engine/sources/dvs-emulator/emulator';

/** file name → gestures in it (names from GESTURE_CLASSES) */
export const DEMO_PLAYLIST: Record<string, string[]> = {
  'waves': ['right_hand_wave', 'left_hand_wave', 'hand_clap'],
  'arm-circles': ['right_arm_clockwise', 'right_arm_counter_clockwise', 'left_arm_clockwise'],
  'music': ['air_drums', 'air_guitar', 'arm_roll'],
};

export interface DemoOptions {
  outDir: string;
  /** seconds per gesture (default 2) */
  seconds?: number;
  fps?: number;
  seed?: number;
}

/** Writes the demo files; returns their paths and sizes. */
export async function makeDemo(o: DemoOptions): Promise<{ file: string; bytes: number; events: number }[]> {
  const { sensorWidth: w, sensorHeight: h } = GESTURE_INPUT;
  const seconds = o.seconds ?? 2, fps = o.fps ?? 30, seed = o.seed ?? 1;
  mkdirSync(o.outDir, { recursive: true });
  const out: { file: string; bytes: number; events: number }[] = [];
  let subject = 20_000; // test-split subjects: never seen in training
  for (const [name, gestures] of Object.entries(DEMO_PLAYLIST)) {
    const emulator = new DvsEmulator({ width: w, height: h, preset: 'clean', seed: seed + out.length });
    const parts: EventBatch[] = [];
    const labels: GestureLabel[] = [];
    const luma = new Uint8Array(w * h);
    let tBase = 0;
    for (const g of gestures) {
      const classIndex = GESTURE_CLASSES.indexOf(g as (typeof GESTURE_CLASSES)[number]);
      if (classIndex < 0) throw new Error(`unknown gesture ${g}`);
      const renderer = new GestureRenderer(makeGestureClip(seed, classIndex, subject++, 0, w / h), w, h);
      const frames = Math.round(seconds * fps);
      for (let i = 0; i < frames; i++) {
        const tUs = tBase + Math.round((i * 1e6) / fps);
        const ev = emulator.push(renderer.render(i / fps, luma), tUs);
        if (ev.length) parts.push(concatBatches([ev])); // the emulator reuses its output
      }
      // the first half second is the cut from the previous scene: not the gesture yet
      labels.push({ classId: classIndex + 1, startUs: tBase + 500_000, endUs: tBase + seconds * 1e6 });
      tBase += seconds * 1e6;
    }
    const file = join(o.outDir, `${name}.aedat4`);
    const events = await writeEventFile(file, { width: w, height: h, source: `neurolive demo (procedural gestures, DVS emulator, seed ${seed})` }, parts);
    writeFileSync(labelsPathFor(file), formatGestureLabels(labels));
    out.push({ file, bytes: statSync(file).size, events });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seconds: { type: 'string' } } });
  const outDir = resolve(values.out ?? 'resources/demo');
  const made = await makeDemo({ outDir, seconds: values.seconds ? Number(values.seconds) : undefined });
  for (const m of made) console.log(`${m.file}: ${m.events.toLocaleString('en-US')} events, ${(m.bytes / 1e6).toFixed(2)} MB`);
}
