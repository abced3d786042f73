// Nothing in the engine's hot paths detaches an ArrayBuffer. The first
// ArrayBuffer detached in a thread (memory.grow of a WebAssembly memory, or a
// postMessage transfer) invalidates V8's ArrayBufferDetaching protector, and
// from then on every typed-array access in that thread checks for
// detachment: typed-array loops measured 1.5–2× slower after it
// (src-engine/formats/wasm.ts). The kernels therefore move to a larger copy of
// their memory instead of growing it, and the NSoC worker copies its messages.
//
// The check runs the code in a child Node process with
// --trace-protector-invalidation, which prints a line when the protector
// falls. The code is bundled with esbuild first: tsx's module hooks talk to
// their thread with transfers and would invalidate the protector themselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'neurolive-no-detach-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Exercises every kernel memory that can need more room, then the NSoC worker protocol's handler. */
const PROGRAM = `
import { TimeChannelBinner } from './src-engine/frames/time-channel';
import { makeBatch } from './src-engine/events/batch';
import { Compression, PayloadDecoder } from './src-engine/formats/aedat4/compression';
import { Lz4FrameEncoder } from './src-engine/formats/aedat4/lz4-frame';
import { createNsocWorkerHandler } from './src-engine/nsoc/worker/handler';
import { encodeModel } from './src-engine/nsoc/model-file';
import { makeConvTiny } from './src-engine/nsoc/testing/convtiny';

if (process.env.FORCE_DETACH) new WebAssembly.Memory({ initial: 1 }).grow(1);

// binners of growing frame sizes and rings: each needs a larger arena than the pooled one
const n = 200_000;
const ev = makeBatch(n);
for (let i = 0; i < n; i++) { ev.t[i] = i * 5; ev.x[i] = (i * 7919) % 640; ev.y[i] = (i * 104729) % 480; ev.p[i] = i & 1; }
let frames = 0;
for (const cfg of [
  { sensor: { width: 640, height: 480 }, windowUs: 100_000, bins: 5, size: { width: 64, height: 64 } },
  { sensor: { width: 640, height: 480 }, windowUs: 100_000, bins: 5 },
  { sensor: { width: 640, height: 480 }, windowUs: 200_000, hopUs: 50_000, bins: 5 },
]) {
  const b = new TimeChannelBinner(cfg);
  b.pushEach(ev, () => frames++);
  frames += b.push(ev).length;
  frames += b.flush().length;
}

// an LZ4 payload larger than the decoder's first memory
const raw = new Uint8Array(6 << 20);
for (let i = 0; i < raw.length; i++) raw[i] = (i * 31) ^ (i >> 9);
const dec = new PayloadDecoder(Compression.LZ4, 1 << 24);
const out = dec.decode(new Lz4FrameEncoder().encode(raw));
if (dec.kernel !== 'wasm' || out.length !== raw.length || out[123457] !== raw[123457]) throw new Error('LZ4 round trip failed');

// the NSoC worker's handler answers a load and an inference without a transfer list
const sent = [];
const handle = createNsocWorkerHandler((m, ...rest) => sent.push([m, rest.length]));
const model = makeConvTiny();
handle({ type: 'load', modelBytes: encodeModel(model) });
handle({ type: 'infer', seq: 0, frame: new Uint8Array(model.input.height * model.input.width * model.input.channels) });
if (sent.length !== 2 || sent.some(([m, extra]) => m.type === 'error' || extra !== 0)) throw new Error('handler: ' + JSON.stringify(sent.map(([m, e]) => [m.type, m.message, e])));
console.log('done', frames);
`;

async function runBundled(env: Record<string, string> = {}): Promise<string> {
  const file = join(dir, 'program.mjs');
  await build({ stdin: { contents: PROGRAM, resolveDir: ROOT, loader: 'ts', sourcefile: 'program.ts' }, bundle: true, platform: 'node', format: 'esm', outfile: file, logLevel: 'error' });
  return execFileSync(process.execPath, ['--trace-protector-invalidation', file], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('binning into growing arenas, LZ4 beyond the first memory and the NSoC worker handler detach no ArrayBuffer', async () => {
  const outText = await runBundled();
  assert.match(outText, /^done \d+/m, outText);
  assert.doesNotMatch(outText, /ArrayBufferDetaching/, 'the ArrayBufferDetaching protector fell (a memory.grow or a transfer crept in)');
});

test('the check sees a detach when there is one', async () => {
  const outText = await runBundled({ FORCE_DETACH: '1' });
  assert.match(outText, /Invalidating protector cell ArrayBufferDetaching/);
});
