import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBatch } from '../../src-engine/events/batch';

const makeBatch = (t: Float64Array, x: Uint16Array, y: Uint16Array, p: Uint8Array): EventBatch => ({ t, x, y, p, length: t.length });
import { TimeChannelBinner } from '../../src-engine/frames/time-channel';
import type { InputEncoding } from '../../src-engine/models/card';
import { ModelInputEncoder, centreCrop, timeRowsLayout } from '../../src-engine/models/encoder';
import { AudioResampler, LumaResizer } from '../../src-engine/models/resample';
import { Cochlea } from '../../src-engine/sources/cochlea/cochlea';

const DVS: InputEncoding = {
  sensor: 'dvs', sensorWidth: 128, sensorHeight: 128, windowUs: 100_000, hopUs: 100_000, bins: 5, polarities: 2, clip: 15,
  width: 64, height: 64, layout: 'hwc', dvs: { preset: 'clean', fps: 200 },
};
const AUDIO: InputEncoding = {
  sensor: 'audio', sensorWidth: 32, sensorHeight: 1, windowUs: 200_000, hopUs: 200_000, bins: 8, polarities: 2, clip: 15,
  width: 32, height: 1, layout: 'time-rows', cochlea: { sampleRate: 16000, channels: 32, fMinHz: 100, fMaxHz: 7600 },
};

function randomEvents(n: number, w: number, h: number, seed: number) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const t = new Float64Array(n), x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n);
  let tt = 0;
  for (let i = 0; i < n; i++) {
    tt += Math.floor(rnd() * 200);
    t[i] = tt; x[i] = Math.floor(rnd() * w); y[i] = Math.floor(rnd() * h); p[i] = rnd() < 0.5 ? 1 : 0;
  }
  return makeBatch(t, x, y, p);
}

test('events at the card geometry give exactly the binner frames', () => {
  const ev = randomEvents(20000, 128, 128, 7);
  const enc = new ModelInputEncoder(DVS);
  const got = [...enc.pushEvents(ev), ...enc.flush()];
  const ref = new TimeChannelBinner({ sensor: { width: 128, height: 128 }, size: { width: 64, height: 64 }, windowUs: 100_000, bins: 5, clip: 15, includeIncomplete: true });
  const want = [...ref.push(ev), ...ref.flush()];
  assert.equal(got.length, want.length);
  assert.ok(got.length > 5);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i]!.data, want[i]!.data);
    assert.equal(got[i]!.events, want[i]!.eventsKept);
    assert.deepEqual(got[i]!.shape, [64, 64, 10]);
  }
});

test('events of another sensor are centre-cropped to the model aspect', () => {
  assert.deepEqual(centreCrop({ width: 640, height: 480 }, 64, 64), { x: 80, y: 0, width: 480, height: 480 });
  assert.deepEqual(centreCrop({ width: 100, height: 300 }, 2, 1), { x: 0, y: 125, width: 100, height: 50 });
  const enc = new ModelInputEncoder(DVS, { eventGeometry: { width: 640, height: 480 } });
  // an event in the cropped-away left margin counts nowhere; one at the crop's corner lands at (0,0)
  const fr = enc.pushEvents(makeBatch(new Float64Array([0, 10, 200_000]), new Uint16Array([10, 80, 80]), new Uint16Array([5, 0, 0]), new Uint8Array([1, 1, 1])));
  assert.equal(fr[0]!.events, 1);
  assert.equal(fr[0]!.data[1], 1); // pixel (0,0), bin 0, ON
});

test('time-rows layout is the transpose 1×C×(B·P) → B×C×P', () => {
  const C = 3, B = 4, P = 2, f = new Uint8Array(C * B * P).map((_, i) => i);
  const r = timeRowsLayout(f, C, B, P);
  for (let ch = 0; ch < C; ch++) for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) {
    assert.equal(r[(b * C + ch) * P + p], f[ch * B * P + b * P + p]);
  }
  assert.throws(() => timeRowsLayout(f, 5, B, P), /not 1 × 5/);
});

