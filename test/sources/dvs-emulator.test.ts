import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBatch } from '../../src-engine/events/batch';
import { DvsEmulator, rgbaToLuma } from '../../src-engine/sources/dvs-emulator/emulator';
import { DVS_PRESETS, linLogTable } from '../../src-engine/sources/dvs-emulator/params';

const W = 32, H = 24;
const FRAME_US = 33_333;

function flat(v: number, w = W, h = H): Uint8Array {
  return new Uint8Array(w * h).fill(v);
}

/** A vertical bright bar of width `bw` at column x0 on a dark background. */
function bar(x0: number, bw = 4, w = W, h = H): Uint8Array {
  const f = flat(30, w, h);
  for (let y = 0; y < h; y++) for (let x = x0; x < x0 + bw; x++) if (x >= 0 && x < w) f[y * w + x] = 200;
  return f;
}

function counts(b: EventBatch): { on: number; off: number } {
  let on = 0;
  for (let i = 0; i < b.length; i++) on += b.p[i];
  return { on, off: b.length - on };
}

function assertSorted(b: EventBatch): void {
  for (let i = 1; i < b.length; i++) assert.ok(b.t[i] >= b.t[i - 1], `event ${i} out of order`);
}

test('a static scene gives no events (clean preset)', () => {
  const emu = new DvsEmulator({ width: W, height: H, preset: 'clean', seed: 3 });
  const f = bar(10);
  assert.equal(emu.push(f, 0).length, 0, 'the first frame only initialises');
  for (let k = 1; k <= 10; k++) assert.equal(emu.push(f, k * FRAME_US).length, 0);
});

test('a brightening step gives ⌊Δ ln I / θ⌋ ON events per pixel (σ = 0), all inside (t_prev, t_now]', () => {
  const emu = new DvsEmulator({ width: W, height: H, preset: 'clean', sigmaThreshold: 0, seed: 1 });
  emu.push(flat(50), 1000);
  const b = emu.push(flat(150), 1000 + FRAME_US);
  // independently: ln(150) − ln(50) = ln 3 ≈ 1.0986 → 5 crossings of 0.2
  const perPixel = Math.floor(Math.log(3) / 0.2);
  assert.equal(perPixel, 5);
  assert.deepEqual(counts(b), { on: perPixel * W * H, off: 0 });
  for (let i = 0; i < b.length; i++) assert.ok(b.t[i] > 1000 && b.t[i] <= 1000 + FRAME_US);
  assertSorted(b);
  // the k-th crossing lies where the ramp reaches k·θ: at ceil(k·θ/ln3 · Δt)
  const times = new Set(Array.from(b.t));
  const expected = [1, 2, 3, 4, 5].map((k) => 1000 + Math.ceil(((k * 0.2) / Math.log(3)) * FRAME_US));
  assert.deepEqual([...times].sort((a, c) => a - c), expected);
  // the remainder is kept: a further small step completes the next crossing
  const rest = Math.log(3) - 5 * 0.2; // ≈ 0.0986
  const nextV = Math.ceil(150 * Math.exp(0.2 - rest + 0.01));
  const b2 = emu.push(flat(nextV), 1000 + 2 * FRAME_US);
  assert.deepEqual(counts(b2), { on: W * H, off: 0 });
});

test('darkening gives only OFF events; linear below 20 DN', () => {
  const emu = new DvsEmulator({ width: W, height: H, sigmaThreshold: 0 });
  emu.push(flat(200), 0);
  const b = emu.push(flat(10), FRAME_US);
  const lut = linLogTable(20);
  const perPixel = Math.floor((lut[200] - lut[10]) / 0.2);
  assert.equal(lut[10], (10 * Math.log(20)) / 20);
  assert.deepEqual(counts(b), { on: 0, off: perPixel * W * H });
  assertSorted(b);
});

test('the same seed gives the same sensor and the same events; reset replays them', () => {
  const run = (emu: DvsEmulator) => {
    const out: number[] = [];
    for (let k = 0; k < 8; k++) {
      const b = emu.push(bar(k * 3), k * FRAME_US);
      for (let i = 0; i < b.length; i++) out.push(b.t[i], b.x[i], b.y[i], b.p[i]);
    }
    return out;
  };
  const a = new DvsEmulator({ width: W, height: H, preset: 'noisy', seed: 42 });
  const b = new DvsEmulator({ width: W, height: H, preset: 'noisy', seed: 42 });
  const c = new DvsEmulator({ width: W, height: H, preset: 'noisy', seed: 43 });
  const ra = run(a);
  assert.ok(ra.length > 0);
  assert.deepEqual(run(b), ra);
  assert.notDeepEqual(run(c), ra);
  a.reset();
  assert.deepEqual(run(a), ra);
  assert.notDeepEqual(Array.from(a.thresholdOn), Array.from(c.thresholdOn));
});

