import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DatasetError,
  type DatasetMeta,
  NpyShardWriter,
  SplitShardWriter,
  assembleSplits,
  readDatasetMeta,
  readSplit,
  shardDone,
  shardPaths,
  writeDatasetMeta,
} from '../../src-main/datasets/dataset-writer';

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** A .npy parse written from the format description alone (not the project's parser). */
function parseNpyFromScratch(bytes: Uint8Array): { descr: string; shape: number[]; data: Uint8Array } {
  assert.deepEqual([...bytes.subarray(0, 6)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'magic');
  const major = bytes[6];
  const lenBytes = major === 1 ? 2 : 4;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes;
  assert.equal((start + hlen) % 64, 0, 'data is 64-byte aligned');
  const text = new TextDecoder('latin1').decode(bytes.subarray(start, start + hlen));
  assert.ok(text.endsWith('\n'));
  const descr = /'descr': '([^']+)'/.exec(text)![1];
  assert.match(text, /'fortran_order': False/);
  const shape = /'shape': \(([^)]*)\)/.exec(text)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, data: bytes.subarray(start + hlen) };
}

const ENCODING = { sensor: 'dvs', sensorWidth: 128, sensorHeight: 128, windowUs: 500000, hopUs: 250000, bins: 1, polarities: 2, clip: 15, width: 3, height: 2, layout: 'hwc' } as const;

function meta(splits: DatasetMeta['splits']): DatasetMeta {
  return { format: 'neurolive-dataset', version: 1, task: 'test', seed: 5, classes: ['a', 'b', 'c'], backboneClasses: ['a', 'b'], heldOutClasses: ['c'], input: { ...ENCODING }, splits, generator: { version: 't-1', note: 'unit test' } };
}

/** Sample k of a split: every byte k mod 256 — easy to check after concatenation. */
function sample(k: number): Uint8Array {
  return new Uint8Array(2 * 3 * 2).fill(k & 0xff);
}

test('shards → assemble → read: the arrays agree with a from-scratch .npy parse and with numpy', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-dsw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let k = 0;
  const sizes = [3, 0, 5]; // an empty shard in the middle is allowed
  sizes.forEach((n, shard) => {
    const w = new SplitShardWriter(dir, 'train', shard, [2, 3, 2]);
    for (let i = 0; i < n; i++, k++) w.add(sample(k), k % 3, 100 + (k % 2));
    w.close();
    assert.ok(shardDone(dir, 'train', shard));
  });
  const w = new SplitShardWriter(dir, 'test', 0, [2, 3, 2]);
  w.add(sample(200), 2, 7);
  w.close();
  const splits = assembleSplits(dir, { train: 3, test: 1 });
  assert.deepEqual(splits.train, { count: 8, x: 'train-x.npy', y: 'train-y.npy', group: 'train-group.npy' });
  writeDatasetMeta(dir, meta(splits));

  const x = parseNpyFromScratch(new Uint8Array(readFileSync(join(dir, 'train-x.npy'))));
  assert.equal(x.descr, '|u1');
  assert.deepEqual(x.shape, [8, 2, 3, 2]);
  for (let i = 0; i < 8; i++) assert.ok(x.data.subarray(i * 12, i * 12 + 12).every((v) => v === i));
  const y = parseNpyFromScratch(new Uint8Array(readFileSync(join(dir, 'train-y.npy'))));
  assert.equal(y.descr, '<i4');
  assert.deepEqual(y.shape, [8]);
  assert.deepEqual([...new Int32Array(y.data.slice().buffer)], [0, 1, 2, 0, 1, 2, 0, 1]);

  const split = readSplit(dir, 'train');
  assert.equal(split.count, 8);
  assert.deepEqual(split.sampleShape, [2, 3, 2]);
  assert.deepEqual([...split.group], [100, 101, 100, 101, 100, 101, 100, 101]);
  assert.deepEqual(readDatasetMeta(dir).generator, { version: 't-1', note: 'unit test' });
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('partial')), []);

  if (!hasNumpy) {
    t.diagnostic('numpy cross-check skipped: /usr/bin/python3 with numpy not found');
    return;
  }
  const py = spawnSync(PY, ['-c', `
import json, numpy as np, sys
d = sys.argv[1]
m = json.load(open(d + '/meta.json'))
out = {}
for name, s in m['splits'].items():
    x = np.load(d + '/' + s['x']); y = np.load(d + '/' + s['y']); g = np.load(d + '/' + s['group'])
    out[name] = [list(x.shape), str(x.dtype), str(y.dtype), y.tolist(), g.tolist(), [int(v) for v in x.reshape(len(x), -1)[:, 0]]]
print(json.dumps(out))
`, dir], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(JSON.parse(py.stdout), {
    train: [[8, 2, 3, 2], 'uint8', 'int32', [0, 1, 2, 0, 1, 2, 0, 1], [100, 101, 100, 101, 100, 101, 100, 101], [0, 1, 2, 3, 4, 5, 6, 7]],
    test: [[1, 2, 3, 2], 'uint8', 'int32', [2], [7], [200]],
  });
});

