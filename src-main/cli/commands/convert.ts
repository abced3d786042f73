import type { EventBatch } from '../../../src-engine/events/batch';
import { writerForPath } from '../../../src-engine/formats/registry';
import { openFileSink } from '../../../src-engine/node/file-io';
import { rename, unlink } from 'node:fs/promises';
import { openWithGeometry } from '../open';

export interface ConvertResult {
  format: string;
  outFormat: string;
  count: number;
  width: number;
  height: number;
}

/**
 * Streams IN into OUT in the format OUT's extension names. Written to a
 * temporary name and renamed at the end, so a failure never leaves a
 * half-written OUT behind.
 */
export async function convertFile(input: string, output: string): Promise<ConvertResult> {
  const writer = writerForPath(output);
  const { stream, progress, sensor } = await openWithGeometry(input, 'converting');
  const { width, height } = sensor;
  const tmp = `${output}.partial`;
  const sink = await openFileSink(tmp);
  let count = 0;
  try {
    const w = writer.create({ width, height, source: `neurolive convert from ${stream.info.format}` }, sink);
    for await (const b of stream as AsyncIterable<EventBatch>) {
      await w.write(b);
      count += b.length;
    }
    await w.close();
    await sink.close();
    await rename(tmp, output);
  } catch (e) {
    await sink.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  progress.finish();
  return { format: stream.info.format, outFormat: writer.id, count, width, height };
}
