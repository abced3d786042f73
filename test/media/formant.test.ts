// The rule-based formant synthesizer (src-main/media/formant/): its vowels put
// their formants where the phone table says, its /s/ sits above 3 kHz, F0 and
// duration follow the request, the same request gives the same samples, and a
// word it cannot say is a readable error. Through synthesizeSpeech it becomes
// a cached 16 kHz WAV like the other synthesizers' (with sox).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FORMANT_SAMPLE_RATE, FORMANT_WORDS, formantSpeaker, type FormantSpeaker, formantWav, synthesizeFormantWord } from '../../src-main/media/formant';
import { PHONES } from '../../src-main/media/formant/phones';
import { normalizeSpeechParams, probeSpeechTools, speechCacheKey, synthesizeSpeech } from '../../src-main/media/speech';
import { readWav } from '../../src-engine/sources/cochlea/wav';
import { COMMAND_WORDS, UNKNOWN_WORDS } from '../../src-main/datasets/keywords/vocabulary';

const SR = FORMANT_SAMPLE_RATE;
const root = mkdtempSync(join(tmpdir(), 'formant-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A neutral adult male: the table's formants exactly, steady voice. */
function neutral(over: Partial<FormantSpeaker> = {}): FormantSpeaker {
  const accent = Object.fromEntries(Object.keys(PHONES).map((p) => [p, [1, 1, 1] as const]));
  return { name: 'neutral', tract: 1, f0: 100, rate: 1, tiltHz: 300, breathiness: 0, bandwidth: 1, transitionMs: 30, jitter: 0, fall: 0.9, accent, unreleased: 0, variant: 0, ...over };
}

/** Power spectrum (dB) of `n` samples from `at`, Hann-windowed, as [bin Hz, dB] via a direct DFT on a 20 Hz grid. */
function spectrum(x: Float32Array, at: number, n: number): { hz: number[]; db: number[] } {
  const hz: number[] = [], db: number[] = [];
  for (let f = 100; f < 8000; f += 20) {
    let re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
      const a = (2 * Math.PI * f * i) / SR;
      re += w * x[at + i] * Math.cos(a);
      im -= w * x[at + i] * Math.sin(a);
    }
    hz.push(f);
    db.push(10 * Math.log10(re * re + im * im + 1e-20));
  }
  return { hz, db };
}

/** The strongest frequency between lo and hi of a spectrum smoothed over ±100 Hz (the harmonics averaged out). */
function peak(s: { hz: number[]; db: number[] }, lo: number, hi: number): number {
  let best = -Infinity, at = 0;
  for (let i = 5; i < s.hz.length - 5; i++) {
    if (s.hz[i] < lo || s.hz[i] > hi) continue;
    let m = 0;
    for (let k = -5; k <= 5; k++) m += 10 ** (s.db[i + k] / 10);
    if (m > best) [best, at] = [m, s.hz[i]];
  }
  return at;
}

/** The loudest 30 ms of a signal: its start. */
function loudest(x: Float32Array, n = 480): number {
  let best = -1, at = 0;
  for (let i = 0; i + n < x.length; i += 80) {
    let e = 0;
    for (let k = 0; k < n; k++) e += x[i + k] ** 2;
    if (e > best) [best, at] = [e, i];
  }
  return at;
}

test('a steady vowel has its formants where the phone table puts them (and a longer vocal tract lowers them)', () => {
  // "on" = AA N: the loudest stretch is the middle of /ɑ/ (F1 700, F2 1220 Hz)
  const x = synthesizeFormantWord({ word: 'on', speaker: neutral(), seed: 1 });
  const s = spectrum(x, loudest(x, 1024), 1024);
  const f1 = peak(s, 300, 1000), f2 = peak(s, 1000, 1800);
  assert.ok(Math.abs(f1 - 700) <= 120, `F1 ${f1} Hz`);
  assert.ok(Math.abs(f2 - 1220) <= 150, `F2 ${f2} Hz`);
  // a child's tract (×1.3) moves F2 up by about as much
  const y = synthesizeFormantWord({ word: 'on', speaker: neutral({ tract: 1.3, f0: 250 }), seed: 1 });
  const f2c = peak(spectrum(y, loudest(y, 1024), 1024), 1200, 2200);
  assert.ok(f2c / f2 > 1.15 && f2c / f2 < 1.45, `F2 ${f2} → ${f2c} Hz`);
  // /i/ in "tree": F2 near 2020 Hz, far above /ɑ/'s
  const z = synthesizeFormantWord({ word: 'tree', speaker: neutral(), seed: 1 });
  const f2i = peak(spectrum(z, loudest(z, 1024), 1024), 1500, 2600);
  assert.ok(Math.abs(f2i - 2020) <= 200, `F2 of /i/ ${f2i} Hz`);
});

test("an /s/ is noise above 3 kHz; the vowel before it is mostly below", () => {
  const x = synthesizeFormantWord({ word: 'yes', speaker: neutral({ unreleased: 0 }), seed: 2 });
  const band = (at: number, n: number): number => {
    const s = spectrum(x, at, n);
    let hi = 0, all = 0;
    s.hz.forEach((f, i) => {
      const p = 10 ** (s.db[i] / 10);
      all += p;
      if (f >= 3000) hi += p;
    });
    return hi / all;
  };
  // the word ends with 60 ms of silence after /s/: its last 60 ms before that are frication
  const end = x.length - Math.round(0.06 * SR);
  assert.ok(band(end - 800, 640) > 0.8, `share above 3 kHz in /s/: ${band(end - 800, 640)}`);
  assert.ok(band(loudest(x, 640), 640) < 0.2, `share above 3 kHz in the vowel: ${band(loudest(x, 640), 640)}`);
});

test('F0 and duration follow the request; the same request gives the same samples, another seed others', () => {
  const period = (x: Float32Array): number => {
    // autocorrelation over the loudest 40 ms: lag of the strongest peak between 2.5 and 12.5 ms
    const at = loudest(x, 640);
    let best = -Infinity, lag = 0;
    for (let l = 40; l <= 200; l++) {
      let c = 0;
      for (let i = 0; i < 640; i++) c += x[at + i] * x[at + i + l];
      if (c > best) [best, lag] = [c, l];
    }
    return lag;
  };
  const lo = synthesizeFormantWord({ word: 'no', speaker: neutral(), f0: 110, seed: 3 });
  const hi = synthesizeFormantWord({ word: 'no', speaker: neutral(), f0: 220, seed: 3 });
  const ratio = period(lo) / period(hi);
  assert.ok(ratio > 1.7 && ratio < 2.3, `period ratio ${ratio}`);
  const slow = synthesizeFormantWord({ word: 'no', speaker: neutral(), stretch: 1.5, seed: 3 });
  const silence = 0.11 * SR; // 50 + 60 ms around every word
  const r = (slow.length - silence) / (lo.length - silence);
  assert.ok(r > 1.3 && r < 1.7, `duration ratio ${r}`);
  assert.deepEqual(synthesizeFormantWord({ word: 'no', speaker: neutral(), f0: 110, seed: 3 }), lo);
  assert.notDeepEqual(synthesizeFormantWord({ word: 'no', speaker: neutral(), f0: 110, seed: 4 }), lo);
});

test('speakers: a name always gives the same speaker; names give men, women and children with their own accents', () => {
  assert.deepEqual(formantSpeaker('formant-007'), formantSpeaker('formant-007'));
  const many = Array.from({ length: 200 }, (_, i) => formantSpeaker(`s${i}`));
  const men = many.filter((s) => s.tract < 1.06), women = many.filter((s) => s.tract >= 1.08 && s.tract < 1.22), kids = many.filter((s) => s.tract >= 1.22);
  assert.ok(men.length > 60 && women.length > 60 && kids.length > 5, `${men.length} / ${women.length} / ${kids.length}`);
  for (const s of men) assert.ok(s.f0 >= 85 && s.f0 <= 145);
  for (const s of women) assert.ok(s.f0 >= 160 && s.f0 <= 250);
  // every phone's F2 differs between two speakers (accent), within ±14 %
  const [a, b] = many;
  for (const p of Object.keys(PHONES)) {
    assert.notEqual(a.accent[p][1], b.accent[p][1]);
    assert.ok(Math.abs(a.accent[p][1] - 1) <= 0.14);
  }
});

test('it says every command and unknown word of the keyword dataset; another word is a readable error', () => {
  for (const w of [...COMMAND_WORDS, ...UNKNOWN_WORDS]) {
    assert.ok(FORMANT_WORDS.includes(w), w);
    const x = synthesizeFormantWord({ word: w, speaker: formantSpeaker('formant-001'), seed: 5 });
    assert.ok(x.length > 0.15 * SR && x.length < 1.2 * SR, `${w}: ${x.length} samples`);
    assert.ok(x.every((v) => Number.isFinite(v) && Math.abs(v) <= 0.5 + 1e-6));
  }
  assert.throws(() => synthesizeFormantWord({ word: 'marvin', speaker: neutral(), seed: 1 }), /formant synthesizer: no pronunciation for "marvin" \(it knows: yes, no, up/);
  assert.throws(() => normalizeSpeechParams({ text: 'hello', synth: 'formant' }), /no pronunciation for "hello"/);
  const wav = readWav(formantWav({ word: 'go', speaker: 'formant-002', seed: 9 }));
  assert.equal(wav.sampleRate, SR);
  assert.ok(wav.samples.length > 0.15 * SR);
});

const tools = await probeSpeechTools();
test('through synthesizeSpeech: a 16 kHz WAV with the take effects, cached under a key of its own, the same bytes for the same parameters', { skip: tools.sox ? false : 'sox not installed (Debian package sox)' }, async () => {
  const p = { text: 'stop', synth: 'formant' as const, voice: 'formant-123', pitch: 180, speed: 150, warp: 1.1, eq: [{ hz: 1000, gainDb: 6 }] };
  const cacheDir = join(root, 'cache');
  const a = await synthesizeSpeech(p, { cacheDir });
  const b = await synthesizeSpeech(p);
  assert.deepEqual(a, b, 'a cache hit is what a new run gives');
  assert.equal(readWav(a).sampleRate, 16000);
  assert.notEqual(speechCacheKey(p), speechCacheKey({ ...p, synth: 'festival', voice: 'formant-123' }));
  const other = await synthesizeSpeech({ ...p, voice: 'formant-124' });
  assert.notDeepEqual(other, a, 'another speaker');
});
