import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWav } from '../../src-engine/sources/cochlea/wav';
import {
  FESTIVAL_VOICE_PACKAGES,
  listEspeakVariants,
  MBROLA_ENGLISH_VOICES,
  PICO_LANGUAGES,
  runTool,
  listSpeechVoices,
  normalizeSpeechParams,
  probeSpeechTools,
  speechCacheKey,
  SpeechToolError,
  synthesizeSpeech,
  synthesizeSpeechToFile,
  type SpeechParams,
} from '../../src-main/media/speech';
import { respell } from '../../src-main/datasets/keywords/accents';
import { ACCENT_VOICES, FESTVOX_VOICES } from '../../src-main/datasets/keywords/voices';

const tools = await probeSpeechTools();
const noEspeak = !tools['espeak-ng'] || !tools.sox ? 'espeak-ng or sox not installed (Debian packages espeak-ng, sox): skipping synthesis checks' : false;
const noFlite = !tools.flite || !tools.sox ? 'flite or sox not installed (Debian packages flite, sox): skipping flite checks' : false;
const noFestival = !tools.festival || !tools.sox ? 'festival or sox not installed (Debian packages festival, festvox-kdlpc16k, sox): skipping festival checks' : false;
if (noEspeak) console.log(`# SKIP ${noEspeak}`);
if (noFestival) console.log(`# SKIP ${noFestival}`);
if (noFlite) console.log(`# SKIP ${noFlite}`);
const onPath = (tool: string, args: string[]): Promise<boolean> => runTool(tool, args, 10_000, true).then(() => true, () => false);
const noMbrola = !(await onPath('mbrola', ['-h'])) || noEspeak ? 'mbrola not installed (Debian packages mbrola, mbrola-us1 … from non-free): skipping MBROLA checks' : false;
const noPico = !(await onPath('pico2wave', ['--usage'])) || !tools.sox ? 'pico2wave not installed (Debian package libttspico-utils, non-free): skipping Pico checks' : false;
const noRhvoice = !(await onPath('RHVoice-test', ['--version'])) || !tools.sox ? 'RHVoice-test not installed (Debian packages rhvoice, rhvoice-english, non-free): skipping RHVoice checks' : false;
for (const s of [noMbrola, noPico, noRhvoice]) if (s) console.log(`# SKIP ${s}`);

const dir = mkdtempSync(join(tmpdir(), 'speech-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

test('espeak-ng: a word becomes a 16 kHz mono 16-bit WAV that readWav reads, with speech in it', { skip: noEspeak }, async () => {
  const bytes = await synthesizeSpeech({ text: 'yes', synth: 'espeak-ng', voice: 'en-us+f3', pitch: 60, speed: 160 });
  const wav = readWav(bytes);
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels, 1);
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true), 16, 'bits per sample');
  const seconds = wav.samples.length / 16000;
  assert.ok(seconds > 0.3 && seconds < 2, `duration ${seconds} s`);
  assert.ok(rms(wav.samples) > 0.01, `rms ${rms(wav.samples)}`);
});

test('espeak-ng is deterministic: the same parameters give the same bytes; pitch and speed change them', { skip: noEspeak }, async () => {
  const p: SpeechParams = { text: 'left', synth: 'espeak-ng', voice: 'en-gb-scotland+klatt2', pitch: 30, speed: 200, amplitude: 120, reverb: 40, lowpassHz: 4000 };
  const a = await synthesizeSpeech(p);
  const b = await synthesizeSpeech(p);
  assert.deepEqual(a, b);
  const higher = await synthesizeSpeech({ ...p, pitch: 70 });
  const faster = readWav(await synthesizeSpeech({ ...p, speed: 300 }));
  assert.notDeepEqual(higher, a);
  assert.ok(faster.samples.length < readWav(a).samples.length, 'a faster take is shorter');
});

test('speed is words per minute for both synthesizers; amplitude scales the level', { skip: noFlite || noEspeak }, async () => {
  const slow = readWav(await synthesizeSpeech({ text: 'seven', synth: 'flite', voice: 'slt', speed: 100 }));
  const fast = readWav(await synthesizeSpeech({ text: 'seven', synth: 'flite', voice: 'slt', speed: 300 }));
  assert.ok(slow.samples.length > 1.5 * fast.samples.length, `${slow.samples.length} vs ${fast.samples.length} samples`);
  const loud = readWav(await synthesizeSpeech({ text: 'seven', synth: 'flite', voice: 'slt', amplitude: 100 }));
  const quiet = readWav(await synthesizeSpeech({ text: 'seven', synth: 'flite', voice: 'slt', amplitude: 25 }));
  const ratio = rms(quiet.samples) / rms(loud.samples);
  assert.ok(Math.abs(ratio - 0.25) < 0.01, `level ratio ${ratio}`);
});

