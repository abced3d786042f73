// The keyword dataset's festival split: a second training synthesizer. Its
// plan uses festival's ked voice only (never a flite speaker), holds the
// command words and unknown words with the backbone labels, and the split has
// its own shard key: turning it on or off keeps every other split's shards.
// The accents split: the same words by festival's other-language voices,
// each reading a respelling in its own orthography. The mbrola split (espeak-ng
// with MBROLA's diphone voices) and the parametric split (Pico, RHVoice): the
// same words again, each split with its own key too. The hmmaccents split:
// Pico's and RHVoice's other-language voices (accented English).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { datasetCommand } from '../../src-main/cli/commands/dataset';
import { readDatasetMeta, readSplit } from '../../src-main/datasets/dataset-writer';
import { generateKeywordDataset } from '../../src-main/datasets/keywords/index';
import { DEFAULT_ACCENTS_PER_CLASS, DEFAULT_FESTIVAL_PER_CLASS, DEFAULT_MBROLA_PER_CLASS, DEFAULT_PARAMETRIC_PER_CLASS, DEFAULT_FESTVOX_PER_CLASS, DEFAULT_HMM_ACCENTS_PER_CLASS, planAccents, planFestival, planFestvox, planHmmAccents, planMbrola, planParametric, sampleSpec } from '../../src-main/datasets/keywords/plan';
import { type AccentLanguage, respell } from '../../src-main/datasets/keywords/accents';
import { ALL_CLASSES, COMMAND_WORDS, HELD_OUT_WORDS, UNKNOWN, UNKNOWN_WORDS } from '../../src-main/datasets/keywords/vocabulary';
import { ACCENT_VOICES, FESTVOX_VOICES, FESTVOX_WOMEN, FLITE_VOICES, HMM_ACCENT_VOICES, MBROLA_VOICES, PARAMETRIC_VOICES, VOICES } from '../../src-main/datasets/keywords/voices';
import { MBROLA_ENGLISH_VOICES, probeSpeechTools, RHVOICE_VOICE_PACKAGES, runTool } from '../../src-main/media/speech';

const tools = await probeSpeechTools();
const onPath = async (tool: string, args: string[]): Promise<boolean> => runTool(tool, args, 10_000, true).then(() => true, () => false);
for (const [tool, args] of [['mbrola', ['-h']], ['pico2wave', ['--usage']], ['RHVoice-test', ['--version']]] as const) (tools as Record<string, boolean>)[tool] = await onPath(tool, [...args]);
const missing = Object.entries(tools).filter(([, ok]) => !ok).map(([t]) => t);
const noTools = missing.length ? `${missing.join(', ')} not installed (Debian packages espeak-ng, flite, festival, festvox-kdlpc16k, the accent and festvox voices, mbrola and its voices, libttspico-utils, rhvoice-english and RHVoice's other-language voices, sox): skipping the generation check` : false;
const NO_WORD_SPLITS = { festivalPerClass: 0, accentsPerClass: 0, mbrolaPerClass: 0, parametricPerClass: 0, festvoxPerClass: 0, hmmAccentsPerClass: 0 };
const WORD_SPLITS = ['festival', 'accents', 'mbrola', 'parametric', 'festvox', 'hmmaccents'] as const;
if (noTools) console.log(`# SKIP ${noTools}`);

