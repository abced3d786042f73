// A tiny synthetic dataset in the neurolive dataset format (meta.json + npy
// splits), for the factory's smoke test: each class lights a different block
// of the frame in a different channel, with Poisson-like noise, so a few
// training steps learn something yet nothing is hard-coded.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeDatasetMeta, type DatasetMeta } from '../../src-main/datasets/dataset-writer';
import { writeNpy } from '../../training/pipeline/npy';

export const SYN_SHAPE: [number, number, number] = [16, 16, 4];
export const SYN_CLASSES = ['up', 'down', 'left', 'right', 'twist'];
export const SYN_BACKBONE = ['up', 'down', 'left'];
export const SYN_HELD_OUT = ['right', 'twist'];
/** auxiliary classes (meta.auxClasses, only in the `aux` split) when asked for */
export const SYN_AUX = ['aux_a', 'aux_b'];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function frame(cls: number, rand: () => number): Uint8Array {
  const [h, w, c] = SYN_SHAPE;
  const out = new Uint8Array(h * w * c);
  const by = (cls % 2) * 8;
  const bx = (cls >> 1) * 4;
  const ch = cls % c;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const inBlock = y >= by && y < by + 8 && x >= bx && x < bx + 6 && k === ch;
        const p = inBlock ? 0.7 : 0.04;
        if (rand() < p) out[(y * w + x) * c + k] = 1 + Math.floor(rand() * (inBlock ? 6 : 2));
      }
  return out;
}

export function writeSyntheticDataset(dir: string, seed = 1, opts: { aux?: boolean } = {}): DatasetMeta {
  mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  const size = SYN_SHAPE[0] * SYN_SHAPE[1] * SYN_SHAPE[2];
  const plan: [string, string[], number, number][] = [
    ['train', SYN_BACKBONE, 24, 0],
    ['val', SYN_BACKBONE, 4, 0],
    ['test', SYN_BACKBONE, 6, 100],
    ['fewshot', SYN_CLASSES, 8, 200],
    ...(opts.aux ? ([['aux', SYN_AUX, 12, 0]] as [string, string[], number, number][]) : []),
  ];
  const all = opts.aux ? [...SYN_CLASSES, ...SYN_AUX] : SYN_CLASSES;
  const splits: DatasetMeta['splits'] = {};
  for (const [name, classes, per, group] of plan) {
    const n = classes.length * per;
    const x = new Uint8Array(n * size);
    const y = new Int32Array(n);
    const g = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const cls = all.indexOf(classes[i % classes.length]);
      x.set(frame(cls, rand), i * size);
      y[i] = cls;
      g[i] = group + (i % 3);
    }
    writeNpy(join(dir, `${name}-x.npy`), x, [n, ...SYN_SHAPE]);
    writeNpy(join(dir, `${name}-y.npy`), y, [n]);
    writeNpy(join(dir, `${name}-group.npy`), g, [n]);
    splits[name] = { count: n, x: `${name}-x.npy`, y: `${name}-y.npy`, group: `${name}-group.npy` };
  }
  const meta: DatasetMeta = {
    format: 'neurolive-dataset',
    version: 1,
    task: 'gesture',
    seed,
    classes: all,
    backboneClasses: SYN_BACKBONE,
    heldOutClasses: SYN_HELD_OUT,
    ...(opts.aux ? { auxClasses: SYN_AUX } : {}),
    input: {
      sensor: 'dvs', sensorWidth: 64, sensorHeight: 64, windowUs: 200_000, hopUs: 100_000, bins: 2, polarities: 2, clip: 7,
      width: SYN_SHAPE[1], height: SYN_SHAPE[0], layout: 'hwc', dvs: { preset: 'clean', fps: 30 },
    },
    splits,
    generator: { version: 'synthetic-test-1' },
  };
  writeDatasetMeta(dir, meta);
  return meta;
}