test('warp plays a take faster like a tape (shorter by the factor); EQ colours it; both deterministic', { skip: noEspeak }, async () => {
  const p: SpeechParams = { text: 'house', synth: 'espeak-ng', voice: 'en-us+m1' };
  const plain = readWav(await synthesizeSpeech(p)).samples.length;
  const warped = await synthesizeSpeech({ ...p, warp: 1.25 });
  assert.deepEqual(await synthesizeSpeech({ ...p, warp: 1.25 }), warped);
  const ratio = plain / readWav(warped).samples.length;
  assert.ok(Math.abs(ratio - 1.25) < 0.02, `length ratio ${ratio}`);
  const eq = await synthesizeSpeech({ ...p, eq: [{ hz: 2000, gainDb: 12 }] });
  assert.deepEqual(await synthesizeSpeech({ ...p, eq: [{ hz: 2000, gainDb: 12 }] }), eq);
  const e = readWav(eq).samples;
  assert.equal(e.length, plain);
  assert.ok(Math.max(...e.map(Math.abs)) <= 0.9, 'EQ output is normalised below full scale (no clipping)');
  assert.notEqual(speechCacheKey({ ...p, warp: 1.25 }), speechCacheKey(p));
  assert.equal(speechCacheKey({ ...p, warp: 1 }), speechCacheKey(p));
  assert.throws(() => normalizeSpeechParams({ ...p, warp: 2 }), /warp must be a number from 0.7 to 1.4, not 2/);
  assert.throws(() => normalizeSpeechParams({ ...p, eq: [{ hz: 50, gainDb: 3 }] }), /eq band hz must be a number from 100 to 7000, not 50/);
});

test('flite: every listed voice speaks at 16 kHz (kal is an 8 kHz voice, resampled), deterministically', { skip: noFlite }, async () => {
  const voices = await listSpeechVoices('flite');
  for (const v of ['kal', 'kal16', 'awb', 'rms', 'slt']) assert.ok(voices.includes(v), `flite -lv lists ${v}`);
  for (const voice of ['kal', 'slt']) {
    const p: SpeechParams = { text: 'stop', synth: 'flite', voice, pitch: 140, speed: 150 };
    const a = await synthesizeSpeech(p);
    assert.deepEqual(await synthesizeSpeech(p), a);
    const w = readWav(a);
    assert.equal(w.sampleRate, 16000);
    assert.ok(rms(w.samples) > 0.01);
  }
});

test('festival: its ked voice speaks at 16 kHz, deterministically; mean F0 and speed change the take; a missing voice names its package', { skip: noFestival }, async () => {
  const voices = await listSpeechVoices('festival');
  assert.ok(voices.includes('ked_diphone'), `festival voices: ${voices.join(', ')} (Debian package festvox-kdlpc16k)`);
  const p: SpeechParams = { text: 'left', synth: 'festival', voice: 'ked_diphone', pitch: 90, speed: 175 };
  const a = await synthesizeSpeech(p);
  assert.deepEqual(await synthesizeSpeech(p), a);
  const w = readWav(a);
  assert.equal(w.sampleRate, 16000);
  assert.ok(rms(w.samples) > 0.01);
  assert.notDeepEqual(await synthesizeSpeech({ ...p, pitch: 160 }), a, 'a higher mean F0 is another take');
  const slow = readWav(await synthesizeSpeech({ ...p, speed: 100 }));
  assert.ok(slow.samples.length > w.samples.length * 1.4, `175 → 100 words per minute stretches ${w.samples.length} → ${slow.samples.length} samples`);
  // a voice no Debian package provides (rab_diphone, once used here, is installable)
  await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'festival', voice: 'nosuch_diphone' }), /festival: no voice "nosuch_diphone" in \/usr\/share\/festival/);
});

test('festival: the voices of other languages (the accents split) are found in their language folders and speak a respelled word; each has its Debian package named', { skip: noFestival }, async () => {
  const voices = await listSpeechVoices('festival');
  for (const a of ACCENT_VOICES) {
    assert.ok(voices.includes(a.name), `festival voice ${a.name} missing (Debian package ${FESTIVAL_VOICE_PACKAGES[a.name]})`);
    const w = readWav(await synthesizeSpeech({ text: respell('right', a.lang), synth: 'festival', voice: a.name, speed: 175 }));
    assert.equal(w.sampleRate, 16000);
    assert.ok(rms(w.samples) > 0.01, `${a.name} speaks`);
  }
  // the error for an absent voice names the package from this table
  for (const a of ACCENT_VOICES) assert.match(FESTIVAL_VOICE_PACKAGES[a.name] ?? '', /^festvox-/, a.name);
});

