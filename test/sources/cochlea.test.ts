import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { EventBatch } from '../../src-engine/events/batch';
import { concatBatches } from '../../src-engine/events/batch';
import { TimeChannelBinner } from '../../src-engine/frames/time-channel';
import { Cochlea, type CochleaConfig } from '../../src-engine/sources/cochlea/cochlea';
import { FilterBank, hzToMel, melCentres } from '../../src-engine/sources/cochlea/filterbank';
import { WavError, readWav } from '../../src-engine/sources/cochlea/wav';

const SR = 16000;
const US_PER_SAMPLE = 1e6 / SR;

/** A sine with 10 ms raised-cosine fades (an abrupt start or stop is a broadband click). */
function tone(f: number, seconds: number, amp = 0.5, sr = SR): Float32Array {
  const x = new Float32Array(Math.round(seconds * sr));
  const ramp = 0.01 * sr;
  for (let i = 0; i < x.length; i++) {
    const g = Math.max(0, Math.min(1, i / ramp, (x.length - 1 - i) / ramp));
    x[i] = amp * 0.5 * (1 - Math.cos(Math.PI * g)) * Math.sin((2 * Math.PI * f * i) / sr);
  }
  return x;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Pushes `pcm` in chunks of `chunk` samples with consistent start times; returns all events. */
function run(pcm: Float32Array, chunk: number | number[], cfg: CochleaConfig = {}, t0 = 0): EventBatch {
  const c = new Cochlea(cfg);
  const sr = c.sampleRate;
  const out: EventBatch[] = [];
  let i = 0, k = 0;
  while (i < pcm.length) {
    const n = Array.isArray(chunk) ? chunk[k++ % chunk.length] : chunk;
    const end = Math.min(pcm.length, i + n);
    out.push(c.push(pcm.subarray(i, end), t0 + (i * 1e6) / sr));
    i = end;
  }
  return concatBatches(out);
}

function histogram(b: EventBatch, channels = 64): number[] {
  const h = new Array<number>(channels).fill(0);
  for (let i = 0; i < b.length; i++) h[b.x[i]]++;
  return h;
}

const argmax = (h: number[]) => h.indexOf(Math.max(...h));

/** Every event as text, to compare two streams exactly. */
const key = (b: EventBatch) => Array.from({ length: b.length }, (_, i) => `${b.t[i]}/${b.x[i]}/${b.p[i]}`).join(' ');

test('centres are mel-spaced from fMin to fMax; each channel peaks at 0 dB on its centre and leads its neighbours', () => {
  const cs = melCentres(64, 100, 7600);
  assert.ok(Math.abs(cs[0] - 100) < 1e-9 && Math.abs(cs[63] - 7600) < 1e-6);
  const step = hzToMel(cs[1]) - hzToMel(cs[0]);
  for (let c = 1; c < 64; c++) assert.ok(Math.abs(hzToMel(cs[c]) - hzToMel(cs[c - 1]) - step) < 1e-6);
  const bank = new FilterBank(SR, 64, 100, 7600);
  for (const c of [0, 10, 30, 50, 62, 63]) {
    assert.ok(Math.abs(bank.gain(c, cs[c], SR) - 1) < 1e-9, `channel ${c} peak gain`);
    // neighbours cross at −3 dB halfway: the bank tiles the band
    if (c < 63) {
      const mid = (cs[c] + cs[c + 1]) / 2;
      const db = 10 * Math.log10(bank.gain(c, mid, SR));
      assert.ok(db < -1.5 && db > -4.5, `channel ${c} at the midpoint to its neighbour: ${db.toFixed(2)} dB`);
    }
  }
});

test('a pure tone fires most in the channel whose centre is nearest', () => {
  const centres = new Cochlea().centresHz;
  // on a centre: exactly that channel; between centres the two nearest differ by less than δ, so either may lead
  const tones = [...[3, 12, 25, 40, 52, 62].map((c) => centres[c]), 180, 440, 1000, 2500, 5200];
  for (const f of tones) {
    let nearest = 0;
    for (let c = 1; c < 64; c++) if (Math.abs(centres[c] - f) < Math.abs(centres[nearest] - f)) nearest = c;
    const second = f > centres[nearest] ? Math.min(63, nearest + 1) : Math.max(0, nearest - 1);
    const onCentre = Math.abs(f - centres[nearest]) < 1e-6;
    const h = histogram(run(tone(f, 0.3), 1600));
    const top = argmax(h);
    if (onCentre) assert.equal(top, nearest, `${f.toFixed(0)} Hz: counts ${h.join(',')}`);
    else assert.ok(top === nearest || top === second, `${f} Hz: top channel ${top}, nearest ${nearest}: ${h.join(',')}`);
    // far channels (a quarter of the bank away) fire much less
    for (let c = 0; c < 64; c++) if (Math.abs(c - nearest) >= 16) assert.ok(h[c] < 0.5 * h[nearest], `${f} Hz: channel ${c} has ${h[c]}`);
  }
});

test('silence gives no events; noise below the floor gives none', () => {
  assert.equal(run(new Float32Array(SR), 160).length, 0);
  let s = 1;
  const hiss = new Float32Array(SR).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    return 1e-4 * (s / 2 ** 31); // ≈ −85 dBFS, far below the −60 dB floor
  });
  assert.equal(run(hiss, 160).length, 0);
});

