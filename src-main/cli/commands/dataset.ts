// `neurolive dataset …`: generate the training datasets (docs/DATASETS.md) and gesture test videos.
import { parseArgs } from 'node:util';
import { GESTURE_ALL_CLASSES } from '../../../src-engine/datasets/gesture/index';
import { parseSize } from '../../../src-engine/util/units';
import type { DatasetSummary } from '../../datasets/dataset-writer';
import { generateGestureDataset, writeGestureY4m } from '../../datasets/gesture/index';
import { generateKeywordDataset } from '../../datasets/keywords/index';
import { progressBar, type Progress } from '../progress';

export const DATASET_USAGE = `neurolive dataset gesture|keywords --out DIR [--seed N] [--per-class N] [--tiny] [--workers N]
                                        generate a training dataset (resumable; meta.json is written last)
    keywords only: [--aux-per-word N] [--festival-per-class N] [--accents-per-class N]
                   [--mbrola-per-class N] [--parametric-per-class N] [--festvox-per-class N]
                   [--hmm-accents-per-class N]
                                        takes in the aux, festival, accents, mbrola, parametric, festvox and hmmaccents splits (0
                                        leaves the split out, e.g. without festival's, MBROLA's, Pico's or RHVoice's voices)
  neurolive dataset gesture-clip OUT.y4m --gesture NAME [--subject N] [--size 320x240] [--fps 30] [--seconds 2]
                                        render a gesture as a .y4m video (Chromium's fake camera plays it)`;

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be a whole number from ${min} to ${max}, not '${v}'`);
  return n;
}

export async function datasetCommand(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === 'gesture-clip') return gestureClip(rest);
  if (kind !== 'gesture' && kind !== 'keywords') throw new RangeError(`dataset takes gesture, keywords or gesture-clip, not '${kind ?? ''}'`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'per-class': { type: 'string' },
      tiny: { type: 'boolean', default: false },
      workers: { type: 'string' },
      'aux-per-word': { type: 'string' },
      'festival-per-class': { type: 'string' },
      'accents-per-class': { type: 'string' },
      'mbrola-per-class': { type: 'string' },
      'parametric-per-class': { type: 'string' },
      'festvox-per-class': { type: 'string' },
      'hmm-accents-per-class': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new RangeError(`dataset ${kind}: unexpected argument '${positionals[0]}'`);
  const keywordOnly = (['aux-per-word', 'festival-per-class', 'accents-per-class', 'mbrola-per-class', 'parametric-per-class', 'festvox-per-class', 'hmm-accents-per-class'] as const).find((k) => values[k] !== undefined);
  if (kind === 'gesture' && keywordOnly) throw new RangeError(`dataset gesture: --${keywordOnly} is for the keywords dataset`);
  if (!values.out) throw new RangeError(`dataset ${kind} needs --out DIR`);
  const opts = {
    outDir: values.out,
    seed: int('seed', values.seed, 0, 2 ** 31 - 1)!,
    perClass: int('per-class', values['per-class'], 1, 100_000),
    tiny: values.tiny,
    workers: int('workers', values.workers, 0, 64),
  };
  let bar: Progress | null = null;
  const onProgress = (done: number, total: number, label: string) => {
    bar ??= progressBar(`${kind}: ${label}`, total);
    bar.update(done);
  };
  const summary: DatasetSummary = kind === 'gesture'
    ? await generateGestureDataset({ ...opts, onProgress })
    : await generateKeywordDataset({
        ...opts,
        onProgress,
        auxPerWord: int('aux-per-word', values['aux-per-word'], 0, 1000),
        festivalPerClass: int('festival-per-class', values['festival-per-class'], 0, 100_000),
        accentsPerClass: int('accents-per-class', values['accents-per-class'], 0, 100_000),
        mbrolaPerClass: int('mbrola-per-class', values['mbrola-per-class'], 0, 100_000),
        parametricPerClass: int('parametric-per-class', values['parametric-per-class'], 0, 100_000),
        festvoxPerClass: int('festvox-per-class', values['festvox-per-class'], 0, 100_000),
        hmmAccentsPerClass: int('hmm-accents-per-class', values['hmm-accents-per-class'], 0, 100_000),
      });
  (bar as Progress | null)?.finish();
  const counts = Object.entries(summary.meta.splits).map(([name, s]) => `${name} ${s.count}`).join(', ');
  process.stdout.write(`${summary.meta.task} dataset in ${summary.outDir}: ${counts} samples, ${summary.meta.classes.length} classes (${summary.meta.heldOutClasses.length} held out), ${summary.seconds.toFixed(1)} s\n`);
  return 0;
}

async function gestureClip(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      gesture: { type: 'string' },
      subject: { type: 'string' },
      take: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string', default: '320x240' },
      fps: { type: 'string', default: '30' },
      seconds: { type: 'string', default: '2' },
    },
  });
  if (positionals.length !== 1 || !positionals[0].toLowerCase().endsWith('.y4m')) throw new RangeError('dataset gesture-clip takes OUT.y4m');
  if (!values.gesture || !(GESTURE_ALL_CLASSES as readonly string[]).includes(values.gesture)) {
    throw new RangeError(`--gesture must be one of ${GESTURE_ALL_CLASSES.join(', ')}${values.gesture ? `, not '${values.gesture}'` : ''}`);
  }
  const size = parseSize(values.size);
  const fps = Number(values.fps), seconds = Number(values.seconds);
  if (!(fps > 0 && fps <= 1000)) throw new RangeError(`--fps must be a number from 0 to 1000, not '${values.fps}'`);
  if (!(seconds > 0 && seconds <= 600)) throw new RangeError(`--seconds must be a number from 0 to 600, not '${values.seconds}'`);
  const bytes = writeGestureY4m(positionals[0], {
    gesture: values.gesture,
    subject: int('subject', values.subject, 0, 2 ** 31 - 1),
    take: int('take', values.take, 0, 2 ** 31 - 1),
    seed: int('seed', values.seed, 0, 2 ** 31 - 1),
    width: size.width,
    height: size.height,
    fps,
    seconds,
  });
  process.stdout.write(`${values.gesture}: ${size.width}×${size.height} at ${fps} fps, ${seconds} s → ${positionals[0]} (${bytes.toLocaleString('en-US')} bytes)\n`);
  return 0;
}
