import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputEncoding } from '../../src-engine/models/card';
import { ModelInputEncoder } from '../../src-engine/models/encoder';
import { probeSpeechTools, synthesizeSpeech } from '../../src-main/media/speech';
import { encodeClip, KEYWORD_INPUT } from '../../src-main/datasets/keywords/encoding';
import { meanSquare, mixClip, powerDb, wordBounds } from '../../src-main/datasets/keywords/mix';
import { mainsHum } from '../../src-main/datasets/keywords/noise';
import { planSplits, PRE_ROLL_US, sampleSpec, type SampleSpec } from '../../src-main/datasets/keywords/plan';
import { mixSample, trimWord } from '../../src-main/datasets/keywords/sample';
import { ALL_CLASSES, BACKBONE_CLASSES, HELD_OUT_WORDS, UNKNOWN_WORDS } from '../../src-main/datasets/keywords/vocabulary';
import { VOICES } from '../../src-main/datasets/keywords/voices';

const SR = 16000;
const tools = await probeSpeechTools();
const noEspeak = !tools['espeak-ng'] || !tools.sox ? 'espeak-ng or sox not installed (Debian packages espeak-ng, sox): skipping encoding checks' : false;
if (noEspeak) console.log(`# SKIP ${noEspeak}`);

/** Deterministic pseudo-noise (an LCG), so the tests need no files. */
function noise(n: number, seed = 1): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

function burst(n: number, f = 440): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f * i) / SR) * Math.sin((Math.PI * i) / n);
  return x;
}

test('mixClip: the word lands where asked at the asked level, with noise at the asked SNR (property)', () => {
  const loop = noise(SR * 3, 7);
  fc.assert(
    fc.property(
      fc.double({ min: -45, max: -10, noNaN: true }),
      fc.double({ min: -5, max: 40, noNaN: true }),
      fc.integer({ min: 0, max: 10 * SR }),
      fc.integer({ min: 0, max: 6000 }),
      (levelDb, snrDb, offset, at) => {
        const word = burst(4000);
        const length = 12000;
        const m = mixClip({ length, word, wordAt: at, wordLevelDb: levelDb, noise: loop, noiseOffset: offset, snrDb });
        // split the clip back into its parts: noise = the loop segment × gain, word = the rest
        const nPart = new Float32Array(length);
        for (let i = 0; i < length; i++) nPart[i] = loop[(offset + i) % loop.length] * m.noiseGain;
        const wPart = new Float32Array(word.length);
        for (let i = 0; i < word.length; i++) wPart[i] = m.pcm[at + i] - nPart[at + i];
        const got = powerDb(meanSquare(wPart)) - powerDb(meanSquare(nPart));
        assert.ok(Math.abs(got - snrDb) < 0.05, `SNR ${got} dB, asked ${snrDb}`);
        const scaleDb = 20 * Math.log10(m.limiter);
        assert.ok(Math.abs(powerDb(meanSquare(wPart)) - (levelDb + scaleDb)) < 0.05, 'word level');
        assert.ok(Math.max(...m.pcm.map(Math.abs)) <= 0.99 + 1e-6, 'no clipping');
        assert.ok(Math.abs(m.pcm[at > 0 ? at - 1 : length - 1] - nPart[at > 0 ? at - 1 : length - 1]) < 1e-6, 'nothing but noise outside the word');
      },
    ),
    { numRuns: 200 },
  );
});

test('mixClip: a loud mix is scaled down as a whole (SNR kept); noise-only clips take an absolute level; bad specs are refused', () => {
  const loop = noise(SR, 3);
  const m = mixClip({ length: 8000, word: burst(4000), wordAt: 1000, wordLevelDb: -1, noise: loop, noiseOffset: 0, snrDb: 0 });
  assert.ok(m.limiter < 1);
  assert.ok(Math.abs(Math.max(...m.pcm.map(Math.abs)) - 0.99) < 1e-6);
  const s = mixClip({ length: 16000, word: null, wordAt: 0, wordLevelDb: 0, noise: loop, noiseOffset: 5, noiseLevelDb: -40 });
  assert.ok(Math.abs(powerDb(meanSquare(s.pcm)) + 40) < 0.01);
  assert.throws(() => mixClip({ length: 100, word: burst(200), wordAt: 0, wordLevelDb: -20, noise: null, noiseOffset: 0 }), /a word of 200 samples at 0 does not fit a clip of 100/);
  assert.throws(() => mixClip({ length: 1000, word: burst(200), wordAt: 0, wordLevelDb: -20, noise: loop, noiseOffset: 0 }), /needs snrDb/);
  assert.throws(() => mixClip({ length: 1000, word: null, wordAt: 0, wordLevelDb: -20, noise: loop, noiseOffset: 0 }), /needs noiseLevelDb/);
});

