/**
 * A software NSoC that speaks the HID protocol on a transport (the loopback's
 * device end) and runs the real NsocRuntime: the reference the host code is
 * tested against, and a stand-in for hardware in demos.
 *
 * Like firmware would, it:
 * - answers a repeated seq with its cached answer instead of executing again
 *   (the host resends after a lost report);
 * - drops reports that fail their checks (CRC, order …) and counts them;
 * - answers a complete but invalid request with ERROR (code + message);
 * - checks the uploaded model's length and CRC-32 before decoding it.
 */
import { crc32 } from '../../../src-engine/nsoc/model-file/crc32';
import { decodeModel } from '../../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../../src-engine/nsoc/runtime';
import {
  decodeFrame,
  decodeLoadBegin,
  decodeLoadChunk,
  DeviceErrorCode,
  type DeviceIdentity,
  type DeviceStatus,
  encodeError,
  encodeIdentity,
  encodeLoadAck,
  encodeLoaded,
  encodeLoadReady,
  encodeResult,
  encodeStatus,
} from './messages';
import { capabilityProblems } from './capabilities';
import { fragment, type Message, Op, PROTOCOL_VERSION, ProtocolError, Reassembler } from './protocol';
import type { HidTransport } from './transport';

/** pid.codes' open-source test VID/PID range; a shipped product gets its own pair. */
export const NEUROLIVE_VENDOR_ID = 0x1209;
export const NEUROLIVE_PRODUCT_ID = 0x4e4c;
/** vendor-defined usage page (0xFF00–0xFFFF) and usage the device's interface declares */
export const NEUROLIVE_USAGE_PAGE = 0xff4e;
export const NEUROLIVE_USAGE = 0x01;

export const DEFAULT_IDENTITY: DeviceIdentity = {
  vendorId: NEUROLIVE_VENDOR_ID,
  productId: NEUROLIVE_PRODUCT_ID,
  firmware: [1, 0, 0],
  protocol: PROTOCOL_VERSION,
  maxNps: 80,
  weightBitsMask: 0b1111, // 1, 2, 4, 8
  activationBitsMask: 0b0111, // 1, 2, 4
  maxModelBytes: 16 << 20,
  maxFrameBytes: 1 << 20,
  name: 'Neurolive software NSoC',
  serial: 'SW-0001',
};

/** the device's preferred LOAD_CHUNK data size */
export const DEVICE_CHUNK_BYTES = 4096;

class DeviceFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SoftwareDeviceOptions {
  identity?: Partial<DeviceIdentity>;
  /** runtime execution path (default: event path, WebAssembly where available) */
  engine?: 'wasm' | 'js';
  clock?: () => number;
}

export class SoftwareHidDevice {
  readonly identity: DeviceIdentity;
  private transport: HidTransport | null = null;
  private unsubscribe: (() => void)[] = [];
  private readonly reassembler = new Reassembler();
  private runtime: NsocRuntime | null = null;
  private modelCrc = 0;
  private load: { total: number; crc: number; buf: Uint8Array; received: number } | null = null;
  private last: { seq: number; opcode: number; reports: Uint8Array[] } | null = null;
  private readonly started: number;
  private readonly clock: () => number;
  framesProcessed = 0;
  errors = 0;
  /** reports dropped as malformed */
  badReports = 0;
  /** requests answered from the cache (retries) */
  replays = 0;

  constructor(private readonly opts: SoftwareDeviceOptions = {}) {
    this.identity = { ...DEFAULT_IDENTITY, ...opts.identity };
    this.clock = opts.clock ?? (() => performance.now());
    this.started = this.clock();
  }

  /** Attaches to a transport (the loopback's device end); replaces an earlier one. The model survives (as in RAM) until RESET. */
  attach(transport: HidTransport): void {
    this.detach();
    this.transport = transport;
    this.reassembler.reset();
    this.unsubscribe = [transport.onReport((r) => this.onReport(r)), transport.onClose(() => this.detach())];
  }

  detach(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.transport = null;
  }

  /** Power cycle: forgets everything. */
  powerCycle(): void {
    this.runtime = null;
    this.modelCrc = 0;
    this.load = null;
    this.last = null;
  }

  status(): DeviceStatus {
    return {
      state: this.load ? 'loading' : this.runtime ? 'ready' : 'idle',
      modelCrc: this.modelCrc,
      framesProcessed: this.framesProcessed,
      errors: this.errors,
      uptimeMs: Math.round(this.clock() - this.started),
    };
  }

