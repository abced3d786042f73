// The binner's WebAssembly counting loop (BinKernel): the committed binary is
// the build of the committed source, and it counts exactly as the JavaScript
// binRun does (counts, saturation, outside-sensor and outside-ROI tallies) on
// random events, geometries, ROIs, clips and polarities; the binner gives the
// same frames with and without it.
//
// Regenerate the binary after editing bin-kernel-wat.ts:
//   node --import tsx test/frames/bin-kernel.test.ts --write
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BinKernel } from '../../src-engine/frames/bin-kernel';
import { BIN_KERNEL_WASM_BASE64 } from '../../src-engine/frames/bin-kernel-binary';
import { BIN_KERNEL_WAT } from '../../src-engine/frames/bin-kernel-wat';
import { axisTable, resolveRoi } from '../../src-engine/frames/spatial';
import { binRun, TimeChannelBinner } from '../../src-engine/frames/time-channel';
import { decodeBase64 } from '../../src-engine/formats/wasm';
import { buildWat, writeKernelBinary } from '../support/wasm-kernel';

const build = () => buildWat('bin-kernel.wat', BIN_KERNEL_WAT);

if (process.argv.includes('--write')) {
  const target = fileURLToPath(new URL('../../src-engine/frames/bin-kernel-binary.ts', import.meta.url));
  writeKernelBinary(target, 'BIN_KERNEL_WASM_BASE64', await build(), 'bin-kernel-wat.ts', 'test/frames/bin-kernel.test.ts');
} else {
  test('the committed WebAssembly binary is the build of the committed source', async () => {
    assert.deepEqual(decodeBase64(BIN_KERNEL_WASM_BASE64), await build(), 'bin-kernel-binary.ts is stale: regenerate it (see the top of this file)');
  });

  const setup = fc.record({
    sw: fc.integer({ min: 1, max: 300 }),
    sh: fc.integer({ min: 1, max: 200 }),
    outW: fc.integer({ min: 1, max: 40 }),
    outH: fc.integer({ min: 1, max: 40 }),
    roiFrac: fc.tuple(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.3, max: 1, noNaN: true })),
    P: fc.constantFrom(1, 2),
    bins: fc.integer({ min: 1, max: 6 }),
    clip: fc.integer({ min: 1, max: 255 }),
    n: fc.integer({ min: 0, max: 40000 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });

  test('BinKernel.binRun == binRun (JavaScript) on random runs, bit for bit', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const rw = Math.max(1, Math.floor(s.sw * s.roiFrac[2])), rh = Math.max(1, Math.floor(s.sh * s.roiFrac[2]));
        const roi = resolveRoi({ width: s.sw, height: s.sh }, { x: Math.floor((s.sw - rw) * s.roiFrac[0]), y: Math.floor((s.sh - rh) * s.roiFrac[1]), width: rw, height: rh });
        const ch = s.bins * s.P;
        const xOff = axisTable(s.sw, roi.x, roi.width, s.outW, ch);
        const yOff = axisTable(s.sh, roi.y, roi.height, s.outH, s.outW * ch);
        const frameLen = s.outW * s.outH * ch;
        const k = BinKernel.acquire(xOff, yOff, frameLen);
        assert.ok(k, 'WebAssembly is available in Node');
        // events clustered on few pixels (so counts saturate) plus some outside the sensor
        let r = s.seed;
        const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
        const X = new Uint16Array(s.n), Y = new Uint16Array(s.n), Pol = new Uint8Array(s.n);
        for (let j = 0; j < s.n; j++) {
          X[j] = rnd(10) === 0 ? rnd(65536) : rnd(Math.min(s.sw + 2, 8 + rnd(s.sw)));
          Y[j] = rnd(10) === 0 ? rnd(65536) : rnd(Math.min(s.sh + 2, 8 + rnd(s.sh)));
          Pol[j] = rnd(2) === 0 ? 0 : 1 + rnd(255); // any non-zero byte is ON
        }
        const bin = rnd(s.bins);
        const a = new Uint8Array(frameLen), b = new Uint8Array(frameLen);
        for (let i = 0; i < frameLen; i++) a[i] = b[i] = rnd(3) === 0 ? rnd(s.clip + 1) : 0;
        const from = Math.min(s.n, rnd(5)), to = s.n;
        const outJs = binRun(X, Y, Pol, from, to, s.sw - 1, s.sh - 1, xOff, yOff, s.P - 1, a, bin * s.P, s.clip - 1, new Int32Array(5));
        // the run split in two at a random point: the buffer stays resident in the kernel between them
        const mid = from + rnd(to - from + 1);
        const outK = k.binRun(X, Y, Pol, from, mid, s.sw - 1, s.sh - 1, s.P - 1, b, false, bin * s.P, s.clip - 1, new Int32Array(5)).slice();
        const outK2 = k.binRun(X, Y, Pol, mid, to, s.sw - 1, s.sh - 1, s.P - 1, b, false, bin * s.P, s.clip - 1, new Int32Array(5));
        outK.forEach((v, i) => (outK[i] = v + outK2[i]));
        k.sync();
        assert.deepEqual(outK, outJs);
        assert.deepEqual(b, a);
        // another buffer takes the kernel: the first keeps its counts, the second (fresh: all zeros,
        // not copied in) gets its own, although b's counts were in the kernel's memory just before
        const c = new Uint8Array(frameLen);
        k.binRun(X, Y, Pol, from, to, s.sw - 1, s.sh - 1, s.P - 1, c, true, bin * s.P, s.clip - 1, new Int32Array(5));
        k.sync();
        assert.deepEqual(b, a);
        const d = new Uint8Array(frameLen);
        binRun(X, Y, Pol, from, to, s.sw - 1, s.sh - 1, xOff, yOff, s.P - 1, d, bin * s.P, s.clip - 1, new Int32Array(5));
        assert.deepEqual(c, d);
        // the kernel is kept for the next case (another geometry): its memory must come back clean
        k.release();
      }),
      { numRuns: 60 },
    );
  });

  test('a released kernel comes back clean for a binner of another geometry, fresh buffers included', () => {
    // big frame first, then smaller and larger ones: the frame area shrinks (the tables stay behind the
    // largest) and grows over the old tables; every fresh buffer must start from zero
    const X = new Uint16Array(6000), Y = new Uint16Array(6000), Pol = new Uint8Array(6000);
    let r = 99;
    const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
    for (const [sw, sh, outW, outH, C] of [[200, 150, 200, 150, 10], [30, 20, 30, 20, 4], [200, 150, 100, 75, 10], [300, 250, 300, 250, 12], [30, 20, 30, 20, 4]]) {
      for (let j = 0; j < X.length; j++) { X[j] = rnd(sw); Y[j] = rnd(sh); Pol[j] = rnd(2); }
      const xOff = axisTable(sw, 0, sw, outW, C), yOff = axisTable(sh, 0, sh, outH, outW * C);
      const frameLen = outW * outH * C;
      const k = BinKernel.acquire(xOff, yOff, frameLen)!;
      const want = new Uint8Array(frameLen), got = new Uint8Array(frameLen);
      const outJs = binRun(X, Y, Pol, 0, X.length, sw - 1, sh - 1, xOff, yOff, 1, want, 2, 14, new Int32Array(5));
      const outK = k.binRun(X, Y, Pol, 0, X.length, sw - 1, sh - 1, 1, got, true, 2, 14, new Int32Array(5));
      k.release();
      assert.deepEqual(outK, outJs);
      assert.deepEqual(got, want, `${sw}×${sh} → ${outW}×${outH}×${C}`);
    }
  });

  test('a short run between long runs of one window (its buffer resident in the kernel) is counted', () => {
    // window 0: bins of 3000, 10, 3000, 3000, 3000 events; the 10 must reach the kernel's copy
    const per = [3000, 10, 3000, 3000, 3000];
    const n = per.reduce((a, b) => a + b, 0) + 1;
    const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
    let i = 0;
    per.forEach((c, bin) => {
      for (let j = 0; j < c; j++, i++) [t[i], x[i], y[i], p[i]] = [bin * 20_000 + Math.floor((j * 19_999) / c), (i * 7) % 64, (i * 13) % 64, i & 1];
    });
    t[i] = 100_000; // closes window 0
    const cfg = { sensor: { width: 64, height: 64 }, windowUs: 100_000, bins: 5 };
    const [whole] = new TimeChannelBinner(cfg).push({ t, x, y, p, length: n });
    // bin 1 (channels 2 and 3) holds exactly its 10 events, counted here by the JavaScript loop
    const bin1 = new Uint8Array(whole.data.length);
    binRun(x, y, p, 3000, 3010, 63, 63, axisTable(64, 0, 64, 64, 10), axisTable(64, 0, 64, 64, 640), 1, bin1, 2, 14, new Int32Array(5));
    for (let v = 0; v < bin1.length; v++) if (v % 10 === 2 || v % 10 === 3) assert.equal(whole.data[v], bin1[v], `value ${v}`);
  });

  for (const [label, size, hopUs] of [
    ['64×64 → 16×16', { width: 16, height: 16 }, 100_000],
    ['64×64 at full size', undefined, 100_000],
    // sliding: each run is counted into two or four windows in turn, the kernel synced after each
    ['64×64 → 16×16, windows every 50 ms', { width: 16, height: 16 }, 50_000],
    ['64×64 at full size, windows every 30 ms', undefined, 30_000],
  ] as const) {
  test(`the binner with long runs (kernel) gives the frames of short batches (JavaScript loop), ${label}`, () => {
    // one busy second: runs of thousands of events in one batch go through the kernel (the
    // full-size frame stays resident across runs and windows switch buffers); the same events
    // in batches of 100 never reach its threshold
    let r = 12345;
    const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
    const n = 300_000;
    const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = Math.floor((i * 1e6) / n);
      x[i] = rnd(20) === 0 ? 64 + rnd(10) : rnd(64);
      y[i] = rnd(64);
      p[i] = rnd(2);
    }
    const cfg = { sensor: { width: 64, height: 64 }, windowUs: 100_000, hopUs, bins: 5, ...(size ? { size } : {}), roi: { x: 2, y: 0, width: 60, height: 64 }, includeIncomplete: true };
    const whole = new TimeChannelBinner(cfg);
    const framesA = [...whole.push({ t, x, y, p, length: n }), ...whole.flush()];
    const small = new TimeChannelBinner(cfg);
    const framesB = [];
    for (let i = 0; i < n; i += 100) {
      const e = Math.min(n, i + 100);
      framesB.push(...small.push({ t: t.subarray(i, e), x: x.subarray(i, e), y: y.subarray(i, e), p: p.subarray(i, e), length: e - i }));
    }
    framesB.push(...small.flush());
    assert.equal(framesA.length, Math.ceil(1e6 / hopUs));
    assert.deepEqual(framesA, framesB);
    assert.deepEqual(whole.summary(), small.summary());
    assert.ok(framesA.some((f) => f.data.includes(15)), 'some counts saturate at the clip');
    // batches cut at uneven points: a window's buffer gets counts from the JavaScript loop in one
    // push (not fresh any more) and goes to the kernel in the next, which must copy them in
    const uneven = new TimeChannelBinner(cfg);
    const framesC = [];
    for (let i = 0, c = 0; i < n; c++) {
      const e = Math.min(n, i + [7, 20_000, 300, 45_000, 1][c % 5]);
      framesC.push(...uneven.push({ t: t.subarray(i, e), x: x.subarray(i, e), y: y.subarray(i, e), p: p.subarray(i, e), length: e - i }));
      i = e;
    }
    framesC.push(...uneven.flush());
    assert.deepEqual(framesC, framesA);
    assert.deepEqual(uneven.summary(), whole.summary());
  });
  }
}
