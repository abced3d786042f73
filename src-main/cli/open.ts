import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EventStream } from '../../src-engine/events/stream';
import { openEventStream } from '../../src-engine/formats/registry';
import type { FormatId, ReadOptions } from '../../src-engine/formats/types';
import { readFileChunks } from '../../src-engine/node/file-io';
import { countBytes, progressBar, type Progress } from './progress';

/** Opens a recording for a CLI command, with a progress bar over its bytes. */
export async function openWithProgress(
  path: string,
  label: string,
  opts: ReadOptions & { format?: FormatId } = {},
): Promise<{ stream: EventStream; progress: Progress }> {
  const size = (await stat(path)).size;
  const progress = progressBar(label, size);
  const stream = await openEventStream(countBytes(readFileChunks(path), (n) => progress.update(n)), basename(path), opts);
  return { stream, progress };
}
