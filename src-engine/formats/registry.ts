import { makeEventStream, type EventStream } from '../events/stream';
import { aedat2Reader, aedat2Writer } from './aedat/aedat2';
import { aedat3Reader, aedat3Writer } from './aedat/aedat3';
import { aedat4Reader, aedat4Writer } from './aedat4/aedat4';
import { ByteReader } from './byte-reader';
import { csvReader, csvWriter } from './csv/csv';
import { EventFormatError } from './errors';
import { npyReader, npyWriter } from './numpy/npy-events';
import { datReader, datWriter } from './prophesee/dat';
import { evt2Reader, evt2Writer } from './prophesee/evt2';
import { evt3Reader, evt3Writer } from './prophesee/evt3';
import type { FormatId, FormatReader, FormatWriter, ReadOptions } from './types';

/**
 * Readers in detection order: formats with a strong magic first, the weakest
 * guesses (a header-less .dat, CSV text) last.
 */
export const READERS: readonly FormatReader[] = [
  aedat4Reader,
  aedat3Reader,
  aedat2Reader,
  npyReader,
  evt3Reader,
  evt2Reader,
  datReader,
  csvReader,
];

export const WRITERS: readonly FormatWriter[] = [
  aedat4Writer,
  npyWriter,
  aedat2Writer,
  aedat3Writer,
  evt3Writer,
  evt2Writer,
  datWriter,
  csvWriter,
];

/** How many leading bytes detection looks at. */
export const DETECT_BYTES = 64 << 10;

export function readerFor(id: FormatId): FormatReader {
  const r = READERS.find((x) => x.id === id);
  if (!r) throw new Error(`no reader for format '${id}'`);
  return r;
}

export function detectFormat(head: Uint8Array): FormatReader | undefined {
  return READERS.find((r) => r.detect(head));
}

/**
 * Opens any supported recording. The format comes from the header bytes, never
 * the name; an unrecognised header is an `unknown-format` error.
 */
export async function openEventStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sourceName: string,
  opts: ReadOptions & { format?: FormatId } = {},
): Promise<EventStream> {
  const src = new ByteReader(source, sourceName);
  await src.fill(DETECT_BYTES);
  const reader = opts.format ? readerFor(opts.format) : detectFormat(src.peek(DETECT_BYTES));
  if (!reader) {
    throw new EventFormatError('unknown-format', 'events', sourceName, 0, 'header matches no supported format (AEDAT 2/3.1/4, EVT 2/3, .dat, .npy, CSV)');
  }
  src.format = reader.id;
  let stream: EventStream;
  try {
    stream = await reader.open(src, opts);
  } catch (e) {
    await src.close();
    throw e;
  }
  return closingWhenDone(stream, src);
}

/**
 * Releases the byte source when the batches run out, fail, or the consumer
 * stops early. A stream reads its source once, so a second iteration is an
 * error rather than a silently empty or garbled read.
 */
function closingWhenDone(stream: EventStream, src: ByteReader): EventStream {
  let started = false;
  return makeEventStream(stream.info, () => {
    if (started) throw new Error(`${src.sourceName}: an event stream can be iterated only once`);
    started = true;
    const it = stream[Symbol.asyncIterator]();
    return {
      async next() {
        try {
          const r = await it.next();
          if (r.done) await src.close();
          return r;
        } catch (e) {
          await src.close();
          throw e;
        }
      },
      async return(value?: unknown) {
        await it.return?.(value as never);
        await src.close();
        return { done: true as const, value: value as never };
      },
    };
  });
}

/**
 * The writer for an output file name. Plain `.aedat` means AEDAT 4 (what DV
 * writes today) and `.raw` means EVT 3 (what current Prophesee sensors emit).
 */
export function writerForPath(path: string): FormatWriter {
  const lower = path.toLowerCase();
  if (lower.endsWith('.aedat')) return aedat4Writer;
  if (lower.endsWith('.raw')) return evt3Writer;
  const w = WRITERS.find((x) => x.extensions.some((e) => lower.endsWith(e)));
  if (!w) {
    const known = ['.aedat', '.raw', ...WRITERS.flatMap((x) => x.extensions)];
    throw new RangeError(`cannot tell the output format from '${path}': use one of ${[...new Set(known)].join(' ')}`);
  }
  return w;
}
