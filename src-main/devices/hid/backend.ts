/**
 * Where inference runs: `InferenceBackend`, with two implementations that
 * give identical outputs bit for bit —
 * - simulator: NsocRuntime in this thread (the default; the pipeline may
 *   host it in its engine worker);
 * - hid-device: an NSoC attached over USB HID (or the software device on a
 *   loopback), through the report protocol. It survives unplugging: on a
 *   lost link it reopens with backoff, identifies the device again and
 *   re-uploads the last model when the device no longer holds it.
 */
import { crc32 } from '../../../src-engine/nsoc/model-file/crc32';
import { decodeModel } from '../../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../../src-engine/nsoc/runtime';
import type { Backend } from '../../ipc/contract';
import { capabilityProblems } from './capabilities';
import { HidClient, type RequestOptions } from './client';
import {
  decodeIdentity,
  decodeLoadAck,
  decodeLoaded,
  decodeLoadReady,
  decodeResult,
  decodeStatus,
  type DeviceIdentity,
  type DeviceStats,
  encodeFrame,
  encodeLoadBegin,
  encodeLoadChunk,
  type LoadedModelInfo,
} from './messages';
import { MAX_MESSAGE_BYTES, Op, ProtocolError } from './protocol';
import type { HidTransport } from './transport';

export type BackendModel = LoadedModelInfo;

export interface BackendResult {
  /** the last layer's int32 output */
  output: Int32Array;
  /** outputScale·output + outputBias, when the model has them */
  scores: Float32Array | null;
  stats: DeviceStats;
}

export type BackendState = 'idle' | 'ready' | 'busy' | 'reconnecting' | 'error';

export interface BackendStatus {
  kind: Backend;
  /** "Simulated NSoC" / "Neurolive software NSoC SW-0001 (fw 1.0.0)" */
  label: string;
  state: BackendState;
  error?: string;
  model: BackendModel | null;
  framesProcessed: number;
  device?: DeviceIdentity;
}

export interface InferenceBackend {
  readonly kind: Backend;
  /** loads a .nlm model (replacing the current one) */
  load(modelBytes: Uint8Array): Promise<BackendModel>;
  /** runs one HWC uint8 frame of the model's input shape */
  infer(frame: Uint8Array): Promise<BackendResult>;
  status(): Promise<BackendStatus>;
  close(): Promise<void>;
}

function modelInfo(rt: NsocRuntime): BackendModel {
  const [h, w, c] = rt.plan.layers[rt.plan.layers.length - 1].outShape;
  const i = rt.model.input;
  return { name: rt.model.name, input: { height: i.height, width: i.width, channels: i.channels, bits: i.bits }, outputs: h * w * c, layers: rt.plan.layers.length, labels: rt.model.labels };
}

// ------------------------------------------------------------ simulator

export function createSimulatorBackend(opts: { engine?: 'wasm' | 'js' } = {}): InferenceBackend {
  let rt: NsocRuntime | null = null;
  let model: BackendModel | null = null;
  let frames = 0;
  return {
    kind: 'simulator',
    async load(bytes) {
      rt = null;
      model = null;
      const next = new NsocRuntime(decodeModel(bytes, 'model'), opts.engine ? { engine: opts.engine } : {});
      rt = next;
      model = modelInfo(next);
      return model;
    },
    async infer(frame) {
      if (!rt) throw new Error('simulator: no model is loaded');
      const t0 = performance.now();
      const r = rt.infer(frame);
      const inferUs = (performance.now() - t0) * 1000;
      frames++;
      const s = r.stats;
      return {
        output: r.output,
        scores: r.scores ?? null,
        stats: { inputEvents: s.inputEvents, outputEvents: s.outputEvents, executedOps: s.executedOps, denseMacs: s.denseMacs, inferUs, layers: s.layers.map((l) => ({ outputEvents: l.outputEvents, executedOps: l.executedOps })) },
      };
    },
    async status() {
      return { kind: 'simulator', label: 'Simulated NSoC', state: rt ? 'ready' : 'idle', model, framesProcessed: frames };
    },
    async close() {
      rt = null;
    },
  };
}

// ------------------------------------------------------------ HID device

export interface HidBackendOptions extends RequestOptions {
  /** first wait before reopening a lost link (default 100 ms), doubling up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** told of every state change (the UI shows reconnecting / error) */
  onStateChange?: (s: BackendState, error?: string) => void;
}

export interface HidBackend extends InferenceBackend {
  readonly identity: DeviceIdentity | null;
  readonly reconnects: number;
  /** resolves once the link is up again (or at once when it is) */
  whenConnected(): Promise<void>;
  readonly client: HidClient | null;
}

/**
 * An InferenceBackend on a HID device. `open` gives a fresh transport each
 * time it is called (hid-host's opener, or a loopback in tests); it is
 * called again after the link is lost.
 */
