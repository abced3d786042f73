// NSoC benchmark: the ConvTiny-shaped network (random weights, thresholds
// calibrated to a 30 % activation density) on real sparse frames — the DVS128
// "walking" recording binned to 64×64, 100 ms, 5 bins × 2 polarities — and on
// denser synthetic DVS frames. Reports executed synaptic operations vs dense
// MACs, per-layer sparsity, and p50/p99 latency and inferences/s of the event
// path (WebAssembly SIMD and plain JavaScript), the dense integer reference
// and onnxruntime-node running the same float network (batch 1, one thread).
//
// The event path and onnxruntime are timed interleaved, one inference each in
// turn, so that load from other processes on the machine hits both alike.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TimeChannelBinner } from '../src-engine/frames/time-channel';
import { openEventFile } from '../src-engine/node/open-file';
import type { QuantizedModel } from '../src-engine/nsoc/model';
import { NsocRuntime } from '../src-engine/nsoc/runtime';
import { convertOnnx } from '../src-engine/nsoc/convert/convert';
import { makeConvTiny } from '../src-engine/nsoc/testing/convtiny';
import { syntheticDvsFrames } from '../src-engine/nsoc/testing/synthetic-frames';
import { SHARED_EVENTS_DIR } from '../test/support/shared-data';
import type { BenchRow } from './event-core';
import { ensureConvTinyOnnx, framesToNchw } from './onnxruntime-baseline';

const TARGET_OPS_RATIO = 0.35;
const TARGET_DENSITY = 0.3;

interface Latency {
  p50: number;
  p99: number;
  perSecond: number;
}

function latency(times: number[]): Latency {
  const s = [...times].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { p50: pct(50), p99: pct(99), perSecond: 1000 / (times.reduce((a, b) => a + b, 0) / times.length) };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function realFrames(): Promise<Uint8Array[] | null> {
  const path = join(SHARED_EVENTS_DIR, 'dvs128_walking.aedat');
  if (!existsSync(path)) return null;
  const binner = new TimeChannelBinner({ sensor: { width: 128, height: 128 }, windowUs: 100_000, bins: 5, size: { width: 64, height: 64 } });
  const frames: Uint8Array[] = [];
  for await (const batch of await openEventFile(path)) for (const f of binner.push(batch)) frames.push(f.data.slice());
  for (const f of binner.flush()) frames.push(f.data.slice());
  return frames;
}

interface OrtSession {
  run(frame: number): Promise<void>;
  release(): Promise<void>;
}

async function ortSession(frames: Uint8Array[]): Promise<OrtSession | string> {
  let path: string;
  try {
    path = ensureConvTinyOnnx();
  } catch (e) {
    return (e as Error).message;
  }
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const name = session.inputNames[0];
  const tensors = framesToNchw(frames, 64, 64, 10).map((x) => new ort.Tensor('float32', x, [1, 10, 64, 64]));
  return {
    run: async (i: number) => {
      await session.run({ [name]: tensors[i % tensors.length] });
    },
    release: () => session.release(),
  };
}

function density(frames: Uint8Array[]): number {
  let nz = 0;
  let n = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i++) if (f[i] !== 0) nz++;
    n += f.length;
  }
  return nz / n;
}

