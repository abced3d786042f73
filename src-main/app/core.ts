/**
 * AppCore: the whole main-process application behind the typed contract,
 * independent of Electron. The Electron shell (IPC) and the browser host
 * (WebSocket) both wrap one AppCore: they hand it method calls, subscribe to
 * its topics and forward media. Every argument is parsed here with the
 * contract's zod schema, so no handler ever sees unvalidated input, and every
 * failure leaves as an ApiError with a message a person can read (never a stack).
 */
import { ApiError, METHODS, type AppInfo, type LiveState, type MediaName, type MethodName, type MethodResults, type SourceOption, type TopicName, type Topics } from '../ipc/contract';
import { SettingsStore } from '../settings/store';
import { checkAudio, checkVideo } from './media';
import { TopicHub } from './topics';

export interface CoreOptions {
  userDataDir: string;
  /** the repo's resources/ (demo recordings, shipped models) */
  resourcesDir: string;
  runtime: 'electron' | 'browser';
  version: string;
}

type Handler = (arg: unknown) => Promise<unknown> | unknown;

/** Format a zod error as one readable line: "port: Too big: expected number to be <=65535". */
export function describeZodError(method: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const parts = issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message));
  return `${method}: ${parts.join('; ')}`;
}

export function idleState(): LiveState {
  return {
    source: { kind: 'demo', state: 'idle', label: 'No source', width: 0, height: 0 },
    backend: { kind: 'simulator', label: 'Simulated NSoC', state: 'ready' },
    model: null,
    recording: null,
    kiosk: false,
    droppedWindows: 0,
    eventRate: 0,
    latency: { binnedMs: 0, inferredMs: 0, sentMs: 0 },
  };
}

export class AppCore {
  readonly hub = new TopicHub();
  /** media payloads dropped as malformed, by reason (bounded: reasons are a fixed set of strings) */
  readonly mediaDrops = new Map<string, number>();
  readonly warnings: string[] = [];
  protected state: LiveState = idleState();
  protected readonly handlers = new Map<MethodName, Handler>();
  private closed = false;

  protected constructor(
    readonly opts: CoreOptions,
    readonly settings: SettingsStore,
  ) {
    if (settings.warning) this.warn(settings.warning);
    this.handlers.set('appInfo', (): AppInfo => ({ name: 'Neurolive', version: opts.version, runtime: opts.runtime, platform: process.platform }));
    this.handlers.set('getState', () => this.getState());
    this.handlers.set('listSources', () => this.listSources());
    this.handlers.set('getSettings', () => this.settings.get());
    this.handlers.set('updateSettings', (arg) => this.settings.update(arg as Partial<MethodResults['getSettings']>));
  }

  static async create(opts: CoreOptions): Promise<AppCore> {
    const settings = await SettingsStore.open(opts.userDataDir);
    return new AppCore(opts, settings);
  }

  warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 100) this.warnings.shift();
    console.warn(`[neurolive] ${message}`);
  }

  getState(): LiveState {
    return structuredClone(this.state);
  }

  listSources(): SourceOption[] {
    return [
      { kind: 'demo', label: 'Built-in demo', available: true },
      { kind: 'file', label: 'Replay a file', available: true },
      { kind: 'dv-tcp', label: 'iniVation DV (network)', available: true },
      { kind: 'webcam', label: 'Webcam → emulated event camera', available: true },
      { kind: 'microphone', label: 'Microphone → cochlea', available: true },
      { kind: 'take', label: 'Recorded take', available: false, reason: 'recording is not available yet' },
    ];
  }

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
    const check = name === 'video' ? checkVideo(payload) : name === 'audio' ? checkAudio(payload) : ({ ok: false, reason: 'unknown media stream' } as const);
    if (!check.ok) {
      this.countMediaDrop(check.reason);
      return;
    }
    this.onMedia(name, check.value);
  }

  /** overridden once sources consume media */
  protected onMedia(_name: MediaName, _value: unknown): void {}

  private countMediaDrop(reason: string): void {
    const n = (this.mediaDrops.get(reason) ?? 0) + 1;
    if (this.mediaDrops.size < 64 || this.mediaDrops.has(reason)) this.mediaDrops.set(reason, n);
    // warn on the first and then every 1000th, so a misbehaving renderer cannot flood the log
    if (n === 1 || n % 1000 === 0) this.warn(`media dropped (${n}×): ${reason}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settings.save().catch(() => undefined);
    this.hub.clear();
  }
}

export function toApiError(method: string, e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  // first line only: never a stack trace across the boundary
  const line = msg.split('\n')[0].slice(0, 500);
  return new ApiError('internal', `${method}: ${line}`);
}