test('a tone onset gives ON events, its offset OFF events, as many of each per channel', () => {
  const pcm = concat(new Float32Array(1600), tone(1000, 0.25), new Float32Array(SR / 2));
  const b = run(pcm, 160);
  const onsetUs = 0.1e6, offsetUs = 0.34e6; // the fade-out starts 10 ms before the end
  let on = 0, off = 0;
  const perChannel = new Map<number, number>();
  for (let i = 0; i < b.length; i++) {
    if (b.p[i] === 1) {
      on++;
      assert.ok(b.t[i] >= onsetUs && b.t[i] < offsetUs, `ON at ${b.t[i]} µs`);
    } else {
      off++;
      assert.ok(b.t[i] >= offsetUs, `OFF at ${b.t[i]} µs before the offset`);
    }
    perChannel.set(b.x[i], (perChannel.get(b.x[i]) ?? 0) + (b.p[i] ? 1 : -1));
  }
  assert.ok(on > 100 && off > 100, `${on} ON, ${off} OFF`);
  // back to the floor: every channel's reference returns to within one step
  for (const [c, net] of perChannel) assert.ok(Math.abs(net) <= 1, `channel ${c}: ON − OFF = ${net}`);
});

test('any chunking of the same PCM gives identical events', () => {
  const pcm = concat(tone(300, 0.1, 0.3), tone(2000, 0.15, 0.6), new Float32Array(800), tone(700, 0.1, 0.1));
  const ref = run(pcm, 1600);
  assert.ok(ref.length > 100);
  assert.equal(key(run(pcm, 160)), key(ref));
  assert.equal(key(run(pcm, pcm.length)), key(ref));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (chunks) => key(run(pcm, chunks)) === key(ref)),
    { numRuns: 15 },
  );
});

test('timestamps are sorted, whole µs, and inside the span each push covers', () => {
  const c = new Cochlea();
  const hopUs = c.hopSamples * US_PER_SAMPLE;
  const pcm = concat(tone(500, 0.2, 0.4), tone(3000, 0.2, 0.8), new Float32Array(3200));
  const t0 = 1_000_000;
  let last = -Infinity;
  const lastByChannel = new Float64Array(64).fill(-Infinity);
  let total = 0;
  for (let i = 0; i < pcm.length; i += 480) {
    const chunk = pcm.subarray(i, i + 480);
    const tUs = t0 + i * US_PER_SAMPLE;
    const b = c.push(chunk, tUs);
    total += b.length;
    for (let k = 0; k < b.length; k++) {
      const t = b.t[k];
      assert.ok(Number.isInteger(t));
      assert.ok(t >= last, 'sorted');
      assert.ok(t >= lastByChannel[b.x[k]], 'per channel');
      assert.ok(t >= tUs - hopUs - 1 && t <= tUs + (chunk.length - 1) * US_PER_SAMPLE + 1, `${t} outside push at ${tUs}`);
      assert.equal(b.y[k], 0);
      last = t;
      lastByChannel[b.x[k]] = t;
    }
  }
  assert.ok(total > 100);
});

