/**
 * The browser host's WebSocket wire format, shared by the host (Node) and the
 * renderer's WebSocket transport (browser): no Node, DOM or Electron imports.
 *
 * Messages are JSON objects. A message without typed arrays travels as one
 * text frame of JSON. A message with typed arrays (EventChunk pushes carry
 * ~200k events, webcam frames ~300 KB of luma) travels as one binary frame,
 * so nothing is base64-inflated or copied element by element:
 *
 *     u32 LE  H            length of the header in bytes
 *     H bytes header       UTF-8 JSON {"m": message, "b": [[path, type, offset, length], …]}
 *     padding              to a multiple of 8
 *     bodies               each typed array's bytes, each starting at a multiple of 8
 *
 * In `m` every typed array is replaced by `0`; each entry of `b` names where
 * it goes (`path`, a list of keys and indices from the message root), its
 * constructor (`type`, one of WIRE_TYPES), its byte offset from the start of
 * the bodies (the header's end rounded up to 8) and its element count. The 8-byte alignment lets the receiver make
 * views straight onto the received buffer (no copy).
 *
 * Because the typed arrays' positions are listed by path rather than tagged
 * in place, no key or value a user can type (class names, HID usages) can be
 * mistaken for a typed array.
 *
 * Protocol (see docs/SECURITY.md and src-main/web/host.ts):
 *   client → host  {id, method, arg}          a method call
 *                  {subscribe: [topic, …]}    the topics this client wants (replaces the previous set)
 *                  {media, payload}           a media frame (webcam luma, microphone PCM), binary
 *   host → client  {id, result} | {id, error: {code, message}}
 *                  {topic, payload}
 */

export const WIRE_TYPES = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
export type WireTypeName = keyof typeof WIRE_TYPES;
type AnyTypedArray = InstanceType<(typeof WIRE_TYPES)[WireTypeName]>;

type PathKey = string | number;
type BufferEntry = [path: PathKey[], type: WireTypeName, offset: number, length: number];

/** nesting deeper than this is refused (a hostile message cannot blow the stack) */
export const MAX_DEPTH = 32;

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

function typeNameOf(v: ArrayBufferView): WireTypeName | null {
  for (const name of Object.keys(WIRE_TYPES) as WireTypeName[]) {
    if (v.constructor === WIRE_TYPES[name]) return name;
  }
  // Node's Buffer is a Uint8Array subclass
  if (v instanceof Uint8Array) return 'Uint8Array';
  return null;
}

/** Replace typed arrays by 0, collecting them with their paths. Returns the message to JSON-encode. */
function extract(value: unknown, path: PathKey[], found: { path: PathKey[]; array: AnyTypedArray; type: WireTypeName }[], depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new WireError(`message nested deeper than ${MAX_DEPTH} levels`);
  if (ArrayBuffer.isView(value)) {
    const type = typeNameOf(value);
    if (!type) throw new WireError(`cannot send a ${value.constructor.name}`);
    found.push({ path: path.slice(), array: value as AnyTypedArray, type });
    return 0;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const v = extract(value[i], path, found, depth + 1);
      path.pop();
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const old = (value as Record<string, unknown>)[key];
    path.push(key);
    const v = extract(old, path, found, depth + 1);
    path.pop();
    if (v !== old) (out ??= { ...(value as Record<string, unknown>) })[key] = v;
  }
  return out ?? value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encode one message: a string (text frame) when it holds no typed arrays,
 * else a Uint8Array (binary frame) in the layout above.
 */
export function encodeMessage(message: unknown): string | Uint8Array {
  const found: { path: PathKey[]; array: AnyTypedArray; type: WireTypeName }[] = [];
  const m = extract(message, [], found, 0);
  if (found.length === 0) return JSON.stringify(m);
  // offsets count from the start of the bodies (the aligned end of the header),
  // so the header's own length never feeds back into the numbers it contains
  const entries: BufferEntry[] = [];
  let offset = 0;
  for (const f of found) {
    entries.push([f.path, f.type, offset, f.array.length]);
    offset = align8(offset + f.array.byteLength);
  }
  const header = encoder.encode(JSON.stringify({ m, b: entries }));
  const bodyStart = align8(4 + header.length);
  const last = found.length - 1;
  const out = new Uint8Array(bodyStart + entries[last][2] + found[last].array.byteLength);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  for (let i = 0; i < found.length; i++) {
    const a = found[i].array;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), bodyStart + entries[i][2]);
  }
  return out;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Decode a text or binary frame. Typed arrays are views onto `frame`'s buffer
 * (copied once first if the frame is not 8-byte aligned). Throws WireError on
 * anything malformed: bad JSON, header out of bounds, unknown types, bad paths.
 */
