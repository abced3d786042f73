/**
 * AppCore: the whole main-process application behind the typed contract,
 * independent of Electron. The Electron shell (IPC) and the browser host
 * (WebSocket) both wrap one AppCore: they hand it method calls, subscribe to
 * its topics and forward media. Every argument is parsed here with the
 * contract's zod schema, so no handler ever sees unvalidated input, and every
 * failure leaves as an ApiError with a message a person can read (never a stack).
 *
 * It owns the current source, the live pipeline (its engine runs in a worker
 * thread), the selected model, the settings and, when available, the
 * recording service. A source that fails (corrupt file, unplugged sensor)
 * shows 'error' and, after `fallbackToDemoMs`, the core switches to the demo.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Geometry } from '../../src-engine/events/batch';
import {
  ApiError,
  METHODS,
  type AppInfo,
  type Backend,
  type LiveState,
  type MediaName,
  type MethodName,
  type MethodResults,
  type ModelInfo,
  type SourceOption,
  type SourceSpec,
  type SourceStatus,
  type TopicName,
  type Topics,
} from '../ipc/contract';
import { listInstalledModels, loadModel, type LoadedModel } from '../models/load-model';
import { ImportJobs } from '../models/import/import-jobs';
import type Database from 'better-sqlite3';
import { DB_FILE_NAME, openDatabase } from '../db';
import { createRecordingApi, type RecordingApi } from '../recording';
import { WorkerEngine, type InferenceEngine } from '../pipeline/engine';
import { LivePipeline, type PipelineModel } from '../pipeline/live';
import { SettingsStore } from '../settings/store';
import { createDemoSource, demoName, listDemoFiles } from '../sources/demo';
import { DvTcpSource } from '../sources/dv-tcp';
import { MicrophoneSource, WebcamSource } from '../sources/media-source';
import { ReplaySource } from '../sources/replay';
import type { EventSource } from '../sources/types';
import { createHidButtons, type HidButtons, type HidButtonsOptions } from '../devices/buttons';
import { createBackendEngine, createHidBackend, defaultNsocDevices, type NsocDevices } from '../devices/hid';
import { ClassesWiring } from './classes-wiring';
import type { PickFileHook, PickPurpose } from './file-purposes';
import { checkAudio, checkVideo } from './media';
import { BUILTIN_TASKS, modelInfo } from './model-info';
import { TopicHub } from './topics';

/**
 * Settings.denoise: tonic's background-activity filter time. 10 ms drops
 * isolated noise events (no neighbour within 10 ms) while moving edges keep theirs.
 */
const DENOISE_US = 10_000;

export interface CoreOptions {
  userDataDir: string;
  /** the repo's resources/ (demo recordings, shipped models) */
  resourcesDir: string;
  runtime: 'electron' | 'browser';
  version: string;
  /** start the demo (and select a model) on create (default true) */
  autoStart?: boolean;
  /** a failed non-demo source falls back to the demo after this long (default 3000 ms; <0 never) */
  fallbackToDemoMs?: number;
  /** display tick (default 33 ms ≈ 30 Hz); state is published every third tick */
  tickMs?: number;
  /** the engine for a model (default: the simulated NSoC in a worker thread); tests pass slow fakes */
  engineFactory?: (model: LoadedModel) => Promise<InferenceEngine>;
  /** extra folders of model folders (default: <resources>/models and <userData>/models) */
  modelDirs?: string[];
  /** replay pacing slice (ms), for tests and the soak */
  replayTickMs?: number;
  /** HID buttons (clickers, pedals) → topic 'action' (default: on in Electron, off in the browser host); tests pass a fake `hid` */
  hidButtons?: boolean | Pick<HidButtonsOptions, 'hid' | 'rescanMs'>;
  /** where setBackend('hid-device') finds an NSoC (default: USB via node-hid; NEUROLIVE_SOFTWARE_HID=1: the software device on a loopback) */
  nsocDevices?: NsocDevices;
  /** a native file dialog (the Electron shell passes src-main/electron/file-dialog.ts); without it pickFile answers null */
  pickFile?: PickFileHook;
  /** calibration frames an ONNX import encodes (default 96); tests pass fewer */
  importCalibrationFrames?: number;
}

