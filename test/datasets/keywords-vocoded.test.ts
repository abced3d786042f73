// The keyword dataset's vocoded split: the LPC vocoder (vocoder.ts) — its
// analysis recovers an AR process's coefficients, its pitch tracker finds a
// pulse train's F0, a resynthesized vowel keeps its formant peaks — and the
// split's plan (training espeak-ng voices only, vocoder settings drawn from the
// seed) and generation (its own shard key: the other splits keep their shards).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Random } from '../../src-engine/sources/random';
import { readDatasetMeta, readSplit } from '../../src-main/datasets/dataset-writer';
import { generateKeywordDataset, KEYWORD_VOCODED_VERSION } from '../../src-main/datasets/keywords/index';
import { planFestival, planSplits, planVocoded, sampleSpec, VOCODED_PER_CLASS } from '../../src-main/datasets/keywords/plan';
import { synthesizeWord } from '../../src-main/datasets/keywords/sample';
import { ALL_CLASSES, COMMAND_WORDS, UNKNOWN, UNKNOWN_WORDS } from '../../src-main/datasets/keywords/vocabulary';
import { VOICES } from '../../src-main/datasets/keywords/voices';
import { allPoleResponse, analyse, levinson, lpc, trackPitch, vocode, type VocoderParams } from '../../src-main/datasets/keywords/vocoder';
import { probeSpeechTools } from '../../src-main/media/speech';

const tools = await probeSpeechTools();
const missing = Object.entries(tools).filter(([, ok]) => !ok).map(([t]) => t);
const noTools = missing.length ? `${missing.join(', ')} not installed (Debian packages espeak-ng, flite, festival and its voices, sox): skipping the generation check` : false;
if (noTools) console.log(`# SKIP ${noTools}`);

