/**
 * Payloads of the HID protocol's messages (layouts in docs/HID_PROTOCOL.md).
 * All little-endian; strings are UTF-8 with a u8 (names) or u16 (error
 * messages) byte length. Decoders check every length against the bytes
 * present and throw ProtocolError('payload', …) naming the field.
 */
import { ProtocolError } from './protocol';

// ------------------------------------------------------------ bytes

export class PayloadWriter {
  private buf = new Uint8Array(64);
  private dv = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): this {
    this.ensure(1);
    this.dv.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.dv.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.dv.setUint32(this.length, v, true);
    this.length += 4;
    return this;
  }
  i32(v: number): this {
    this.ensure(4);
    this.dv.setInt32(this.length, v, true);
    this.length += 4;
    return this;
  }
  f32(v: number): this {
    this.ensure(4);
    this.dv.setFloat32(this.length, v, true);
    this.length += 4;
    return this;
  }
  f64(v: number): this {
    this.ensure(8);
    this.dv.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** LEB128 unsigned */
  varint(v: number): this {
    while (v >= 0x80) {
      this.u8((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    return this.u8(v);
  }
  str8(s: string): this {
    const b = truncateUtf8(s, 255);
    return this.u8(b.length).bytes(b);
  }
  str16(s: string): this {
    const b = truncateUtf8(s, 4096);
    return this.u16(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function truncateUtf8(s: string, max: number): Uint8Array {
  let b = new TextEncoder().encode(s);
  if (b.length <= max) return b;
  b = b.subarray(0, max);
  // never cut inside a multi-byte character
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

export class PayloadReader {
  private pos = 0;
  private readonly dv: DataView;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number, field: string): number {
    if (this.pos + n > this.b.length) throw new ProtocolError('payload', `${this.what}: ${field} needs ${n} bytes at offset ${this.pos}, the payload has ${this.b.length}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(f: string): number {
    return this.dv.getUint8(this.need(1, f));
  }
  u16(f: string): number {
    return this.dv.getUint16(this.need(2, f), true);
  }
  u32(f: string): number {
    return this.dv.getUint32(this.need(4, f), true);
  }
  i32(f: string): number {
    return this.dv.getInt32(this.need(4, f), true);
  }
  f32(f: string): number {
    return this.dv.getFloat32(this.need(4, f), true);
  }
  f64(f: string): number {
    return this.dv.getFloat64(this.need(8, f), true);
  }
  bytes(n: number, f: string): Uint8Array {
    const at = this.need(n, f);
    return this.b.subarray(at, at + n);
  }
  rest(): Uint8Array {
    const r = this.b.subarray(this.pos);
    this.pos = this.b.length;
    return r;
  }
  varint(f: string): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8(f);
      v += (byte & 0x7f) * scale;
      if (!(byte & 0x80)) return v;
      scale *= 128;
    }
    throw new ProtocolError('payload', `${this.what}: ${f} is a varint longer than 5 bytes`);
  }
  str8(f: string): string {
    return this.utf8(this.u8(f), f);
  }
  str16(f: string): string {
    return this.utf8(this.u16(f), f);
  }
  private utf8(n: number, f: string): string {
    const b = this.bytes(n, f);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      throw new ProtocolError('payload', `${this.what}: ${f} is not valid UTF-8`);
    }
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
  end(): void {
    if (this.pos !== this.b.length) throw new ProtocolError('payload', `${this.what}: ${this.b.length - this.pos} unexpected bytes after the last field`);
  }
}

// ------------------------------------------------------------ IDENTIFY

export interface DeviceIdentity {
  vendorId: number;
  productId: number;
  firmware: [number, number, number];
  protocol: number;
  /** neural processors available */
  maxNps: number;
  /** bit i set: weights of 2^i bits supported (1, 2, 4, 8 → 0b1111) */
  weightBitsMask: number;
  activationBitsMask: number;
  maxModelBytes: number;
  maxFrameBytes: number;
  name: string;
  serial: string;
}

export function encodeIdentity(d: DeviceIdentity): Uint8Array {
  return new PayloadWriter()
    .u16(d.vendorId)
    .u16(d.productId)
    .u8(d.firmware[0])
    .u8(d.firmware[1])
    .u8(d.firmware[2])
    .u8(d.protocol)
    .u16(d.maxNps)
    .u8(d.weightBitsMask)
    .u8(d.activationBitsMask)
    .u32(d.maxModelBytes)
    .u32(d.maxFrameBytes)
    .str8(d.name)
    .str8(d.serial)
    .finish();
}

export function decodeIdentity(b: Uint8Array): DeviceIdentity {
  const r = new PayloadReader(b, 'IDENTIFY');
  const d: DeviceIdentity = {
    vendorId: r.u16('vendorId'),
    productId: r.u16('productId'),
    firmware: [r.u8('firmware'), r.u8('firmware'), r.u8('firmware')],
    protocol: r.u8('protocol'),
    maxNps: r.u16('maxNps'),
    weightBitsMask: r.u8('weightBitsMask'),
    activationBitsMask: r.u8('activationBitsMask'),
    maxModelBytes: r.u32('maxModelBytes'),
    maxFrameBytes: r.u32('maxFrameBytes'),
    name: r.str8('name'),
    serial: r.str8('serial'),
  };
  r.end();
  return d;
}

// ------------------------------------------------------------ LOAD

export function encodeLoadBegin(totalBytes: number, crc32: number): Uint8Array {
  return new PayloadWriter().u32(totalBytes).u32(crc32 >>> 0).finish();
}
export function decodeLoadBegin(b: Uint8Array): { totalBytes: number; crc32: number } {
  const r = new PayloadReader(b, 'LOAD_BEGIN');
  const v = { totalBytes: r.u32('totalBytes'), crc32: r.u32('crc32') };
  r.end();
  return v;
}
/** LOAD_BEGIN's answer: the largest chunk the device takes */
export function encodeLoadReady(chunkBytes: number): Uint8Array {
  return new PayloadWriter().u32(chunkBytes).finish();
}
export function decodeLoadReady(b: Uint8Array): number {
  const r = new PayloadReader(b, 'LOAD_BEGIN response');
  const v = r.u32('chunkBytes');
  r.end();
  return v;
}

export function encodeLoadChunk(offset: number, data: Uint8Array): Uint8Array {
  return new PayloadWriter().u32(offset).bytes(data).finish();
}
export function decodeLoadChunk(b: Uint8Array): { offset: number; data: Uint8Array } {
  const r = new PayloadReader(b, 'LOAD_CHUNK');
  return { offset: r.u32('offset'), data: r.rest() };
}
/** LOAD_CHUNK's ack: bytes received so far (the next expected offset) */
export function encodeLoadAck(received: number): Uint8Array {
  return new PayloadWriter().u32(received).finish();
}
export function decodeLoadAck(b: Uint8Array): number {
  const r = new PayloadReader(b, 'LOAD_CHUNK ack');
  const v = r.u32('received');
  r.end();
  return v;
}

export interface LoadedModelInfo {
  name: string;
  input: { height: number; width: number; channels: number; bits: number };
  outputs: number;
  layers: number;
  labels: string[];
}

export function encodeLoaded(m: LoadedModelInfo): Uint8Array {
  const w = new PayloadWriter().str8(m.name).u16(m.input.height).u16(m.input.width).u16(m.input.channels).u8(m.input.bits).u32(m.outputs).u16(m.layers).u16(m.labels.length);
  for (const l of m.labels) w.str8(l);
  return w.finish();
}
export function decodeLoaded(b: Uint8Array): LoadedModelInfo {
  const r = new PayloadReader(b, 'LOAD_END response');
  const name = r.str8('name');
  const input = { height: r.u16('input height'), width: r.u16('input width'), channels: r.u16('input channels'), bits: r.u8('input bits') };
  const outputs = r.u32('outputs');
  const layers = r.u16('layers');
  const n = r.u16('label count');
  const labels: string[] = [];
  for (let i = 0; i < n; i++) labels.push(r.str8(`label ${i}`));
  r.end();
  return { name, input, outputs, layers, labels };
}

// ------------------------------------------------------------ STREAM_FRAME (sparse input)

export const FrameEncoding = { DENSE: 0, SPARSE: 1 } as const;

/**
 * Encodes a frame (HWC uint8) as the smaller of dense bytes and sparse
 * (gap, value) pairs — gap = zeros before the value as a LEB128 varint.
 * Event frames are mostly zero, so sparse is usually several times smaller.
 */
export function encodeFrame(frameId: number, frame: Uint8Array): Uint8Array {
  let nonZero = 0;
  for (let i = 0; i < frame.length; i++) if (frame[i] !== 0) nonZero++;
  const w = new PayloadWriter().u32(frameId >>> 0);
  // a pair is ≥ 2 bytes: sparse wins below half density (exactly: when its bytes are fewer)
  if (nonZero * 2 < frame.length) {
    w.u8(FrameEncoding.SPARSE).u32(frame.length);
    let gap = 0;
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i];
      if (v === 0) {
        gap++;
        continue;
      }
      w.varint(gap).u8(v);
      gap = 0;
    }
    const sparse = w.finish();
    if (sparse.length < 9 + frame.length) return sparse;
  }
  return new PayloadWriter().u32(frameId >>> 0).u8(FrameEncoding.DENSE).u32(frame.length).bytes(frame).finish();
}

export function decodeFrame(b: Uint8Array, maxBytes: number): { frameId: number; frame: Uint8Array } {
  const r = new PayloadReader(b, 'STREAM_FRAME');
  const frameId = r.u32('frameId');
  const enc = r.u8('encoding');
  const n = r.u32('frame length');
  if (n > maxBytes) throw new ProtocolError('payload', `STREAM_FRAME: a frame of ${n} bytes exceeds the device's ${maxBytes}`);
  if (enc === FrameEncoding.DENSE) {
    const frame = r.bytes(n, 'frame').slice();
    r.end();
    return { frameId, frame };
  }
  if (enc !== FrameEncoding.SPARSE) throw new ProtocolError('payload', `STREAM_FRAME: unknown encoding ${enc}`);
  const frame = new Uint8Array(n);
  let at = 0;
  while (r.remaining > 0) {
    at += r.varint('gap');
    const v = r.u8('value');
    if (at >= n) throw new ProtocolError('payload', `STREAM_FRAME: a sparse value lands at index ${at}, past the ${n}-byte frame`);
    if (v === 0) throw new ProtocolError('payload', `STREAM_FRAME: a sparse pair with value 0 at index ${at}`);
    frame[at++] = v;
  }
  return { frameId, frame };
}

// ------------------------------------------------------------ RESULT

export interface DeviceStats {
  inputEvents: number;
  outputEvents: number;
  executedOps: number;
  denseMacs: number;
  /** inference time on the device, µs */
  inferUs: number;
  /** per layer: non-zero outputs, executed ops */
  layers: { outputEvents: number; executedOps: number }[];
}

export interface DeviceResult {
  frameId: number;
  output: Int32Array;
  scores: Float32Array | null;
  stats: DeviceStats;
}

export function encodeResult(r: DeviceResult): Uint8Array {
  const w = new PayloadWriter().u32(r.frameId >>> 0).u32(r.output.length);
  for (const v of r.output) w.i32(v);
  w.u8(r.scores ? 1 : 0);
  if (r.scores) {
    if (r.scores.length !== r.output.length) throw new RangeError('scores and output differ in length');
    for (const v of r.scores) w.f32(v);
  }
  const s = r.stats;
  w.u32(s.inputEvents).u32(s.outputEvents).f64(s.executedOps).f64(s.denseMacs).u32(Math.min(0xffffffff, Math.round(s.inferUs))).u16(s.layers.length);
  for (const l of s.layers) w.u32(l.outputEvents).f64(l.executedOps);
  return w.finish();
}

export function decodeResult(b: Uint8Array): DeviceResult {
  const r = new PayloadReader(b, 'RESULT');
  const frameId = r.u32('frameId');
  const n = r.u32('output count');
  if (n * 4 > r.remaining) throw new ProtocolError('payload', `RESULT: ${n} outputs need ${n * 4} bytes, ${r.remaining} remain`);
  const output = new Int32Array(n);
  for (let i = 0; i < n; i++) output[i] = r.i32('output');
  const has = r.u8('hasScores');
  if (has > 1) throw new ProtocolError('payload', `RESULT: hasScores is ${has}`);
  let scores: Float32Array | null = null;
  if (has) {
    if (n * 4 > r.remaining) throw new ProtocolError('payload', `RESULT: ${n} scores need ${n * 4} bytes, ${r.remaining} remain`);
    scores = new Float32Array(n);
    for (let i = 0; i < n; i++) scores[i] = r.f32('score');
  }
  const stats: DeviceStats = {
    inputEvents: r.u32('inputEvents'),
    outputEvents: r.u32('outputEvents'),
    executedOps: r.f64('executedOps'),
    denseMacs: r.f64('denseMacs'),
    inferUs: r.u32('inferUs'),
    layers: [],
  };
  const layers = r.u16('layers');
  for (let i = 0; i < layers; i++) stats.layers.push({ outputEvents: r.u32(`layer ${i} outputEvents`), executedOps: r.f64(`layer ${i} executedOps`) });
  r.end();
  return { frameId, output, scores, stats };
}

// ------------------------------------------------------------ STATUS

export const DeviceState = { IDLE: 0, LOADING: 1, READY: 2, ERROR: 3 } as const;
export const DEVICE_STATE_NAMES = ['idle', 'loading', 'ready', 'error'] as const;
export type DeviceStateName = (typeof DEVICE_STATE_NAMES)[number];

export interface DeviceStatus {
  state: DeviceStateName;
  /** CRC-32 of the loaded model, 0 when none */
  modelCrc: number;
  framesProcessed: number;
  errors: number;
  uptimeMs: number;
}

export function encodeStatus(s: DeviceStatus): Uint8Array {
  return new PayloadWriter().u8(DEVICE_STATE_NAMES.indexOf(s.state)).u32(s.modelCrc >>> 0).u32(s.framesProcessed >>> 0).u32(s.errors >>> 0).u32(Math.min(0xffffffff, s.uptimeMs)).finish();
}
export function decodeStatus(b: Uint8Array): DeviceStatus {
  const r = new PayloadReader(b, 'STATUS');
  const st = r.u8('state');
  if (st >= DEVICE_STATE_NAMES.length) throw new ProtocolError('payload', `STATUS: unknown state ${st}`);
  const s: DeviceStatus = { state: DEVICE_STATE_NAMES[st], modelCrc: r.u32('modelCrc'), framesProcessed: r.u32('framesProcessed'), errors: r.u32('errors'), uptimeMs: r.u32('uptimeMs') };
  r.end();
  return s;
}

// ------------------------------------------------------------ ERROR

export const DeviceErrorCode = {
  BAD_REQUEST: 1,
  NO_MODEL: 2,
  MODEL_INVALID: 3,
  HASH_MISMATCH: 4,
  FRAME_SIZE: 5,
  BUSY: 6,
  TOO_LARGE: 7,
  LOAD_SEQUENCE: 8,
  INTERNAL: 9,
} as const;
export const DEVICE_ERROR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DeviceErrorCode).map(([k, v]) => [v, k]));

export interface DeviceErrorPayload {
  code: number;
  /** the opcode of the request that failed */
  requestOpcode: number;
  message: string;
}

export function encodeError(e: DeviceErrorPayload): Uint8Array {
  return new PayloadWriter().u16(e.code).u8(e.requestOpcode).str16(e.message).finish();
}
export function decodeError(b: Uint8Array): DeviceErrorPayload {
  const r = new PayloadReader(b, 'ERROR');
  const e = { code: r.u16('code'), requestOpcode: r.u8('requestOpcode'), message: r.str16('message') };
  r.end();
  return e;
}
