/**
 * Webcam and microphone: the renderer captures (getUserMedia; luma frames
 * over a MessagePort / WebSocket, PCM from an AudioWorklet) and the core
 * hands each validated payload here; the pipeline's ModelInputEncoder turns
 * frames into events (DVS emulator) and PCM into cochlea events. The source
 * only tracks liveness: 'connecting' until the first payload, 'live' while
 * they flow, 'error' when none came for stallMs (camera unplugged, tab
 * hidden, permission revoked), back to 'live' when they resume.
 */
import type { AudioChunk, SourceState, SourceStatus, VideoFrame } from '../ipc/contract';
import type { EventSource, SourceSink } from './types';

export interface MediaSourceOptions {
  /** default 5000 ms */
  stallMs?: number;
}

abstract class MediaSource implements EventSource {
  abstract readonly kind: 'webcam' | 'microphone';
  protected state: SourceState = 'idle';
  protected error: string | undefined;
  protected sink: SourceSink | null = null;
  protected width = 0;
  protected height = 0;
  private last = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** payloads received since start */
  received = 0;

  constructor(protected readonly opts: MediaSourceOptions = {}) {}

  protected abstract label(): string;
  protected abstract stallMessage(seconds: string): string;

  status(): SourceStatus {
    const s: SourceStatus = { kind: this.kind, state: this.state, label: this.label(), width: this.width, height: this.height };
    if (this.error !== undefined) s.error = this.error;
    return s;
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.last = performance.now();
    this.setState('connecting');
    const stallMs = this.opts.stallMs ?? 5000;
    this.timer = setInterval(() => {
      if (this.state !== 'error' && performance.now() - this.last > stallMs) this.setState('error', this.stallMessage((stallMs / 1000).toFixed(0)));
    }, Math.max(50, Math.min(1000, stallMs / 4)));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setState('idle');
    this.sink = null;
  }

  protected arrived(): boolean {
    if (!this.sink) return false;
    this.last = performance.now();
    this.received++;
    if (this.state !== 'live') this.setState('live');
    return true;
  }

  protected setState(state: SourceState, error?: string): void {
    this.state = state;
    this.error = error;
    this.sink?.status(this.status());
  }
}

export class WebcamSource extends MediaSource {
  readonly kind = 'webcam' as const;
  constructor(
    readonly preset: 'clean' | 'noisy' = 'clean',
    opts?: MediaSourceOptions,
  ) {
    super(opts);
  }
  protected label(): string {
    return `Webcam → emulated event camera (${this.preset})`;
  }
  protected stallMessage(s: string): string {
    return `no camera frames for ${s} s (camera unplugged, blocked or the window hidden?)`;
  }
  pushVideo(frame: VideoFrame): void {
    if (!this.arrived()) return;
    this.width = frame.width;
    this.height = frame.height;
    this.sink!.video(frame);
  }
}

export class MicrophoneSource extends MediaSource {
  readonly kind = 'microphone' as const;
  protected label(): string {
    return 'Microphone → cochlea';
  }
  protected stallMessage(s: string): string {
    return `no microphone audio for ${s} s (microphone unplugged or muted?)`;
  }
  pushAudio(chunk: AudioChunk): void {
    if (!this.arrived()) return;
    this.sink!.audio(chunk);
  }
}