export async function createHidBackend(open: () => Promise<HidTransport>, opts: HidBackendOptions = {}): Promise<HidBackend> {
  let client: HidClient | null = null;
  let identity: DeviceIdentity | null = null;
  let model: BackendModel | null = null;
  let modelBytes: Uint8Array | null = null;
  let modelCrc = 0;
  let frameId = 0;
  let frames = 0;
  let state: BackendState = 'idle';
  let lastError: string | undefined;
  let closed = false;
  let reconnects = 0;
  let connecting: Promise<void> | null = null;
  const req: RequestOptions = { timeoutMs: opts.timeoutMs, retries: opts.retries };

  const setState = (s: BackendState, error?: string) => {
    state = s;
    lastError = error;
    opts.onStateChange?.(s, error);
  };

  const upload = async (c: HidClient, bytes: Uint8Array): Promise<BackendModel> => {
    if (identity) {
      // refuse here, readably, what the device would refuse after the whole transfer
      if (bytes.length > identity.maxModelBytes) throw new Error(`the model is ${bytes.length} bytes; ${identity.name} takes at most ${identity.maxModelBytes}`);
      const problems = capabilityProblems(decodeModel(bytes, 'model'), identity);
      if (problems.length) throw new Error(`${identity.name} cannot run this model: ${problems.join('; ')}`);
    }
    const crc = crc32(bytes);
    const chunk = Math.min(decodeLoadReady(await c.request(Op.LOAD_BEGIN, encodeLoadBegin(bytes.length, crc), req)), MAX_MESSAGE_BYTES - 8);
    if (!(chunk >= 1)) throw new ProtocolError('payload', `the device asked for chunks of ${chunk} bytes`);
    for (let off = 0; off < bytes.length; off += chunk) {
      const data = bytes.subarray(off, Math.min(bytes.length, off + chunk));
      const received = decodeLoadAck(await c.request(Op.LOAD_CHUNK, encodeLoadChunk(off, data), req));
      if (received !== off + data.length) throw new ProtocolError('sequence', `the device acknowledged ${received} bytes after the chunk at ${off} (expected ${off + data.length})`);
    }
    const info = decodeLoaded(await c.request(Op.LOAD_END, new Uint8Array(0), req));
    modelCrc = crc;
    return info;
  };

  const connect = async (): Promise<void> => {
    const t = await open();
    const c = new HidClient(t, req);
    try {
      identity = decodeIdentity(await c.request(Op.IDENTIFY, new Uint8Array(0), req));
      // state restore: the device may have kept the model (a glitch) or lost it (power cycle)
      if (modelBytes) {
        const st = decodeStatus(await c.request(Op.STATUS, new Uint8Array(0), req));
        if (!(st.state === 'ready' && st.modelCrc === modelCrc)) model = await upload(c, modelBytes);
      }
    } catch (e) {
      c.dispose();
      await t.close().catch(() => undefined);
      throw e;
    }
    client = c;
    t.onClose((reason) => {
      if (client !== c) return;
      c.dispose();
      client = null;
      if (closed) return;
      setState('reconnecting', reason?.message ?? 'link closed');
      void reconnect();
    });
    setState(model ? 'ready' : 'idle');
  };

  const reconnect = (): Promise<void> => {
    if (connecting) return connecting;
    connecting = (async () => {
      let wait = opts.backoffMs ?? 100;
      const max = opts.maxBackoffMs ?? 2000;
      while (!closed) {
        await new Promise((r) => setTimeout(r, wait));
        if (closed) return;
        try {
          await connect();
          reconnects++;
          return;
        } catch (e) {
          setState('reconnecting', e instanceof Error ? e.message : String(e));
          wait = Math.min(max, wait * 2);
        }
      }
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const live = (): HidClient => {
    if (!client) throw new ProtocolError('closed', state === 'reconnecting' ? `the device is reconnecting (${lastError ?? 'link lost'})` : 'the device is not connected');
    return client;
  };

  await connect();

  return {
    kind: 'hid-device',
    get identity() {
      return identity;
    },
    get reconnects() {
      return reconnects;
    },
    get client() {
      return client;
    },
    whenConnected: () => (client ? Promise.resolve() : reconnect()),
    async load(bytes) {
      const c = live();
      setState('busy');
      try {
        model = null;
        modelBytes = bytes.slice();
        model = await upload(c, modelBytes);
        setState('ready');
        return model;
      } catch (e) {
        modelBytes = null;
        setState(client ? 'error' : state, e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    async infer(frame) {
      const c = live();
      if (!model) throw new ProtocolError('device', 'no model is loaded on the device');
      const id = (frameId = (frameId + 1) >>> 0);
      const r = decodeResult(await c.request(Op.STREAM_FRAME, encodeFrame(id, frame), req));
      if (r.frameId !== id) throw new ProtocolError('sequence', `result for frame ${r.frameId}, expected ${id}`);
      frames++;
      return { output: r.output, scores: r.scores, stats: r.stats };
    },
    async status() {
      const d = identity;
      const label = d ? `${d.name} ${d.serial} (fw ${d.firmware.join('.')})` : 'USB NSoC';
      return { kind: 'hid-device', label, state, ...(lastError ? { error: lastError } : {}), model, framesProcessed: frames, ...(d ? { device: d } : {}) };
    },
    async close() {
      closed = true;
      const c = client;
      client = null;
      if (c) {
        c.dispose();
        await c.transport.close().catch(() => undefined);
      }
    },
  };
}