test('threshold mismatch follows N(θ, σ) clamped at 0.01', () => {
  const emu = new DvsEmulator({ width: 200, height: 100, sigmaThreshold: 0.05, seed: 7 });
  const th = emu.thresholdOn;
  let s = 0, s2 = 0;
  for (const v of th) { s += v; s2 += v * v; }
  const mean = s / th.length, sd = Math.sqrt(s2 / th.length - mean * mean);
  assert.ok(Math.abs(mean - 0.2) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(sd - 0.05) < 0.002, `sd ${sd}`);
  const wide = new DvsEmulator({ width: 100, height: 100, sigmaThreshold: 0.3, seed: 7 });
  assert.ok(Math.min(...wide.thresholdOn) === 0.01, 'clamped at 0.01');
});

test('the refractory period limits how often a pixel fires', () => {
  // a huge step (ln 250 − lin-log(0) ≈ 5.5 → 27 crossings) within one 33 ms interval
  const mk = (refractoryUs: number) => new DvsEmulator({ width: 4, height: 4, sigmaThreshold: 0, refractoryUs });
  const free = mk(0), limited = mk(5000);
  free.push(flat(0, 4, 4), 0);
  limited.push(flat(0, 4, 4), 0);
  const bf = free.push(flat(250, 4, 4), FRAME_US);
  const bl = limited.push(flat(250, 4, 4), FRAME_US);
  assert.equal(bf.length / 16, Math.floor(Math.log(250) / 0.2));
  const perPixel = bl.length / 16;
  assert.ok(perPixel <= Math.floor(FRAME_US / 5000) + 1, `${perPixel} events per pixel`);
  // every pixel's events are ≥ 5 ms apart
  const lastByPixel = new Map<number, number>();
  for (let i = 0; i < bl.length; i++) {
    const key = bl.y[i] * 4 + bl.x[i];
    const prev = lastByPixel.get(key);
    if (prev !== undefined) assert.ok(bl.t[i] - prev >= 5000);
    lastByPixel.set(key, bl.t[i]);
  }
  // what was suppressed is not forgotten: the memorised level lags, so the next frame fires again
  assert.ok(limited.push(flat(250, 4, 4), 2 * FRAME_US).length > 0);
});

test('shot noise occurs at the configured rate in a static scene', () => {
  const rate = 5, w = 160, h = 120, frames = 30;
  const emu = new DvsEmulator({ width: w, height: h, preset: 'clean', shotNoiseRateHz: rate, seed: 9 });
  const f = flat(100, w, h);
  emu.push(f, 0);
  let n = 0, on = 0;
  for (let k = 1; k <= frames; k++) {
    const b = emu.push(f, k * FRAME_US);
    assertSorted(b);
    for (let i = 0; i < b.length; i++) assert.ok(b.t[i] > (k - 1) * FRAME_US && b.t[i] <= k * FRAME_US);
    n += b.length;
    on += counts(b).on;
  }
  const seconds = (frames * FRAME_US) / 1e6;
  const p = 1 - Math.exp(-rate * FRAME_US * 1e-6); // at most one per pixel per frame
  const expected = w * h * frames * p;
  const sd = Math.sqrt(expected);
  assert.ok(Math.abs(n - expected) < 5 * sd, `${n} noise events, expected ${expected.toFixed(0)} ± ${sd.toFixed(0)} (≈ ${rate} Hz over ${seconds} s)`);
  assert.ok(Math.abs(on / n - 0.5) < 0.03, `ON fraction ${on / n}`);
});

test('leak makes a static pixel fire ON at about the leak rate', () => {
  const emu = new DvsEmulator({ width: 50, height: 50, sigmaThreshold: 0, leakRateHz: 2 });
  const f = flat(100, 50, 50);
  emu.push(f, 0);
  let on = 0, off = 0;
  for (let k = 1; k <= 60; k++) {
    const c = counts(emu.push(f, k * 50_000));
    on += c.on;
    off += c.off;
  }
  // 3 s at 2 Hz → 6 events per pixel (the memorised level drifts by exactly 6 θ)
  assert.equal(off, 0);
  assert.ok(Math.abs(on / 2500 - 6) <= 1, `${on / 2500} leak events per pixel`);
});