test('luma resizer: area average after a centre crop', () => {
  const rz = new LumaResizer(2, 2);
  // 6×4 source: the crop keeps columns 1..4; each output pixel averages a 2×2 block
  const src = new Uint8Array(24);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) src[y * 6 + x] = x * 10 + y;
  const out = rz.resize(src, 6, 4);
  const avg = (xs: number[], ys: number[]) => Math.floor((xs.flatMap((x) => ys.map((y) => x * 10 + y)).reduce((a, b) => a + b, 0) + 2) / 4);
  assert.deepEqual([...out], [avg([1, 2], [0, 1]), avg([3, 4], [0, 1]), avg([1, 2], [2, 3]), avg([3, 4], [2, 3])]);
  assert.throws(() => rz.resize(new Uint8Array(3), 2, 2), /needs 4/);
});

test('video through the encoder: a moving bar makes events and frames, deterministically', () => {
  const run = () => {
    const enc = new ModelInputEncoder({ ...DVS, windowUs: 50_000, hopUs: 50_000 }, { seed: 3 });
    const W = 320, H = 240, luma = new Uint8Array(W * H);
    let events = 0;
    for (let k = 0; k < 40; k++) {
      luma.fill(30);
      const x0 = 40 + k * 5;
      for (let y = 60; y < 180; y++) luma.fill(220, y * W + x0, y * W + x0 + 20);
      events += enc.pushVideo(luma, W, H, k * 5000).length;
    }
    return { events, frames: [...enc.takeFrames(), ...enc.flush()] };
  };
  const a = run(), b = run();
  assert.ok(a.events > 1000, `only ${a.events} events`);
  assert.ok(a.frames.length >= 3);
  assert.deepEqual(a.frames.map((f) => f.data), b.frames.map((f) => f.data));
  assert.ok(a.frames.some((f) => f.events > 0));
  assert.throws(() => new ModelInputEncoder(DVS).pushAudio(new Float32Array(10), 16000, 0), /not audio/);
});

test('audio resampler keeps a tone and is chunking-invariant', () => {
  const inRate = 48000, f0 = 1000, n = 48000;
  const x = new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * f0 * i) / inRate));
  const whole = new AudioResampler(inRate, 16000).push(x).slice();
  const r2 = new AudioResampler(inRate, 16000), parts: number[] = [];
  for (let i = 0; i < n; i += 777) parts.push(...r2.push(x.subarray(i, Math.min(n, i + 777))));
  assert.deepEqual(Float32Array.from(parts), whole);
  assert.ok(Math.abs(whole.length - 16000) <= 20, `${whole.length} samples`);
  // away from the start, output k ≈ 0.5·sin(2π f0 k / 16000): right frequency, amplitude and timing
  let err = 0;
  for (let k = 200; k < whole.length - 200; k++) err = Math.max(err, Math.abs(whole[k]! - 0.5 * Math.sin((2 * Math.PI * f0 * k) / 16000)));
  assert.ok(err < 0.02, `max error ${err}`);
  // a tone above the new Nyquist is removed, not folded into the band
  const hi = new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 12000 * i) / inRate));
  const y = new AudioResampler(inRate, 16000).push(hi);
  let peak = 0;
  for (let k = 200; k < y.length - 200; k++) peak = Math.max(peak, Math.abs(y[k]!));
  assert.ok(peak < 0.02, `aliased peak ${peak}`);
});

