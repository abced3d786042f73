import { BatchBuilder, INITIAL_BATCH_EVENTS, type EventBatch } from '../../events/batch';
import type { ByteReader } from '../byte-reader';
import { MAX_DIRECT_BATCH, WordKernel } from './kernels';
import { copyColumns, SCRATCH_EVENTS, SLICE_BYTES } from './words';

/**
 * One run of a WordKernel decoder from unit `i`, with room for `room` events
 * written from column index `at`; returns the next unit. It may throw (e.g. a
 * clock overflow found at `chunkOffset` + …).
 */
export type KernelStep = (dec: WordKernel, i: number, room: number, at: number, chunkOffset: number) => number;

/**
 * Batches decoded by a WebAssembly WordKernel (EVT 2.0, .dat). With
 * reuseBatches and a batch that fits, the kernel decodes straight into
 * batch-sized columns in its own memory and each batch is a view of them (no
 * copy out, valid until the next iteration as the reuse contract says);
 * otherwise each run is copied into a BatchBuilder. Null when WebAssembly is
 * unavailable (the caller falls back to its JavaScript decoder).
 */
export function kernelBatches(
  src: ByteReader,
  batchSize: number,
  reuse: boolean,
  unitBytes: number,
  step: KernelStep,
  tailReason: string,
): AsyncGenerator<EventBatch> | null {
  const direct = reuse && batchSize <= MAX_DIRECT_BATCH ? WordKernel.create(batchSize, SLICE_BYTES) : null;
  const dec = direct ?? WordKernel.create(SCRATCH_EVENTS, SLICE_BYTES);
  if (!dec) return null;
  return run(src, batchSize, dec, direct ? null : new BatchBuilder(batchSize, reuse, INITIAL_BATCH_EVENTS), unitBytes, step, tailReason);
}

async function* run(
  src: ByteReader,
  batchSize: number,
  dec: WordKernel,
  /** null: decode straight into the kernel's columns */
  out: BatchBuilder | null,
  unitBytes: number,
  step: KernelStep,
  tailReason: string,
): AsyncGenerator<EventBatch> {
  try {
    let n = 0;
    for (;;) {
      const chunk = await src.nextAligned(unitBytes, dec.maxBytes);
      if (chunk === null) break;
      const chunkOffset = src.offset - chunk.length;
      const units = dec.load(chunk, unitBytes);
      for (let i = 0; i < units; ) {
        i = step(dec, i, batchSize - n, out ? 0 : n, chunkOffset);
        if (out) {
          out.ensure(n + dec.count);
          copyColumns(out, n, dec.columns, 0, dec.count);
        }
        n += dec.count;
        if (n === batchSize) {
          yield out ? out.take(n) : dec.view(n);
          n = 0;
        }
      }
    }
    if (n > 0) yield out ? out.take(n) : dec.view(n);
    if (src.buffered > 0) throw src.error('truncated', `the last ${src.buffered} byte(s) ${tailReason}`);
  } finally {
    dec.release();
  }
}