type Handler = (arg: unknown) => Promise<unknown> | unknown;

/** Format zod issues as one readable line: "startSource: port: Too big: expected number to be <=65535". */
export function describeZodError(method: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const parts = issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message));
  return `${method}: ${parts.join('; ')}`;
}

export function idleSource(): SourceStatus {
  return { kind: 'demo', state: 'idle', label: 'No source', width: 0, height: 0 };
}

export function idleState(): LiveState {
  return {
    source: idleSource(),
    backend: { kind: 'simulator', label: 'Simulated NSoC', state: 'ready' },
    model: null,
    recording: null,
    kiosk: false,
    droppedWindows: 0,
    eventRate: 0,
    latency: { binnedMs: 0, inferredMs: 0, sentMs: 0 },
  };
}

export function toApiError(method: string, e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  // first line only: never a stack trace across the boundary
  const line = msg.split('\n')[0].slice(0, 500);
  return new ApiError('internal', `${method}: ${line}`);
}

export class AppCore {
  readonly hub = new TopicHub();
  /** media payloads dropped as malformed, by reason (bounded: a fixed set of reasons) */
  readonly mediaDrops = new Map<string, number>();
  readonly warnings: string[] = [];
  readonly pipeline: LivePipeline;
  protected readonly handlers = new Map<MethodName, Handler>();
  private closed = false;
  private source: EventSource | null = null;
  private sourceSwitch: Promise<unknown> = Promise.resolve();
  private fallbackTimer: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  private models = new Map<string, { loaded: LoadedModel; builtin: boolean }>();
  private selected: LoadedModel | null = null;
  private engine: InferenceEngine | null = null;
  private backendError: string | undefined;
  /** why the core left the USB NSoC (unplugged…), shown until the next backend or model switch */
  private backendNotice: string | undefined;
  /** the backend the user chose; a model switch keeps it */
  private backendKind: Backend = 'simulator';
  private backendSwitch: Promise<unknown> = Promise.resolve();
  readonly nsocDevices: NsocDevices;
  /** source switches to the demo after a failure */
  fallbacks = 0;
  /** takes and datasets (src-main/recording); null when the database could not be opened */
  recording: RecordingApi | null = null;
  private db: Database.Database | null = null;
  /** the class store and the selected model's classifier; null without the database */
  private classes: ClassesWiring | null = null;
  /** HID buttons mapped to actions (Settings.buttons); null when off */
  buttons: HidButtons | null = null;
  /** ONNX imports (importModel): converted in worker threads into <userData>/models */
  readonly imports: ImportJobs;

  protected constructor(
    readonly opts: CoreOptions,
    readonly settings: SettingsStore,
  ) {
    if (settings.warning) this.warn(settings.warning);
    this.nsocDevices = opts.nsocDevices ?? defaultNsocDevices();
    this.pipeline = new LivePipeline(
      {
        prediction: (p) => this.hub.emit('prediction', p),
        nsoc: (n) => this.hub.emit('nsoc', n),
        events: (c) => this.hub.emit('events', c),
        sourceStatus: (s) => this.onSourceStatus(s),
        wantsEvents: () => this.hub.has('events'),
      },
      null,
      null,
      {
        geometry: () => this.sourceGeometry(),
        groundTruth: () => this.source?.status().groundTruth,
      },
    );
    const h = this.handlers;
    h.set('appInfo', (): AppInfo => ({ name: 'Neurolive', version: opts.version, runtime: opts.runtime, platform: process.platform }));
    h.set('getState', () => this.getState());
    h.set('listSources', () => this.listSources());
    h.set('startSource', (a) => this.startSource(a as SourceSpec));
    h.set('stopSource', async () => {
      await this.stopSource();
    });
    h.set('playback', (a) => {
      const s = this.source;
      if (!s?.playback) throw new ApiError('conflict', `the current source (${s ? s.status().label : 'none'}) cannot be paused, seeked or sped up`);
      return s.playback(a as Parameters<NonNullable<EventSource['playback']>>[0]);
    });
    h.set('pickFile', async (a) => (opts.pickFile ? await opts.pickFile((a as { purpose: PickPurpose }).purpose) : null));
    h.set('listModels', () => this.listModels());
    h.set('selectModel', (a) => this.selectModel((a as { id: string }).id));
    this.imports = new ImportJobs({
      modelsDir: join(opts.userDataDir, 'models'),
      resourcesDir: opts.resourcesDir,
      // built-in models first: an import inherits the encoding of the first whose input matches
      installed: () => [...this.models.values()].sort((a, b) => Number(b.builtin) - Number(a.builtin)).map((m) => m.loaded),
      publish: (p) => this.hub.emit('progress', p),
      installedModel: async (dir) => {
        const m = await loadModel(dir);
        this.models.set(m.id, { loaded: m, builtin: false });
      },
      ...(opts.importCalibrationFrames ? { maxFrames: opts.importCalibrationFrames } : {}),
    });
    h.set('importModel', (a) => {
      const { path, name } = a as { path: string; name?: string };
      return this.imports.start(path, name);
    });
    h.set('setBackend', (a) => this.setBackend((a as { kind: Backend }).kind));
    h.set('setKiosk', (a) => this.setKiosk(a as { enabled: boolean; pin?: string }));
    h.set('getSettings', () => this.settings.get());
    h.set('updateSettings', (arg) => this.settings.update(arg as Partial<MethodResults['getSettings']>));
  }

