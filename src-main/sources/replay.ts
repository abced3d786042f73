/**
 * Replays event files in real time: every format openEventFile reads, paced
 * by the events' own timestamps at 0.1×–10×, with pause, seek (re-open and
 * skip: files stream, so no index is kept), loop, and a playlist (the demo
 * plays its recordings one after the other). A DVS Gesture `_labels.csv`
 * beside a file gives the ground truth at the current position.
 *
 * Output time never runs backwards within one start: each file (each loop,
 * each seek) is placed just after the last event already pushed, and the sink
 * is told of the jump (discontinuity) so the pipeline restarts its windows.
 * Pacing is by wall-clock slices (tickMs, default 10 ms): a slice is pushed
 * when its last event is due; a consumer that falls more than maxLagMs behind
 * makes the replay re-anchor rather than burst to catch up.
 */
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import type { EventBatch } from '../../src-engine/events/batch';
import { EventScan } from '../../src-engine/events/scan';
import type { EventStream } from '../../src-engine/events/stream';
import { DVS_GESTURE_CLASSES, labelsPathFor, parseGestureLabels, type GestureLabel } from '../../src-engine/formats/aedat/gesture-labels';
import { openEventFile } from '../../src-engine/node/open-file';
import type { Playback, SourceKind, SourceState, SourceStatus } from '../ipc/contract';
import { ShiftedBatch, upperBound } from './shifted-batch';
import { readableError, Waker, type EventSource, type SourceSink } from './types';

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;
/** gap between a file's end and the next loop's start, µs (keeps time strictly increasing) */
export const LOOP_GAP_US = 1000;
/** files up to this size are scanned at start for their duration and extent */
export const SCAN_LIMIT_BYTES = 64 << 20;

export interface ReplayOptions {
  kind?: Extract<SourceKind, 'file' | 'demo' | 'take'>;
  /** played in order; with loop the list starts again after the last */
  files: string[];
  /** status label for a file (default: "<kind label>: <file name>") */
  label?: (file: string) => string;
  speed?: number;
  loop?: boolean;
  /** look for DVS Gesture `<stem>_labels.csv` beside each file (default true) */
  groundTruth?: boolean;
  /** wall-clock slice, ms (default 10) */
  tickMs?: number;
  /** behind by more than this, re-anchor instead of catching up (default 250 ms) */
  maxLagMs?: number;
  now?: () => number;
}

interface FileFacts {
  /** first event's timestamp, as stored */
  t0: number;
  durationUs: number;
  width: number;
  height: number;
}

const KIND_LABEL: Record<string, string> = { file: 'Replay', demo: 'Built-in demo', take: 'Take' };

function clampSpeed(s: number): number {
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, s));
}

/** A gesture-dataset label name for a raw time, or null. */
function labelAt(labels: readonly GestureLabel[] | null, tRaw: number): string | null {
  if (!labels) return null;
  for (const l of labels) if (tRaw >= l.startUs && tRaw < l.endUs) return DVS_GESTURE_CLASSES[l.classId - 1] ?? null;
  return null;
}

export class ReplaySource implements EventSource {
  readonly kind: Extract<SourceKind, 'file' | 'demo' | 'take'>;
  private readonly files: string[];
  private readonly tickMs: number;
  private readonly maxLagMs: number;
  private readonly now: () => number;
  private speed: number;
  private loop: boolean;
  private paused = false;
  private stopped = true;
  private pendingSeekUs: number | null = null;
  private state: SourceState = 'idle';
  private error: string | undefined;
  private sink: SourceSink | null = null;
  private readonly waker = new Waker();
  private running: Promise<void> | null = null;
  private readonly shifter = new ShiftedBatch();
  private readonly facts = new Map<string, FileFacts>();
  private readonly labels = new Map<string, GestureLabel[] | null>();
  private fileIndex = 0;
  private width = 0;
  private height = 0;
  private fileT0 = NaN;
  private rawPos = NaN;
  /** last output timestamp pushed (NaN before the first) */
  private lastOutUs = NaN;
  /** set when pacing must restart from the next slice (start, resume, speed change, lag) */
  private reanchor = true;
  /** events pushed since start */
  eventsPushed = 0;
  /** completed passes over the playlist */
  loops = 0;