const root = mkdtempSync(join(tmpdir(), 'keywords-vocoded-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SR = 16000;

/** Poles of a resonator at `hz` with bandwidth `bw`: the two AR coefficients c1, c2 of y[n] = c1·y[n−1] + c2·y[n−2] + x[n]. */
function resonator(hz: number, bw: number): [number, number] {
  const r = Math.exp((-Math.PI * bw) / SR);
  return [2 * r * Math.cos((2 * Math.PI * hz) / SR), -r * r];
}

/** x through a cascade of resonators. */
function formants(x: Float32Array, fs: [number, number][]): Float32Array {
  let y = x;
  for (const [hz, bw] of fs) {
    const [c1, c2] = resonator(hz, bw);
    const o = new Float32Array(y.length);
    for (let n = 0; n < y.length; n++) o[n] = y[n] + c1 * (n > 0 ? o[n - 1] : 0) + c2 * (n > 1 ? o[n - 2] : 0);
    y = o;
  }
  return y;
}

function pulses(n: number, hz: number): Float32Array {
  const x = new Float32Array(n);
  for (let t = 0; t < n; t += SR / hz) x[Math.round(t)] = 1;
  return x;
}

/** Frequencies of the local maxima of an all-pole envelope (10 Hz grid). */
function envelopePeaks(a: ArrayLike<number>): number[] {
  const s: number[] = [];
  for (let hz = 0; hz <= 8000; hz += 10) s.push(allPoleResponse(a, 1, hz, SR));
  const out: number[] = [];
  for (let i = 1; i + 1 < s.length; i++) if (s[i] > s[i - 1] && s[i] >= s[i + 1]) out.push(i * 10);
  return out;
}

test('LPC (autocorrelation + Levinson–Durbin) recovers the coefficients of an AR(4) process', () => {
  // two resonances (500 and 2000 Hz, 150 and 200 Hz wide) driven by white noise
  const [a1, a2] = resonator(500, 150), [b1, b2] = resonator(2000, 200);
  // (1 − a1 z⁻¹ − a2 z⁻²)(1 − b1 z⁻¹ − b2 z⁻²) = 1 + A1 z⁻¹ + … + A4 z⁻⁴
  const A = [1, -a1 - b1, -a2 + a1 * b1 - b2, a2 * b1 + a1 * b2, a2 * b2];
  const r = new Random(5);
  const n = 256_000;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = r.normal();
    for (let k = 1; k <= 4; k++) if (i >= k) v -= A[k] * x[i - k];
    x[i] = v;
  }
  const est = lpc(x, 4);
  // coefficients within 3 % (two close pole pairs make them sensitive: a sum like a[1] = −3.2 moves a little
  // with the noise's own spectrum), and the model's spectrum within 1 dB of the process's at every frequency
  for (let k = 1; k <= 4; k++) assert.ok(Math.abs(est.a[k] - A[k]) < 0.03 * Math.max(1, Math.abs(A[k])), `a[${k}] ${est.a[k].toFixed(4)} vs ${A[k].toFixed(4)}`);
  for (let hz = 0; hz <= 8000; hz += 50) {
    const db = 10 * Math.log10(allPoleResponse(est.a, Math.sqrt(est.error / n), hz, SR) / allPoleResponse(A, 1, hz, SR));
    assert.ok(Math.abs(db) < 1, `${hz} Hz: ${db.toFixed(2)} dB`);
  }
  // the prediction error is the driving noise's power (unit variance), per sample
  assert.ok(Math.abs(est.error / n - 1) < 0.1, `error ${est.error / n}`);
  for (let k = 1; k <= 4; k++) assert.ok(Math.abs(est.k[k]) < 1);
  // silence: A = 1, no error; beyond the process's order the partial correlations (reflection coefficients) vanish
  assert.deepEqual([...levinson([0, 0, 0], 2).a], [1, 0, 0]);
  const over = lpc(x, 8);
  // (near 0 next to the process's own, |k[4]| ≈ 0.87; Yule–Walker leaves a few hundredths with a spectrum this peaky)
  for (let k = 5; k <= 8; k++) assert.ok(Math.abs(over.k[k]) < 0.06, `k[${k}] of an order-8 fit ${over.k[k]}`);
});

test('the pitch tracker finds a pulse train’s F0 and calls noise unvoiced', () => {
  for (const hz of [80, 120, 210, 330]) {
    const x = formants(pulses(8000, hz), [[600, 80], [1500, 120]]);
    const f0 = trackPitch(x, SR, 80);
    const mid = [...f0.slice(10, f0.length - 10)];
    assert.ok(mid.every((f) => Math.abs(f - hz) < hz * 0.03), `${hz} Hz: ${mid.slice(0, 5).map((f) => f.toFixed(1)).join(', ')}…`);
  }
  const r = new Random(2);
  const noise = Float32Array.from({ length: 8000 }, () => r.normal());
  const f0 = trackPitch(noise, SR, 80);
  assert.ok(f0.filter((f) => f > 0).length <= f0.length * 0.05, `${f0.filter((f) => f > 0).length} of ${f0.length} noise frames voiced`);
});

test('resynthesis of a vowel keeps its formant peaks, its RMS and its pitch; finite, deterministic from the seed', () => {
  const F = [700, 1200, 2600];
  const vowel = formants(pulses(12_000, 110), F.map((hz) => [hz, 90] as [number, number]));
  for (const p of [
    { order: 16, frameMs: 20, hopMs: 5, smoothFrames: 0, noiseMix: 0, seed: 1 },
    { order: 20, frameMs: 25, hopMs: 10, smoothFrames: 2, noiseMix: 0.3, seed: 9 },
  ] satisfies VocoderParams[]) {
    const y = vocode(vowel, SR, p);
    assert.equal(y.length, vowel.length);
    assert.ok(y.every(Number.isFinite));
    const rms = (v: Float32Array) => Math.sqrt(v.reduce((s, t) => s + t * t, 0) / v.length);
    assert.ok(Math.abs(rms(y) / rms(vowel) - 1) < 1e-4);
    // the output's own LPC envelope (mid-signal, 40 ms) peaks where the vowel's formants are
    const peaks = envelopePeaks(lpc(y, 16, 5000, 5640).a);
    for (const f of F) assert.ok(peaks.some((q) => Math.abs(q - f) < 150), `order ${p.order}: a peak near ${f} Hz in ${peaks.join(', ')}`);
    const an = analyse(vowel, SR, p);
    const voiced = [...an.f0].filter((f) => f > 0);
    assert.ok(voiced.length > an.f0.length * 0.8 && voiced.every((f) => Math.abs(f - 110) < 4), 'voiced throughout at 110 Hz');
    assert.deepEqual(vocode(vowel, SR, p), y, 'the same settings give the same samples');
  }
  // noise excitation comes from the seed
  const r = new Random(3);
  const hiss = formants(Float32Array.from({ length: 8000 }, () => r.normal()), [[3000, 300]]);
  const base = { order: 18, frameMs: 25, hopMs: 5, smoothFrames: 1, noiseMix: 0.1, seed: 1 };
  assert.deepEqual(vocode(hiss, SR, base), vocode(hiss, SR, base));
  assert.notDeepEqual(vocode(hiss, SR, base), vocode(hiss, SR, { ...base, seed: 2 }));
  assert.deepEqual([...vocode(new Float32Array(100), SR, base)], new Array(100).fill(0), 'silence stays silence');
  assert.throws(() => vocode(vowel, SR, { ...base, order: 0 }), /order must be from 1 to 64/);
});

test('the vocoded plan: command and unknown words by the training espeak-ng voices (never flite, never the few-shot voices), vocoder settings from the seed; no other split draws a vocoder', () => {
  const plan = planVocoded(VOCODED_PER_CLASS, false);
  assert.equal(plan.split, 'vocoded');
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  assert.equal(plan.count, 11 * VOCODED_PER_CLASS);
  const orders = new Set<number>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const name = plan.classes[i % plan.classes.length];
    assert.equal(s.label, ALL_CLASSES.indexOf(name));
    assert.ok(name === UNKNOWN ? UNKNOWN_WORDS.includes(s.word!) : s.word === name);
    const v = VOICES[s.group];
    assert.equal(v.synth, 'espeak-ng');
    assert.equal(v.role, 'train');
    const p = s.vocoder!;
    assert.ok(p.order >= 16 && p.order <= 20 && p.frameMs >= 20 && p.frameMs <= 25 && p.hopMs >= 5 && p.hopMs <= 10);
    assert.ok(p.smoothFrames >= 0 && p.smoothFrames <= 2 && p.noiseMix >= 0 && p.noiseMix <= 0.3);
    orders.add(p.order);
    assert.deepEqual(sampleSpec(1, plan, i), s, 'the same seed gives the same recipe');
  }
  assert.deepEqual([...orders].sort(), [16, 17, 18, 19, 20]);
  assert.notDeepEqual(sampleSpec(2, plan, 0), sampleSpec(1, plan, 0));
  for (const p of [...planSplits(10, false), planFestival(10, false)]) {
    for (let i = 0; i < 20; i++) assert.equal('vocoder' in sampleSpec(1, p, i), false, `${p.split} #${i}`);
  }
});

