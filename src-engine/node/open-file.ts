import { basename } from 'node:path';
import type { EventStream } from '../events/stream';
import { openEventStream, writerForPath } from '../formats/registry';
import type { FormatId, ReadOptions, WriterInfo } from '../formats/types';
import type { EventBatch } from '../events/batch';
import { openFileSink, readFileChunks } from './file-io';

/** Opens a recording on disk, detecting its format from the header. */
export function openEventFile(path: string, opts: ReadOptions & { format?: FormatId } = {}): Promise<EventStream> {
  return openEventStream(readFileChunks(path), basename(path), opts);
}

/** Writes a stream of batches to `path` in the format its extension names. Returns the event count. */
export async function writeEventFile(path: string, info: WriterInfo, batches: AsyncIterable<EventBatch> | Iterable<EventBatch>): Promise<number> {
  const sink = await openFileSink(path);
  let n = 0;
  try {
    const w = writerForPath(path).create(info, sink);
    for await (const b of batches) {
      await w.write(b);
      n += b.length;
    }
    await w.close();
  } finally {
    await sink.close();
  }
  return n;
}