test('a shard is invisible until closed, and abort leaves nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-dsw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const w = new SplitShardWriter(dir, 'val', 0, [4]);
  w.add(new Uint8Array(4), 0, 0);
  assert.equal(shardDone(dir, 'val', 0), false);
  assert.ok(existsSync(`${shardPaths(dir, 'val', 0).x}.partial`));
  w.abort();
  assert.deepEqual(readdirSync(join(dir, 'shards')), []);
  assert.throws(() => assembleSplits(dir, { val: 1 }), (e: unknown) => e instanceof DatasetError && /shard missing: generation did not finish/.test(e.message));
});

test('the shard writer refuses wrong sizes and types with a readable message', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-dsw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.throws(() => new NpyShardWriter(join(dir, 'a.npy'), 'u1', [0, 3]), /bad sample dimension 0/);
  const w = new NpyShardWriter(join(dir, 'b.npy'), 'u1', [2, 2]);
  assert.throws(() => w.append(new Uint8Array(5)), /5 bytes is not a whole number of 4-byte samples/);
  assert.throws(() => w.append(new Int32Array(4)), /holds u1, got Int32Array/);
  w.append(new Uint8Array(8)); // two samples at once
  assert.equal(w.length, 2);
  w.close();
  assert.deepEqual(parseNpyFromScratch(new Uint8Array(readFileSync(join(dir, 'b.npy')))).shape, [2, 2, 2]);
  assert.throws(() => w.append(new Uint8Array(4)), /is closed/);
});

test('readDatasetMeta and readSplit explain what is wrong with a folder', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neurolive-dsw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.throws(() => readDatasetMeta(dir), /no meta.json: not a dataset folder, or generation has not finished/);
  writeFileSync(join(dir, 'meta.json'), '{"format": "neurolive-dataset", ');
  assert.throws(() => readDatasetMeta(dir), /meta.json: not JSON/);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta({}), input: { ...ENCODING, bins: 0 } }));
  assert.throws(() => readDatasetMeta(dir), /meta.json: input.bins:/);
  assert.throws(() => writeDatasetMeta(dir, { ...meta({}), version: 2 } as unknown as DatasetMeta));

  const w = new SplitShardWriter(dir, 'train', 0, [3]);
  w.add(new Uint8Array(3), 1, 0);
  w.add(new Uint8Array(3), 2, 0);
  w.close();
  writeDatasetMeta(dir, meta(assembleSplits(dir, { train: 1 })));
  assert.throws(() => readSplit(dir, 'test'), /no split 'test' \(has train\)/);
  // a truncated x file
  const x = readFileSync(join(dir, 'train-x.npy'));
  writeFileSync(join(dir, 'train-x.npy'), x.subarray(0, x.length - 2));
  assert.throws(() => readSplit(dir, 'train'), /train-x.npy: truncated: shape \(2, 3\) needs 6 data bytes, the file has 4 \(data starts at byte 128\)/);
  writeFileSync(join(dir, 'train-x.npy'), x);
  // a label outside the classes
  const y = new Uint8Array(readFileSync(join(dir, 'train-y.npy')));
  new DataView(y.buffer).setInt32(y.length - 4, 9, true);
  writeFileSync(join(dir, 'train-y.npy'), y);
  assert.throws(() => readSplit(dir, 'train'), /label 9 at index 1 is outside the 3 classes/);
});
