/**
 * The `%` text header shared by Prophesee RAW (EVT 2.0 / 3.0) and .dat files,
 * and the sensor geometry it states or implies.
 *
 * Parsing follows OpenEB's GenericHeader (sdk/modules/base/cpp/src/generic_header.cpp):
 * a header line starts with the two bytes "% ", its first word is the key and
 * the remaining words (joined by one space) the value; `% end` closes a RAW
 * header, and the first line not starting with "% " is where the data begins
 * (old files have no `% end`). Geometry follows psee_raw_file_header.cpp:
 * the `format` key's width/height options, the `geometry WxH` key (both must
 * agree), else the sensor implied by `system_ID` when the integrator is
 * Prophesee.
 */
import type { ByteReader } from '../byte-reader';
import { LIMITS } from '../errors';
import type { ReadOptions } from '../types';

const PERCENT = 0x25;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/** Longest single header line we accept (real ones are < 200 bytes). */
const MAX_LINE_BYTES = 64 << 10;

export interface PercentHeader {
  /** key → value, later lines overriding earlier ones as in OpenEB */
  readonly fields: ReadonlyMap<string, string>;
  /** absolute byte offset of the line that set each key (for error messages) */
  readonly lineOffsets: ReadonlyMap<string, number>;
  /** number of header lines (0: the file has no header) */
  readonly lines: number;
  /** true when the header closed with `% end` */
  readonly ended: boolean;
}

/** Bytes → string, one char per byte (header text is ASCII; never throws). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/** Splits one header line (without its "% ") into key and value, or null when blank. */
export function splitHeaderLine(text: string): [string, string] | null {
  const words = text.trim().split(/\s+/);
  if (words.length === 0 || words[0] === '') return null;
  return [words[0], words.slice(1).join(' ')];
}

function startsHeaderLine(b: Uint8Array, at: number): boolean {
  return b[at] === PERCENT && b[at + 1] === SPACE;
}

/**
 * Reads the header from `src`, leaving it at the first data byte.
 * `stopAtEnd`: RAW headers end at `% end`; .dat headers have no such line.
 */
export async function readPercentHeader(src: ByteReader, stopAtEnd: boolean): Promise<PercentHeader> {
  const fields = new Map<string, string>();
  const lineOffsets = new Map<string, number>();
  let lines = 0;
  let ended = false;
  const start = src.offset;
  for (;;) {
    if ((await src.fill(2)) < 2 || !startsHeaderLine(src.peek(2), 0)) break;
    const at = src.offset;
    if (at - start > LIMITS.maxHeaderBytes) {
      throw src.error('limit', `text header longer than ${LIMITS.maxHeaderBytes} bytes`, at);
    }
    const line = await src.readLine(MAX_LINE_BYTES);
    if (!line) break;
    lines++;
    const kv = splitHeaderLine(latin1(line.subarray(2)));
    if (!kv) continue;
    if (stopAtEnd && kv[0] === 'end') {
      ended = true;
      break;
    }
    fields.set(kv[0], kv[1]);
    lineOffsets.set(kv[0], at);
  }
  return { fields, lineOffsets, lines, ended };
}

/**
 * The same parse over the first bytes of a file, for `detect`: never throws.
 * `dataStart` is where the data begins, or -1 when the header runs to the end
 * of `head` (a header-only file, or one longer than we were shown).
 */
export function scanPercentHeader(head: Uint8Array, stopAtEnd: boolean): PercentHeader & { dataStart: number } {
  const fields = new Map<string, string>();
  const lineOffsets = new Map<string, number>();
  let lines = 0;
  let ended = false;
  let pos = 0;
  while (pos >= 0 && pos + 1 < head.length && startsHeaderLine(head, pos)) {
    let nl = head.indexOf(NEWLINE, pos);
    if (nl < 0) nl = head.length; // the last line, or one cut by the end of what we were shown
    lines++;
    const kv = splitHeaderLine(latin1(head.subarray(pos + 2, nl)));
    const at = pos;
    pos = nl < head.length ? nl + 1 : -1;
    if (!kv) continue;
    if (stopAtEnd && kv[0] === 'end') {
      ended = true;
      break;
    }
    fields.set(kv[0], kv[1]);
    lineOffsets.set(kv[0], at);
  }
  return { fields, lineOffsets, lines, ended, dataStart: pos };
}

/** Header fields as a plain object for `info.meta` (own data properties only). */
export function headerMeta(h: PercentHeader): Record<string, string> {
  return Object.fromEntries(h.fields);
}

// ---------------------------------------------------------------------------
// RAW format and geometry

export type RawFormat = 'EVT2' | 'EVT3';

interface SystemConfig {
  readonly format: RawFormat;
  readonly width: number;
  readonly height: number;
}