async function scenario(label: string, model: QuantizedModel, frames: Uint8Array[], inferences: number): Promise<BenchRow[]> {
  const event = new NsocRuntime(model, { reuseResult: true });
  const eventJs = new NsocRuntime(model, { engine: 'js', reuseResult: true });
  const dense = new NsocRuntime(model, { path: 'dense', reuseResult: true });

  // statistics over the frames, and a bit-exactness check against the dense path on a few
  let ops = 0;
  let macs = 0;
  const perLayer = model.layers.map((l) => ({ layer: l.name, inputSparsity: 0, outputSparsity: 0, executedOps: 0, denseMacs: 0 }));
  frames.forEach((f, i) => {
    const r = event.infer(f);
    ops += r.stats.executedOps;
    macs += r.stats.denseMacs;
    r.stats.layers.forEach((l, j) => {
      perLayer[j].inputSparsity += l.inputSparsity / frames.length;
      perLayer[j].outputSparsity += l.outputSparsity / frames.length;
      perLayer[j].executedOps += l.executedOps / frames.length;
      perLayer[j].denseMacs = l.denseMacs;
    });
    if (i < 4) {
      const e = Int32Array.from(r.output);
      const d = dense.infer(f).output;
      if (e.some((v, k) => v !== d[k])) throw new Error(`${label}: event and dense paths differ on frame ${i}`);
    }
  });
  const opsRatio = ops / macs;

  // event path (WebAssembly) interleaved with onnxruntime
  const ortS = await ortSession(frames);
  const evTimes: number[] = [];
  const ortTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    event.infer(frames[i % frames.length]);
    if (typeof ortS !== 'string') await ortS.run(i);
  }
  gc();
  for (let i = 0; i < inferences; i++) {
    const f = frames[i % frames.length];
    let t0 = performance.now();
    event.infer(f);
    evTimes.push(performance.now() - t0);
    if (typeof ortS !== 'string') {
      t0 = performance.now();
      await ortS.run(i);
      ortTimes.push(performance.now() - t0);
    }
  }
  if (typeof ortS !== 'string') await ortS.release();
  const time = (rt: NsocRuntime, n: number): Latency => {
    for (let i = 0; i < Math.min(5, n); i++) rt.infer(frames[i % frames.length]);
    gc();
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      rt.infer(frames[i % frames.length]);
      t.push(performance.now() - t0);
    }
    return latency(t);
  };
  const ev = latency(evTimes);
  const js = time(eventJs, Math.max(20, Math.round(inferences / 20)));
  const dn = time(dense, Math.max(10, Math.round(inferences / 100)));
  const ortL = ortTimes.length ? latency(ortTimes) : null;

  const ms = (l: Latency) => `p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms`;
  const rows: BenchRow[] = [
    {
      name: `nsoc ${label}: executed ops / dense MACs`,
      value: opsRatio * 100,
      unit: '%',
      note: `target ≤ ${TARGET_OPS_RATIO * 100} %; ${(ops / frames.length / 1e6).toFixed(2)} M of ${(macs / frames.length / 1e6).toFixed(2)} M MACs per frame; ${frames.length} frames, input density ${(density(frames) * 100).toFixed(2)} %`,
      frames: frames.length,
      inputDensity: density(frames),
      targetActivationDensity: TARGET_DENSITY,
      perLayer,
    },
    {
      name: `nsoc ${label}: dense MACs per executed op`,
      value: 1 / opsRatio,
      unit: '×',
      target: 1 / TARGET_OPS_RATIO,
    },
    { name: `nsoc ${label}: event path (wasm)`, value: ev.perSecond, unit: 'inf/s', target: ortL?.perSecond, note: ms(ev), p50Ms: ev.p50, p99Ms: ev.p99, runs: evTimes.length },
    { name: `nsoc ${label}: event path (js)`, value: js.perSecond, unit: 'inf/s', note: ms(js), p50Ms: js.p50, p99Ms: js.p99 },
    { name: `nsoc ${label}: dense integer path`, value: dn.perSecond, unit: 'inf/s', note: ms(dn), p50Ms: dn.p50, p99Ms: dn.p99 },
    {
      name: `nsoc ${label}: event vs dense speed-up`,
      value: dn.p50 / ev.p50,
      unit: '×',
      target: 1 / opsRatio,
      note: 'p50 ratio; target = the sparsity ratio dense MACs / executed ops',
    },
  ];
  if (ortL) {
    rows.push(
      { name: `nsoc ${label}: onnxruntime-node float`, value: ortL.perSecond, unit: 'inf/s', note: ms(ortL), p50Ms: ortL.p50, p99Ms: ortL.p99, runs: ortTimes.length },
      {
        name: `nsoc ${label}: onnxruntime / event time`,
        value: ortL.p50 / ev.p50,
        unit: '×',
        target: 1,
        note: `p50 ratio (event time = ${((ev.p50 / ortL.p50) * 100).toFixed(0)} % of onnxruntime's; p99 ${((ev.p99 / ortL.p99) * 100).toFixed(0)} %)`,
      },
    );
  } else {
    console.log(`nsoc ${label}: onnxruntime baseline skipped: ${ortS as string}`);
  }
  for (const r of rows) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
  console.log(
    perLayer
      .map((l) => `  ${l.layer.padEnd(16)} input sparsity ${(l.inputSparsity * 100).toFixed(1)} %, output sparsity ${(l.outputSparsity * 100).toFixed(1)} %, ops ${((l.executedOps / l.denseMacs) * 100).toFixed(1)} % of ${l.denseMacs} MACs`)
      .join('\n'),
  );
  return rows;
}

/** `minInferences`: timed inferences of the event path per scenario (the dense path runs 1/100 of them). */
export async function nsocBench(minInferences: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const real = await realFrames();
  if (real && real.length >= 8) {
    // calibrate on every 4th window, measure on the others
    const calibration = real.filter((_, i) => i % 4 === 0);
    const frames = real.filter((_, i) => i % 4 !== 0);
    const model = makeConvTiny({ calibration, targetDensity: TARGET_DENSITY });
    rows.push(...(await scenario('ConvTiny, DVS128 walking', model, frames, minInferences)));
    // The very float network onnxruntime runs, converted by our own converter
    // (calibrated on the same held-out windows): the like-for-like comparison.
    try {
      const converted = convertOnnx(readFileSync(ensureConvTinyOnnx()), calibration).model;
      rows.push(...(await scenario('ConvTiny ONNX converted, DVS128 walking', converted, frames, minInferences)));
    } catch (e) {
      console.log(`nsoc: converted ConvTiny scenario skipped: ${(e as Error).message}`);
    }
  } else {
    console.log(`nsoc: ${SHARED_EVENTS_DIR}/dvs128_walking.aedat not found; real-frame scenario skipped`);
  }
  const synthetic = syntheticDvsFrames(64, { seed: 3 });
  const model = makeConvTiny({ calibration: synthetic.slice(0, 16), targetDensity: TARGET_DENSITY });
  rows.push(...(await scenario('ConvTiny, synthetic frames', model, synthetic.slice(16), minInferences)));
  return rows;
}

// `node --import tsx --expose-gc bench/nsoc.ts [inferences]`: this benchmark alone.
if (process.argv[1]?.endsWith('bench/nsoc.ts')) {
  await nsocBench(Number(process.argv[2] ?? 2000));
}
