// The keyword dataset's formant split: the command and unknown words by the
// project's formant synthesizer, 400 speakers (never a flite voice), backbone
// labels, each take about its speaker's own pitch; the split has its own shard
// key, so turning it on or off keeps every other split's shards.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readDatasetMeta, readSplit } from '../../src-main/datasets/dataset-writer';
import { generateKeywordDataset } from '../../src-main/datasets/keywords/index';
import { DEFAULT_FORMANT_PER_CLASS, planFormant, sampleSpec } from '../../src-main/datasets/keywords/plan';
import { ALL_CLASSES, COMMAND_WORDS, UNKNOWN, UNKNOWN_WORDS } from '../../src-main/datasets/keywords/vocabulary';
import { FORMANT_SPEAKERS, VOICES } from '../../src-main/datasets/keywords/voices';
import { formantSpeaker } from '../../src-main/media/formant';
import { probeSpeechTools } from '../../src-main/media/speech';

const tools = await probeSpeechTools();
const missing = (['espeak-ng', 'flite', 'sox'] as const).filter((t) => !tools[t]);
const noTools = missing.length ? `${missing.join(', ')} not installed (Debian packages espeak-ng, flite, sox): skipping the generation check` : false;
if (noTools) console.log(`# SKIP ${noTools}`);

const root = mkdtempSync(join(tmpdir(), 'keywords-formant-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the formant plan: command and unknown words, the formant speakers only, backbone labels, each take near its speaker\'s F0, most warped', () => {
  const plan = planFormant(DEFAULT_FORMANT_PER_CLASS, false);
  assert.deepEqual(plan.classes, [...COMMAND_WORDS, UNKNOWN]);
  assert.equal(plan.count, 11 * DEFAULT_FORMANT_PER_CLASS);
  const speakers = new Set<string>();
  let warped = 0;
  for (let i = 0; i < plan.count; i++) {
    const s = sampleSpec(1, plan, i);
    const name = plan.classes[i % plan.classes.length];
    assert.equal(s.label, ALL_CLASSES.indexOf(name));
    assert.ok(name === UNKNOWN ? UNKNOWN_WORDS.includes(s.word!) : s.word === name);
    const v = VOICES[s.group];
    assert.equal(v.synth, 'formant');
    assert.equal(v.role, 'formant');
    assert.equal(s.speech!.synth, 'formant');
    assert.equal(s.speech!.voice, v.name);
    const f0 = formantSpeaker(v.name).f0;
    assert.ok(s.speech!.pitch! >= Math.floor(f0 * 0.85) && s.speech!.pitch! <= Math.ceil(f0 * 1.2), `${v.name}: ${s.speech!.pitch} Hz about ${f0}`);
    speakers.add(v.name);
    if (s.speech!.warp) warped++;
  }
  assert.ok(speakers.size > 0.9 * FORMANT_SPEAKERS.length, `${speakers.size} of ${FORMANT_SPEAKERS.length} speakers speak`);
  assert.ok(warped > plan.count * 0.7 && warped < plan.count * 0.9, `${warped} of ${plan.count} takes warped`);
  // the formant speakers come after every earlier voice: generator keywords-3's group ids are unchanged
  assert.equal(VOICES.findIndex((v) => v.role === 'formant'), VOICES.length - FORMANT_SPEAKERS.length);
});

test('the formant split is generated with its own key: on and off, the other splits keep their shards', { skip: noTools }, async () => {
  const out = join(root, 'tiny');
  const base = { outDir: out, seed: 1, tiny: true, speechCacheDir: join(root, 'speech'), auxPerWord: 0, festivalPerClass: 0, accentsPerClass: 0 };
  await generateKeywordDataset({ ...base, formantPerClass: 0 });
  const others = () => Object.fromEntries(readdirSync(join(out, 'shards')).filter((f) => !f.startsWith('formant-') && f.endsWith('.npy')).map((f) => [f, statSync(join(out, 'shards', f)).mtimeMs]));
  const before = others();
  const on = await generateKeywordDataset(base);
  assert.deepEqual(others(), before, 'train/val/test/fewshot shards were not rewritten');
  assert.equal(on.meta.generator.formantVersion, 'keywords-formant-1');
  const f = readSplit(out, 'formant');
  assert.equal(f.count, 11);
  for (let i = 0; i < f.count; i++) {
    assert.equal(f.y[i], ALL_CLASSES.indexOf([...COMMAND_WORDS, UNKNOWN][i]));
    assert.equal(VOICES[f.group[i]].role, 'formant');
    assert.ok(f.x.subarray(i * 1024, (i + 1) * 1024).some((v) => v > 0), `formant #${i} has events`);
  }
  const off = await generateKeywordDataset({ ...base, formantPerClass: 0 });
  assert.deepEqual(Object.keys(off.meta.splits).sort(), ['fewshot', 'test', 'train', 'val']);
  assert.deepEqual(others(), before);
  assert.equal(readDatasetMeta(out).generator.formantVersion, undefined);
  await assert.rejects(generateKeywordDataset({ ...base, formantPerClass: -1 }), /formantPerClass must be a whole number ≥ 0, not -1/);
});