/** Pink-ish noise (Paul Kellet's filter on a seeded LCG): a steady hiss. */
function hiss(seconds: number, amp: number, seed = 7): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  let s = seed, b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const w = s / 2 ** 31;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = (amp * (b0 + b1 + b2 + w * 0.1848)) / 3;
  }
  return x;
}

const inSpan = (b: EventBatch, fromUs: number, toUs: number, p?: number) => {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b.t[i] >= fromUs && b.t[i] < toUs && (p === undefined || b.p[i] === p)) n++;
  return n;
};

test('the adaptive floor silences a steady background but keeps what rises above it', () => {
  const cfg: CochleaConfig = { channels: 32, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30 };
  const bg = hiss(3, 0.05);
  const pcm = bg.slice();
  const burst = tone(1000, 0.3, 0.05);
  for (let i = 0; i < burst.length; i++) pcm[2 * SR + i] += burst[i]; // a tone 2 s in, as loud as the hiss
  const fixed = run(pcm, 1600, cfg), adaptive = run(pcm, 1600, { ...cfg, noiseMarginDb: 6 });
  // the steady hiss from 1 s to 2 s: the fixed floor lets its fluctuations through
  const hissFixed = inSpan(fixed, 1e6, 2e6), hissAdaptive = inSpan(adaptive, 1e6, 2e6);
  assert.ok(hissFixed > 40, `fixed floor: ${hissFixed} events of hiss in 1 s`);
  assert.ok(hissAdaptive * 4 < hissFixed, `adaptive floor: ${hissAdaptive} events of hiss against ${hissFixed}`);
  // the tone still fires ON events, in the channel nearest 1 kHz most
  const onTone = inSpan(adaptive, 2e6, 2.3e6, 1);
  assert.ok(onTone >= 10, `${onTone} ON events for the tone`);
  const h = new Array<number>(32).fill(0);
  for (let i = 0; i < adaptive.length; i++) if (adaptive.p[i] === 1 && adaptive.t[i] >= 2e6 && adaptive.t[i] < 2.3e6) h[adaptive.x[i]]++;
  const centres = new Cochlea(cfg).centresHz;
  const nearest = Array.from(centres).reduce((b, f, c) => (Math.abs(f - 1000) < Math.abs(centres[b] - 1000) ? c : b), 0);
  assert.ok(Math.abs(argmax(h) - nearest) <= 1, `most ON events in channel ${argmax(h)}, 1 kHz is channel ${nearest}`);
});

test('the adaptive floor changes nothing in silence or with margin 0', () => {
  const cfg: CochleaConfig = { channels: 32, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30 };
  // a tone in digital silence: the background is below the fixed floor, so the fixed floor rules
  const quiet = concat(new Float32Array(SR / 2), tone(700, 0.3, 0.01), new Float32Array(SR / 2));
  const ref = run(quiet, 1600, cfg);
  assert.ok(ref.length > 50);
  assert.equal(key(run(quiet, 1600, { ...cfg, noiseMarginDb: 6 })), key(ref));
  // margin 0: the floor is at most the level itself
  const noisy = concat(hiss(1, 0.02), tone(300, 0.2, 0.2));
  assert.equal(key(run(noisy, 1600, { ...cfg, noiseMarginDb: 0 })), key(run(noisy, 1600, cfg)));
});

test('with the adaptive floor any chunking still gives identical events', () => {
  const cfg: CochleaConfig = { channels: 32, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30, noiseMarginDb: 6, noiseWindowUs: 400_000 };
  const pcm = hiss(1.5, 0.03);
  const t = tone(2000, 0.2, 0.1);
  for (let i = 0; i < t.length; i++) pcm[SR + i] += t[i];
  const ref = run(pcm, 4096, cfg);
  assert.ok(ref.length > 20);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 7000 }), { minLength: 1, maxLength: 6 }), (chunks) => key(run(pcm, chunks, cfg)) === key(ref)),
    { numRuns: 8 },
  );
});

