/**
 * The '#'-line text headers of AEDAT 2.0 (jAER) and AEDAT 3.1 (cAER).
 *
 * Both formats start with lines beginning with '#' and ending with CRLF (some
 * third-party writers use bare LF), followed directly by binary data. AEDAT 2
 * has no end marker: the header is over at the first line that does not start
 * with '#' — which is ambiguous when the first event's first byte happens to
 * be 0x23. jAER reads such a word as a header line; we additionally stop at a
 * '#' line that contains control bytes, since binary data almost always does
 * and jAER's header lines (text and preferences XML) never do.
 */
import type { ByteReader } from '../byte-reader';
import { LIMITS } from '../errors';

export interface HeaderLine {
  /** the line without its '\r\n' / '\n' */
  readonly text: string;
  /** absolute byte offset of the line's '#' */
  readonly offset: number;
}

export interface TextHeader {
  /** the header's lines, except jAER's preferences XML (lines whose text starts with '<' after '#' and spaces) */
  readonly lines: HeaderLine[];
  /** all header lines, XML included */
  readonly lineCount: number;
  /** bytes consumed, i.e. where the binary data starts */
  readonly end: number;
  /** why reading stopped */
  readonly stop: 'binary' | 'end-marker' | 'eof';
}

const HASH = 0x23;
const LF = 0x0a;
const SPACE = 0x20;
const LT = 0x3c;

/** True for '#<…' and '#   <…' lines: jAER's preferences XML, thousands of lines nobody parses. */
function isXmlLine(line: Uint8Array): boolean {
  let i = 1;
  while (i < line.length && line[i] === SPACE) i++;
  return i < line.length && line[i] === LT;
}

const decoder = new TextDecoder('utf-8');

/** True when the line (without its final '\n') holds only text bytes. */
function isTextLine(line: Uint8Array): boolean {
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line[i];
    if (c < 0x20 && c !== 0x09 && !(c === 0x0d && i === n - 1)) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

/** Bytes of header the reader looks at per step; lines longer than this are joined across steps. */
const SCAN_STEP = 4 << 10;

/**
 * Consumes consecutive '#' lines. Stops before the first line that does not
 * start with '#' (or is not text), or after the line equal to `endMarker`.
 * Throws `limit` when the header exceeds LIMITS.maxHeaderBytes.
 *
 * Lines are found in the buffered bytes without consuming them one by one
 * (jAER headers run to thousands of lines), then skipped in one go.
 */
export async function readHashHeader(src: ByteReader, endMarker?: string): Promise<TextHeader> {
  const lines: HeaderLine[] = [];
  let lineCount = 0;
  const start = src.offset;
  let want = SCAN_STEP;
  for (;;) {
    const base = src.offset;
    if (base - start > LIMITS.maxHeaderBytes) {
      throw src.error('limit', `text header longer than ${LIMITS.maxHeaderBytes} bytes`, start);
    }
    const have = await src.fill(want);
    const ended = have < want;
    const view = src.peek(have);
    let pos = 0;
    let stop: TextHeader['stop'] | undefined;
    while (pos < view.length) {
      if (view[pos] !== HASH) {
        stop = 'binary';
        break;
      }
      let nl = view.indexOf(LF, pos);
      if (nl < 0) {
        if (!ended) break; // the line continues beyond what is buffered
        nl = view.length; // unterminated last line
      }
      const body = view.subarray(pos, nl);
      if (!isTextLine(body)) {
        stop = 'binary';
        break;
      }
      lineCount++;
      const lineStart = pos;
      pos = Math.min(nl + 1, view.length);
      if (isXmlLine(body)) continue;
      let text = decoder.decode(body);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      lines.push({ text, offset: base + lineStart });
      if (endMarker !== undefined && text.trimEnd() === endMarker) {
        stop = 'end-marker';
        break;
      }
    }
    if (pos > 0) await src.skip(pos, 'header line');
    if (stop) return { lines, lineCount, end: src.offset, stop };
    if (ended && src.buffered === 0) return { lines, lineCount, end: src.offset, stop: 'eof' };
    if (pos === 0) {
      // One line fills the whole buffer: look further, within bounds.
      if (have > LIMITS.maxHeaderBytes) throw src.error('limit', `header line longer than ${LIMITS.maxHeaderBytes} bytes`);
      want = have * 2;
    } else {
      want = SCAN_STEP;
    }
  }
}

/**
 * Our writers add a `# Neurolive-Geometry: 200x100` line when no jAER chip or
 * cAER device name implies the sensor size.
 */
export const GEOMETRY_KEY = 'Neurolive-Geometry';

/** The size in a geometry line; undefined when the line is another one, null when it is malformed. */
export function parseGeometryLine(text: string): { width: number; height: number } | null | undefined {
  const m = /^#\s*Neurolive-Geometry:\s*(.*)$/i.exec(text);
  if (!m) return undefined;
  const g = /^(\d{1,6})\s*x\s*(\d{1,6})\s*$/i.exec(m[1]);
  if (!g) return null;
  return { width: Number(g[1]), height: Number(g[2]) };
}

/** Encodes header lines with CRLF endings, as jAER and cAER write them. */
export function encodeHeader(lines: readonly string[]): Uint8Array {
  return new TextEncoder().encode(lines.map((l) => `${l}\r\n`).join(''));
}

/** Makes free text safe for one header line: no line breaks or control characters. */
export function headerSafe(text: string, maxLength = 200): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, maxLength);
}

/** True when `head` begins with the ASCII text `prefix`. */
export function startsWithAscii(head: Uint8Array, prefix: string): boolean {
  if (head.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (head[i] !== prefix.charCodeAt(i)) return false;
  return true;
}
