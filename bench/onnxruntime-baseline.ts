// The float baseline the NSoC's event path is measured against: onnxruntime-node
// running the same (float) ConvTiny-shaped model at batch 1 on one core
// (intra- and inter-op threads 1, like our single-threaded JS), in this process.
//
// The ONNX file comes from training/fixtures/make_onnx_fixtures.py --convtiny
// (≈ 550 kB, so it is generated into bench/.cache/ rather than committed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const here = dirname(fileURLToPath(import.meta.url));
export const CONVTINY_ONNX = join(here, '.cache', 'convtiny.onnx');

export interface OrtBaselineResult {
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  runs: number;
}

/** Generates the ConvTiny ONNX with Debian's PyTorch if it is not there yet; returns its path. */
export function ensureConvTinyOnnx(path = CONVTINY_ONNX): string {
  if (existsSync(path)) return path;
  const script = join(here, '..', 'training', 'fixtures', 'make_onnx_fixtures.py');
  const r = spawnSync('/usr/bin/python3', [script, '--convtiny', path], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(path)) {
    throw new Error(`could not generate ${path} (needs Debian's python3-torch and python3-onnx): ${r.error?.message ?? r.stderr.slice(-400)}`);
  }
  return path;
}

/** uint8 HWC frames → float NCHW tensors (value × scale), the layout PyTorch-exported models take. */
export function framesToNchw(frames: Uint8Array[], h: number, w: number, c: number, scale = 1): Float32Array[] {
  return frames.map((f) => {
    const out = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = f[(y * w + x) * c + ch] * scale;
    return out;
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Batch-1 inference latency of `onnxPath` on one thread: `warmup` runs, then
 * `runs` (≥ 200) timed runs cycling through `inputs` (each of `shape`, e.g. [1, 10, 64, 64]).
 */
export async function ortBaseline(
  onnxPath: string,
  inputs: Float32Array[],
  shape: number[],
  opts: { runs?: number; warmup?: number } = {},
): Promise<OrtBaselineResult> {
  const runs = Math.max(200, opts.runs ?? 300);
  const warmup = opts.warmup ?? 20;
  if (inputs.length === 0) throw new RangeError('ortBaseline: no inputs');
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  try {
    const name = session.inputNames[0];
    const tensors = inputs.map((x) => new ort.Tensor('float32', x, shape));
    for (let i = 0; i < warmup; i++) await session.run({ [name]: tensors[i % tensors.length] });
    const times: number[] = [];
    const start = performance.now();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run({ [name]: tensors[i % tensors.length] });
      times.push(performance.now() - t0);
    }
    const total = performance.now() - start;
    times.sort((a, b) => a - b);
    return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), perSecond: (runs * 1000) / total, runs };
  } finally {
    await session.release();
  }
}

// `node --import tsx bench/onnxruntime-baseline.ts`: the baseline alone, on synthetic sparse frames.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { syntheticDvsFrames } = await import('../src-engine/nsoc/testing/synthetic-frames');
  const frames = syntheticDvsFrames(32);
  const r = await ortBaseline(ensureConvTinyOnnx(), framesToNchw(frames, 64, 64, 10), [1, 10, 64, 64], { runs: 500 });
  console.log(`onnxruntime-node ${ort.env.versions.node}, ConvTiny float, batch 1, 1 thread: p50 ${r.p50Ms.toFixed(3)} ms, p99 ${r.p99Ms.toFixed(3)} ms, ${r.perSecond.toFixed(0)} inferences/s (${r.runs} runs)`);
}
