// The keyword dataset's auxiliary vocabulary (aux split): the words are none of,
// and sound like none of, the command / unknown / held-out words (checked with
// espeak-ng's own phonemes), the aux plan uses training voices only, and adding
// the split left train/val/test/fewshot byte-identical to what generator
// keywords-3 wrote (the shipped model was trained and evaluated on them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readDatasetMeta, readSplit } from '../../src-main/datasets/dataset-writer';
import { AUX_WORDS, PROTECTED_WORDS } from '../../src-main/datasets/keywords/aux-vocabulary';
import { generateKeywordDataset, KEYWORD_INPUT } from '../../src-main/datasets/keywords/index';
import { DEFAULT_AUX_PER_WORD, planAux, sampleSpec, TINY_AUX_WORDS } from '../../src-main/datasets/keywords/plan';
import { phonemes, soundsAlike } from '../../src-main/datasets/keywords/sounds-alike';
import { ALL_CLASSES, BACKBONE_CLASSES } from '../../src-main/datasets/keywords/vocabulary';
import { VOICES } from '../../src-main/datasets/keywords/voices';
import { probeSpeechTools } from '../../src-main/media/speech';

const tools = await probeSpeechTools();
const noEspeak = tools['espeak-ng'] ? false : 'espeak-ng not installed (Debian package espeak-ng): skipping the phoneme checks';
const missing = Object.entries(tools).filter(([, ok]) => !ok).map(([t]) => t);
const noTools = missing.length ? `${missing.join(', ')} not installed: skipping the generation check` : false;

