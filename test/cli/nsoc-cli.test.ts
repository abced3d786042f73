// `neurolive summary`, `classify` and `convert-model` through bin/neurolive.mjs:
// the summary of a converted fixture, per-window predictions on a real
// recording checked against the binner and the runtime run in this process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TimeChannelBinner, type TimeChannelFrame } from '../../src-engine/frames/time-channel';
import { openEventFile } from '../../src-engine/node/open-file';
import type { QuantizedModel } from '../../src-engine/nsoc/model';
import { decodeModel, encodeModel } from '../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../src-engine/nsoc/runtime';
import { summary } from '../../src-engine/nsoc/summary';
import { FIXTURES } from '../nsoc/convert-helpers';
import { workerTestModel } from '../nsoc/worker-fixture';
import { sharedPath, skipWithoutSharedData } from '../support/shared-data';

const BIN = join(import.meta.dirname, '../../bin/neurolive.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'neurolive-nsoc-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A ConvTiny-shaped model (random weights, scores with scale and bias) reading 50 ms windows of 5 bins × 2 polarities. */
function encodedModel(name: string, edit: (m: QuantizedModel) => void = () => {}): { path: string; model: QuantizedModel } {
  const model = workerTestModel();
  model.input.encoding = { kind: 'time-channel', windowUs: 50_000, bins: 5, polarities: 2, clip: 15 };
  edit(model);
  const path = join(tmp, name);
  writeFileSync(path, encodeModel(model));
  return { path, model };
}

let converted: string | null = null;
/** gap.onnx converted by `neurolive convert-model` (once). */
function convertedFixture(): string {
  if (converted) return converted;
  const dir = join(tmp, 'calib');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, 'gap.inputs.npy'), join(dir, 'frames.npy'));
  const out = join(tmp, 'gap.nlm');
  const r = cli('convert-model', join(FIXTURES, 'gap.onnx'), out, '--calibrate', dir, '--labels', 'left,right,up');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /top-1 agreement \d+\.\d% of 32/);
  converted = out;
  return out;
}

test('convert-model is wired into the CLI, and summary prints the converted model’s table', () => {
  const path = convertedFixture();
  const model = decodeModel(new Uint8Array(readFileSync(path)));
  const r = cli('summary', path);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Model summary: gap on AKD1000$/m);
  const types: Record<string, string> = { 'input-conv': 'InputConv.', conv: 'Conv.', 'separable-conv': 'Sep.Conv.', dense: 'Fully.' };
  for (const l of model.layers) assert.match(r.out, new RegExp(`^${l.name.replace(/[/.]/g, '\\$&')} \\(${types[l.kind].replace('.', '\\.')}\\)\\s+\\[`, 'm'), l.name);
  assert.match(r.out, /^Labels: left, right, up$/m);
  assert.match(r.out, /^Output: int32 potentials, scores = outputScale·p \+ outputBias$/m); // the converter keeps the classifier's bias
  assert.match(r.out, /^Input: 6×6×1, 4-bit; no input encoding recorded$/m);
});

