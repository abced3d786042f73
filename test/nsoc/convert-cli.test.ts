// `neurolive convert-model` end to end: a PyTorch fixture and its frames in, a
// model file out (which loads back and runs), the per-layer report and the
// float-vs-quantized agreement printed; bad input gives exit code 2 and a message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { FIXTURES } from './convert-helpers';

const COMMAND = join(import.meta.dirname, '../../src-main/cli/commands/convert-model.ts');
const tmp = mkdtempSync(join(tmpdir(), 'neurolive-convert-'));

function convertModel(...args: string[]) {
  const code = `import { convertModelCommand } from ${JSON.stringify(COMMAND)}; process.exitCode = await convertModelCommand(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function calibrationDir(name: string): string {
  const dir = join(tmp, `calib-${name}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, `${name}.inputs.npy`), join(dir, 'frames.npy'));
  return dir;
}

test('convert-model writes a model that loads and runs, and prints the per-layer report and agreement', () => {
  const out = join(tmp, 'gap.nlm');
  const r = convertModel(join(FIXTURES, 'gap.onnx'), out, '--calibrate', calibrationDir('gap'), '--labels', 'left,right,up', '--calibration', 'max');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /0\s+\/conv1\/Conv\s+input-conv\s+8\s+4\s+0…[\d.]+ \(calibration\)/);
  assert.match(r.out, /1\s+\/conv2\/Conv\s+conv\s+4\s+4\s+0…[\d.]+ \(calibration\)/);
  assert.match(r.out, /2\s+\/fc\/Gemm\s+dense\s+4\s+potentials/);
  assert.match(r.out, /top-1 agreement \d+\.\d% of 32, mean \|Δscore\| [\d.]+/);
  const model = decodeModel(new Uint8Array(readFileSync(out)));
  assert.deepEqual(model.labels, ['left', 'right', 'up']);
  assert.equal(model.input.bits, 4); // the frames clip at 15
  assert.equal((model.meta.agreement as { samples: number }).samples, 32);
  const y = new NsocRuntime(model).infer(new Uint8Array(36).fill(3)).output;
  assert.equal(y.length, 3);
});

test('convert-model --json reports the layers as data', () => {
  const r = convertModel(join(FIXTURES, 'relu6_clip.onnx'), join(tmp, 'r6.nlm'), '--calibrate', calibrationDir('relu6_clip'), '--weight-bits', '8', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.layers.map((l: { weightBits: number; rangeSource: string }) => [l.weightBits, l.rangeSource]), [[8, 'clip'], [8, 'clip'], [8, 'none']]);
  assert.ok(j.agreement.top1 >= 0.9);
});

test('convert-model refuses an unsupported op with the file, node, op and reason; exit code 2', () => {
  const r = convertModel(join(FIXTURES, 'dilated.onnx'), join(tmp, 'x.nlm'), '--calibrate', calibrationDir('gap'));
  assert.equal(r.code, 2);
  assert.match(r.err, /dilated\.onnx: node "\/conv1\/Conv": Conv with dilations \[2,2\] is not supported \(the NSoC has no dilated convolution\)/);
  assert.equal(existsSync(join(tmp, 'x.nlm')), false);
});

test('convert-model: calibration frames of the wrong size or type are refused; bad options are usage errors', () => {
  const wrong = convertModel(join(FIXTURES, 'gap.onnx'), join(tmp, 'y.nlm'), '--calibrate', calibrationDir('qat'));
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /frames\.npy: shape \(32, 10, 10, 2\) does not hold 6×6×1 frames/);
  const dir = join(tmp, 'calib-f32');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, 'gap.outputs.npy'), join(dir, 'scores.npy'));
  const f32 = convertModel(join(FIXTURES, 'gap.onnx'), join(tmp, 'y.nlm'), '--calibrate', dir);
  assert.equal(f32.code, 2);
  assert.match(f32.err, /scores\.npy: frames must be uint8, not <f4/);
  const bits = convertModel(join(FIXTURES, 'gap.onnx'), join(tmp, 'y.nlm'), '--calibrate', calibrationDir('gap'), '--weight-bits', '3');
  assert.equal(bits.code, 64);
  assert.match(bits.err, /--weight-bits must be one of 1, 2, 4, 8, not '3'/);
  writeFileSync(join(tmp, 'garbage.onnx'), 'not a model');
  const garbage = convertModel(join(tmp, 'garbage.onnx'), join(tmp, 'y.nlm'), '--calibrate', calibrationDir('gap'));
  assert.equal(garbage.code, 2);
  assert.match(garbage.err, /garbage\.onnx: not a readable ONNX model/);
});
