/**
 * What every live source (demo, file replay, DV over TCP, webcam, microphone,
 * recorded take) gives the pipeline. Sources push: event batches (recordings,
 * event cameras), luma frames (webcam, turned into events by the model's
 * encoder) or PCM (microphone, through the cochlea), plus a status whenever
 * their state changes. One interface, so the pipeline never knows which
 * source it is fed by.
 */
import type { EventBatch } from '../../src-engine/events/batch';
import type { AudioChunk, Playback, SourceKind, SourceStatus, VideoFrame } from '../ipc/contract';

/**
 * When a pushed batch's last event happened on the host clock: `tUs` (sensor
 * time, as in the batch) corresponds to `wallMs` (performance.now()), and
 * sensor time runs `speed` times faster than wall time (replay speed; 1 live).
 * The pipeline maps window ends to wall time with this for its latencies.
 */
export interface SensorClock {
  tUs: number;
  wallMs: number;
  speed: number;
}

export interface SourceSink {
  /**
   * Events in time order; valid only during the call (sources reuse buffers).
   * Timestamps never go backwards within one start (replays offset each loop).
   */
  events(batch: EventBatch, clock: SensorClock): void;
  video(frame: VideoFrame): void;
  audio(chunk: AudioChunk): void;
  /** the source's status changed (state, error, position, ground truth…) */
  status(status: SourceStatus): void;
  /** a replay jumped (seek, loop restart): the pipeline resets its windows */
  discontinuity?(): void;
  /** a finite input ended (a replay without loop): the windows still open count too */
  endOfStream?(): void;
}

export interface EventSource {
  readonly kind: SourceKind;
  /** current status (a fresh object) */
  status(): SourceStatus;
  /** starts producing into `sink`; resolves once started (errors surface as status 'error', never as a rejection after start) */
  start(sink: SourceSink): Promise<void>;
  /** stops and releases files/sockets; idempotent */
  stop(): Promise<void>;
  /** replays: speed / pause / loop / seek */
  playback?(p: Playback): SourceStatus;
  /** webcam / microphone: media from the renderer */
  pushVideo?(frame: VideoFrame): void;
  pushAudio?(chunk: AudioChunk): void;
}

/** A message a visitor can read from whatever was thrown. */
export function readableError(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].slice(0, 300);
}

/** A promise-based delay that can be cut short (stop, pause, seek). */
export class Waker {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.interrupt(), Math.max(0, ms));
    });
  }

  /** until interrupted */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  interrupt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