test('config and input errors are clear', () => {
  assert.throws(() => new Cochlea({ fMax: 9000 }), /fMax/);
  assert.throws(() => new Cochlea({ channels: 0 }), /channels/);
  assert.throws(() => new Cochlea({ deltaDb: 0 }), /deltaDb/);
  assert.throws(() => new Cochlea({ noiseMarginDb: -3 }), /noiseMarginDb/);
  assert.throws(() => new Cochlea({ noiseWindowUs: 10 }), /noiseWindowUs/);
  const c = new Cochlea();
  const bad = new Float32Array(100);
  bad[37] = NaN;
  assert.throws(() => c.push(bad, 0), /sample 37 is NaN/);
  assert.throws(() => c.push(new Float32Array(10), Infinity), /finite/);
  assert.deepEqual(new Cochlea({ channels: 32 }).geometry, { width: 32, height: 1 });
});

test('readWav decodes PCM16 and rejects what it cannot read', () => {
  const n = 4;
  const buf = new Uint8Array(44 + n * 4);
  const dv = new DataView(buf.buffer);
  const w = (o: number, s: string) => [...s].forEach((ch, i) => (buf[o + i] = ch.charCodeAt(0)));
  w(0, 'RIFF'); dv.setUint32(4, 36 + n * 4, true); w(8, 'WAVE');
  w(12, 'fmt '); dv.setUint32(16, 16, true); dv.setUint16(20, 1, true); dv.setUint16(22, 2, true);
  dv.setUint32(24, 16000, true); dv.setUint32(28, 64000, true); dv.setUint16(32, 4, true); dv.setUint16(34, 16, true);
  w(36, 'data'); dv.setUint32(40, n * 4, true);
  const samples = [[16384, 16384], [-32768, 0], [0, 0], [32767, -32767]];
  samples.forEach(([l, r], i) => { dv.setInt16(44 + i * 4, l, true); dv.setInt16(46 + i * 4, r, true); });
  const wav = readWav(buf);
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels, 2);
  assert.deepEqual(Array.from(wav.samples), samples.map(([l, r]) => (l + r) / 2 / 32768));
  assert.throws(() => readWav(new Uint8Array(10)), WavError);
  dv.setUint16(20, 2, true); // ADPCM
  assert.throws(() => readWav(buf), /unsupported sample format 2/);
});

const espeak = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
const haveEspeak = espeak.status === 0;

test('a spoken word gives a plausible number of events that bin into frames', { skip: haveEspeak ? false : 'espeak-ng is not installed (apt-get install espeak-ng)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cochlea-'));
  try {
    const file = join(dir, 'yes.wav');
    const r = spawnSync('espeak-ng', ['-v', 'en-us', '-w', file, 'yes'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const wav = readWav(readFileSync(file));
    const seconds = wav.samples.length / wav.sampleRate;
    assert.ok(seconds > 0.2 && seconds < 2, `${seconds} s of speech`);
    // espeak-ng writes 22 050 Hz: the cochlea runs at the file's rate
    const b = run(wav.samples, Math.round(wav.sampleRate / 100), { sampleRate: wav.sampleRate });
    const perSecond = b.length / seconds;
    assert.ok(b.length >= 300 && b.length <= 60_000, `${b.length} events for ${seconds.toFixed(2)} s`);
    const h = histogram(b);
    assert.ok(h.filter((v) => v > 0).length >= 16, `speech is broadband: ${h.filter((v) => v > 0).length} channels fire`);
    const binner = new TimeChannelBinner({ sensor: { width: 64, height: 1 }, windowUs: 100_000, bins: 5, includeIncomplete: true });
    const frames = [...binner.push(b), ...binner.flush()];
    assert.ok(frames.length >= 2);
    assert.deepEqual(frames[0].shape, [1, 64, 10]);
    const busy = frames.filter((f) => f.eventsKept > 0 && f.data.some((v) => v > 0));
    assert.ok(busy.length >= 2, `${busy.length} non-empty frames`);
    assert.equal(frames.reduce((n, f) => n + f.eventsKept, 0), b.length);
    assert.ok(perSecond > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
