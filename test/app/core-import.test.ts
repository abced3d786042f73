// AppCore.importModel: an ONNX network with an installed model's input is
// converted in a worker thread (progress on topic 'progress'), written to
// <userData>/models/<slug>/, listed, selected and run; bad files are refused
// with readable errors and leave nothing behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppCore } from '../../src-main/app/core';
import { ApiError, type ModelInfo, type PredictionUpdate, type Progress } from '../../src-main/ipc/contract';
import { parseModelCard } from '../../src-engine/models/card';
import { slugify } from '../../src-main/models/import/import-jobs';
import { writeTestModel } from '../pipeline/fixture-model';
import { waitFor } from '../pipeline/wait';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
const MAKE_ONNX = resolve(import.meta.dirname, 'support/make_import_onnx.py');
const root = mkdtempSync(join(tmpdir(), 'nl-import-'));
const installed = join(root, 'installed');
const good = join(root, 'gesture-net.onnx');
const small = join(root, 'small-input.onnx');
// the shipped keywords model's network input (time-rows: 32 bins × 16 bands × 2 polarities)
const audioNet = join(root, 'keywords-net.onnx');
after(() => rmSync(root, { recursive: true, force: true }));

// the ONNX files come from PyTorch (Debian's python3 + torch); without it the tests say so and skip
let torchMissing: string | false = false;
try {
  execFileSync('/usr/bin/python3', [MAKE_ONNX, good, '10', '64', '64', small, '2', '32', '32', audioNet, '2', '32', '16'], { stdio: 'pipe' });
} catch (e) {
  const err = String((e as { stderr?: Buffer }).stderr ?? '');
  // only a missing torch/onnx skips; any other failure of the script is a test failure
  if (/No module named '(torch|onnx)'/.test(err) || (e as NodeJS.ErrnoException).code === 'ENOENT') torchMissing = 'needs /usr/bin/python3 with torch and onnx to export the test ONNX models';
  else throw e;
}
before(() => writeTestModel(installed));

function userModels(u: string): string[] {
  const d = join(u, 'models');
  return existsSync(d) ? readdirSync(d).sort() : [];
}