const VGA_EVT2: SystemConfig = { format: 'EVT2', width: 640, height: 480 };
const HD_EVT2: SystemConfig = { format: 'EVT2', width: 1280, height: 720 };
const VGA_EVT3: SystemConfig = { format: 'EVT3', width: 640, height: 480 };
const HD_EVT3: SystemConfig = { format: 'EVT3', width: 1280, height: 720 };

/**
 * OpenEB's system_ID → default format and geometry
 * (psee_raw_file_header.cpp `system_id_map`, ids from device_system_id.h).
 */
export const SYSTEM_ID_CONFIG: ReadonlyMap<number, SystemConfig> = new Map([
  [0x15, VGA_EVT2], // CCAM3_GEN3
  [0x1c, VGA_EVT2], // CCAM3_GEN31
  [0x1a, HD_EVT2], // CCAM3_GEN4
  [0x17, VGA_EVT2], // CCAM4_GEN3
  [0x97, VGA_EVT2], // CCAM4_GEN3_EVK
  [0x19, VGA_EVT2], // CCAM4_GEN3_REV_B
  [0x99, VGA_EVT2], // CCAM4_GEN3_REV_B_EVK
  [0x1d, VGA_EVT2], // CCAM4_GEN3_REV_B_EVK_BRIDGE
  [0x23, VGA_EVT2], // CCAM5_GEN31
  [0x1e, HD_EVT3], // CCAM5_GEN4
  [0x2e, HD_EVT3], // CCAM5_GEN4_FIXED_FRAME
  [0x21, VGA_EVT2], // VISIONCAM_GEN3
  [0xa1, VGA_EVT2], // VISIONCAM_GEN3_EVK
  [0x22, VGA_EVT2], // VISIONCAM_GEN31
  [0xa2, VGA_EVT2], // VISIONCAM_GEN31_EVK
  [0x29, VGA_EVT2], // EVK2_GEN31
  [0x1f, HD_EVT2], // EVK2_GEN4
  [0x27, HD_EVT2], // EVK2_GEN41
  [0x28, VGA_EVT3], // EVK3_GEN31_EVT3
  [0x30, HD_EVT3], // EVK3_GEN41
  [0x32, HD_EVT3], // EVK2_IMX636
  [0x31, HD_EVT3], // EVK3_IMX636
]);

/**
 * Sensor size implied by a Prophesee plugin name, used only when system_ID
 * implies nothing. OpenEB itself selects the plugin by this name but takes
 * the geometry from system_ID; the plugins' sensors are these.
 */
const PLUGIN_GEOMETRY: readonly [RegExp, number, number][] = [
  [/^hal_plugin_gen3_/, 640, 480],
  [/^hal_plugin_gen31_/, 640, 480],
  [/^hal_plugin_gen4_/, 1280, 720],
  [/^hal_plugin_gen41_/, 1280, 720],
  [/^hal_plugin_imx63[67]_/, 1280, 720],
  [/^hal_plugin_imx64[67]_/, 1280, 720],
  [/^hal_plugin_genx320/, 320, 320],
];

/** Leading decimal integer as std::stol reads it, or NaN. */
function leadingInt(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : NaN;
}

/** The system_ID's configuration when OpenEB would use it (Prophesee integrator). */
function systemConfig(fields: ReadonlyMap<string, string>): SystemConfig | undefined {
  let plugin = fields.get('plugin_integrator_name') ?? '';
  let camera = fields.get('camera_integrator_name') ?? '';
  if (!plugin && !camera) plugin = camera = fields.get('integrator_name') ?? '';
  if (!plugin && !camera) plugin = camera = 'Prophesee'; // pre-4.0 files: assumed Prophesee
  if (plugin !== 'Prophesee' || camera !== 'Prophesee') return undefined;
  const id = fields.get('system_ID');
  return id === undefined ? undefined : SYSTEM_ID_CONFIG.get(leadingInt(id));
}

/** `format` value split into its name and `name=value` options. */
function parseFormatKey(value: string): { name: string; options: Map<string, string> } {
  const parts = value.split(';');
  const options = new Map<string, string>();
  for (const opt of parts.slice(1)) {
    const eq = opt.indexOf('=');
    if (eq > 0) options.set(opt.slice(0, eq).trim(), opt.slice(eq + 1).trim());
  }
  return { name: parts[0].trim(), options };
}

/**
 * The event format a RAW header declares: the `format` key, else the legacy
 * `evt` key, else the system_ID's default; null when it says nothing.
 * Other encodings (EVT21, HISTO3D…) are returned by name.
 */
export function declaredRawFormat(fields: ReadonlyMap<string, string>): string | null {
  const format = fields.get('format');
  if (format !== undefined) return parseFormatKey(format).name;
  const evt = fields.get('evt');
  if (evt !== undefined) {
    if (evt === '2.0') return 'EVT2';
    if (evt === '3.0') return 'EVT3';
    if (evt === '2.1') return 'EVT21';
    return `evt ${evt}`;
  }
  return systemConfig(fields)?.format ?? null;
}