  constructor(private readonly opts: ReplayOptions) {
    if (opts.files.length === 0) throw new Error('nothing to replay: no files given');
    this.kind = opts.kind ?? 'file';
    this.files = [...opts.files];
    this.tickMs = opts.tickMs ?? 10;
    this.maxLagMs = opts.maxLagMs ?? 250;
    this.now = opts.now ?? (() => performance.now());
    this.speed = clampSpeed(opts.speed ?? 1);
    this.loop = opts.loop ?? true;
  }

  get currentFile(): string {
    return this.files[this.fileIndex];
  }

  status(): SourceStatus {
    const file = this.currentFile;
    const f = this.facts.get(file);
    const s: SourceStatus = {
      kind: this.kind,
      state: this.state,
      label: this.opts.label ? this.opts.label(file) : `${KIND_LABEL[this.kind]}: ${basename(file)}`,
      width: this.width,
      height: this.height,
      positionUs: Number.isNaN(this.rawPos) || Number.isNaN(this.fileT0) ? 0 : Math.max(0, this.rawPos - this.fileT0),
      speed: this.speed,
      loop: this.loop,
    };
    if (f) s.durationUs = f.durationUs;
    if (this.error !== undefined) s.error = this.error;
    const labels = this.labels.get(file);
    if (labels) s.groundTruth = labelAt(labels, this.rawPos);
    return s;
  }