async function rejects(p: Promise<unknown>, code: ApiError['code'], re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

describe('AppCore importModel', { skip: torchMissing }, () => {
  it('slugs names for folders', () => {
    assert.equal(slugify('My Net (v2)'), 'my-net-v2');
    assert.equal(slugify('***'), 'model');
  });

  it('converts in a worker with progress in order, lists, selects and runs the model; a new core finds it again', async () => {
    const u = join(root, 'u-ok');
    const opts = { userDataDir: u, resourcesDir: RESOURCES, runtime: 'browser' as const, version: 't', modelDirs: [installed, join(u, 'models')], autoStart: false, importCalibrationFrames: 12, replayTickMs: 10 };
    const core = await AppCore.create(opts);
    try {
      const progress: Progress[] = [];
      core.on('progress', (p) => progress.push(p));
      const { jobId } = (await core.invoke('importModel', { path: good, name: 'My import' })) as { jobId: string };
      const last = await waitFor(() => progress.find((p) => p.jobId === jobId && p.finished), 'the import to finish', 60_000);
      assert.equal(last.error, undefined, last.error);
      assert.match(last.label, /agrees with float on [\d.]+ % of 12 frames/);
      const mine = progress.filter((p) => p.jobId === jobId);
      // stages in order, the bar never goes back
      const stages = ['encode calibration frames', 'convert', 'measure agreement', 'write'];
      const firstAt = stages.map((s) => mine.findIndex((p) => p.label.startsWith(s)));
      assert.ok(firstAt.every((i) => i >= 0), `every stage reported: ${mine.map((p) => p.label).join(' | ')}`);
      assert.deepEqual([...firstAt].sort((a, b) => a - b), firstAt, 'stages in order');
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].done >= mine[i - 1].done, `progress ${mine[i - 1].done} → ${mine[i].done}`);
      assert.ok(mine.every((p) => p.total === 100 && Number.isInteger(p.done)), 'percent, whole numbers');
      assert.equal(last.done, 100);

      // the folder, written whole
      assert.deepEqual(userModels(u), ['my-import']);
      const dir = join(u, 'models', 'my-import');
      assert.deepEqual(readdirSync(dir).sort(), ['card.json', 'card.md', 'model.nlm']);
      const card = parseModelCard(readFileSync(join(dir, 'card.json'), 'utf8'));
      assert.deepEqual(card.labels, ['class 0', 'class 1', 'class 2', 'class 3', 'class 4']);
      assert.equal(card.task, 'gesture', 'inherits the installed model it matches');
      assert.equal(card.input.windowUs, 500_000);
      assert.match(readFileSync(join(dir, 'card.md'), 'utf8'), /What was quantized[\s\S]*\/conv1\/Conv \| input-conv \| 8-bit/);

      const models = (await core.invoke('listModels', undefined)) as ModelInfo[];
      const m = models.find((x) => x.name === 'My import');
      assert.ok(m, models.map((x) => x.name).join(', '));
      assert.equal(m.builtin, false);
      assert.equal(m.layers.length, 4);
      assert.ok(m.neuralProcessors > 0);
      assert.ok(m.accuracy && m.accuracy.quantized >= 0 && m.accuracy.quantized <= 1 && /agreement with the float ONNX model/.test(m.accuracy.evaluatedOn));
      assert.ok(m.layers.slice(0, 3).every((l) => l.sparsity > 0 && l.sparsity < 1 && l.opsExecuted <= l.macsDense), JSON.stringify(m.layers));
      assert.ok(m.sparsity! > 0 && m.opsExecuted! > 0 && m.opsExecuted! < m.macsDense!);

      // the same network under the same name again: refused after the conversion, nothing added
      const { jobId: twice } = (await core.invoke('importModel', { path: good, name: 'My import' })) as { jobId: string };
      const dup = await waitFor(() => progress.find((p) => p.jobId === twice && p.finished), 'the second import to end', 60_000);
      assert.match(dup.error ?? '', /gesture-net\.onnx: this network is already installed as "My import"/);
      assert.deepEqual(userModels(u), ['my-import']);

      // select it and run the demo through it
      const preds: PredictionUpdate[] = [];
      core.on('prediction', (p) => preds.push(p));
      const sel = (await core.invoke('selectModel', { id: m.id })) as ModelInfo;
      assert.equal(sel.id, m.id);
      await core.invoke('startSource', { kind: 'demo' });
      await core.invoke('playback', { speed: 4 });
      await waitFor(() => preds.length >= 2, 'two predictions from the imported model', 30_000);
      assert.equal(core.getState().model?.id, m.id);
      assert.ok(preds.at(-1)!.labels.includes('class 0'), preds.at(-1)!.labels.join(', '));
    } finally {
      await core.close();
    }
    const again = await AppCore.create(opts);
    try {
      const ms = (await again.invoke('listModels', undefined)) as ModelInfo[];
      assert.ok(ms.some((x) => x.name === 'My import' && !x.builtin));
    } finally {
      await again.close();
    }
  });

  it('refuses a missing file, a non-ONNX file and a network with another input, with readable errors, a progress error and nothing written', async () => {
    const u = join(root, 'u-bad');
    const core = await AppCore.create({ userDataDir: u, resourcesDir: RESOURCES, runtime: 'browser', version: 't', modelDirs: [installed], autoStart: false });
    try {
      const progress: Progress[] = [];
      core.on('progress', (p) => progress.push(p));
      await rejects(core.invoke('importModel', { path: join(root, 'nope.onnx') }), 'not-found', /nope\.onnx: no such file/);
      const junk = join(root, 'junk.onnx');
      writeFileSync(junk, 'this is not a protobuf at all');
      await rejects(core.invoke('importModel', { path: junk }), 'invalid-argument', /junk\.onnx is not an ONNX model the converter can take: /);
      await rejects(core.invoke('importModel', { path: small }), 'invalid-argument', /small-input\.onnx takes 32×32×2 input \(H×W×C\); it must take the same input as an installed model \(test-gesture 64×64×10\)/);
      await rejects(core.invoke('importModel', { path: root }), 'invalid-argument', /not a file/);
      const errors = progress.filter((p) => p.finished && p.error);
      assert.equal(errors.length, 4, JSON.stringify(progress));
      assert.match(errors[2].error!, /32×32×2/);
      assert.deepEqual(userModels(u), []);
      assert.equal((await core.invoke('listModels', undefined) as ModelInfo[]).length, 1);
    } finally {
      await core.close();
    }
  });

  it('an audio network inherits the keywords encoding and calibrates on synthesized words', { skip: existsSync('/usr/bin/espeak-ng') ? false : 'needs espeak-ng' }, async (t) => {
    const u = join(root, 'u-audio');
    const core = await AppCore.create({ userDataDir: u, resourcesDir: RESOURCES, runtime: 'browser', version: 't', modelDirs: [join(RESOURCES, 'models'), join(u, 'models')], autoStart: false, importCalibrationFrames: 16 });
    try {
      if (!core.listModels().some((m) => m.task === 'keywords')) return t.skip('the shipped keywords model is not installed');
      const progress: Progress[] = [];
      core.on('progress', (p) => progress.push(p));
      const { jobId } = (await core.invoke('importModel', { path: audioNet })) as { jobId: string };
      const end = await waitFor(() => progress.find((p) => p.jobId === jobId && p.finished), 'the audio import to finish', 90_000);
      assert.equal(end.error, undefined, end.error);
      assert.match(progress.find((p) => p.jobId === jobId)!.label, /Neurolive keywords's encoding/);
      const card = parseModelCard(readFileSync(join(u, 'models', 'keywords-net', 'card.json'), 'utf8'));
      assert.equal(card.input.sensor, 'audio');
      const shipped = parseModelCard(readFileSync(join(RESOURCES, 'models', 'keywords', 'card.json'), 'utf8'));
      assert.deepEqual(card.input, shipped.input);
      assert.match(card.metrics.evaluatedOn, /\d+ calibration frames from synthesized words/);
    } finally {
      await core.close();
    }
  });

  it('a conversion that fails in the worker reports the error on its job and removes the partial folder', async () => {
    const u = join(root, 'u-fail');
    const noDemo = join(root, 'no-demo');
    mkdirSync(join(noDemo, 'demo'), { recursive: true });
    const core = await AppCore.create({ userDataDir: u, resourcesDir: noDemo, runtime: 'browser', version: 't', modelDirs: [installed], autoStart: false });
    try {
      const progress: Progress[] = [];
      core.on('progress', (p) => progress.push(p));
      const { jobId } = (await core.invoke('importModel', { path: good })) as { jobId: string };
      const end = await waitFor(() => progress.find((p) => p.jobId === jobId && p.finished), 'the failed import to finish', 60_000);
      assert.match(end.error ?? '', /gesture-net\.onnx: no demo recordings in .* to calibrate with/);
      assert.deepEqual(userModels(u), []);
      assert.equal((await core.invoke('listModels', undefined) as ModelInfo[]).length, 1);
    } finally {
      await core.close();
    }
  });
});
