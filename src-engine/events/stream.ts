import type { EventBatch, Geometry } from './batch';
import { concatBatches } from './batch';

/** What a reader knows about a recording once its header is parsed. */
export interface EventStreamInfo extends Geometry {
  readonly format: string;
  /** Format-specific facts worth showing (compression, sensor, header keys…). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * A recording or live stream as an async sequence of batches: constant memory
 * however long it is. Batches arrive in source order; timestamps are as stored.
 */
export interface EventStream extends AsyncIterable<EventBatch> {
  readonly info: EventStreamInfo;
}

export function makeEventStream(info: EventStreamInfo, batches: () => AsyncIterator<EventBatch>): EventStream {
  return { info, [Symbol.asyncIterator]: batches };
}

/** Reads a whole stream into one batch (for small recordings and tests). */
export async function collectEvents(stream: AsyncIterable<EventBatch>): Promise<EventBatch> {
  const parts: EventBatch[] = [];
  for await (const b of stream) if (b.length) parts.push(b);
  return concatBatches(parts);
}