const root = mkdtempSync(join(tmpdir(), 'keywords-festival-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the festival plan: every command word and unknown words, festival voices only (no flite speaker), backbone labels, pitch and warp varied', () => {
  const plan = planFestival(DEFAULT_FESTIVAL_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  assert.equal(plan.count, 11 * DEFAULT_FESTIVAL_PER_CLASS);
  const pitches = new Set<number>();
  let warped = 0;
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const name = plan.classes[i % plan.classes.length];
    assert.equal(s.label, ALL_CLASSES.indexOf(name));
    assert.ok(name === UNKNOWN ? UNKNOWN_WORDS.includes(s.word!) : s.word === name);
    const v = VOICES[s.group];
    assert.equal(v.synth, 'festival');
    assert.equal(v.role, 'festival');
    assert.ok(!(FLITE_VOICES as readonly string[]).some((f) => v.name.startsWith(f)), `${v.name} is no flite speaker`);
    assert.equal(s.speech!.synth, 'festival');
    assert.ok(s.speech!.pitch! >= 75 && s.speech!.pitch! <= 170);
    pitches.add(s.speech!.pitch!);
    if (s.speech!.warp) warped++;
  }
  assert.ok(pitches.size > 50, `${pitches.size} mean F0s`);
  assert.ok(warped > plan.count * 0.7 && warped < plan.count * 0.9, `${warped} of ${plan.count} takes warped`);
});

test('the festival, accents, mbrola, parametric, festvox and hmmaccents splits are generated with their own keys: on and off, the other splits keep their shards', { skip: noTools }, async () => {
  const out = join(root, 'tiny');
  const speech = join(root, 'speech');
  const base = { outDir: out, seed: 1, tiny: true, speechCacheDir: speech, auxPerWord: 0 };
  await generateKeywordDataset({ ...base, ...NO_WORD_SPLITS });
  const others = () => Object.fromEntries(readdirSync(join(out, 'shards')).filter((f) => !/^(festival|accents|mbrola|parametric|festvox|hmmaccents)-/.test(f) && f.endsWith('.npy')).map((f) => [f, statSync(join(out, 'shards', f)).mtimeMs]));
  const before = others();
  const on = await generateKeywordDataset(base);
  assert.deepEqual(others(), before, 'train/val/test/fewshot shards were not rewritten');
  assert.equal(on.meta.generator.festivalVersion, 'keywords-festival-1');
  assert.equal(on.meta.generator.accentsVersion, 'keywords-accents-1');
  assert.equal(on.meta.generator.mbrolaVersion, 'keywords-mbrola-1');
  assert.equal(on.meta.generator.parametricVersion, 'keywords-parametric-1');
  assert.equal(on.meta.generator.festvoxVersion, 'keywords-festvox-1');
  assert.equal(on.meta.generator.hmmaccentsVersion, 'keywords-hmmaccents-1');
  assert.match(String((on.meta.generator.tools as Record<string, string>).festival), /Festival/);
  const synths = { festival: ['festival'], accents: ['festival'], mbrola: ['espeak-ng'], parametric: ['pico', 'rhvoice'], festvox: ['festival'], hmmaccents: ['pico', 'rhvoice'] };
  for (const split of WORD_SPLITS) {
    const f = readSplit(out, split);
    assert.equal(f.count, 11);
    for (let i = 0; i < f.count; i++) {
      assert.equal(f.y[i], ALL_CLASSES.indexOf([...COMMAND_WORDS, UNKNOWN][i]));
      assert.ok(synths[split].includes(VOICES[f.group[i]].synth), `${split} #${i}: ${VOICES[f.group[i]].synth}`);
      assert.equal(VOICES[f.group[i]].role, split);
      assert.ok(f.x.subarray(i * 1024, (i + 1) * 1024).some((v) => v > 0), `${split} #${i} has events`);
    }
  }
  const off = await generateKeywordDataset({ ...base, ...NO_WORD_SPLITS });
  assert.deepEqual(Object.keys(off.meta.splits).sort(), ['fewshot', 'test', 'train', 'val']);
  assert.deepEqual(others(), before);
  for (const split of WORD_SPLITS) assert.equal(readDatasetMeta(out).generator[`${split}Version`], undefined);
});

test('the mbrola plan: command and unknown words by every MBROLA voice through espeak-ng, pitch and speed varied; no flite speaker', () => {
  const plan = planMbrola(DEFAULT_MBROLA_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  assert.equal(plan.count, 11 * DEFAULT_MBROLA_PER_CLASS);
  const used = new Set<string>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const v = VOICES[s.group];
    assert.equal(v.role, 'mbrola');
    assert.equal(s.speech!.synth, 'espeak-ng');
    assert.ok(v.name in MBROLA_ENGLISH_VOICES, v.name);
    assert.equal(s.speech!.text, s.word);
    assert.ok(s.speech!.pitch! >= 15 && s.speech!.pitch! <= 85);
    assert.equal(s.label, ALL_CLASSES.indexOf(plan.classes[i % plan.classes.length]));
    used.add(v.name);
  }
  assert.deepEqual([...used].sort(), [...MBROLA_VOICES].sort());
  assert.equal(MBROLA_VOICES.length, 20);
});

test("the parametric plan: Pico's and RHVoice's voices, never flite's speakers (RHVoice's slt and alan are flite's slt and awb)", () => {
  const plan = planParametric(DEFAULT_PARAMETRIC_PER_CLASS, false);
  const used = new Set<string>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const v = VOICES[s.group];
    assert.equal(v.role, 'parametric');
    assert.ok(v.synth === 'pico' || v.synth === 'rhvoice');
    assert.equal(s.speech!.synth, v.synth);
    assert.ok(s.speech!.pitch! >= 75 && s.speech!.pitch! <= 145, `pitch ${s.speech!.pitch} %`);
    used.add(`${v.synth}:${v.name}`);
  }
  assert.deepEqual([...used].sort(), PARAMETRIC_VOICES.map((v) => `${v.synth}:${v.name}`).sort());
  for (const v of PARAMETRIC_VOICES) assert.ok(!['slt', 'alan', 'awb', 'rms', 'kal'].includes(v.name), v.name);
});