  private onReport(bytes: Uint8Array): void {
    let m: Message | null;
    try {
      m = this.reassembler.push(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.badReports++;
      return;
    }
    if (!m || m.response) return;
    void this.answer(m);
  }

  private async answer(m: Message): Promise<void> {
    const t = this.transport;
    if (!t) return;
    let reports: Uint8Array[];
    if (this.last && this.last.seq === m.seq && this.last.opcode === m.opcode) {
      this.replays++;
      reports = this.last.reports;
    } else {
      let opcode: number;
      let payload: Uint8Array;
      try {
        [opcode, payload] = this.execute(m);
      } catch (e) {
        this.errors++;
        const code = e instanceof DeviceFailure ? e.code : e instanceof ProtocolError ? DeviceErrorCode.BAD_REQUEST : DeviceErrorCode.INTERNAL;
        opcode = Op.ERROR;
        payload = encodeError({ code, requestOpcode: m.opcode, message: e instanceof Error ? e.message : String(e) });
      }
      reports = fragment({ opcode, seq: m.seq, response: true, payload });
      this.last = { seq: m.seq, opcode: m.opcode, reports };
    }
    try {
      for (const r of reports) await t.write(r);
    } catch {
      // unplugged mid-answer: the host retries or gives up
    }
  }

  private execute(m: Message): [number, Uint8Array] {
    const empty = new Uint8Array(0);
    switch (m.opcode) {
      case Op.IDENTIFY:
        return [Op.IDENTIFY, encodeIdentity(this.identity)];
      case Op.STATUS:
        return [Op.STATUS, encodeStatus(this.status())];
      case Op.RESET:
        this.powerCycle();
        return [Op.RESET, empty];
      case Op.LOAD_BEGIN: {
        const { totalBytes, crc32: crc } = decodeLoadBegin(m.payload);
        if (totalBytes > this.identity.maxModelBytes) throw new DeviceFailure(DeviceErrorCode.TOO_LARGE, `a model of ${totalBytes} bytes exceeds this device's ${this.identity.maxModelBytes}`);
        this.runtime = null;
        this.modelCrc = 0;
        this.load = { total: totalBytes, crc, buf: new Uint8Array(totalBytes), received: 0 };
        return [Op.LOAD_BEGIN, encodeLoadReady(DEVICE_CHUNK_BYTES)];
      }
      case Op.LOAD_CHUNK: {
        const l = this.load;
        if (!l) throw new DeviceFailure(DeviceErrorCode.LOAD_SEQUENCE, 'LOAD_CHUNK without LOAD_BEGIN');
        const { offset, data } = decodeLoadChunk(m.payload);
        if (offset !== l.received) throw new DeviceFailure(DeviceErrorCode.LOAD_SEQUENCE, `chunk at offset ${offset}, expected ${l.received}`);
        if (data.length > DEVICE_CHUNK_BYTES) throw new DeviceFailure(DeviceErrorCode.TOO_LARGE, `chunk of ${data.length} bytes, the device takes ${DEVICE_CHUNK_BYTES}`);
        if (offset + data.length > l.total) throw new DeviceFailure(DeviceErrorCode.LOAD_SEQUENCE, `chunk ends at ${offset + data.length}, past the announced ${l.total} bytes`);
        l.buf.set(data, offset);
        l.received += data.length;
        return [Op.LOAD_CHUNK, encodeLoadAck(l.received)];
      }
      case Op.LOAD_END: {
        const l = this.load;
        if (!l) throw new DeviceFailure(DeviceErrorCode.LOAD_SEQUENCE, 'LOAD_END without LOAD_BEGIN');
        this.load = null;
        if (l.received !== l.total) throw new DeviceFailure(DeviceErrorCode.LOAD_SEQUENCE, `received ${l.received} of ${l.total} bytes`);
        const crc = crc32(l.buf);
        if (crc !== l.crc) throw new DeviceFailure(DeviceErrorCode.HASH_MISMATCH, `model CRC-32 0x${crc.toString(16)} differs from the announced 0x${l.crc.toString(16)}`);
        let rt: NsocRuntime;
        try {
          const model = decodeModel(l.buf, 'uploaded model');
          const problems = capabilityProblems(model, this.identity);
          if (problems.length) throw new Error(`the model needs what this device lacks: ${problems.join('; ')}`);
          rt = new NsocRuntime(model, { ...(this.opts.engine ? { engine: this.opts.engine } : {}) });
        } catch (e) {
          throw new DeviceFailure(DeviceErrorCode.MODEL_INVALID, e instanceof Error ? e.message : String(e));
        }
        this.runtime = rt;
        this.modelCrc = crc;
        const [h, w, c] = rt.plan.layers[rt.plan.layers.length - 1].outShape;
        const input = rt.model.input;
        return [Op.LOAD_END, encodeLoaded({ name: rt.model.name, input: { height: input.height, width: input.width, channels: input.channels, bits: input.bits }, outputs: h * w * c, layers: rt.plan.layers.length, labels: rt.model.labels })];
      }
      case Op.STREAM_FRAME: {
        const rt = this.runtime;
        if (!rt) throw new DeviceFailure(DeviceErrorCode.NO_MODEL, 'no model is loaded');
        const { frameId, frame } = decodeFrame(m.payload, this.identity.maxFrameBytes);
        if (frame.length !== rt.plan.inputSize) throw new DeviceFailure(DeviceErrorCode.FRAME_SIZE, `a frame of ${frame.length} values; the model takes ${rt.plan.inputSize}`);
        const t0 = this.clock();
        let r;
        try {
          r = rt.infer(frame);
        } catch (e) {
          throw new DeviceFailure(DeviceErrorCode.BAD_REQUEST, e instanceof Error ? e.message : String(e));
        }
        const inferUs = (this.clock() - t0) * 1000;
        this.framesProcessed++;
        const s = r.stats;
        return [
          Op.RESULT,
          encodeResult({
            frameId,
            output: r.output,
            scores: r.scores ?? null,
            stats: { inputEvents: s.inputEvents, outputEvents: s.outputEvents, executedOps: s.executedOps, denseMacs: s.denseMacs, inferUs, layers: s.layers.map((l) => ({ outputEvents: l.outputEvents, executedOps: l.executedOps })) },
          }),
        ];
      }
      default:
        throw new DeviceFailure(DeviceErrorCode.BAD_REQUEST, `opcode 0x${m.opcode.toString(16)} is not a request`);
    }
  }
}
