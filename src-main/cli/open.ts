import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EventStream } from '../../src-engine/events/stream';
import { openEventStream } from '../../src-engine/formats/registry';
import type { FormatId, ReadOptions } from '../../src-engine/formats/types';
import { readFileChunks } from '../../src-engine/node/file-io';
import { EventScan } from '../../src-engine/events/scan';
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

/**
 * Opens a recording whose sensor size the command needs. When the file states
 * none (.dat without header keys, .npy, CSV), one pass over the data finds the
 * largest x and y, and the file is opened again for the real work.
 */
export async function openWithGeometry(
  path: string,
  label: string,
  opts: ReadOptions & { format?: FormatId } = {},
): Promise<{ stream: EventStream; progress: Progress; sensor: { width: number; height: number } }> {
  const first = await openWithProgress(path, label, opts);
  const { width, height } = first.stream.info;
  if (width > 0 && height > 0) return { ...first, sensor: { width, height } };
  const scan = new EventScan();
  for await (const b of first.stream) scan.add(b);
  first.progress.finish('(geometry scan)');
  return { ...(await openWithProgress(path, label, opts)), sensor: { width: scan.maxX + 1, height: scan.maxY + 1 } };
}