  async start(sink: SourceSink): Promise<void> {
    if (!this.stopped) throw new Error('this replay is already running');
    this.sink = sink;
    this.stopped = false;
    this.setState('connecting');
    // the first file must open (a wrong path or a corrupt header is the caller's error to see at once)
    try {
      await this.prepare(this.files[0]);
      const f = this.facts.get(this.files[0]);
      if (f) {
        this.fileT0 = f.t0;
        this.rawPos = f.t0;
        this.width = f.width;
        this.height = f.height;
      }
    } catch (e) {
      this.fail(e);
      return;
    }
    this.running = this.run().catch((e) => this.fail(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waker.interrupt();
    await this.running;
    this.running = null;
    if (this.state !== 'error') this.setState('idle');
  }

  playback(p: Playback): SourceStatus {
    if (p.speed !== undefined && clampSpeed(p.speed) !== this.speed) {
      this.speed = clampSpeed(p.speed);
      this.reanchor = true;
    }
    if (p.loop !== undefined) this.loop = p.loop;
    if (p.seekUs !== undefined) {
      const d = this.facts.get(this.currentFile)?.durationUs;
      this.pendingSeekUs = d !== undefined ? Math.min(p.seekUs, d) : p.seekUs;
      this.rawPos = this.fileT0 + this.pendingSeekUs;
    }
    if (p.paused !== undefined && p.paused !== this.paused) {
      this.paused = p.paused;
      this.reanchor = true;
      if (this.state === 'live' || this.state === 'paused') this.setState(p.paused ? 'paused' : 'live');
    }
    this.waker.interrupt();
    return this.status();
  }

  private setState(state: SourceState, error?: string): void {
    this.state = state;
    this.error = error;
    this.sink?.status(this.status());
  }

  private fail(e: unknown): void {
    if (this.stopped && this.state === 'idle') return;
    this.setState('error', `${basename(this.currentFile)}: ${readableError(e)}`);
    this.stopped = true;
  }

  /** Scans a small file once for its duration and extent; loads its labels. */
  private async prepare(file: string): Promise<void> {
    if (!this.labels.has(file) && this.opts.groundTruth !== false) {
      const lp = labelsPathFor(file);
      const text = await fs.readFile(lp, 'utf8').catch(() => null);
      // a broken labels file must not stop the replay: no ground truth then
      this.labels.set(file, text === null ? null : (() => { try { return parseGestureLabels(text, basename(lp)); } catch { return null; } })());
    }
    if (this.facts.has(file)) return;
    const st = await fs.stat(file);
    if (st.size > SCAN_LIMIT_BYTES) return;
    const stream = await openEventFile(file, { reuseBatches: true });
    const scan = new EventScan();
    for await (const b of stream) scan.add(b);
    if (!scan.first) throw new Error('the file holds no events');
    this.facts.set(file, {
      t0: scan.first[0],
      durationUs: Math.max(0, scan.tMax - scan.first[0]),
      width: stream.info.width || scan.maxX + 1,
      height: stream.info.height || scan.maxY + 1,
    });
  }

  private async run(): Promise<void> {
    let seekUs: number | null = null;
    while (!this.stopped) {
      const file = this.currentFile;
      await this.prepare(file);
      const stream = await openEventFile(file, { reuseBatches: true });
      const f = this.facts.get(file);
      this.width = stream.info.width || f?.width || 0;
      this.height = stream.info.height || f?.height || 0;
      if (this.width === 0 || this.height === 0) {
        await stream[Symbol.asyncIterator]().return?.(); // releases the file
        throw new Error('the file states no sensor size (and is too large to scan for one)');
      }
      if (seekUs === null) seekUs = this.pendingSeekUs;
      this.pendingSeekUs = null;
      this.fileT0 = f ? f.t0 : NaN;
      this.rawPos = Number.isNaN(this.fileT0) ? NaN : this.fileT0 + (seekUs ?? 0);
      if (this.state !== 'live' && this.state !== 'paused') this.setState(this.paused ? 'paused' : 'live');
      else this.sink?.status(this.status());
      const outcome = await this.playStream(stream, seekUs ?? 0);
      seekUs = null;
      if (outcome === 'stopped') return;
      if (outcome === 'seek') {
        seekUs = this.pendingSeekUs;
        this.pendingSeekUs = null;
        continue;
      }
      // end of this file
      if (!Number.isNaN(this.fileT0) && !this.facts.has(file)) this.facts.set(file, { t0: this.fileT0, durationUs: Math.max(0, this.rawPos - this.fileT0), width: this.width, height: this.height });
      const last = this.fileIndex === this.files.length - 1;
      if (last && !this.loop) {
        this.sink?.endOfStream?.();
        this.paused = true;
        this.setState('paused');
        await this.waker.wait();
        if (this.stopped) return;
        // play again from the start (or from a seek) after the user resumes
        seekUs = this.pendingSeekUs;
        this.pendingSeekUs = null;
        continue;
      }
      if (last) this.loops++;
      this.fileIndex = last ? 0 : this.fileIndex + 1;
    }
  }

  /** Plays one opened stream from `fromUs` (relative to its first event). */
  private async playStream(stream: EventStream, fromUs: number): Promise<'end' | 'seek' | 'stopped'> {
    const it = stream[Symbol.asyncIterator]();
    let base = NaN; // added to raw times: out = raw + base
    let anchorRaw = 0, anchorWall = 0;
    this.reanchor = true;
    this.sink?.discontinuity?.();
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return 'end';
        const b: EventBatch = r.value;
        const n = b.length;
        if (n === 0) continue;
        if (Number.isNaN(this.fileT0)) this.fileT0 = b.t[0];
        let i = fromUs > 0 ? upperBound(b.t, this.fileT0 + fromUs - 1, 0, n) : 0;
        if (i >= n) continue;
        if (Number.isNaN(base)) base = (Number.isNaN(this.lastOutUs) ? 0 : this.lastOutUs + LOOP_GAP_US) - b.t[i];
        while (i < n) {
          if (this.stopped) return 'stopped';
          if (this.pendingSeekUs !== null) return 'seek';
          if (this.paused) {
            await this.waker.wait();
            this.reanchor = true;
            continue;
          }
          const speed = this.speed;
          let j = upperBound(b.t, b.t[i] + this.tickMs * 1000 * speed, i, n);
          if (j <= i) j = i + 1;
          const tLast = b.t[j - 1];
          if (this.reanchor) {
            anchorRaw = b.t[i];
            anchorWall = this.now();
            this.reanchor = false;
          }
          const due = anchorWall + (tLast - anchorRaw) / speed / 1000;
          const wait = due - this.now();
          if (wait > 0) {
            await this.waker.sleep(wait);
            // woken early by a control change: re-evaluate before pushing
            if (this.stopped || this.paused || this.pendingSeekUs !== null || this.reanchor || this.now() < due - 1) continue;
          } else if (-wait > this.maxLagMs) {
            this.reanchor = true;
          }
          const out = this.shifter.shift(b, i, j, base);
          this.lastOutUs = out.t[out.length - 1];
          this.rawPos = tLast;
          this.eventsPushed += out.length;
          this.sink?.events(out, { tUs: this.lastOutUs, wallMs: Math.min(due, this.now()), speed });
          i = j;
        }
      }
    } finally {
      await it.return?.();
    }
  }
}