test('wordBounds finds a word inside silence to within a 10 ms frame plus the padding', () => {
  const x = new Float32Array(SR);
  x.set(burst(4800), 5000);
  // the sine-windowed burst is > −40 dB re its peak from ~1 % in: allow one frame either side
  const b = wordBounds(x, SR, 40, 15);
  assert.ok(b.start >= 5000 - 240 - 160 && b.start <= 5000, `start ${b.start}`);
  assert.ok(b.end >= 9800 && b.end <= 9800 + 240 + 160, `end ${b.end}`);
  assert.deepEqual(wordBounds(new Float32Array(100), SR), { start: 0, end: 0 });
});

test('mainsHum is periodic at 50 Hz and normalised', () => {
  const h = mainsHum(1);
  assert.ok(Math.abs(meanSquare(h) - 1) < 1e-3);
  // one period (320 samples) apart the hum differs only by the slow 0.3 Hz wobble
  let d = 0;
  for (let i = 0; i < 1000; i++) d += Math.abs(h[i + 320] - h[i]);
  assert.ok(d / 1000 < 0.05, `period error ${d / 1000}`);
});

test('the plan: held-out words never in train/val/test, flite only in test, unseen espeak voices only in few-shot', () => {
  const plans = planSplits(300, false);
  const counts = Object.fromEntries(plans.map((p) => [p.split, p.count]));
  assert.deepEqual(counts, { train: 3600, val: 720, test: 1200, fewshot: 600 });
  const heldOut = new Set(HELD_OUT_WORDS);
  for (const w of HELD_OUT_WORDS) assert.ok(!UNKNOWN_WORDS.includes(w), `${w} is not an unknown-class word`);
  for (const plan of plans) {
    const perClass = new Map<number, number>();
    // every sample of val/test/fewshot and a stride of train (the rule is per split, not per sample)
    const step = plan.split === 'train' ? 7 : 1;
    for (let i = 0; i < plan.count; i += step) {
      const s: SampleSpec = sampleSpec(1, plan, i);
      perClass.set(s.label, (perClass.get(s.label) ?? 0) + 1);
      const voice = s.group >= 0 ? VOICES[s.group] : null;
      if (s.word === null) {
        assert.equal(ALL_CLASSES[s.label], 'silence');
        assert.equal(s.group, -1);
        assert.equal(s.speech, null);
        continue;
      }
      assert.ok(voice && voice.name === s.speech!.voice && voice.synth === s.speech!.synth);
      if (plan.split !== 'fewshot') {
        assert.ok(!heldOut.has(s.word), `${plan.split} #${i} speaks held-out ${s.word}`);
        assert.ok(BACKBONE_CLASSES.includes(ALL_CLASSES[s.label]));
      }
      if (plan.split === 'test') assert.equal(voice.synth, 'flite');
      else assert.equal(voice.synth, 'espeak-ng', `${plan.split} #${i}`);
      if (plan.split === 'train' || plan.split === 'val') assert.equal(voice.role, 'train');
      if (plan.split === 'fewshot') assert.equal(voice.role, 'unseen');
      if (ALL_CLASSES[s.label] === 'unknown') assert.ok(UNKNOWN_WORDS.includes(s.word));
      else assert.equal(s.word, ALL_CLASSES[s.label]);
    }
    if (plan.split === 'fewshot') {
      assert.equal(perClass.size, BACKBONE_CLASSES.length + HELD_OUT_WORDS.length);
      for (const [, n] of perClass) assert.ok(n >= 20, `few-shot class with ${n} samples`);
    }
  }
  // reproducible from the seed, different for another seed
  const train = plans[0];
  assert.deepEqual(sampleSpec(1, train, 123), sampleSpec(1, train, 123));
  assert.notDeepEqual(sampleSpec(2, train, 123), sampleSpec(1, train, 123));
});

test('KEYWORD_INPUT is a valid input encoding the encoder accepts: 32 bins × 16 bands (32 cochlea channels in pairs) × 2', () => {
  const enc = InputEncoding.parse(KEYWORD_INPUT);
  assert.deepEqual(new ModelInputEncoder(enc).inputShape, [32, 16, 2]);
  assert.equal(enc.cochlea?.channels, 32);
  assert.equal(enc.sensorWidth, 32);
  assert.equal(enc.layout, 'time-rows');
  assert.equal(enc.windowUs / enc.bins, 31_250);
});

test('the generation hop changes which windows exist, not what they hold: identical to the live encoder', { skip: noEspeak }, async () => {
  const word = trimWord(await synthesizeSpeech({ text: 'right', synth: 'espeak-ng', voice: 'en-us+m4' }));
  const spec = sampleSpec(5, planSplits(10, false)[0], 5); // class 5 = "right"
  assert.equal(spec.word, 'right');
  const { pcm } = mixSample({ ...spec, noise: 'pink', snrDb: 20 }, word, { white: noise(SR), pink: noise(SR, 9), brown: noise(SR), hum: mainsHum(1) });
  const live = new ModelInputEncoder(KEYWORD_INPUT); // hop 250 ms, as the app runs
  live.pushAudio(pcm, SR, 0);
  const frames = [...live.takeFrames(), ...live.flush()];
  const complete = frames.filter((f) => f.tEndUs <= (pcm.length * 1e6) / SR);
  assert.ok(complete.length >= 1);
  for (const f of complete) {
    const g = encodeClip(pcm, SR, f.tStartUs);
    assert.equal(g.tStartUs, f.tStartUs);
    assert.deepEqual(g.frame, f.data, `window at ${f.tStartUs} µs`);
    assert.equal(g.events, f.events);
  }
});