export function decodeMessage(frame: string | ArrayBuffer | Uint8Array): unknown {
  if (typeof frame === 'string') return parseJson(frame);
  let bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  // a copy into a fresh buffer (not Buffer#slice, which shares memory)
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  if (bytes.length < 4) throw new WireError('binary frame shorter than its header length');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headerLength > bytes.length) throw new WireError(`binary frame header of ${headerLength} bytes overruns a ${bytes.length}-byte frame`);
  let headerText: string;
  try {
    headerText = decoder.decode(bytes.subarray(4, 4 + headerLength));
  } catch {
    throw new WireError('binary frame header is not UTF-8');
  }
  const header = parseJson(headerText) as { m?: unknown; b?: unknown };
  if (header === null || typeof header !== 'object' || !Array.isArray(header.b)) throw new WireError('binary frame header lacks its buffer list');
  const root = { m: header.m };
  const bodyStart = align8(4 + headerLength);
  for (const entry of header.b as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 4) throw new WireError('malformed buffer entry');
    const [path, type, offset, length] = entry as [unknown, unknown, unknown, unknown];
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(WIRE_TYPES, type)) throw new WireError(`unknown array type ${JSON.stringify(type)}`);
    const Ctor = WIRE_TYPES[type as WireTypeName];
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0 || (offset as number) % 8 !== 0) {
      throw new WireError('buffer entry with a bad offset or length');
    }
    const start = bodyStart + (offset as number);
    const byteLength = (length as number) * Ctor.BYTES_PER_ELEMENT;
    if (start + byteLength > bytes.length) throw new WireError(`a ${type} of ${length as number} elements at byte ${start} overruns a ${bytes.length}-byte frame`);
    const view = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, length as number);
    setPath(root, ['m', ...checkPath(path)], view);
  }
  return root.m;
}

function checkPath(path: unknown): PathKey[] {
  if (!Array.isArray(path) || path.length > MAX_DEPTH) throw new WireError('buffer entry with a bad path');
  for (const k of path) {
    if (typeof k === 'number' ? !Number.isSafeInteger(k) || k < 0 : typeof k !== 'string' || FORBIDDEN_KEYS.has(k)) {
      throw new WireError('buffer entry with a bad path');
    }
  }
  return path as PathKey[];
}

function setPath(root: Record<string, unknown>, path: PathKey[], value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    node = (node as Record<PathKey, unknown>)[path[i]];
    if (node === null || typeof node !== 'object') throw new WireError('buffer entry path does not exist in the message');
  }
  const key = path[path.length - 1];
  const parent = node as Record<PathKey, unknown>;
  if (Array.isArray(parent) ? typeof key !== 'number' || key >= parent.length : !Object.prototype.hasOwnProperty.call(parent, key)) {
    throw new WireError('buffer entry path does not exist in the message');
  }
  parent[key] = value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new WireError('message is not valid JSON');
  }
}

// ---------------------------------------------------------------- protocol messages

export interface CallMessage {
  id: number;
  method: string;
  arg?: unknown;
}
export interface SubscribeMessage {
  subscribe: string[];
}
export interface MediaMessage {
  media: string;
  payload: unknown;
}
export type ClientMessage = CallMessage | SubscribeMessage | MediaMessage;

export interface ResultMessage {
  id: number;
  result?: unknown;
}
export interface ErrorMessage {
  id: number;
  error: { code: string; message: string };
}
export interface TopicMessage {
  topic: string;
  payload: unknown;
}
export type HostMessage = ResultMessage | ErrorMessage | TopicMessage;

/** WebSocket close codes the host uses (4000–4999 are the application's range). */
export const CLOSE = {
  /** token missing or wrong */
  unauthorized: 4401,
  /** Origin or Host not allowed */
  forbidden: 4403,
  /** malformed frame */
  protocol: 1002,
  /** frame larger than the limit (ws sends this itself) */
  tooBig: 1009,
  /** the host is shutting down */
  goingAway: 1001,
} as const;
