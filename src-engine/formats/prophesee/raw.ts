/**
 * What EVT 2.0 and EVT 3.0 share: recognising a RAW header, opening it
 * (format check, geometry, meta) and writing one.
 */
import type { EventStreamInfo } from '../../events/stream';
import type { ByteReader } from '../byte-reader';
import type { ReadOptions, WriterInfo } from '../types';
import {
  declaredRawFormat,
  hasRawKeys,
  HeaderGeometryError,
  headerMeta,
  headerText,
  rawGeometry,
  readPercentHeader,
  scanPercentHeader,
  type RawFormat,
} from './header';

const LABEL: Record<RawFormat, string> = { EVT2: 'EVT 2.0', EVT3: 'EVT 3.0' };

/** True when `head` starts with a RAW header declaring `want`. Never throws. */
export function detectRaw(head: Uint8Array, want: RawFormat): boolean {
  try {
    const h = scanPercentHeader(head, true);
    if (h.lines === 0) return false;
    // Without evt/format/system_ID nothing says RAW (it may well be a .dat header).
    if (!hasRawKeys(h.fields) && !h.fields.has('system_ID')) return false;
    return declaredRawFormat(h.fields) === want;
  } catch {
    return false;
  }
}

/**
 * Parses the header (leaving `src` at the first event word) and checks it
 * declares `want`; a file without any header is taken as `want`.
 */
export async function openRawHeader(src: ByteReader, want: RawFormat, opts: ReadOptions): Promise<EventStreamInfo> {
  const header = await readPercentHeader(src, true);
  const declared = declaredRawFormat(header.fields);
  if (declared !== null && declared !== want) {
    const at = header.lineOffsets.get('format') ?? header.lineOffsets.get('evt') ?? header.lineOffsets.get('system_ID') ?? 0;
    throw src.error('unsupported', `header declares ${declared}, not ${LABEL[want]}`, at);
  }
  let geometry;
  try {
    geometry = rawGeometry(header, opts);
  } catch (e) {
    if (e instanceof HeaderGeometryError) throw src.error('corrupt', e.reason, e.offset);
    throw e;
  }
  return {
    format: want === 'EVT2' ? 'evt2' : 'evt3',
    width: geometry.width,
    height: geometry.height,
    meta: {
      ...headerMeta(header),
      encoding: LABEL[want],
      header_lines: header.lines,
      data_offset: src.offset,
      geometry: geometry.geometry,
      geometry_source: geometry.geometry_source,
    },
  };
}

/** Our writers' RAW header: enough for OpenEB to open the file without a system_ID. */
export function rawHeaderBytes(want: RawFormat, info: WriterInfo): Uint8Array {
  const lines: [string, string][] = [['evt', want === 'EVT2' ? '2.0' : '3.0']];
  if (info.width > 0 && info.height > 0) {
    lines.push(['format', `${want};width=${info.width};height=${info.height}`]);
    lines.push(['geometry', `${info.width}x${info.height}`]);
  } else {
    lines.push(['format', want]);
  }
  if (info.source) lines.push(['source', info.source]);
  lines.push(['end', '']);
  return headerText(lines);
}

/** Checks writer geometry up front: the RAW encodings address 11-bit x and y. */
export function checkRawWriterInfo(info: WriterInfo, label: string): void {
  for (const [k, v] of [['width', info.width], ['height', info.height]] as const) {
    if (!(Number.isInteger(v) && v >= 0 && v <= 2048)) {
      throw new RangeError(`${label} writer: ${k} ${v} is not an integer in 0..2048 (11-bit addresses)`);
    }
  }
}