test("festival: its other English voices (the festvox split: rab and don diphones, MBROLA's us1–3 and en1) speak at 16 kHz (don is a 10 kHz voice, resampled); mean F0 moves them; each has its package named", { skip: noFestival }, async () => {
  const voices = await listSpeechVoices('festival');
  for (const v of FESTVOX_VOICES) {
    assert.match(FESTIVAL_VOICE_PACKAGES[v] ?? '', /^festvox-/, v);
    assert.ok(voices.includes(v), `festival voice ${v} missing (Debian package ${FESTIVAL_VOICE_PACKAGES[v]})`);
    const p: SpeechParams = { text: 'down', synth: 'festival', voice: v, pitch: 100, speed: 175 };
    const a = await synthesizeSpeech(p);
    const w = readWav(a);
    assert.equal(w.sampleRate, 16000);
    assert.ok(rms(w.samples) > 0.01, `${v} speaks`);
    assert.deepEqual(await synthesizeSpeech(p), a, `${v} is deterministic`);
    assert.notDeepEqual(await synthesizeSpeech({ ...p, pitch: 200 }), a, `${v}: a higher mean F0 is another take`);
  }
});

test('MBROLA through espeak-ng: every English MBROLA voice of the mbrola split speaks at 16 kHz, deterministically; a missing database names its package', { skip: noMbrola }, async () => {
  for (const voice of Object.keys(MBROLA_ENGLISH_VOICES)) {
    const p: SpeechParams = { text: 'stop', synth: 'espeak-ng', voice, pitch: 40, speed: 160 };
    const a = await synthesizeSpeech(p);
    const w = readWav(a);
    assert.equal(w.sampleRate, 16000);
    assert.ok(rms(w.samples) > 0.01, `${voice} speaks`);
    if (voice === 'mb-us1') {
      assert.deepEqual(await synthesizeSpeech(p), a);
      assert.notDeepEqual(await synthesizeSpeech({ ...p, pitch: 70 }), a, 'a higher pitch is another take');
    }
  }
  await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'espeak-ng', voice: 'mb-zz9' }), (e: Error) => {
    assert.ok(e instanceof SpeechToolError && e.missing && e.debianPackage === 'mbrola');
    assert.match(e.message, /MBROLA voice mb-zz9 needs the database \/usr\/share\/mbrola\/zz9 — install the Debian packages 'mbrola' and 'mbrola-zz9'/);
    return true;
  });
});

test('Pico: its English languages speak at 16 kHz, deterministically; pitch and speed (percent, words per minute) change the take; an unknown language is named', { skip: noPico }, async () => {
  const p: SpeechParams = { text: 'left', synth: 'pico', voice: 'en-GB', pitch: 100, speed: 175 };
  const a = await synthesizeSpeech(p);
  assert.deepEqual(await synthesizeSpeech(p), a);
  const w = readWav(a);
  assert.equal(w.sampleRate, 16000);
  assert.ok(rms(w.samples) > 0.01);
  assert.notDeepEqual(await synthesizeSpeech({ ...p, pitch: 140 }), a, 'a higher pitch is another take');
  const slow = readWav(await synthesizeSpeech({ ...p, speed: 100 }));
  assert.ok(slow.samples.length > w.samples.length * 1.3, `175 → 100 words per minute: ${w.samples.length} → ${slow.samples.length} samples`);
  assert.ok(rms(readWav(await synthesizeSpeech({ ...p, voice: 'en-US' })).samples) > 0.01);
  assert.deepEqual(await listSpeechVoices('pico'), [...PICO_LANGUAGES]);
  await assert.rejects(synthesizeSpeech({ ...p, voice: 'xx-XX' }), /pico: no language "xx-XX" \(pico2wave speaks en-US, en-GB/);
});

test('RHVoice: bdl and clb speak (24 kHz, resampled to 16 kHz), deterministically; a missing voice names the package', { skip: noRhvoice }, async () => {
  for (const voice of ['bdl', 'clb']) {
    const p: SpeechParams = { text: 'down', synth: 'rhvoice', voice, pitch: 90, speed: 175 };
    const a = await synthesizeSpeech(p);
    assert.deepEqual(await synthesizeSpeech(p), a);
    const w = readWav(a);
    assert.equal(w.sampleRate, 16000);
    assert.ok(rms(w.samples) > 0.01, `${voice} speaks`);
    assert.notDeepEqual(await synthesizeSpeech({ ...p, pitch: 130 }), a, 'a higher pitch is another take');
  }
  assert.ok((await listSpeechVoices('rhvoice')).includes('bdl'));
  await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'rhvoice', voice: 'nobody' }), /rhvoice: no voice "nobody" in \/usr\/share\/RHVoice\/voices — install RHVoice's voice package/);
});

