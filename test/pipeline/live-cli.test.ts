// `neurolive live`: a real recording through the live pipeline from the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { liveCommand, LiveUsageError, type LiveSummary } from '../../src-main/pipeline/live-cli';
import { loadTruth, sharedPath, skipWithoutSharedData } from '../support/shared-data';
import { writeTestModel } from './fixture-model';

const root = mkdtempSync(join(tmpdir(), 'nl-livecli-'));
let modelDir = '';
before(() => {
  modelDir = writeTestModel(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('neurolive live', () => {
  it('replays a real recording at 10× through the worker NSoC: every event, windows, latency medians (JSON)', { skip: skipWithoutSharedData }, async () => {
    const lines: string[] = [];
    const code = await liveCommand([sharedPath('dvs128_walking.aedat'), '--model', modelDir, '--speed', '10', '--json'], (l) => lines.push(l));
    assert.equal(code, 0);
    const rows = lines.map((l) => JSON.parse(l));
    const summary = rows[rows.length - 1] as LiveSummary;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.events, loadTruth('dvs128_walking.aedat').count);
    // 6.9 s of events, 500 ms windows every 250 ms
    assert.ok(summary.windowsBinned >= 25 && summary.windowsBinned <= 29, `${summary.windowsBinned} windows`);
    assert.equal(summary.windowsInferred + summary.droppedWindows, summary.windowsBinned);
    assert.ok(summary.latencyMs.inferred > 0 && summary.latencyMs.sent > 0);
    assert.ok(summary.sensorSeconds > 6.8);
    const preds = rows.filter((r) => r.type === 'prediction');
    assert.equal(preds.length, summary.predictions);
    assert.ok(preds.length >= 1);
    for (const p of preds) assert.match(p.label, /^class_\d$/);
  });

  it('--seconds stops a looping replay; text output names windows and latency', { skip: skipWithoutSharedData }, async () => {
    const lines: string[] = [];
    const code = await liveCommand([sharedPath('ncars_sample.dat'), '--model', modelDir, '--speed', '10', '--seconds', '0.5'], (l) => lines.push(l));
    assert.equal(code, 0);
    const text = lines.join('\n');
    assert.match(text, /events in \d+\.\d s at 10×: \d+ windows, \d+ inferred, \d+ dropped/);
    assert.match(text, /latency \(median, sensor time → …\): binned [\d.]+ ms · inferred [\d.]+ ms · sent [\d.]+ ms/);
  });

  it('usage errors and a missing model are readable', async () => {
    await assert.rejects(liveCommand(['x.aedat4']), (e) => e instanceof LiveUsageError && /--model/.test(e.message));
    await assert.rejects(liveCommand(['x.aedat4', '--model', modelDir, '--speed', '40']), /--speed must be a number from 0\.1 to 10, not 40/);
    await assert.rejects(liveCommand(['x.aedat4', '--model', join(root, 'missing')]), (e) => e instanceof RangeError && /no model folder/.test(e.message));
  });

  it('a corrupt or missing file exits 2 with the reason (through the real binary)', () => {
    const r = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/neurolive.mjs'), 'live', join(root, 'none.aedat4'), '--model', modelDir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /error: none\.aedat4: .*no such file/i);
  });
});