test('summary --json is summary() of the decoded file, with labels and input; parameters count every weight', () => {
  const path = convertedFixture();
  const model = decodeModel(new Uint8Array(readFileSync(path)));
  const r = cli('summary', path, '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const s = JSON.parse(JSON.stringify(summary(model)));
  for (const k of Object.keys(s)) assert.deepEqual(j[k], s[k], k);
  assert.deepEqual(j.labels, ['left', 'right', 'up']);
  assert.deepEqual(j.input, model.input);
  const weights = model.layers.reduce((n, l) => n + (l.kind === 'separable-conv' ? l.depthwise.length + l.pointwise.length : l.weights.length), 0);
  assert.equal(j.parameters, weights);
});

test('summary: a corrupt model file exits 2 naming the problem; no argument is a usage error', () => {
  const bytes = new Uint8Array(readFileSync(convertedFixture()));
  bytes[bytes.length - 10] ^= 1;
  const bad = join(tmp, 'bad.nlm');
  writeFileSync(bad, bytes);
  const r = cli('summary', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /^neurolive: bad\.nlm: model file checksum at byte \d+: CRC-32 is/);
  const missing = cli('summary', join(tmp, 'nope.nlm'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /ENOENT/);
  const usage = cli('summary');
  assert.equal(usage.code, 64);
  assert.match(usage.err, /summary takes one MODEL\.nlm[\s\S]*neurolive summary MODEL\.nlm/);
});

/** What classify must produce, computed here: the same binner and runtime, in this process. */
async function reference(file: string, model: QuantizedModel, hopUs: number) {
  const stream = await openEventFile(file);
  const enc = model.input.encoding!;
  if (enc.kind !== 'time-channel') throw new Error('test model needs a time-channel encoding');
  const binner = new TimeChannelBinner({
    sensor: { width: stream.info.width, height: stream.info.height },
    windowUs: enc.windowUs,
    bins: enc.bins,
    polarities: enc.polarities,
    clip: enc.clip,
    hopUs,
    size: { width: model.input.width, height: model.input.height },
  });
  const frames: TimeChannelFrame[] = [];
  for await (const b of stream) frames.push(...binner.push(b).map((f) => ({ ...f, data: f.data.slice() })));
  frames.push(...binner.flush());
  const rt = new NsocRuntime(model);
  return frames.map((f) => {
    const r = rt.infer(f.data);
    let top = 0;
    for (let i = 1; i < r.scores!.length; i++) if (r.scores![i] > r.scores![top]) top = i;
    return { tStartUs: f.tStartUs, tEndUs: f.tEndUs, events: f.eventsIn, top, executedOps: r.stats.executedOps };
  });
}

for (const hop of [null, '20ms']) {
  test(`classify --json${hop ? ` --hop ${hop}` : ''} on a real recording: the binner's windows, the runtime's classes`, { skip: skipWithoutSharedData }, async () => {
    const { path, model } = encodedModel('convtiny-50ms.nlm');
    const file = sharedPath('dvs128_walking.aedat');
    const r = cli('classify', file, '--model', path, '--json', ...(hop ? ['--hop', hop] : []));
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const windows = lines.filter((l) => l.type === 'window');
    const totals = lines[lines.length - 1];
    assert.equal(totals.type, 'totals');
    assert.equal(lines.length, windows.length + 1);

    const want = await reference(file, model, hop ? 20_000 : 50_000);
    assert.ok(want.length > 50, `${want.length} windows`);
    assert.equal(windows.length, want.length);
    assert.equal(totals.windows, want.length);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      assert.equal(w.tStartUs, want[i].tStartUs, `window ${i}`);
      assert.equal(w.tEndUs, want[i].tEndUs);
      assert.equal(w.tEndUs - w.tStartUs, 50_000);
      if (i > 0) assert.ok(w.tStartUs > windows[i - 1].tStartUs);
      assert.equal(w.events, want[i].events);
      assert.equal(w.top, want[i].top, `window ${i} class`);
      assert.equal(w.label, model.labels[w.top]);
      assert.equal(w.executedOps, want[i].executedOps);
      const sum = w.confidences.reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `confidences sum to ${sum}`);
      assert.ok(w.confidences.every((c: number) => c >= 0 && c <= 1));
      assert.equal(w.confidence, Math.max(...w.confidences));
      assert.equal(w.confidences.indexOf(w.confidence), w.top);
    }
    assert.ok(new Set(windows.map((w) => w.top)).size > 1, 'the windows are not all one class');
    const meanOps = want.reduce((s, w) => s + w.executedOps, 0) / want.length;
    assert.ok(Math.abs(totals.meanExecutedOps - meanOps) <= 1e-9 * meanOps);
    assert.ok(totals.opsRatio > 0 && totals.opsRatio < 1);
    assert.ok(totals.meanInferMs > 0 && totals.estimatedLatencyUs > 0 && totals.estimatedEnergyJ > 0);
    assert.equal(Object.values(totals.classCounts as Record<string, number>).reduce((a, b) => a + b, 0), want.length);
  });
}

test('classify prints a readable table with the same classes', { skip: skipWithoutSharedData }, async () => {
  const { path, model } = encodedModel('convtiny-text.nlm');
  const file = sharedPath('dvs128_walking.aedat');
  const r = cli('classify', file, '--model', path);
  assert.equal(r.code, 0, r.err);
  const want = await reference(file, model, 50_000);
  const rows = r.out.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d+\s+\d+\s+/.test(l));
  assert.equal(rows.length, want.length);
  rows.forEach((row, i) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+?)\s+(0\.\d{3}|1\.000)\s+[\d.]+ %$/.exec(row);
    assert.ok(m, row);
    assert.equal(Number(m[2]), want[i].tStartUs);
    assert.equal(m[5], model.labels[want[i].top]);
  });
  assert.match(r.out, new RegExp(`^${want.length} windows of 19,182 events; per window: `, 'm'));
});

test('classify refuses a model without a usable input encoding, and bad options', () => {
  const file = sharedPath('dvs128_walking.aedat');
  const none = encodedModel('no-encoding.nlm', (m) => delete m.input.encoding);
  let r = cli('classify', file, '--model', none.path);
  assert.equal(r.code, 2);
  assert.match(r.err, /no-encoding\.nlm: the model records no time-channel input encoding/);
  const mismatch = encodedModel('mismatch.nlm', (m) => (m.input.encoding = { kind: 'time-channel', windowUs: 50_000, bins: 4, polarities: 2, clip: 15 }));
  r = cli('classify', file, '--model', mismatch.path);
  assert.equal(r.code, 2);
  assert.match(r.err, /4 bins × 2 polarities = 8 channels, the model input has 10/);
  const loud = encodedModel('loud.nlm', (m) => (m.input.encoding = { kind: 'time-channel', windowUs: 50_000, bins: 5, polarities: 2, clip: 31 }));
  r = cli('classify', file, '--model', loud.path);
  assert.equal(r.code, 2);
  assert.match(r.err, /clips counts at 31, above the model's 4-bit input \(max 15\)/);
  r = cli('classify', file);
  assert.equal(r.code, 64);
  assert.match(r.err, /classify needs --model MODEL\.nlm/);
  r = cli('classify', file, '--model', none.path, '--hop', 'soon');
  assert.equal(r.code, 64);
  assert.match(r.err, /--hop: not a duration: 'soon'/);
  r = cli('classify', file, '--model', none.path, '--path', 'sideways');
  assert.equal(r.code, 64);
});
