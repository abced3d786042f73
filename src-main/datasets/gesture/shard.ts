// Renders one shard of the plan and writes its files (runs in a worker or in-process).
import { encodeClip, GESTURE_INPUT, makeGestureClip } from '../../../src-engine/datasets/gesture/index';
import { SplitShardWriter } from '../dataset-writer';
import type { ShardJob } from './plan';

export function renderShard(outDir: string, seed: number, job: ShardJob, onClip?: (samples: number) => void): void {
  const e = GESTURE_INPUT;
  const w = new SplitShardWriter(outDir, job.split, job.shard, [e.height, e.width, e.bins * e.polarities]);
  try {
    for (const c of job.clips) {
      const clip = makeGestureClip(seed, c.classIndex, c.subject, c.take);
      const r = encodeClip(clip, { fps: c.fps, noisy: c.noisy, sensorSeed: c.sensorSeed, windows: c.windows });
      for (const f of r.frames) w.add(f.data, c.classIndex, c.subject);
      onClip?.(r.frames.length);
    }
    w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}
