// The binner's window buffers in WebAssembly memory and its counting loop
// there (BinArena): the committed binary is the build of the committed source;
// binRun and binRun2 count exactly as the JavaScript binRun does (counts,
// saturation, outside-sensor and outside-ROI tallies) on random events,
// geometries, ROIs, clips and polarities; arena slots come back clean; the
// binner gives the same frames with the kernel, with its JavaScript loop on
// arena slots, and with plain JavaScript buffers.
//
// Regenerate the binary after editing bin-kernel-wat.ts:
//   node --import tsx test/frames/bin-kernel.test.ts --write
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BinArena } from '../../src-engine/frames/bin-kernel';
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

  type Setup = typeof setup extends fc.Arbitrary<infer T> ? T : never;

  /** A random case: geometry, ROI, tables, and events clustered on few pixels (so counts saturate) plus some outside the sensor. */
  function makeCase(s: Setup) {
    const rw = Math.max(1, Math.floor(s.sw * s.roiFrac[2])), rh = Math.max(1, Math.floor(s.sh * s.roiFrac[2]));
    const roi = resolveRoi({ width: s.sw, height: s.sh }, { x: Math.floor((s.sw - rw) * s.roiFrac[0]), y: Math.floor((s.sh - rh) * s.roiFrac[1]), width: rw, height: rh });
    const ch = s.bins * s.P;
    const xOff = axisTable(s.sw, roi.x, roi.width, s.outW, ch);
    const yOff = axisTable(s.sh, roi.y, roi.height, s.outH, s.outW * ch);
    const frameLen = s.outW * s.outH * ch;
    let r = s.seed;
    const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
    const X = new Uint16Array(s.n), Y = new Uint16Array(s.n), Pol = new Uint8Array(s.n);
    for (let j = 0; j < s.n; j++) {
      X[j] = rnd(10) === 0 ? rnd(65536) : rnd(Math.min(s.sw + 2, 8 + rnd(s.sw)));
      Y[j] = rnd(10) === 0 ? rnd(65536) : rnd(Math.min(s.sh + 2, 8 + rnd(s.sh)));
      Pol[j] = rnd(2) === 0 ? 0 : 1 + rnd(255); // any non-zero byte is ON
    }
    /** a frame with some counts already in it */
    const start = () => {
      const f = new Uint8Array(frameLen);
      for (let i = 0; i < frameLen; i++) f[i] = rnd(3) === 0 ? rnd(s.clip + 1) : 0;
      return f;
    };
    return { xOff, yOff, frameLen, X, Y, Pol, rnd, start };
  }

  test('BinArena.binRun and binRun2 == binRun (JavaScript) on random runs, bit for bit', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { xOff, yOff, frameLen, X, Y, Pol, rnd, start } = makeCase(s);
        const arena = BinArena.acquire(xOff, yOff, frameLen, 3);
        assert.ok(arena, 'WebAssembly is available in Node');
        const [a, b, c] = [arena.take(), arena.take(), arena.take()];
        assert.deepEqual([a, b, c], [0, 1, 2]);
        assert.equal(arena.take(), -1, 'three slots, all taken');
        for (const i of [a, b, c]) assert.ok(arena.slot(i).every((v) => v === 0), 'a free slot is all zeros');
        const sw1 = s.sw - 1, sh1 = s.sh - 1, pm = s.P - 1, clip1 = s.clip - 1;
        const binA = rnd(s.bins), binB = rnd(s.bins);
        const wantA = start(), startB = start();
        arena.slot(a).set(wantA);
        arena.slot(b).set(startB);
        // written from JavaScript: the arena must clear them whole
        arena.markAll(a);
        arena.markAll(b);
        const from = Math.min(s.n, rnd(5)), to = s.n;
        const outA = binRun(X, Y, Pol, from, to, sw1, sh1, xOff, yOff, pm, wantA, binA * s.P, clip1, new Int32Array(5));
        // slot a by binRun in two pieces (the second reads the chunk the first loaded), slot b with it by binRun2
        const mid = from + rnd(to - from + 1);
        const got = arena.binRun(X, Y, Pol, from, mid, pm, a, binA * s.P, clip1, new Int32Array(5)).slice();
        const got2 = arena.binRun(X, Y, Pol, mid, to, pm, a, binA * s.P, clip1, new Int32Array(5));
        got.forEach((v, i) => (got[i] = v + got2[i]));
        assert.deepEqual(got, outA);
        assert.deepEqual(arena.slot(a), wantA);
        assert.deepEqual(arena.slot(b), startB, 'another slot is untouched');
        // binRun2: slot b from its start values and slot c from zeros, in one pass
        const wantB = startB.slice(), wantC = new Uint8Array(frameLen);
        const oB = binRun(X, Y, Pol, from, to, sw1, sh1, xOff, yOff, pm, wantB, binB * s.P, clip1, new Int32Array(5));
        const oC = binRun(X, Y, Pol, from, to, sw1, sh1, xOff, yOff, pm, wantC, binA * s.P, clip1, new Int32Array(5));
        const out = new Int32Array(5), out2 = new Int32Array(2);
        arena.binRun2(X, Y, Pol, from, to, pm, b, binB * s.P, c, binA * s.P, clip1, out, out2);
        assert.deepEqual(out, oB);
        assert.deepEqual(out2, oC.slice(3, 5));
        assert.deepEqual(arena.slot(b), wantB);
        assert.deepEqual(arena.slot(c), wantC);
        // the arena goes back to the pool for the next case (another geometry): its slots must come back clean
        for (const i of [a, b, c]) arena.give(i);
        arena.release();
      }),
      { numRuns: 60 },
    );
  });

  test('a slot written by the kernel alone is cleared and copied page by page, exactly', () => {
    // a 640×480×10 frame (3 MB, 750 pages): a few hundred events on two bands of rows
    const sw = 640, sh = 480, C = 10, frameLen = sw * sh * C;
    const xOff = axisTable(sw, 0, sw, sw, C), yOff = axisTable(sh, 0, sh, sh, sw * C);
    const n = 400;
    const X = new Uint16Array(n), Y = new Uint16Array(n), Pol = new Uint8Array(n);
    for (let j = 0; j < n; j++) [X[j], Y[j], Pol[j]] = [(j * 37) % sw, j < 200 ? 10 + (j % 5) : 300 + (j % 3), j & 1];
    const arena = BinArena.acquire(xOff, yOff, frameLen, 2)!;
    const i = arena.take();
    const want = new Uint8Array(frameLen);
    binRun(X, Y, Pol, 0, n, sw - 1, sh - 1, xOff, yOff, 1, want, 4, 14, new Int32Array(5));
    arena.binRun(X, Y, Pol, 0, n, 1, i, 4, 14, new Int32Array(5));
    const copy = new Uint8Array(frameLen);
    arena.copyInto(i, copy);
    assert.deepEqual(copy, want);
    arena.give(i);
    assert.ok(arena.slot(i).every((v) => v === 0), 'the written pages were cleared');
    // the same slot taken again, written from JavaScript and marked: cleared whole
    assert.equal(arena.take(), i);
    arena.slot(i)[frameLen - 1] = 7;
    arena.markAll(i);
    arena.give(i);
    assert.equal(arena.slot(i)[frameLen - 1], 0);
    arena.release();
  });

  test('a released arena comes back clean for a binner of another geometry', () => {
    // big frames first, then smaller and larger ones: the slot area shrinks (the tables stay behind the
    // largest) and grows over the old tables; every slot must start from zero
    const X = new Uint16Array(6000), Y = new Uint16Array(6000), Pol = new Uint8Array(6000);
    let r = 99;
    const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
    for (const [sw, sh, outW, outH, C] of [[200, 150, 200, 150, 10], [30, 20, 30, 20, 4], [200, 150, 100, 75, 10], [300, 250, 300, 250, 12], [30, 20, 30, 20, 4]]) {
      for (let j = 0; j < X.length; j++) { X[j] = rnd(sw); Y[j] = rnd(sh); Pol[j] = rnd(2); }
      const xOff = axisTable(sw, 0, sw, outW, C), yOff = axisTable(sh, 0, sh, outH, outW * C);
      const frameLen = outW * outH * C;
      const arena = BinArena.acquire(xOff, yOff, frameLen, 2)!;
      const i = arena.take(), j = arena.take();
      assert.ok(arena.slot(i).every((v) => v === 0) && arena.slot(j).every((v) => v === 0), `${sw}×${sh} → ${outW}×${outH}×${C}: slots start from zero`);
      const want = new Uint8Array(frameLen);
      const outJs = binRun(X, Y, Pol, 0, X.length, sw - 1, sh - 1, xOff, yOff, 1, want, 2, 14, new Int32Array(5));
      const outK = arena.binRun(X, Y, Pol, 0, X.length, 1, j, 2, 14, new Int32Array(5));
      assert.deepEqual(outK, outJs);
      assert.deepEqual(arena.slot(j), want, `${sw}×${sh} → ${outW}×${outH}×${C}`);
      arena.give(i);
      arena.give(j);
      arena.release();
      assert.equal(BinArena.acquire(xOff, yOff, frameLen, 2), arena, 'a clean arena is kept for the next binner');
      arena.release();
    }
    // one released with a slot still taken is not handed out again
    const xOff = axisTable(10, 0, 10, 10, 2), yOff = axisTable(10, 0, 10, 10, 20);
    const dirty = BinArena.acquire(xOff, yOff, 200, 2)!;
    dirty.take();
    dirty.release();
    const next = BinArena.acquire(xOff, yOff, 200, 2)!;
    assert.notEqual(next, dirty);
    assert.ok(next.slot(next.take()).every((v) => v === 0));
  });

  test('a short run between long runs of one window (JavaScript loop and kernel on one arena slot) is counted', () => {
    // window 0: bins of 3000, 10, 3000, 3000, 3000 events; the 10 go through the JavaScript loop
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
    // sliding: each run is counted into two windows by binRun2, or four by binRun2 twice
    ['64×64 → 16×16, windows every 50 ms', { width: 16, height: 16 }, 50_000],
    ['64×64 at full size, windows every 30 ms', undefined, 30_000],
  ] as const) {
  test(`the binner with long runs (kernel) gives the frames of short batches (JavaScript loop), ${label}`, () => {
    // one busy second: runs of thousands of events in one batch go through the kernel; the same
    // events in batches of 20 never reach its threshold (the JavaScript loop on arena slots), and
    // with a hot-pixel mask that masks nothing the binner has no arena (JavaScript buffers)
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
    for (let i = 0; i < n; i += 20) {
      const e = Math.min(n, i + 20);
      framesB.push(...small.push({ t: t.subarray(i, e), x: x.subarray(i, e), y: y.subarray(i, e), p: p.subarray(i, e), length: e - i }));
    }
    framesB.push(...small.flush());
    assert.equal(framesA.length, Math.ceil(1e6 / hopUs));
    assert.deepEqual(framesA, framesB);
    assert.deepEqual(whole.summary(), small.summary());
    const plain = new TimeChannelBinner({ ...cfg, hotPixels: new Uint8Array(64 * 64) });
    assert.deepEqual([...plain.push({ t, x, y, p, length: n }), ...plain.flush()], framesA);
    // frames push() returns are the caller's own arrays, not views of the arena's memory
    for (const f of framesA) assert.equal(f.data.buffer.byteLength, f.data.length);
    assert.ok(framesA.some((f) => f.data.includes(15)), 'some counts saturate at the clip');
    // batches cut at uneven points: a window's slot gets counts from the JavaScript loop in one
    // push and from the kernel in the next
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

  test('sparse windows (one kernel call a window) give the frames and summary of the JavaScript loop, on random streams', () => {
    // Random geometry, bins (bounds that are not whole µs), clip, polarities, ROI and size; events partly out
    // of order, repeated, beyond the sensor, and with gaps between windows; the first window holds 70 000
    // events (the kernel crosses chunk boundaries in one window), later ones a few hundred (each in one call).
    // The reference is the same binner with a hot-pixel mask that masks nothing: no arena, the JavaScript loop.
    fc.assert(
      fc.property(
        fc.record({
          sw: fc.integer({ min: 1, max: 200 }), sh: fc.integer({ min: 1, max: 150 }),
          outW: fc.integer({ min: 1, max: 50 }), outH: fc.integer({ min: 1, max: 50 }),
          bins: fc.integer({ min: 1, max: 7 }), windowUs: fc.integer({ min: 7, max: 200_000 }),
          polarities: fc.constantFrom(1 as const, 2 as const), clip: fc.integer({ min: 1, max: 20 }),
          disorder: fc.constantFrom(0, 0.001, 0.05), seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
        }),
        (c) => {
          let r = c.seed;
          const rnd = (m: number) => ((r = (Math.imul(r, 48271) >>> 0) % 2147483647), r % m);
          const counts = [70_000, ...Array.from({ length: 12 }, () => rnd(600))];
          const n = counts.reduce((a, b) => a + b, 0);
          const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
          let i = 0;
          counts.forEach((k, w) => {
            const start = (w + (w > 6 ? 3 : 0)) * c.windowUs; // a gap of three windows after the seventh
            for (let j = 0; j < k; j++, i++) {
              t[i] = start + Math.floor((j * c.windowUs) / k);
              if (rnd(1000) < c.disorder * 1000) t[i] -= 1 + rnd(c.windowUs);
              x[i] = rnd(50) === 0 ? c.sw + rnd(5) : rnd(c.sw);
              y[i] = rnd(50) === 0 ? c.sh + rnd(5) : rnd(c.sh);
              p[i] = rnd(3) === 0 ? 0 : 1 + rnd(255);
            }
          });
          const roi = { x: rnd(Math.ceil(c.sw / 4)), y: rnd(Math.ceil(c.sh / 4)), width: 0, height: 0 };
          roi.width = Math.max(1, c.sw - roi.x - rnd(Math.ceil(c.sw / 4)));
          roi.height = Math.max(1, c.sh - roi.y - rnd(Math.ceil(c.sh / 4)));
          const cfg = {
            sensor: { width: c.sw, height: c.sh }, windowUs: c.windowUs, bins: c.bins, polarities: c.polarities, clip: c.clip,
            roi, size: { width: Math.min(c.outW, roi.width), height: Math.min(c.outH, roi.height) }, includeIncomplete: true,
          };
          const batch = { t, x, y, p, length: n };
          const kernel = new TimeChannelBinner(cfg);
          const got = [...kernel.push(batch), ...kernel.flush()];
          const plain = new TimeChannelBinner({ ...cfg, hotPixels: new Uint8Array(c.sw * c.sh) });
          const want = [...plain.push(batch), ...plain.flush()];
          assert.deepEqual(got, want);
          assert.deepEqual(kernel.summary(), plain.summary());
        },
      ),
      { numRuns: 25, seed: 20261122 },
    );
  });

  test('pushEach lends arena slots and takes them back even when the consumer throws', () => {
    const n = 50_000;
    const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
    for (let i = 0; i < n; i++) [t[i], x[i], y[i], p[i]] = [Math.floor((i * 1e6) / n), (i * 7) % 64, (i * 13) % 64, i & 1];
    const cfg = { sensor: { width: 64, height: 64 }, windowUs: 100_000, hopUs: 50_000, bins: 5 };
    const want = new TimeChannelBinner(cfg).push({ t, x, y, p, length: n });
    const binner = new TimeChannelBinner(cfg);
    const got: Uint8Array[] = [];
    let calls = 0, throws = 0;
    // a lent frame is a view of the arena's memory; a leaked slot would leave later windows in plain arrays
    const keep = (f: { data: Uint8Array }) => {
      assert.ok(f.data.buffer.byteLength > f.data.length, `window ${got.length} is lent from the arena`);
      got.push(f.data.slice());
    };
    for (let i = 0; i < n; i += 5000) {
      const b = { t: t.subarray(i, i + 5000), x: x.subarray(i, i + 5000), y: y.subarray(i, i + 5000), p: p.subarray(i, i + 5000), length: 5000 };
      try {
        binner.pushEach(b, (f) => {
          keep(f);
          if (++calls % 2 === 0) throw new Error('consumer failed');
        });
      } catch (e) {
        assert.match(String(e), /consumer failed/);
        throws++;
        // the push stopped at that window: the rest of this batch goes in again
        const done = got.length;
        const rest = b.t.findIndex((v) => v >= 100_000 + (done - 1) * 50_000);
        binner.pushEach({ t: b.t.subarray(rest), x: b.x.subarray(rest), y: b.y.subarray(rest), p: b.p.subarray(rest), length: 5000 - rest }, keep);
      }
    }
    assert.ok(throws > 4, `the consumer threw ${throws} times, more than the binner has slots`);
    assert.deepEqual(got, want.map((f) => f.data));
  });
}