test('an unknown voice is an error naming it (flite would silently use its default voice)', { skip: noFlite || noEspeak }, async () => {
  await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'flite', voice: 'nobody' }), (e: Error) => {
    assert.ok(e instanceof SpeechToolError);
    assert.match(e.message, /flite: no voice "nobody" \(flite -lv lists: .*slt/);
    return true;
  });
  await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'espeak-ng', voice: 'xx-nowhere' }), /espeak-ng: exited with 1: .*voice does not exist/);
});

test('the cache returns the stored file for the same parameters and stores new ones under their hash', { skip: noEspeak }, async () => {
  const cacheDir = join(dir, 'cache');
  const p: SpeechParams = { text: 'go', synth: 'espeak-ng', voice: 'en-us+m2' };
  const first = await synthesizeSpeech(p, { cacheDir });
  const key = speechCacheKey(p);
  const file = join(cacheDir, key.slice(0, 2), `${key}.wav`);
  assert.deepEqual(readdirSync(join(cacheDir, key.slice(0, 2))), [`${key}.wav`]);
  // a cache hit must not run the synthesizer: plant different bytes and get them back
  writeFileSync(file, first.subarray(0, 100));
  assert.equal((await synthesizeSpeech(p, { cacheDir })).length, 100);
  // defaults are part of the key: spelling them out hits the same entry
  assert.equal(speechCacheKey({ ...p, speed: 175, amplitude: 100 }), key);
  assert.notEqual(speechCacheKey({ ...p, pitch: 51 }), key);
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.startsWith('.speech-')), [], 'no temp folders left behind');
  const out = join(dir, 'sub', 'go.wav');
  await synthesizeSpeechToFile(p, out);
  assert.equal(readWav(new Uint8Array((await import('node:fs')).readFileSync(out))).sampleRate, 16000);
});

test('a missing tool is a SpeechToolError naming the Debian package', async () => {
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'empty-bin');
  try {
    await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'espeak-ng' }), (e: Error) => {
      assert.ok(e instanceof SpeechToolError);
      assert.equal(e.tool, 'espeak-ng');
      assert.equal(e.missing, true);
      assert.equal(e.debianPackage, 'espeak-ng');
      assert.match(e.message, /espeak-ng: not found on PATH — install the Debian package 'espeak-ng' \(apt-get install espeak-ng\)/);
      return true;
    });
    await assert.rejects(listSpeechVoices('flite'), /flite: not found on PATH — install the Debian package 'flite'/);
    await assert.rejects(synthesizeSpeech({ text: 'yes', synth: 'festival' }), /(festival|text2wave): not found on PATH — install the Debian package 'festival'|no voice/);
    assert.deepEqual(await probeSpeechTools(), { 'espeak-ng': false, flite: false, festival: false, sox: false });
  } finally {
    process.env.PATH = path;
  }
});

test('bad parameters are refused with a readable message before anything runs', () => {
  assert.throws(() => normalizeSpeechParams({ text: 'yes; rm -rf /', synth: 'espeak-ng' }), /text must be 1–100 letters/);
  assert.throws(() => normalizeSpeechParams({ text: '-v', synth: 'espeak-ng' }), /text must be/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'espeak-ng', pitch: 120 }), /pitch must be a number from 0 to 99, not 120/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'flite', pitch: 20 }), /pitch \(flite: mean F0 in Hz\) must be a number from 40 to 400/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'espeak-ng', speed: 10 }), /speed \(words per minute\) must be a number from 80 to 450/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'espeak-ng', voice: '../x' }), /voice "..\/x" is not a voice name/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'pico', pitch: 300 }), /pitch \(pico: percent of the voice's own\) must be a number from 50 to 200, not 300/);
  assert.throws(() => normalizeSpeechParams({ text: 'yes', synth: 'say' as never }), /synth must be one of 'espeak-ng', 'flite', 'festival', 'pico', 'rhvoice', not say/);
});

test('espeak-ng lists English voices without MBROLA ones, and its variants', { skip: noEspeak }, async () => {
  const voices = await listSpeechVoices('espeak-ng');
  assert.ok(voices.includes('en-us') && voices.includes('en-gb-scotland'), voices.join(','));
  assert.ok(!voices.includes('variant') && !voices.some((v) => v.startsWith('mb-')), voices.join(','));
  const variants = await listEspeakVariants();
  for (const v of ['m1', 'f5', 'klatt', 'whisper']) assert.ok(variants.includes(v), v);
});
