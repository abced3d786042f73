import type { EventBatch, Geometry } from '../events/batch';
import type { EventStream } from '../events/stream';
import type { ByteReader } from './byte-reader';

export type FormatId = 'aedat2' | 'aedat3' | 'aedat4' | 'evt2' | 'evt3' | 'dat' | 'npy' | 'csv';

export interface ReadOptions {
  /** events per batch (default DEFAULT_BATCH_SIZE) */
  batchSize?: number;
  /**
   * Reuse one set of batch columns: each batch is then valid only until the
   * stream is iterated again (see BatchBuilder). For consumers that finish
   * with a batch before asking for the next (binning, info scans, convert);
   * not for ones that keep batches (collectEvents). Default false.
   */
  reuseBatches?: boolean;
  /** geometry to use when the file states none and none can be inferred */
  width?: number;
  height?: number;
}

/** Decodes one file format. `detect` looks only at the header bytes. */
export interface FormatReader {
  readonly id: FormatId;
  /** human name, e.g. "Prophesee EVT 3.0" */
  readonly label: string;
  /**
   * True when `head` (the first ≤ 64 KiB of the source, fewer if it is shorter)
   * is this format's header. Must not throw.
   */
  detect(head: Uint8Array): boolean;
  /** Parses the header now (errors surface here) and streams batches lazily. */
  open(src: ByteReader, opts?: ReadOptions): Promise<EventStream>;
}

/** Where a writer puts its bytes (a file, a socket, memory). */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /**
   * Optional: overwrite bytes already written (a file can, a socket cannot).
   * Writers use it to patch a header once the totals are known, so they can
   * stream in constant memory; without it they must hold data back.
   */
  writeAt?(offset: number, chunk: Uint8Array): void | Promise<void>;
}

export interface WriterInfo extends Geometry {
  /** free-form source description stored where the format has room for it */
  source?: string;
}

export interface EventWriter {
  write(batch: EventBatch): Promise<void>;
  /** Writes trailers (tables, footers). The sink is not closed. */
  close(): Promise<void>;
}

export interface FormatWriter {
  readonly id: FormatId;
  readonly label: string;
  /** file extensions (lower case, with the dot) that select this writer */
  readonly extensions: readonly string[];
  create(info: WriterInfo, sink: ByteSink): EventWriter;
}