  static async create(opts: CoreOptions): Promise<AppCore> {
    const settings = await SettingsStore.open(opts.userDataDir);
    const core = new AppCore(opts, settings);
    await core.init();
    return core;
  }

  private async init(): Promise<void> {
    await this.loadModels();
    await this.initRecording();
    if (this.db) {
      try {
        this.classes = ClassesWiring.open(this.db, this.pipeline, (list) => this.hub.emit('classes', list), () => this.settings.get());
        for (const [name, fn] of this.classes.handlers()) this.handlers.set(name, fn);
      } catch (e) {
        this.warn(`classes are unavailable: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    this.handlers.set('updateSettings', async (arg) => {
      const s = await this.settings.update(arg as Partial<MethodResults['getSettings']>);
      this.classes?.applySettings(s);
      this.pipeline.setDenoise(s.denoise ? DENOISE_US : 0);
      return s;
    });
    this.pipeline.setDenoise(this.settings.get().denoise ? DENOISE_US : 0);
    const hb = this.opts.hidButtons ?? this.opts.runtime === 'electron';
    if (hb) {
      try {
        this.buttons = createHidButtons({
          ...(typeof hb === 'object' ? hb : {}),
          mapping: () => this.settings.get().buttons,
          onAction: (a) => this.hub.emit('action', a),
        });
        this.buttons.start();
      } catch (e) {
        this.warn(`HID buttons are unavailable: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const tickMs = this.opts.tickMs ?? 33;
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.ticker.unref?.();
    if (this.opts.autoStart === false) return;
    const first = [...this.models.values()].sort((a, b) => Number(b.loaded.card.task === 'gesture') - Number(a.loaded.card.task === 'gesture'))[0];
    if (first) await this.selectModel(first.loaded.id).catch((e) => this.warn(`could not start model ${first.loaded.card.name}: ${(e as Error).message}`));
    if (listDemoFiles(this.opts.resourcesDir).length) await this.startSource({ kind: 'demo' }).catch((e) => this.warn(`demo: ${(e as Error).message}`));
  }

  /** Opens the app database and the recording service; registers the recording methods and the event tap. */
  private async initRecording(): Promise<void> {
    try {
      this.db = openDatabase(join(this.opts.userDataDir, DB_FILE_NAME));
      this.recording = await createRecordingApi({
        db: this.db,
        dataDir: this.opts.userDataDir,
        publishProgress: (p) => this.hub.emit('progress', p),
        currentSource: () => {
          const s = this.source?.status();
          const g = this.sourceGeometry();
          return s && g.width > 0 && g.height > 0 ? { sensor: s.label, width: g.width, height: g.height } : null;
        },
      });
      for (const [name, fn] of Object.entries(this.recording.methods)) this.handlers.set(name as MethodName, fn as Handler);
      // with the geometry, so a source switched during a take cannot write events of another size into it
      this.pipeline.tap((batch, geometry) => void this.recording?.service.append(batch, geometry));
      for (const t of this.recording.service.lastRecovery.recovered) this.warn(`recovered take #${t.id} "${t.label}" after an interrupted recording`);
    } catch (e) {
      this.warn(`recording is unavailable: ${(e as Error).message}`);
    }
  }

  warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 100) this.warnings.shift();
    console.warn(`[neurolive] ${message}`);
  }

  // ------------------------------------------------------------ state

  getState(): LiveState {
    const p = this.pipeline;
    const m = this.selected;
    return {
      source: this.source ? this.source.status() : idleSource(),
      backend: {
        kind: this.engine?.backend ?? 'simulator',
        label: this.engine?.label ?? 'Simulated NSoC (no model loaded)',
        state: this.backendError ? 'error' : p.queued > 0 ? 'busy' : 'ready',
        ...(this.backendError ? { error: this.backendError } : this.backendNotice ? { error: this.backendNotice } : p.lastError ? { error: p.lastError } : {}),
      },
      model: m ? { id: m.id, name: m.card.name } : null,
      recording: this.recording?.service.status() ?? null,
      kiosk: this.settings.get().kiosk.enabled,
      droppedWindows: p.droppedWindows,
      eventRate: p.eventRate,
      latency: p.latency(),
    };
  }

  private tick(): void {
    this.pipeline.tick();
    if (++this.ticks % 3 === 0 && this.hub.has('state')) this.hub.emit('state', this.getState());
    // kiosk visitors' classes expire; a sweep every ~150 ticks (5 s at 30 Hz) is plenty for minutes-long lifetimes
    if (this.ticks % 150 === 0) {
      try {
        this.classes?.expireVisitors();
      } catch (e) {
        this.warn(`expiring visitor classes: ${(e as Error).message}`);
      }
    }
  }

  // ------------------------------------------------------------ sources

  listSources(): SourceOption[] {
    const demos = listDemoFiles(this.opts.resourcesDir).map(demoName);
    return [
      demos.length
        ? { kind: 'demo', label: 'Built-in demo', available: true, choices: demos }
        : { kind: 'demo', label: 'Built-in demo', available: false, reason: 'no demo recordings are installed' },
      { kind: 'file', label: 'Replay a file', available: true },
      { kind: 'dv-tcp', label: 'iniVation DV (network)', available: true },
      { kind: 'webcam', label: 'Webcam → emulated event camera', available: true },
      { kind: 'microphone', label: 'Microphone → cochlea', available: true },
      this.recording
        ? this.recording.service.listTakes().length
          ? { kind: 'take', label: 'Recorded take', available: true }
          : { kind: 'take', label: 'Recorded take', available: false, reason: 'no takes recorded yet' }
        : { kind: 'take', label: 'Recorded take', available: false, reason: 'recording is not available (the database could not be opened)' },
    ];
  }

  /** The current source's geometry; webcam/microphone events come at the model's sensor size. */
  private sourceGeometry(): Geometry {
    const s = this.source?.status();
    if (!s) return { width: 0, height: 0 };
    if ((s.kind === 'webcam' || s.kind === 'microphone') && this.selected) return { width: this.selected.card.input.sensorWidth, height: this.selected.card.input.sensorHeight };
    return { width: s.width, height: s.height };
  }

  private makeSource(spec: SourceSpec): EventSource {
    const tickMs = this.opts.replayTickMs;
    switch (spec.kind) {
      case 'demo':
        try {
          return createDemoSource(this.opts.resourcesDir, { ...(spec.name !== undefined ? { name: spec.name } : {}), ...(tickMs ? { tickMs } : {}) });
        } catch (e) {
          throw new ApiError('not-found', (e as Error).message);
        }
      case 'file':
        return new ReplaySource({ kind: 'file', files: [spec.path], speed: spec.speed, loop: spec.loop, ...(tickMs ? { tickMs } : {}) });
      case 'dv-tcp':
        return new DvTcpSource({ host: spec.host, port: spec.port });
      case 'webcam':
        return new WebcamSource(spec.preset);
      case 'microphone':
        return new MicrophoneSource();
      case 'take': {
        if (!this.recording) throw new ApiError('unavailable', 'take playback: recording is not available (the database could not be opened)');
        const take = this.recording.service.getTake(spec.takeId);
        const path = this.recording.service.takePath(spec.takeId);
        return new ReplaySource({ kind: 'take', files: [path], label: () => `Take #${take.id}: ${take.label}`, speed: spec.speed, loop: spec.loop, groundTruth: false, ...(tickMs ? { tickMs } : {}) });
      }
    }
  }

  /** Stops the current source and starts another; switches are serialised. */
  startSource(spec: SourceSpec): Promise<SourceStatus> {
    const run = this.sourceSwitch.then(async () => {
      const next = this.makeSource(spec);
      await this.stopSourceNow();
      this.pipeline.reset();
      this.source = next;
      await next.start(this.pipeline);
      const s = next.status();
      this.onSourceStatus(s);
      return s;
    });
    this.sourceSwitch = run.catch(() => undefined);
    return run;
  }

  stopSource(): Promise<void> {
    const run = this.sourceSwitch.then(() => this.stopSourceNow());
    this.sourceSwitch = run.catch(() => undefined);
    return run;
  }

  private async stopSourceNow(): Promise<void> {
    this.clearFallback();
    const s = this.source;
    this.source = null;
    if (s) await s.stop().catch((e) => this.warn(`stopping ${s.kind}: ${(e as Error).message}`));
  }

  private clearFallback(): void {
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    this.fallbackTimer = null;
  }

  private onSourceStatus(s: SourceStatus): void {
    if (this.closed) return;
    if (s.state !== 'error') {
      this.clearFallback();
      return;
    }
    const delay = this.opts.fallbackToDemoMs ?? 3000;
    if (s.kind === 'demo' || delay < 0 || this.fallbackTimer || listDemoFiles(this.opts.resourcesDir).length === 0) return;
    const failed = this.source;
    this.fallbackTimer = setTimeout(() => {
      this.fallbackTimer = null;
      if (this.closed || this.source !== failed || failed?.status().state !== 'error') return;
      this.warn(`${s.label}: ${s.error ?? 'failed'}; switching to the built-in demo`);
      this.fallbacks++;
      this.startSource({ kind: 'demo' }).catch((e) => this.warn(`demo fallback: ${(e as Error).message}`));
    }, delay);
    this.fallbackTimer.unref?.();
  }

  // ------------------------------------------------------------ models

  private async loadModels(): Promise<void> {
    const dirs = this.opts.modelDirs ?? [join(this.opts.resourcesDir, 'models'), join(this.opts.userDataDir, 'models')];
    const { models, errors } = await listInstalledModels(dirs);
    for (const e of errors) this.warn(`model not loaded: ${e}`);
    for (const m of models) this.models.set(m.id, { loaded: m, builtin: m.dir.startsWith(join(this.opts.resourcesDir, 'models')) && BUILTIN_TASKS.has(basename(m.dir)) });
  }

  listModels(): ModelInfo[] {
    return [...this.models.values()].map((m) => modelInfo(m.loaded, m.builtin));
  }

  /** Switches the model; serialised with backend switches (both replace the engine). */
  selectModel(idOrName: string): Promise<ModelInfo> {
    const run = this.backendSwitch.then(() => this.selectModelNow(idOrName));
    this.backendSwitch = run.catch(() => undefined);
    return run;
  }

  private async selectModelNow(idOrName: string): Promise<ModelInfo> {
    const entry = this.models.get(idOrName) ?? [...this.models.values()].find((m) => m.loaded.card.name === idOrName || basename(m.loaded.dir) === idOrName);
    if (!entry) throw new ApiError('not-found', `no installed model with id ${idOrName.slice(0, 80)}`);
    const m = entry.loaded;
    if (this.selected?.id === m.id && this.engine) return modelInfo(m, entry.builtin);
    let engine: InferenceEngine;
    try {
      if (this.backendKind === 'hid-device') {
        // one model on the device at a time: free it before loading the next; a failure falls back to the simulator below
        const old = this.engine;
        this.engine = null;
        this.pipeline.setEngine(null);
        await old?.close().catch(() => undefined);
        engine = await this.startHidEngine(m).catch(async (e: unknown) => {
          this.backendKind = 'simulator';
          this.backendNotice = `the USB NSoC could not take ${m.card.name} (${(e as Error).message.split('\n')[0]}); running on the simulator`;
          return this.startSimulatorEngine(m);
        });
      } else {
        engine = await this.startSimulatorEngine(m);
      }
    } catch (e) {
      this.backendError = `${m.card.name}: ${(e as Error).message.split('\n')[0]}`;
      throw new ApiError('internal', `could not load ${m.card.name} into the NSoC: ${(e as Error).message.split('\n')[0]}`);
    }
    this.backendError = undefined;
    if (this.backendKind === 'simulator' && engine.backend === 'simulator' && !this.backendNotice?.includes(m.card.name)) this.backendNotice = undefined;
    const old = this.engine;
    this.selected = m;
    this.engine = engine;
    this.pipeline.setModel(asPipelineModel(m), engine);
    await old?.close().catch(() => undefined);
    // the model's classes answer the predictions (pretrained + enrolled); without them, the network's head
    await this.classes?.selectModel(m, this.settings.get()).catch((e) => this.warn(`classes of ${m.card.name}: ${(e as Error).message.split('\n')[0]}`));
    return modelInfo(m, entry.builtin);
  }

  private async startSimulatorEngine(m: LoadedModel): Promise<InferenceEngine> {
    return this.opts.engineFactory
      ? this.opts.engineFactory(m)
      : WorkerEngine.start(new Uint8Array(await readFile(join(m.dir, 'model.nlm'))), `${basename(m.dir)}/model.nlm`, this.classes ? { embeddingLayer: m.card.embeddingLayer } : {});
  }

  /** The model on the attached NSoC; losing the link falls back to the simulator (no endless reconnecting mid-demo). */
  private async startHidEngine(m: LoadedModel): Promise<InferenceEngine> {
    const devices = await this.nsocDevices.list().catch(() => []);
    if (devices.length === 0) throw new ApiError('unavailable', 'no NSoC device is attached: only the simulator is available');
    let engine: InferenceEngine | null = null;
    const hid = await createHidBackend(() => this.nsocDevices.open(), {
      onStateChange: (s, error) => {
        if (s === 'reconnecting' && engine) void this.onHidLost(engine, error ?? 'link lost');
      },
    });
    try {
      engine = await createBackendEngine(hid, new Uint8Array(await readFile(join(m.dir, 'model.nlm'))), `USB NSoC: ${devices[0].label}`);
    } catch (e) {
      await hid.close().catch(() => undefined);
      throw e;
    }
    return engine;
  }

  private onHidLost(engine: InferenceEngine, reason: string): Promise<unknown> {
    const run = this.backendSwitch.then(async () => {
      if (this.closed || this.engine !== engine) return;
      this.backendError = `the USB NSoC was lost (${reason}); switching to the simulator`;
      this.warn(this.backendError);
      this.emitState();
      await engine.close().catch(() => undefined);
      this.backendKind = 'simulator';
      const m = this.selected;
      try {
        const sim = m ? await this.startSimulatorEngine(m) : null;
        if (this.closed) return void (await sim?.close());
        this.engine = sim;
        this.pipeline.setEngine(sim);
        this.backendError = undefined;
        this.backendNotice = `the USB NSoC was lost (${reason}); running on the simulator`;
      } catch (e) {
        this.backendError = `the USB NSoC was lost (${reason}) and the simulator did not start: ${(e as Error).message.split('\n')[0]}`;
      }
      this.emitState();
    });
    this.backendSwitch = run.catch(() => undefined);
    return run;
  }

  /** Runs the selected model on the simulator or on an attached NSoC. */
  setBackend(kind: Backend): Promise<LiveState['backend']> {
    const run = this.backendSwitch.then(async () => {
      const m = this.selected;
      if (kind === 'hid-device') {
        // checked first, so "no device" reads the same with or without a model
        if ((await this.nsocDevices.list().catch(() => [])).length === 0) throw new ApiError('unavailable', 'no NSoC device is attached: only the simulator is available');
      }
      if (!m) throw new ApiError('conflict', 'select a model first: the backend runs the selected model');
      if (kind === this.backendKind && this.engine && !this.backendError) return this.getState().backend;
      const next = kind === 'hid-device' ? await this.startHidEngine(m) : await this.startSimulatorEngine(m);
      const old = this.engine;
      this.engine = next;
      this.pipeline.setEngine(next);
      this.backendKind = kind;
      this.backendError = undefined;
      this.backendNotice = undefined;
      await old?.close().catch(() => undefined);
      this.emitState();
      return this.getState().backend;
    });
    this.backendSwitch = run.catch(() => undefined);
    return run;
  }

  private emitState(): void {
    if (this.hub.has('state')) this.hub.emit('state', this.getState());
  }

  // ------------------------------------------------------------ kiosk

  private pinFailures = 0;
  private pinLockedUntil = 0;

  /** Entering kiosk mode needs nothing; leaving it needs the PIN (5 wrong tries lock it for 30 s). */
  async setKiosk(a: { enabled: boolean; pin?: string }): Promise<{ enabled: boolean }> {
    const k = this.settings.get().kiosk;
    if (!a.enabled && k.enabled) {
      const now = Date.now();
      if (now < this.pinLockedUntil) throw new ApiError('forbidden', `too many wrong PINs: try again in ${Math.ceil((this.pinLockedUntil - now) / 1000)} s`);
      if (a.pin !== k.pin) {
        if (++this.pinFailures >= 5) {
          this.pinFailures = 0;
          this.pinLockedUntil = now + 30_000;
        }
        throw new ApiError('forbidden', 'wrong PIN');
      }
      this.pinFailures = 0;
    }
    const s = await this.settings.update({ kiosk: { ...k, enabled: a.enabled } });
    if (this.hub.has('state')) this.hub.emit('state', this.getState());
    return { enabled: s.kiosk.enabled };
  }

  // ------------------------------------------------------------ transport

  async invoke(method: MethodName, arg: unknown): Promise<unknown> {
    if (this.closed) throw new ApiError('unavailable', 'the app is shutting down');
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(METHODS, method)) {
      throw new ApiError('not-found', `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
    }
    const schema = METHODS[method];
    const parsed = schema.safeParse(arg);
    if (!parsed.success) throw new ApiError('invalid-argument', describeZodError(method, parsed.error.issues));
    const handler = this.handlers.get(method);
    if (!handler) throw new ApiError('unavailable', `${method}: not implemented yet`);
    try {
      return await handler(parsed.data);
    } catch (e) {
      throw toApiError(method, e);
    }
  }

  on<T extends TopicName>(topic: T, listener: (payload: Topics[T]) => void): () => void {
    return this.hub.on(topic, listener);
  }

  media<K extends MediaName>(name: K, payload: unknown): void {
    if (this.closed) return;
    if (name === 'video') {
      const c = checkVideo(payload);
      if (!c.ok) return this.countMediaDrop(c.reason);
      this.source?.pushVideo?.(c.value);
    } else if (name === 'audio') {
      const c = checkAudio(payload);
      if (!c.ok) return this.countMediaDrop(c.reason);
      this.source?.pushAudio?.(c.value);
    } else {
      this.countMediaDrop('unknown media stream');
    }
  }

  private countMediaDrop(reason: string): void {
    const n = (this.mediaDrops.get(reason) ?? 0) + 1;
    if (this.mediaDrops.size < 64 || this.mediaDrops.has(reason)) this.mediaDrops.set(reason, n);
    // the first and then every 1000th, so a misbehaving renderer cannot flood the log
    if (n === 1 || n % 1000 === 0) this.warn(`media dropped (${n}×): ${reason}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.clearFallback();
    await this.sourceSwitch;
    await this.stopSourceNow();
    await this.buttons?.stop().catch(() => undefined);
    this.buttons = null;
    await this.imports.close().catch(() => undefined);
    await this.backendSwitch;
    this.classes?.close();
    this.classes = null;
    this.pipeline.setModel(null, null);
    await this.engine?.close().catch(() => undefined);
    this.engine = null;
    await this.recording?.service.close().catch(() => undefined);
    this.db?.close();
    this.db = null;
    await this.settings.save().catch(() => undefined);
    this.hub.clear();
  }
}

export function asPipelineModel(m: LoadedModel): PipelineModel {
  return { id: m.id, name: m.card.name, card: m.card, model: m.model };
}
