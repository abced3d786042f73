/**
 * DEV ONLY (`?fake` in the URL): a simulated backend so screens can be built
 * and inspected without the host. `?fake&rate=5000000` streams that many
 * events per second (a rotating blob plus noise) to check the 2D view's frame
 * rate. End-to-end tests never use this: they run the real browser host.
 */
import type {
  ClassInfo,
  LiveState,
  Media,
  MediaName,
  ModelInfo,
  NeuroliveApi,
  Settings,
  SourceSpec,
  TakeInfo,
  TopicName,
  Topics,
} from '../../../src-main/ipc/contract';
import { ApiError } from '../../../src-main/ipc/contract';

const W = 128;
const H = 128;

export function createFakeApi(params: URLSearchParams): NeuroliveApi {
  const rate = Number(params.get('rate') ?? 400_000);
  const listeners = new Map<TopicName, Set<(p: unknown) => void>>();
  const emit = <T extends TopicName>(topic: T, payload: Topics[T]) => listeners.get(topic)?.forEach((l) => l(payload));

  const labels = ['wave', 'clap', 'circle', 'swipe', 'background'];
  const colours = ['#58a6ff', '#3fb950', '#f0883e', '#d2a8ff', '#6e7681'];
  let classes: ClassInfo[] = labels.map((name, i) => ({ id: i + 1, modelId: 'm1', name, colour: colours[i], origin: 'pretrained', shots: 0, createdAt: 0 }));
  let nextId = 100;
  const layers = ['conv1', 'conv2', 'conv3', 'conv4', 'fc'];
  const model: ModelInfo = {
    id: 'm1',
    name: 'DVS Gesture (tiny)',
    task: 'gesture',
    sensor: 'dvs',
    labels,
    input: { width: 64, height: 64, bins: 4, polarities: 2, windowUs: 200_000, sensorWidth: 128, sensorHeight: 128 },
    sizeBytes: 182_000,
    neuralProcessors: 12,
    accuracy: { float: 0.93, quantized: 0.915, evaluatedOn: 'DVS Gesture test (fake)' },
    sparsity: 0.81,
    macsDense: 24_500_000,
    opsExecuted: 4_100_000,
    layers: layers.map((name, i) => ({
      name,
      kind: i < 4 ? 'conv' : 'dense',
      shape: i < 4 ? [32 >> (i >> 1), 32 >> (i >> 1), 16 << i] : [labels.length],
      weightBits: 4,
      activationBits: 4,
      sparsity: 0.6 + i * 0.07,
      macsDense: 8_000_000 >> i,
      opsExecuted: 1_600_000 >> i,
    })),
    builtin: true,
  };
  const models = [model, { ...model, id: 'm2', name: 'Keywords (yes/no/stop/go)', task: 'keywords', sensor: 'audio' as const, labels: ['yes', 'no', 'stop', 'go', 'unknown'], builtin: true }];
  let settings: Settings = {
    windowMs: 200,
    bins: 4,
    downsample: 2,
    denoise: true,
    learner: 'ncm',
    unknownThreshold: 0.5,
    binaryUnknownThreshold: 0.4,
    buttons: { '0x07:0x4F': 'enroll', '0x07:0x50': 'undo' },
    kiosk: { enabled: false, pin: '1234', idleSeconds: 30, visitorClassTtlMinutes: 30 },
  };
  const takes: TakeInfo[] = [];
  const state: LiveState = {
    source: { kind: 'demo', state: 'live', label: 'Built-in demo: wave', width: W, height: H, positionUs: 0, durationUs: 12_000_000, speed: 1, loop: true, groundTruth: 'wave' },
    backend: { kind: 'simulator', label: 'Simulated NSoC', state: 'ready' },
    model: { id: model.id, name: model.name },
    recording: null,
    kiosk: false,
    droppedWindows: 0,
    eventRate: rate,
    latency: { binnedMs: 1.2, inferredMs: 4.8, sentMs: 6.1 },
  };

  // ---- event stream: a blob on a circle, ON at its leading edge, OFF trailing
  let tUs = 0;
  let paused = false;
  let lastTick = performance.now();
  let window = 0;
  // chunks are precomputed (one per 1/64 turn) so the fake costs almost
  // nothing and a frame-rate check measures the renderer, not the generator
  const PER = 1 << 16;
  const pool = Array.from({ length: 64 }, (_, c) => {
    const t = new Float32Array(PER);
    const x = new Uint16Array(PER);
    const y = new Uint16Array(PER);
    const p = new Uint8Array(PER);
    for (let i = 0; i < PER; i++) {
      const a = ((c + i / PER) / 64) * Math.PI * 2;
      const noise = Math.random() < 0.1;
      const r = Math.sqrt(Math.random()) * 10;
      const th = Math.random() * Math.PI * 2;
      x[i] = noise ? (Math.random() * W) | 0 : Math.max(0, Math.min(W - 1, (W / 2 + Math.cos(a) * 38 + Math.cos(th) * r) | 0));
      y[i] = noise ? (Math.random() * H) | 0 : Math.max(0, Math.min(H - 1, (H / 2 + Math.sin(a) * 38 + Math.sin(th) * r) | 0));
      p[i] = noise ? (Math.random() < 0.5 ? 1 : 0) : Math.cos(th - a - Math.PI / 2) > 0 ? 1 : 0;
      t[i] = i / PER;
    }
    return { t, x, y, p };
  });
  let chunkNo = 0;
  const tick = () => {
    const now = performance.now();
    const dt = Math.min(100, now - lastTick);
    lastTick = now;
    if (!paused && state.source.state === 'live') {
      const n = Math.min(PER, Math.round((rate * dt) / 1000));
      const src = pool[chunkNo++ % pool.length];
      // scale the pool's 0..1 times onto this tick's duration
      const t = new Float32Array(n);
      const span = dt * 1000;
      for (let i = 0; i < n; i++) t[i] = src.t[i] * span;
      emit('events', { t0Us: tUs, width: W, height: H, t, x: src.x.subarray(0, n), y: src.y.subarray(0, n), p: src.p.subarray(0, n), total: n });
      tUs += span;
      if (state.recording) {
        state.recording.events += n;
        state.recording.durationUs = (Date.now() - state.recording.startedAt) * 1000;
      }
    }
  };
  const ev = setInterval(tick, 16);
  const slow = setInterval(() => {
    if (state.source.state !== 'live' || paused) return;
    window++;
    state.source.positionUs = tUs % (state.source.durationUs ?? 1);
    emit('state', structuredClone(state));
    const live = classes;
    const raw = live.map((c, i) => Math.max(0.01, 0.5 + 0.5 * Math.sin(tUs / 700_000 + i * 1.3)));
    const sum = raw.reduce((a, b) => a + b, 0);
    const scores = raw.map((v) => v / sum);
    const top = scores.indexOf(Math.max(...scores));
    emit('prediction', {
      tUs,
      window,
      labels: live.map((c) => c.name),
      colours: live.map((c) => c.colour),
      scores,
      top,
      unknown: scores[top] < 0.25,
      groundTruth: state.source.groundTruth,
    });
    emit('nsoc', {
      window,
      sparsity: layers.map((_, i) => Math.min(0.99, 0.6 + i * 0.07 + Math.random() * 0.05)),
      layerNames: layers,
      opsExecuted: 3_500_000 + Math.random() * 900_000,
      macsDense: 24_500_000,
      inferenceMs: 3 + Math.random() * 2,
      energyMicroJ: 40 + Math.random() * 8,
      powerMilliW: 180 + Math.random() * 30,
    });
  }, 200);
  void ev;
  void slow;

  const job = (label: string, total: number, then?: () => void) => {
    const jobId = `job-${Math.random().toString(36).slice(2, 8)}`;
    let done = 0;
    const id = setInterval(() => {
      done++;
      emit('progress', { jobId, label, done, total, finished: done >= total });
      if (done >= total) {
        clearInterval(id);
        then?.();
      }
    }, 250);
    return { jobId };
  };

  const api = {
    appInfo: async () => ({ name: 'Neurolive', version: '0.1.0-fake', runtime: 'browser' as const, platform: 'fake' }),
    getState: async () => structuredClone(state),
    listSources: async () => [
      { kind: 'demo' as const, label: 'Built-in demo', available: true, choices: ['wave', 'clap', 'keywords'] },
      { kind: 'file' as const, label: 'File', available: true },
      { kind: 'dv-tcp' as const, label: 'DV over TCP', available: true },
      { kind: 'webcam' as const, label: 'Webcam', available: true },
      { kind: 'microphone' as const, label: 'Microphone', available: true },
    ],
    startSource: async (spec: SourceSpec) => {
      const label = spec.kind === 'demo' ? `Built-in demo: ${spec.name ?? 'wave'}` : spec.kind === 'file' ? spec.path : spec.kind === 'dv-tcp' ? `${spec.host}:${spec.port}` : spec.kind;
      state.source = { kind: spec.kind, state: 'live', label, width: W, height: H, ...(spec.kind === 'demo' || spec.kind === 'file' || spec.kind === 'take' ? { positionUs: 0, durationUs: 12_000_000, speed: 1, loop: true } : {}) };
      paused = false;
      emit('state', structuredClone(state));
      return state.source;
    },
    stopSource: async () => {
      state.source = { ...state.source, state: 'idle' };
      emit('state', structuredClone(state));
    },
    playback: async (pb: { speed?: number; paused?: boolean; loop?: boolean; seekUs?: number }) => {
      if (pb.paused !== undefined) {
        paused = pb.paused;
        state.source.state = paused ? 'paused' : 'live';
      }
      if (pb.speed !== undefined) state.source.speed = pb.speed;
      if (pb.loop !== undefined) state.source.loop = pb.loop;
      if (pb.seekUs !== undefined) state.source.positionUs = pb.seekUs;
      emit('state', structuredClone(state));
      return state.source;
    },
    pickFile: async () => null,
    listModels: async () => models,
    selectModel: async ({ id }: { id: string }) => {
      const m = models.find((x) => x.id === id);
      if (!m) throw new ApiError('not-found', `no model ${id}`);
      state.model = { id: m.id, name: m.name };
      emit('state', structuredClone(state));
      return m;
    },
    importModel: async () => job('Converting model.onnx', 8, () => models.push({ ...model, id: `m${models.length + 1}`, name: 'imported', builtin: false })),
    setBackend: async ({ kind }: { kind: 'simulator' | 'hid-device' }) => {
      if (kind === 'hid-device') throw new ApiError('unavailable', 'No NSoC USB device is connected.');
      return state.backend;
    },
    listClasses: async () => classes,
    enroll: async (a: { classId?: number; name?: string; colour?: string }) => {
      await new Promise((r) => setTimeout(r, 400));
      let c = a.classId !== undefined ? classes.find((x) => x.id === a.classId) : undefined;
      if (c) c.shots++;
      else {
        c = { id: nextId++, modelId: 'm1', name: a.name ?? 'new', colour: a.colour ?? '#f778ba', origin: 'enrolled', shots: 1, createdAt: Date.now() };
        classes = [...classes, c];
      }
      emit('classes', classes);
      const pixels = new Uint8Array(32 * 32).map((_, i) => Math.max(0, 255 - Math.hypot((i % 32) - 16, (i >> 5) - 16) * 20));
      return { cls: c, learnMs: 3.2, preview: { width: 32, height: 32, pixels } };
    },
    undoShot: async ({ classId }: { classId: number }) => {
      const c = classes.find((x) => x.id === classId);
      if (!c) throw new ApiError('not-found', 'no such class');
      if (c.shots <= 1) {
        classes = classes.filter((x) => x !== c);
        emit('classes', classes);
        return null;
      }
      c.shots--;
      emit('classes', classes);
      return c;
    },
    renameClass: async ({ classId, name }: { classId: number; name: string }) => {
      const c = classes.find((x) => x.id === classId)!;
      c.name = name;
      emit('classes', classes);
      return c;
    },
    recolourClass: async ({ classId, colour }: { classId: number; colour: string }) => {
      const c = classes.find((x) => x.id === classId)!;
      c.colour = colour;
      emit('classes', classes);
      return c;
    },
    deleteClass: async ({ classId }: { classId: number }) => {
      classes = classes.filter((x) => x.id !== classId);
      emit('classes', classes);
    },
    resetClasses: async () => {
      classes = classes.filter((c) => c.origin === 'pretrained');
      emit('classes', classes);
      return classes;
    },
    exportClassPack: async ({ path }: { path: string }) => ({ path, classes: classes.length }),
    importClassPack: async () => classes,
    startRecording: async ({ label }: { label: string }) => {
      state.recording = { takeLabel: label, startedAt: Date.now(), events: 0, durationUs: 0 };
      emit('state', structuredClone(state));
      return { id: takes.length + 1, label, notes: '', sensor: 'demo', width: W, height: H, durationUs: 0, events: 0, createdAt: Date.now() };
    },
    stopRecording: async () => {
      const r = state.recording;
      if (!r) throw new ApiError('conflict', 'Not recording.');
      state.recording = null;
      const thumb = new Uint8Array(48 * 48).map(() => (Math.random() * 80) | 0);
      const t: TakeInfo = { id: takes.length + 1, label: r.takeLabel, notes: '', sensor: 'demo', width: W, height: H, durationUs: r.durationUs, events: r.events, createdAt: Date.now(), thumbnail: { width: 48, height: 48, pixels: thumb } };
      takes.push(t);
      emit('state', structuredClone(state));
      return t;
    },
    listTakes: async () => takes,
    deleteTake: async ({ id }: { id: number }) => {
      const i = takes.findIndex((t) => t.id === id);
      if (i >= 0) takes.splice(i, 1);
    },
    trimTake: async ({ id, startUs, endUs }: { id: number; startUs: number; endUs: number }) => {
      const t = takes.find((x) => x.id === id)!;
      t.durationUs = endUs - startUs;
      return t;
    },
    exportDataset: async () => job('Exporting takes', Math.max(1, takes.length) * 3),
    importDataset: async () => job('Importing takes', 4),
    getSettings: async () => settings,
    updateSettings: async (s: Partial<Settings>) => {
      settings = { ...settings, ...s };
      return settings;
    },
    setKiosk: async ({ enabled, pin }: { enabled: boolean; pin?: string }) => {
      if (!enabled && pin !== settings.kiosk.pin) throw new ApiError('forbidden', 'Wrong PIN.');
      state.kiosk = enabled;
      emit('state', structuredClone(state));
      return { enabled };
    },
    on: (topic: TopicName, l: (p: unknown) => void) => {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(l);
      return () => set.delete(l);
    },
    send: (_m: MediaName, _p: Media[MediaName]) => {},
  };
  return api as unknown as NeuroliveApi;
}
