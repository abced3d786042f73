import { createReadStream, createWriteStream } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { TimeChannelBinner, type TimeChannelConfig } from '../../../src-engine/frames/time-channel';
import { encodeNpyHeader } from '../../../src-engine/formats/numpy/npy';
import { openFileSink } from '../../../src-engine/node/file-io';
import { parseDurationUs, parseRoi, parseSize } from '../../../src-engine/util/units';
import { openWithGeometry } from '../open';

export const FRAMES_USAGE = `neurolive frames FILE OUT.npy [options]   time-channel frames as uint8 (N, H, W, C), C = bins × polarities
      --window 100ms   window length        --bins 5            time bins per window
      --hop 100ms      window start step    --size 64x64        output size (after --roi)
      --clip 15        count saturation     --polarities 2      1 merges ON and OFF
      --roi x,y,w,h    crop before scaling  --denoise 10ms      background-activity filter
      --include-incomplete                  also emit the last partial window`;

export async function framesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      window: { type: 'string', default: '100ms' },
      bins: { type: 'string', default: '5' },
      hop: { type: 'string' },
      size: { type: 'string' },
      clip: { type: 'string', default: '15' },
      polarities: { type: 'string', default: '2' },
      roi: { type: 'string' },
      denoise: { type: 'string' },
      'include-incomplete': { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 2 || !positionals[1].toLowerCase().endsWith('.npy')) {
    throw new RangeError('frames takes FILE and OUT.npy');
  }
  const [input, output] = positionals;
  const int = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be a whole number from ${min} to ${max}, not '${v}'`);
    return n;
  };
  const windowUs = parseDurationUs(values.window);
  const bins = int('bins', values.bins, 1, 64);
  const polarities = int('polarities', values.polarities, 1, 2) as 1 | 2;

  const { stream, progress, sensor } = await openWithGeometry(input, 'binning', { reuseBatches: true });
  const cfg: TimeChannelConfig = {
    sensor,
    windowUs,
    bins,
    hopUs: values.hop ? parseDurationUs(values.hop) : windowUs,
    polarities,
    clip: int('clip', values.clip, 1, 255),
    roi: values.roi ? parseRoi(values.roi) : undefined,
    size: values.size ? parseSize(values.size) : undefined,
    denoise: values.denoise ? { filterTimeUs: parseDurationUs(values.denoise) } : undefined,
    includeIncomplete: values['include-incomplete'],
  };
  const binner = new TimeChannelBinner(cfg);
  const [h, w, c] = binner.outputShape;

  // Frames stream to a side file; the .npy header (which needs the count) is written last.
  const body = `${output}.body.partial`;
  const sink = await openFileSink(body);
  let n = 0;
  try {
    for await (const batch of stream) {
      for (const f of binner.push(batch)) {
        await sink.write(f.data);
        binner.recycle(f.data); // written or copied once write resolves
        n++;
      }
    }
    for (const f of binner.flush()) {
      await sink.write(f.data);
      n++;
    }
    await sink.close();
    await writeFile(output, encodeNpyHeader('|u1', [n, h, w, c]));
    await pipeline(createReadStream(body), createWriteStream(output, { flags: 'a' }));
  } finally {
    await sink.close().catch(() => {});
    await unlink(body).catch(() => {});
  }
  progress.finish();
  const s = binner.summary();
  process.stdout.write(`${n} frames of ${h}×${w}×${c} → ${output}\n${JSON.stringify(s)}\n`);
  return 0;
}