test('the vocoded split is generated with its own key: on and off, the other splits keep their shards; a take is vocoded the same way twice', { skip: noTools }, async () => {
  const out = join(root, 'tiny');
  const speech = join(root, 'speech');
  const base = { outDir: out, seed: 1, tiny: true, speechCacheDir: speech, auxPerWord: 0, festivalPerClass: 0, accentsPerClass: 0 };
  await generateKeywordDataset(base);
  const others = () => Object.fromEntries(readdirSync(join(out, 'shards')).filter((f) => !f.startsWith('vocoded-') && f.endsWith('.npy')).map((f) => [f, statSync(join(out, 'shards', f)).mtimeMs]));
  const before = others();
  const on = await generateKeywordDataset({ ...base, vocodedPerClass: 5 });
  assert.deepEqual(others(), before, 'train/val/test/fewshot shards were not rewritten');
  assert.equal(on.meta.generator.vocodedVersion, KEYWORD_VOCODED_VERSION);
  assert.equal(on.meta.generator.samplesMade, 11);
  const v = readSplit(out, 'vocoded');
  assert.equal(v.count, 11);
  for (let i = 0; i < v.count; i++) {
    assert.equal(v.y[i], ALL_CLASSES.indexOf([...COMMAND_WORDS, UNKNOWN][i]));
    assert.equal(VOICES[v.group[i]].role, 'train');
    assert.ok(v.x.subarray(i * 2048, (i + 1) * 2048).some((b) => b > 0), `vocoded #${i} has events`);
  }
  const spec = sampleSpec(1, planVocoded(1, true), 0);
  const w1 = await synthesizeWord(spec, speech), w2 = await synthesizeWord(spec, speech);
  assert.ok(w1 && w1.length > 1000 && w1.every(Number.isFinite));
  assert.deepEqual(w1, w2);
  const off = await generateKeywordDataset(base);
  assert.deepEqual(Object.keys(off.meta.splits).sort(), ['fewshot', 'test', 'train', 'val']);
  assert.deepEqual(others(), before);
  assert.equal(readDatasetMeta(out).generator.vocodedVersion, undefined);
});