test('a sound followed by silence: its windows close on the media clock, while the silence plays, not at the next sound', () => {
  const sr = 16000;
  // 0.3 s of tone, then 1 s of silence in 20 ms chunks as a microphone sends them
  const tone = new Float32Array(sr * 0.3).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 700 * i) / sr));
  const chunk = sr * 0.02;
  const run = (closeOnMediaClock: boolean) => {
    const enc = new ModelInputEncoder(AUDIO, { closeOnMediaClock });
    enc.pushAudio(tone, sr, 0);
    const frames = enc.takeFrames();
    const byChunk: number[] = [];
    for (let k = 0; k < 50; k++) {
      enc.pushAudio(new Float32Array(chunk), sr, 300_000 + k * 20_000);
      const f = enc.takeFrames();
      byChunk.push(f.length);
      frames.push(...f);
    }
    return { byChunk, frames: [...frames, ...enc.flush()] };
  };
  const live = run(true), late = run(false);
  // AUDIO: 200 ms windows from the first event; 1.3 s of audio → 6 windows end while it plays
  const during = live.byChunk.reduce((a, b) => a + b, 0);
  assert.ok(during >= 5, `windows closed during the silence: ${during}`);
  const lateDuring = late.byChunk.reduce((a, b) => a + b, 0);
  assert.ok(lateDuring <= 1, `without the clock only the tone's fading events close a window (${lateDuring}); silence closes nothing`);
  // each closes within one chunk (plus the cochlea's 0.5 ms level hop) of its end: one window per 10 chunks
  const at = live.byChunk.flatMap((n, k) => (n > 0 ? [k] : []));
  for (let i = 1; i < at.length; i++) assert.equal(at[i] - at[i - 1], 10, `windows closed at chunks ${at.join(', ')}`);
  // the clock changes when a window is emitted, never what it holds
  for (const f of late.frames) {
    const same = live.frames.find((g) => g.tStartUs === f.tStartUs);
    assert.ok(same, `window at ${f.tStartUs} µs exists live too`);
    assert.deepEqual(same.data, f.data);
  }
});

test('audio at the card rate equals the cochlea + binner, laid out as time rows', () => {
  const sr = 16000, pcm = new Float32Array(sr).map((_, i) => (i > 4000 && i < 9000 ? 0.3 * Math.sin((2 * Math.PI * 700 * i) / sr) : 0));
  const enc = new ModelInputEncoder(AUDIO);
  enc.pushAudio(pcm, sr, 0);
  const got = [...enc.takeFrames(), ...enc.flush()];
  const co = new Cochlea({ sampleRate: sr, channels: 32, fMin: 100, fMax: 7600 });
  const bn = new TimeChannelBinner({ sensor: { width: 32, height: 1 }, windowUs: 200_000, bins: 8, clip: 15, includeIncomplete: true, t0Us: undefined });
  // the encoder closes windows on the cochlea's clock: through the trailing silence too
  const want = [...bn.push(co.push(pcm, 0)), ...bn.advanceTo(co.settledUs), ...bn.flush()];
  assert.equal(got.length, want.length);
  assert.ok(got.some((f) => f.events > 0));
  for (let i = 0; i < got.length; i++) assert.deepEqual(got[i]!.data, timeRowsLayout(want[i]!.data, 32, 8, 2));
  assert.deepEqual(got[0]!.shape, [8, 32, 2]);
  // 44.1 kHz input is resampled, and still hears the tone
  const enc2 = new ModelInputEncoder(AUDIO);
  const pcm44 = new Float32Array(44100).map((_, i) => (i > 11000 && i < 25000 ? 0.3 * Math.sin((2 * Math.PI * 700 * i) / 44100) : 0));
  const ev = enc2.pushAudio(pcm44, 44100, 0);
  assert.ok(ev.length > 10);
  assert.throws(() => enc2.pushAudio(pcm44, 48000, 1e6), /sample rate changed/);
});