test("the hmmaccents plan: Pico's and RHVoice's other-language voices, respellings where the voice reads its own spelling, the English word where RHVoice maps it; no flite speaker", () => {
  const plan = planHmmAccents(DEFAULT_HMM_ACCENTS_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  const used = new Set<string>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const v = VOICES[s.group];
    assert.equal(v.role, 'hmmaccents');
    assert.equal(s.speech!.synth, v.synth);
    assert.equal(s.speech!.voice, v.name);
    assert.equal(s.speech!.text, v.lang ? respell(s.word!, v.lang) : s.word);
    assert.ok(s.speech!.pitch! >= 75 && s.speech!.pitch! <= 145, `pitch ${s.speech!.pitch} %`);
    assert.equal(s.label, ALL_CLASSES.indexOf(plan.classes[i % plan.classes.length]));
    used.add(`${v.synth}:${v.name}`);
  }
  assert.deepEqual([...used].sort(), HMM_ACCENT_VOICES.map((v) => `${v.synth}:${v.name}`).sort());
  // Pico's voices all read a respelling (Pico has no English fallback); the RHVoice voices each name their Debian package
  for (const v of HMM_ACCENT_VOICES) {
    if (v.synth === 'pico') assert.ok(v.lang, v.name);
    else assert.match(RHVOICE_VOICE_PACKAGES[v.name] ?? '', /^rhvoice-/, v.name);
    assert.ok(!['slt', 'alan', 'awb', 'rms', 'kal', 'en-US', 'en-GB'].includes(v.name), v.name);
  }
});

test("RHVoice's Russian, Ukrainian and Kyrgyz voices say an English word as its sound in their alphabet: 'right' is 'райт'", { skip: noTools }, async () => {
  // straight through RHVoice-test: the dataset's own text rule (speech.ts) takes ASCII only
  const say = async (voice: string, text: string): Promise<Buffer> => {
    const dir = mkdtempSync(join(root, 'rhv-'));
    writeFileSync(join(dir, 't.txt'), text);
    await runTool('RHVoice-test', ['-p', voice, '-i', join(dir, 't.txt'), '-o', join(dir, 'o.wav')]);
    return readFileSync(join(dir, 'o.wav'));
  };
  for (const voice of HMM_ACCENT_VOICES.filter((v) => v.synth === 'rhvoice' && !v.lang).map((v) => v.name)) {
    const [latin, sound, letters] = await Promise.all(['right', 'райт', 'ригхт'].map((text) => say(voice, text)));
    assert.ok(latin.length > 8000, `${voice} speaks`);
    assert.deepEqual(latin, sound, `${voice}: 'right' is said as 'райт'`);
    assert.notDeepEqual(latin, letters, `${voice}: not letter by letter`);
  }
});