test('the photoreceptor low-pass delays events, more in the dark', () => {
  const firstEvent = (lo: number, hi: number, preset: 'clean' | 'noisy') => {
    const emu = new DvsEmulator({ width: 8, height: 8, preset, sigmaThreshold: 0, shotNoiseRateHz: 0, leakRateHz: 0 });
    emu.push(flat(lo, 8, 8), 0);
    let events = 0;
    for (let k = 1; k <= 40; k++) {
      events += emu.push(flat(hi, 8, 8), k * 1000).length;
      if (events > 0) return k;
    }
    return Infinity;
  };
  assert.equal(firstEvent(100, 200, 'clean'), 1);
  const bright = firstEvent(100, 200, 'noisy'); // τ ≈ 5.3 ms · 275/220
  const dark = firstEvent(2, 4, 'noisy'); // doubling in the dark: slower photoreceptor
  assert.ok(bright > 1, `bright step fired after ${bright} ms`);
  assert.ok(dark > bright, `dark ${dark} ms vs bright ${bright} ms`);
});

test('a moving bar produces events along its edges', () => {
  const emu = new DvsEmulator({ width: W, height: H, preset: 'clean', seed: 5 });
  emu.push(bar(8), 0);
  const b = emu.push(bar(10), FRAME_US); // bar [8,12) → [10,14)
  assert.ok(b.length > 0);
  const { on, off } = counts(b);
  assert.ok(on > 0 && off > 0);
  for (let i = 0; i < b.length; i++) {
    const x = b.x[i];
    if (b.p[i] === 1) assert.ok(x === 12 || x === 13, `ON at x=${x}`); // leading edge brightens
    else assert.ok(x === 8 || x === 9, `OFF at x=${x}`); // trailing edge darkens
  }
  assertSorted(b);
});

test('bad input is refused with a clear error', () => {
  const emu = new DvsEmulator({ width: W, height: H });
  assert.throws(() => emu.push(new Uint8Array(10), 0), /expected a 32×24 luma frame/);
  emu.push(flat(1), 100);
  assert.throws(() => emu.push(flat(1), 100), /must be after the previous frame/);
  assert.throws(() => emu.push(flat(1), 100.5), /whole number of µs/);
  assert.throws(() => new DvsEmulator({ width: 0, height: 4 }), /width and height/);
  assert.throws(() => new DvsEmulator({ width: 4, height: 4, thresholdOn: -1 }), /thresholdOn/);
  assert.throws(() => new DvsEmulator({ width: 4, height: 4, preset: 'foggy' as 'clean' }), /unknown preset 'foggy'/);
});

test('presets match v2e', () => {
  assert.deepEqual(
    [DVS_PRESETS.clean.sigmaThreshold, DVS_PRESETS.clean.cutoffHz, DVS_PRESETS.clean.shotNoiseRateHz, DVS_PRESETS.clean.leakRateHz],
    [0.02, 0, 0, 0],
  );
  assert.deepEqual(
    [DVS_PRESETS.noisy.sigmaThreshold, DVS_PRESETS.noisy.cutoffHz, DVS_PRESETS.noisy.shotNoiseRateHz, DVS_PRESETS.noisy.leakRateHz],
    [0.05, 30, 5, 0.1],
  );
});

test('rgbaToLuma uses BT.601 integer weights', () => {
  const rgba = Uint8Array.from([255, 255, 255, 255, 255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 9, 10, 20, 30, 0]);
  const out = rgbaToLuma(rgba, new Uint8Array(5));
  const ref = (r: number, g: number, b: number) => Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  assert.equal(out[0], 255);
  const want = [ref(255, 255, 255), ref(255, 0, 0), ref(0, 255, 0), ref(0, 0, 255), ref(10, 20, 30)];
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(out[i] - want[i]) <= 1, `pixel ${i}: ${out[i]} vs ${want[i]}`);
  // grey stays grey exactly (the weights sum to 256)
  const grey = new Uint8Array(256 * 4);
  for (let v = 0; v < 256; v++) grey.fill(v, v * 4, v * 4 + 4);
  assert.deepEqual(Array.from(rgbaToLuma(grey, new Uint8Array(256))), Array.from({ length: 256 }, (_, v) => v));
  assert.throws(() => rgbaToLuma(new Uint8Array(7), new Uint8Array(2)), /RGBA bytes/);
});