test("the card's adaptive-floor settings reach the cochlea", () => {
  const sr = 16000;
  let s = 3;
  const hiss = new Float32Array(2 * sr).map(() => ((s = (Math.imul(s, 1103515245) + 12345) | 0) / 2 ** 31) * 0.03);
  const card: InputEncoding = { ...AUDIO, cochlea: { ...AUDIO.cochlea!, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30, noiseMarginDb: 6, noiseWindowUs: 500_000 } };
  const got = new ModelInputEncoder(card).pushAudio(hiss, sr, 0);
  const co = new Cochlea({ sampleRate: sr, channels: 32, fMin: 100, fMax: 7600, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30, noiseMarginDb: 6, noiseWindowUs: 500_000 });
  const want = co.push(hiss, 0);
  assert.deepEqual(Array.from(got.t), Array.from(want.t));
  assert.deepEqual(Array.from(got.x), Array.from(want.x));
  // and without them the same hiss makes more events (the floor did something)
  const fixed = new ModelInputEncoder({ ...card, cochlea: { ...card.cochlea!, noiseMarginDb: undefined, noiseWindowUs: undefined } }).pushAudio(hiss, sr, 0);
  assert.ok(fixed.length > 2 * got.length, `${fixed.length} events at the fixed floor, ${got.length} adaptive`);
});

test('a cochlea narrower than its channels pools neighbouring channels (never crops the frequency axis)', () => {
  const sr = 16000;
  // a low tone and a high one: both must survive, in the bands that hold their channels
  const pcm = new Float32Array(sr).map((_, i) => (i > 3000 && i < 10000 ? 0.2 * Math.sin((2 * Math.PI * 250 * i) / sr) + 0.2 * Math.sin((2 * Math.PI * 5000 * i) / sr) : 0));
  const wide = new ModelInputEncoder(AUDIO);
  const pooled = new ModelInputEncoder({ ...AUDIO, width: 16 });
  wide.pushAudio(pcm, sr, 0);
  pooled.pushAudio(pcm, sr, 0);
  const a = [...wide.takeFrames(), ...wide.flush()], b = [...pooled.takeFrames(), ...pooled.flush()];
  assert.equal(a.length, b.length);
  assert.deepEqual(b[0]!.shape, [8, 16, 2]);
  let high = 0, low = 0;
  for (let i = 0; i < a.length; i++) {
    assert.equal(b[i]!.events, a[i]!.events, `window ${i}: every event is kept`);
    for (let t = 0; t < 8; t++) {
      for (let c = 0; c < 16; c++) {
        for (let p = 0; p < 2; p++) {
          const sum = a[i]!.data[(t * 32 + 2 * c) * 2 + p]! + a[i]!.data[(t * 32 + 2 * c + 1) * 2 + p]!;
          // counts add before the clip, so a pooled cell is the pair's sum unless that passes 15
          assert.equal(b[i]!.data[(t * 16 + c) * 2 + p], Math.min(15, sum));
          if (c >= 12) high += sum;
          else if (c < 4) low += sum;
        }
      }
    }
  }
  assert.ok(low > 0 && high > 0, `low ${low}, high ${high} events`);
});

test('live denoise drops isolated events and keeps ones with a recent neighbour', () => {
  // a pair of neighbouring pixels firing every ms (each has a neighbour 100 µs or 900 µs before),
  // and lone events far from everything
  const make = (withLone: boolean) => {
    const t: number[] = [], x: number[] = [], y: number[] = [];
    for (let k = 0; k < 200; k++) {
      t.push(k * 1000, k * 1000 + 100); x.push(10, 11); y.push(10, 10);
      if (withLone) { t.push(k * 1000 + 500); x.push(20 + ((k * 37) % 100)); y.push(60 + (k % 3) * 30); }
    }
    return makeBatch(Float64Array.from(t), Uint16Array.from(x), Uint16Array.from(y), new Uint8Array(t.length).fill(1));
  };
  const count = (batch: EventBatch, denoiseUs?: number) => {
    const enc = new ModelInputEncoder({ ...DVS, windowUs: 300_000, hopUs: 300_000 }, denoiseUs ? { denoiseUs } : {});
    return [...enc.pushEvents(batch), ...enc.flush()].reduce((a, f) => a + f.events, 0);
  };
  assert.equal(count(make(true)), 600);
  const pairs = count(make(false), 10_000), all = count(make(true), 10_000);
  assert.ok(pairs >= 398, `pairs kept ${pairs} of 400`);
  assert.ok(all - pairs <= 20, `lone events kept ${all - pairs} of 200`);
});