/** True when the header keys are those of a RAW file (so not a .dat). */
export function hasRawKeys(fields: ReadonlyMap<string, string>): boolean {
  return fields.has('evt') || fields.has('format');
}

export interface ResolvedGeometry {
  readonly width: number;
  readonly height: number;
  /** 'WxH', or 'unknown' when nothing states it (consumers then infer max + 1) */
  readonly geometry: string;
  readonly geometry_source: 'format' | 'geometry' | 'system_ID' | 'plugin_name' | 'options' | 'unknown';
}

/** Positive integer sensor dimension, or NaN. */
function dimension(s: string | undefined): number {
  if (s === undefined || !/^\s*\d+\s*$/.test(s)) return NaN;
  const v = Number(s);
  return v >= 1 && v <= 65536 ? v : NaN;
}

export class HeaderGeometryError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

function fromOptions(opts: ReadOptions): ResolvedGeometry {
  const w = opts.width ?? 0;
  const h = opts.height ?? 0;
  if (Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0 && w <= 65536 && h <= 65536) return { width: w, height: h, geometry: `${w}x${h}`, geometry_source: 'options' };
  return { width: 0, height: 0, geometry: 'unknown', geometry_source: 'unknown' };
}

function resolved(width: number, height: number, source: ResolvedGeometry['geometry_source']): ResolvedGeometry {
  return { width, height, geometry: `${width}x${height}`, geometry_source: source };
}

/**
 * Geometry of a RAW file as OpenEB derives it. Throws HeaderGeometryError
 * (with the line's offset) for a malformed or contradictory geometry.
 */
export function rawGeometry(h: PercentHeader, opts: ReadOptions): ResolvedGeometry {
  const at = (key: string) => h.lineOffsets.get(key) ?? 0;
  let width = NaN;
  let height = NaN;
  let source: ResolvedGeometry['geometry_source'] = 'format';
  const format = h.fields.get('format');
  if (format !== undefined) {
    const { options } = parseFormatKey(format);
    const w = options.get('width');
    const hh = options.get('height');
    if (w !== undefined || hh !== undefined) {
      width = dimension(w);
      height = dimension(hh);
      if (!(width > 0 && height > 0)) {
        throw new HeaderGeometryError(`format '${format}' has no valid width and height`, at('format'));
      }
    }
  }
  const geometry = h.fields.get('geometry');
  if (geometry !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(geometry.trim());
    const gw = dimension(m?.[1]);
    const gh = dimension(m?.[2]);
    if (!(gw > 0 && gh > 0)) throw new HeaderGeometryError(`geometry '${geometry}' is not WIDTHxHEIGHT`, at('geometry'));
    if (width > 0 && (gw !== width || gh !== height)) {
      throw new HeaderGeometryError(`geometry ${geometry} contradicts format '${format}'`, at('geometry'));
    }
    if (!(width > 0)) source = 'geometry';
    width = gw;
    height = gh;
  }
  if (width > 0 && height > 0) return resolved(width, height, source);
  const sys = systemConfig(h.fields);
  if (sys) return resolved(sys.width, sys.height, 'system_ID');
  const plugin = h.fields.get('plugin_name');
  if (plugin !== undefined) {
    for (const [re, w, hh] of PLUGIN_GEOMETRY) if (re.test(plugin)) return resolved(w, hh, 'plugin_name');
  }
  return fromOptions(opts);
}

/** Geometry of a .dat file: its `% Width` / `% Height` lines (openeb dat_tools.py). */
export function datGeometry(h: PercentHeader, opts: ReadOptions): ResolvedGeometry {
  const w = h.fields.get('Width');
  const hh = h.fields.get('Height');
  const width = dimension(w?.split(' ')[0]);
  const height = dimension(hh?.split(' ')[0]);
  if (w !== undefined && !(width > 0)) {
    throw new HeaderGeometryError(`Width '${w}' is not a positive integer`, h.lineOffsets.get('Width') ?? 0);
  }
  if (hh !== undefined && !(height > 0)) {
    throw new HeaderGeometryError(`Height '${hh}' is not a positive integer`, h.lineOffsets.get('Height') ?? 0);
  }
  // Both are needed; with one alone the sensor size is still unknown.
  return width > 0 && height > 0 ? resolved(width, height, 'geometry') : fromOptions(opts);
}

/** Header text for our writers: `% key value` lines (values made single-line). */
export function headerText(lines: readonly [string, string][]): Uint8Array {
  let s = '';
  for (const [k, v] of lines) s += v === '' ? `% ${k}\n` : `% ${k} ${v.replace(/[\r\n]+/g, ' ')}\n`;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f; // keep the header ASCII
  }
  return out;
}