const root = mkdtempSync(join(tmpdir(), 'keywords-aux-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** One IPA line per word (espeak-ng breaks the comma-separated list into lines). */
function ipa(words: readonly string[], voice: string): string[] {
  const lines = execFileSync('espeak-ng', ['-q', '--ipa', '-v', voice, words.join(', ')]).toString().trim().split('\n').map((l) => l.trim());
  assert.equal(lines.length, words.length, `espeak-ng gave ${lines.length} lines for ${words.length} words`);
  return lines;
}

test('the aux vocabulary: a few hundred distinct plain words, none a class or benchmark word', () => {
  assert.ok(AUX_WORDS.length >= 300, `${AUX_WORDS.length} words`);
  assert.equal(new Set(AUX_WORDS).size, AUX_WORDS.length, 'no duplicates');
  for (const w of AUX_WORDS) {
    assert.match(w, /^[a-z]+$/);
    assert.ok(!PROTECTED_WORDS.includes(w) && !ALL_CLASSES.includes(w), `${w} is a protected word`);
  }
  for (const w of [...BACKBONE_CLASSES.filter((c) => c !== 'silence' && c !== 'unknown'), 'marvin', 'three', 'cat', 'visual']) assert.ok(PROTECTED_WORDS.includes(w), w);
});

test('the sound-alike rule catches near words and lets different ones through', { skip: noEspeak }, () => {
  const pairs: [string, string][] = [['yet', 'yes'], ['know', 'no'], ['stoop', 'stop'], ['goes', 'go'], ['marvel', 'marvin'], ['wowed', 'wow'], ['going', 'go'], ['cup', 'up'], ['night', 'right'], ['happen', 'happy'], ['seventy', 'seven']];
  const a = ipa(pairs.map((p) => p[0]), 'en-us'), b = ipa(pairs.map((p) => p[1]), 'en-us');
  pairs.forEach(([x, y], i) => assert.ok(soundsAlike(phonemes(a[i]), phonemes(b[i])) > 0, `${x} should sound like ${y} (${a[i]} / ${b[i]})`));
  const apart: [string, string][] = [['table', 'yes'], ['window', 'stop'], ['music', 'left'], ['garden', 'three']];
  const c = ipa(apart.map((p) => p[0]), 'en-us'), d = ipa(apart.map((p) => p[1]), 'en-us');
  apart.forEach(([x, y], i) => assert.equal(soundsAlike(phonemes(c[i]), phonemes(d[i])), 0, `${x} / ${y}`));
  assert.deepEqual(phonemes('tʃˈɜːtʃ').tokens, ['tʃ', 'ɜː', 'tʃ']);
  assert.deepEqual(phonemes('ɡˈoʊɪŋ'), { tokens: ['ɡ', 'oʊ', 'ɪ', 'ŋ'], stressOnset: 0, stressVowel: 1 });
});

test('no aux word sounds like a command, unknown or held-out word (espeak-ng en-us and en-gb phonemes)', { skip: noEspeak }, () => {
  const bad: string[] = [];
  for (const voice of ['en-us', 'en-gb']) {
    const prot = ipa(PROTECTED_WORDS, voice).map(phonemes);
    ipa(AUX_WORDS, voice).forEach((line, i) => {
      const p = phonemes(line);
      prot.forEach((q, j) => {
        const r = soundsAlike(p, q);
        if (r) bad.push(`${AUX_WORDS[i]} ~ ${PROTECTED_WORDS[j]} (${voice}, rule ${r})`);
      });
    });
  }
  assert.deepEqual(bad, []);
});

test('the aux plan: every word the same number of takes, training espeak-ng voices only, labels after the named classes', () => {
  const plan = planAux(DEFAULT_AUX_PER_WORD, false);
  assert.equal(plan.count, AUX_WORDS.length * DEFAULT_AUX_PER_WORD);
  const perWord = new Map<string, number>();
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    assert.ok(s.word && AUX_WORDS.includes(s.word));
    assert.equal(s.label, ALL_CLASSES.length + AUX_WORDS.indexOf(s.word));
    const v = VOICES[s.group];
    assert.equal(v.synth, 'espeak-ng');
    assert.equal(v.role, 'train');
    assert.equal(s.speech!.text, s.word);
    perWord.set(s.word, (perWord.get(s.word) ?? 0) + 1);
  }
  assert.equal(perWord.size, AUX_WORDS.length);
  for (const [w, n] of perWord) assert.equal(n, DEFAULT_AUX_PER_WORD, w);
  assert.deepEqual(sampleSpec(1, plan, 77), sampleSpec(1, plan, 77));
  assert.deepEqual(planAux(50, true).classes, AUX_WORDS.slice(0, TINY_AUX_WORDS));
});

// sha-256 of x, y and group of a --tiny --seed 1 dataset, recorded with generator keywords-3 before the aux split existed,
// in the input encoding of then (all 32 cochlea channels — the 16 bands of keywords v9 pool them in pairs — and the
// cochlea's default −60 dB floor, which keywords v12 lowered to −75 dB)
const KEYWORDS_3 = {
  train: '7a0f35b1f593c0bd36359f6db4d55c917da930792a07f4051e97e93ec7b7a9f6',
  val: 'dccd4fbe3c2345e81172fe10d9be704eb76ba453ed897e6a6157f4645d3ac337',
  test: 'd7d1cc93e0a725a67a4c8eb135b5ff62c177ca7fdc51a6003f97dec05e4ad6f6',
  fewshot: '31857bfcd95e33d24dda5337cfe5433d65c72a8b17aee438ffe109dd0d410f37',
};
// the tool versions they were recorded with: other synthesizer builds give other audio
const RECORDED_TOOLS = { 'espeak-ng': ' 1.51 ', flite: 'flite-2.2', sox: 'v14.4.2' };
const ALL_CHANNELS = { ...KEYWORD_INPUT, width: KEYWORD_INPUT.sensorWidth, cochlea: { ...KEYWORD_INPUT.cochlea!, thresholdDb: -60 } };

test('with the aux split, train/val/test/fewshot stay byte-identical to generator keywords-3; the aux split is as planned', { skip: noTools }, async () => {
  const out = join(root, 'tiny');
  await generateKeywordDataset({ outDir: out, seed: 1, tiny: true, speechCacheDir: join(root, 'speech'), input: ALL_CHANNELS });
  const meta = readDatasetMeta(out);
  assert.deepEqual(meta.classes, [...ALL_CLASSES, ...AUX_WORDS.slice(0, TINY_AUX_WORDS)]);
  assert.deepEqual(meta.auxClasses, AUX_WORDS.slice(0, TINY_AUX_WORDS));
  assert.deepEqual(meta.backboneClasses, [...BACKBONE_CLASSES]);
  const tools = meta.generator.tools as Record<string, string>;
  const sameTools = Object.entries(RECORDED_TOOLS).every(([t, v]) => tools[t]?.includes(v));
  if (sameTools) {
    for (const [split, hash] of Object.entries(KEYWORDS_3)) {
      const h = createHash('sha256');
      for (const k of ['x', 'y', 'group']) h.update(readFileSync(join(out, `${split}-${k}.npy`)));
      assert.equal(h.digest('hex'), hash, `${split} changed`);
    }
  } else {
    console.log(`# tool versions differ from the recorded ones (${JSON.stringify(tools)}): byte identity not checked`);
  }
  const aux = readSplit(out, 'aux');
  assert.equal(aux.count, TINY_AUX_WORDS);
  for (let i = 0; i < aux.count; i++) {
    assert.equal(aux.y[i], ALL_CLASSES.length + i);
    assert.equal(VOICES[aux.group[i]].role, 'train');
    assert.ok(aux.x.subarray(i * 2048, (i + 1) * 2048).some((v) => v > 0), `aux #${i} has events`);
  }
  // turning the aux split off (auxPerWord 0) keeps the other shards and drops it from meta.json
  const again = await generateKeywordDataset({ outDir: out, seed: 1, tiny: true, speechCacheDir: join(root, 'speech'), auxPerWord: 0, input: ALL_CHANNELS });
  assert.deepEqual(Object.keys(again.meta.splits).sort(), ['accents', 'festival', 'festvox', 'fewshot', 'hmmaccents', 'mbrola', 'parametric', 'test', 'train', 'val']);
  assert.equal(again.meta.auxClasses, undefined);
  assert.deepEqual(again.meta.classes, [...ALL_CLASSES]);
});