test("the festvox plan: festival's other English voices (diphone and MBROLA), a woman's F0 for us1 and a man's for the others; never flite's kal", () => {
  const plan = planFestvox(DEFAULT_FESTVOX_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  const used = new Set<string>();
  const f0 = { woman: [Infinity, -Infinity], man: [Infinity, -Infinity] };
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const v = VOICES[s.group];
    assert.equal(v.role, 'festvox');
    assert.equal(s.speech!.synth, 'festival');
    assert.equal(s.speech!.voice, v.name);
    assert.equal(s.speech!.text, s.word, 'native English: no respelling');
    const r = f0[FESTVOX_WOMEN.includes(v.name) ? 'woman' : 'man'];
    r[0] = Math.min(r[0], s.speech!.pitch!);
    r[1] = Math.max(r[1], s.speech!.pitch!);
    assert.equal(s.label, ALL_CLASSES.indexOf(plan.classes[i % plan.classes.length]));
    used.add(v.name);
  }
  assert.deepEqual([...used].sort(), [...FESTVOX_VOICES].sort());
  assert.ok(f0.man[0] >= 75 && f0.man[1] <= 170 && f0.woman[0] >= 140 && f0.woman[1] <= 260, JSON.stringify(f0));
  for (const v of FESTVOX_VOICES) assert.ok(!v.startsWith('kal'), v);
});

test('the accents plan: command and unknown words by the other-language festival voices, read from respellings; each voice speaks', () => {
  const plan = planAccents(DEFAULT_ACCENTS_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  const used = new Set<string>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const v = VOICES[s.group];
    assert.equal(v.role, 'accents');
    assert.equal(s.speech!.synth, 'festival');
    assert.equal(s.speech!.text, respell(s.word!, v.lang!));
    assert.equal(s.speech!.pitch, undefined, 'each accent voice keeps its own pitch');
    assert.equal(s.label, ALL_CLASSES.indexOf(plan.classes[i % plan.classes.length]));
    used.add(v.name);
  }
  assert.deepEqual([...used].sort(), ACCENT_VOICES.map((a) => a.name).sort());
  // every word has a respelling in every language, ASCII only; the held-out words have none (never spoken outside the few-shot split)
  for (const a of [...ACCENT_VOICES, ...HMM_ACCENT_VOICES.filter((v) => v.lang)] as { lang: AccentLanguage }[]) {
    for (const w of [...COMMAND_WORDS, ...UNKNOWN_WORDS]) assert.match(respell(w, a.lang), /^[a-z]+$/);
    for (const w of HELD_OUT_WORDS) assert.throws(() => respell(w, a.lang), /no .* respelling of/);
  }
  assert.throws(() => respell('toString', 'it'), /no it respelling of "toString"/);
});

test('neurolive dataset keywords: --aux-per-word and --festival/accents/mbrola/parametric/festvox/hmm-accents-per-class 0 leave those splits out; bad values and gesture get readable errors', { skip: noTools }, async () => {
  await assert.rejects(datasetCommand(['keywords', '--out', join(root, 'x'), '--accents-per-class=-1']), /--accents-per-class must be a whole number from 0 to 100000, not '-1'/);
  await assert.rejects(datasetCommand(['keywords', '--out', join(root, 'x'), '--mbrola-per-class=x']), /--mbrola-per-class must be a whole number from 0 to 100000, not 'x'/);
  await assert.rejects(datasetCommand(['gesture', '--out', join(root, 'x'), '--parametric-per-class', '0']), /dataset gesture: --parametric-per-class is for the keywords dataset/);
  await assert.rejects(datasetCommand(['gesture', '--out', join(root, 'x'), '--festival-per-class', '0']), /dataset gesture: --festival-per-class is for the keywords dataset/);
  await assert.rejects(datasetCommand(['keywords', '--out', join(root, 'x'), '--festvox-per-class=2.5']), /--festvox-per-class must be a whole number from 0 to 100000, not '2.5'/);
  await assert.rejects(datasetCommand(['keywords', '--out', join(root, 'x'), '--hmm-accents-per-class=many']), /--hmm-accents-per-class must be a whole number from 0 to 100000, not 'many'/);
  await assert.rejects(datasetCommand(['gesture', '--out', join(root, 'x'), '--hmm-accents-per-class', '0']), /dataset gesture: --hmm-accents-per-class is for the keywords dataset/);
  const out = join(root, 'cli');
  assert.equal(await datasetCommand(['keywords', '--out', out, '--tiny', '--aux-per-word', '0', '--festival-per-class', '0', '--accents-per-class', '0', '--mbrola-per-class', '0', '--parametric-per-class', '0', '--festvox-per-class', '0', '--hmm-accents-per-class', '0']), 0);
  assert.deepEqual(Object.keys(readDatasetMeta(out).splits).sort(), ['fewshot', 'test', 'train', 'val']);
});