test('encoding: "yes" and "no" by the same voice give clearly different, sparse frames; the same clip gives the same frame', { skip: noEspeak }, async () => {
  const wavs: Record<string, Uint8Array> = {};
  for (const w of ['yes', 'no']) wavs[w] = await synthesizeSpeech({ text: w, synth: 'espeak-ng', voice: 'en-gb+f2' });
  const enc = (w: string) => trimWord(wavs[w]);
  const place = (w: Float32Array): Float32Array => {
    const clip = new Float32Array(Math.round(1.35 * SR));
    const g = Math.sqrt(10 ** (-25 / 10) / meanSquare(w));
    const at = Math.round(((PRE_ROLL_US + 200_000) * SR) / 1e6);
    for (let i = 0; i < w.length; i++) clip[at + i] = g * w[i];
    return clip;
  };
  const yes = encodeClip(place(enc('yes')), SR, PRE_ROLL_US);
  const no = encodeClip(place(enc('no')), SR, PRE_ROLL_US);
  assert.deepEqual(encodeClip(place(enc('yes')), SR, PRE_ROLL_US).frame, yes.frame);
  const nz = (f: Uint8Array) => f.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) / f.length;
  assert.ok(yes.events > 100 && no.events > 100, `${yes.events}, ${no.events} events`);
  assert.ok(nz(yes.frame) < 0.4 && nz(no.frame) < 0.4, `sparse: ${nz(yes.frame)}, ${nz(no.frame)} of cells set`);
  // spectral profile over the bands (summed over time and polarity): "yes" has the /s/ high up, "no" does not
  const W = KEYWORD_INPUT.width;
  const profile = (f: Uint8Array) => {
    const p = new Float64Array(W);
    for (let b = 0; b < KEYWORD_INPUT.bins; b++) for (let c = 0; c < W; c++) p[c] += f[(b * W + c) * 2] + f[(b * W + c) * 2 + 1];
    return p;
  };
  const hi = (p: Float64Array) => p.slice((3 * W) / 4).reduce((a, b) => a + b, 0) / p.reduce((a, b) => a + b, 0);
  // (×2 at the cochlea's −60 dB floor; at the keyword encoding's −75 dB the quiet upper harmonics of "no" fire too: ×1.97)
  assert.ok(hi(profile(yes.frame)) > 1.6 * hi(profile(no.frame)), `high-channel share yes ${hi(profile(yes.frame))}, no ${hi(profile(no.frame))}`);
  let l1 = 0, mass = 0;
  for (let i = 0; i < yes.frame.length; i++) {
    l1 += Math.abs(yes.frame[i] - no.frame[i]);
    mass += yes.frame[i] + no.frame[i];
  }
  assert.ok(l1 / mass > 0.5, `frames differ by ${l1 / mass} of their mass`);
});

test('the anchor click: a clean clip (no events before the word) still gets the planned window, the word where the plan put it', { skip: noEspeak }, async () => {
  const word = trimWord(await synthesizeSpeech({ text: 'up', synth: 'espeak-ng', voice: 'en-gb+m5' }));
  const bank = { white: noise(SR), pink: noise(SR), brown: noise(SR), hum: mainsHum(1) };
  for (const position of [0.1, 0.5, 0.9]) {
    const spec = { ...sampleSpec(1, planSplits(10, false)[0], 2), noise: null, position };
    const { pcm, wordAt } = mixSample(spec, word, bank);
    const e = encodeClip(pcm, SR, PRE_ROLL_US);
    assert.ok(Math.abs(e.tStartUs - PRE_ROLL_US) <= 5_000, `window starts at ${e.tStartUs} µs`);
    let first = -1;
    const row = KEYWORD_INPUT.width * 2;
    for (let b = 0; b < 32 && first < 0; b++) if (e.frame.subarray(b * row, (b + 1) * row).some((v) => v > 0)) first = b;
    const expect = ((wordAt * 1e6) / SR - e.tStartUs) / 31_250;
    assert.ok(first >= Math.floor(expect) - 1 && first <= Math.ceil(expect) + 1, `position ${position}: first active row ${first}, word starts at row ${expect.toFixed(1)}`);
  }
});

test('a silent clip encodes to an all-zero frame', () => {
  const e = encodeClip(new Float32Array(SR), SR, PRE_ROLL_US);
  assert.equal(e.events, 0);
  assert.ok(e.frame.every((v) => v === 0));
  assert.equal(e.frame.length, 32 * 16 * 2);
});
