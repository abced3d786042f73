/**
 * The live pipeline: source → ModelInputEncoder (the selected model's card
 * decides the binning) → inference engine (a worker thread) → predictions and
 * NSoC figures, plus a decimated event stream for drawing.
 *
 * Backpressure: at most one window in the engine and one waiting. A newer
 * window replaces the waiting one, which is dropped and counted — never a
 * queue that grows when the engine falls behind.
 *
 * Latency, per window, against the host clock: the moment the window's last
 * microsecond happened (from the source's SensorClock) → binned (the encoder
 * emitted it) → inferred (the engine answered) → sent (published on the next
 * display tick). Recent medians go into LiveState.latency.
 *
 * The pipeline is passive about time: the owner calls `tick()` at display
 * rate (≤ 30 Hz) to publish the newest prediction, NSoC figures and events.
 */
import type { EventBatch, Geometry } from '../../src-engine/events/batch';
import { ModelInputEncoder, type ModelFrame } from '../../src-engine/models/encoder';
import type { ModelCard } from '../../src-engine/models/card';
import { estimateEnergy } from '../../src-engine/nsoc/energy';
import { HOROWITZ_45NM_SCALED_28NM } from '../../src-engine/nsoc/energy-table';
import type { QuantizedModel } from '../../src-engine/nsoc/model';
import type { AudioChunk, EventChunk, NsocUpdate, PredictionUpdate, SourceStatus, VideoFrame } from '../ipc/contract';
import type { SensorClock, SourceSink } from '../sources/types';
import type { EngineResult, InferenceEngine } from './engine';
import { EventChunker, MAX_CHUNK_EVENTS } from './event-chunks';
import { RecentMedian } from './recent-median';

export interface PipelineModel {
  id: string;
  name: string;
  card: ModelCard;
  /** for the energy estimate (per-layer bit widths and map sizes) */
  model: QuantizedModel;
}

/** Turns an engine result into what the UI shows; the class store plugs its learner in here. */
export interface Classifier {
  classify(result: EngineResult, frame: ModelFrame): Omit<PredictionUpdate, 'tUs' | 'window' | 'groundTruth'>;
}

const PALETTE = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c', '#fabebe', '#008080', '#e6beff'];

/** The network's own head: softmax over its output scores, best first is not imposed (label order). */
export function headClassifier(labels: readonly string[]): Classifier {
  return {
    classify(r: EngineResult) {
      const scores = Array.from(r.confidences);
      return {
        labels: scores.map((_, i) => labels[i] ?? `class ${i}`),
        colours: scores.map((_, i) => PALETTE[i % PALETTE.length]),
        scores,
        top: r.top,
        unknown: false,
      };
    },
  };
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * A dataset's ground-truth name in the model's own words, so the UI can
 * compare them: "hand clapping" (DVS Gesture) → "hand_clap" (the card). An
 * exact match ignoring case and punctuation, else the longest label that the
 * name starts with; otherwise the name unchanged.
 */
export function groundTruthLabel(truth: string | null, labels: readonly string[]): string | null {
  if (truth === null) return null;
  const t = squash(truth);
  let best: string | null = null;
  for (const l of labels) {
    const q = squash(l);
    if (q === t) return l;
    if (q.length > 0 && t.startsWith(q) && (best === null || q.length > squash(best).length)) best = l;
  }
  return best ?? truth;
}

export interface PipelineOutputs {
  prediction(p: PredictionUpdate): void;
  nsoc(n: NsocUpdate): void;
  events(c: EventChunk): void;
  /** the source's status changed */
  sourceStatus(s: SourceStatus): void;
  /** whether anyone draws events (skip the decimation work otherwise) */
  wantsEvents(): boolean;
}

export interface LivePipelineOptions {
  /** events per EventChunk (default MAX_CHUNK_EVENTS, 100 000) */
  maxChunkEvents?: number;
  /** latency medians over this many windows (default 64) */
  medianOf?: number;
  /** ground truth at the current position (replays with a labels file) */
  groundTruth?: () => string | null | undefined;
  /** geometry of the source's events */
  geometry?: () => Geometry;
  now?: () => number;
}

interface Waiting {
  frame: ModelFrame;
  /** host time at which the window's end happened */
  endWallMs: number;
  generation: number;
}

export class LivePipeline implements SourceSink {
  private encoder: ModelInputEncoder | null = null;
  /** live background-activity filter (Settings.denoise), µs; 0 = off */
  private denoiseUs = 0;
  private encoderGeometry = '';
  private inFlight: Waiting | null = null;
  private waiting: Waiting | null = null;
  private generation = 0;
  private readonly chunker: EventChunker;
  private readonly binned: RecentMedian;
  private readonly inferred: RecentMedian;
  private readonly sent: RecentMedian;
  private latestPrediction: { p: PredictionUpdate; endWallMs: number } | null = null;
  private latestNsoc: NsocUpdate | null = null;
  private readonly now: () => number;
  private classifier: Classifier | null = null;
  private readonly taps = new Set<(batch: EventBatch, geometry: Geometry) => void>();
  private readonly resultListeners = new Set<(frame: ModelFrame, result: EngineResult) => void>();
  private rateCount = 0;
  private rateSince: number;
  /** windows dropped by backpressure since the last reset */
  droppedWindows = 0;
  /** windows completed by the encoder / answered by the engine */
  windowsBinned = 0;
  windowsInferred = 0;
  eventRate = 0;
  eventsIn = 0;
  /** the last error of the encoder or engine, readable (cleared on reset) */
  lastError: string | null = null;
  errors = 0;
  /** the newest window the engine answered, for enrollment */
  lastResult: { frame: ModelFrame; result: EngineResult } | null = null;

  constructor(
    private readonly out: PipelineOutputs,
    private model: PipelineModel | null = null,
    private engine: InferenceEngine | null = null,
    private readonly opts: LivePipelineOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.chunker = new EventChunker(opts.maxChunkEvents ?? MAX_CHUNK_EVENTS);
    const m = opts.medianOf ?? 64;
    this.binned = new RecentMedian(m);
    this.inferred = new RecentMedian(m);
    this.sent = new RecentMedian(m);
    this.rateSince = this.now();
    if (model) this.classifier = headClassifier(model.card.labels);
  }

  get currentModel(): PipelineModel | null {
    return this.model;
  }

  get currentEngine(): InferenceEngine | null {
    return this.engine;
  }

  /** Swaps the model and engine (the old engine is the caller's to close). */
  /** Turns the live denoise filter on (µs) or off (0); takes effect with a fresh encoder at once. */
  setDenoise(us: number): void {
    if (us === this.denoiseUs) return;
    this.denoiseUs = us;
    this.encoder = null;
    this.encoderGeometry = '';
  }

  setModel(model: PipelineModel | null, engine: InferenceEngine | null): void {
    this.model = model;
    this.engine = engine;
    this.classifier = model ? headClassifier(model.card.labels) : null;
    this.reset();
  }

  /** Swaps only the engine (same model, classifier and windows): a backend switch. The old engine is the caller's to close. */
  setEngine(engine: InferenceEngine | null): void {
    this.engine = engine;
  }

  setClassifier(c: Classifier | null): void {
    this.classifier = c ?? (this.model ? headClassifier(this.model.card.labels) : null);
  }

  /** Raw events as they arrive (recording). Returns an unsubscribe. */
  tap(fn: (batch: EventBatch, geometry: Geometry) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  onResult(fn: (frame: ModelFrame, result: EngineResult) => void): () => void {
    this.resultListeners.add(fn);
    return () => this.resultListeners.delete(fn);
  }

  /** New source: windows, counters and medians start again. */
  reset(): void {
    this.generation++;
    this.encoder = null;
    this.encoderGeometry = '';
    this.waiting = null;
    this.droppedWindows = 0;
    this.windowsBinned = 0;
    this.windowsInferred = 0;
    this.latestPrediction = null;
    this.latestNsoc = null;
    this.lastError = null;
    this.lastResult = null;
    this.binned.clear();
    this.inferred.clear();
    this.sent.clear();
    this.chunker.clear();
    this.rateCount = 0;
    this.eventRate = 0;
    this.rateSince = this.now();
  }

  latency(): { binnedMs: number; inferredMs: number; sentMs: number } {
    return { binnedMs: this.binned.median(), inferredMs: this.inferred.median(), sentMs: this.sent.median() };
  }

  /** windows in the engine + waiting (never more than 2) */
  get queued(): number {
    return (this.inFlight ? 1 : 0) + (this.waiting ? 1 : 0);
  }

  // ------------------------------------------------------------ SourceSink

  status(s: SourceStatus): void {
    this.out.sourceStatus(s);
  }

  discontinuity(): void {
    // a seek, a loop restart or a reconnect: start a new window grid
    this.encoder = null;
    this.encoderGeometry = '';
    this.waiting = null;
  }

  events(batch: EventBatch, clock: SensorClock): void {
    const g = this.opts.geometry?.() ?? { width: 0, height: 0 };
    this.count(batch.length);
    for (const fn of this.taps) fn(batch, g);
    if (this.out.wantsEvents()) this.chunker.add(batch, g.width, g.height);
    const enc = this.encoderFor(g);
    if (!enc || this.model?.card.input.sensor !== 'dvs') return;
    let frames: ModelFrame[];
    try {
      frames = enc.pushEvents(batch);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.windows(frames, clock);
  }

  video(frame: VideoFrame): void {
    const enc = this.encoderFor(null);
    if (!enc) return;
    let events: EventBatch;
    try {
      events = enc.pushVideo(frame.luma, frame.width, frame.height, frame.timestampUs);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.media(enc, events, { tUs: frame.timestampUs, wallMs: this.now(), speed: 1 });
  }

  audio(chunk: AudioChunk): void {
    const enc = this.encoderFor(null);
    if (!enc) return;
    let events: EventBatch;
    try {
      events = enc.pushAudio(chunk.pcm, chunk.sampleRate, chunk.timestampUs);
    } catch (e) {
      this.fail(e);
      return;
    }
    const endUs = chunk.timestampUs + Math.round((chunk.pcm.length * 1e6) / chunk.sampleRate);
    this.media(enc, events, { tUs: endUs, wallMs: this.now(), speed: 1 });
  }

  endOfStream(): void {
    this.endOfInput();
  }

  /** End of a finite input: the windows still open are binned and submitted too. */
  endOfInput(): void {
    const enc = this.encoder;
    if (!enc) return;
    let frames: ModelFrame[];
    try {
      frames = enc.flush();
    } catch (e) {
      this.fail(e);
      return;
    }
    this.encoder = null;
    this.encoderGeometry = '';
    const now = this.now();
    const last = frames.length ? frames[frames.length - 1].tEndUs : 0;
    this.windows(frames, { tUs: last, wallMs: now, speed: 1 });
  }

  // ------------------------------------------------------------ internals

  private media(enc: ModelInputEncoder, events: EventBatch, clock: SensorClock): void {
    const e = this.model!.card.input;
    const g = { width: e.sensorWidth, height: e.sensorHeight };
    this.count(events.length);
    for (const fn of this.taps) fn(events, g);
    if (this.out.wantsEvents()) this.chunker.add(events, g.width, g.height);
    this.windows(enc.takeFrames(), clock);
  }

  private count(n: number): void {
    this.eventsIn += n;
    this.rateCount += n;
  }

  private fail(e: unknown): void {
    this.errors++;
    this.lastError = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
    // a bad stretch of input must not poison the next windows
    this.encoder = null;
    this.encoderGeometry = '';
  }

  /** The encoder for this geometry (null geometry: media, the card's own sensor); null without a model. */
  private encoderFor(g: Geometry | null): ModelInputEncoder | null {
    if (!this.model) return null;
    const key = g ? `${g.width}x${g.height}` : 'media';
    if (this.encoder && this.encoderGeometry === key) return this.encoder;
    if (g && (g.width <= 0 || g.height <= 0)) return null;
    try {
      this.encoder = new ModelInputEncoder(this.model.card.input, { ...(g ? { eventGeometry: g } : {}), ...(this.denoiseUs ? { denoiseUs: this.denoiseUs } : {}) });
    } catch (e) {
      this.fail(e);
      return null;
    }
    this.encoderGeometry = key;
    return this.encoder;
  }

  private windows(frames: ModelFrame[], clock: SensorClock): void {
    if (frames.length === 0) return;
    const now = this.now();
    for (const frame of frames) {
      // when the window's end happened on the host clock
      const endWallMs = clock.wallMs - (clock.tUs - frame.tEndUs) / (clock.speed * 1000);
      this.windowsBinned++;
      this.binned.add(now - endWallMs);
      this.submit({ frame, endWallMs, generation: this.generation });
    }
  }

  private submit(w: Waiting): void {
    if (!this.engine) return;
    if (!this.inFlight) {
      this.dispatch(w);
      return;
    }
    if (this.waiting) this.droppedWindows++;
    this.waiting = w;
  }

  private dispatch(w: Waiting): void {
    const engine = this.engine!;
    this.inFlight = w;
    const data = w.frame.data;
    engine.infer(data, w.frame.tEndUs).then(
      (r) => this.answered(w, r),
      (e) => {
        if (w.generation === this.generation) this.fail(e);
      },
    ).finally(() => {
      this.inFlight = null;
      const next = this.waiting;
      this.waiting = null;
      if (next && this.engine) this.dispatch(next);
    });
  }

  private answered(w: Waiting, r: EngineResult): void {
    if (w.generation !== this.generation || !this.model || !this.classifier) return; // a result for a replaced model or source
    const now = this.now();
    this.windowsInferred++;
    this.inferred.add(now - w.endWallMs);
    const frame = w.frame;
    this.lastResult = { frame, result: r };
    for (const fn of this.resultListeners) fn(frame, r);
    let c: ReturnType<Classifier['classify']>;
    try {
      c = this.classifier.classify(r, frame);
    } catch (e) {
      this.fail(e);
      return;
    }
    const gt = this.opts.groundTruth?.();
    const p: PredictionUpdate = { tUs: frame.tEndUs, window: frame.index, ...c };
    if (gt !== undefined) p.groundTruth = groundTruthLabel(gt, p.labels);
    this.latestPrediction = { p, endWallMs: w.endWallMs };
    this.latestNsoc = this.nsocFigures(frame, r);
  }

  private nsocFigures(frame: ModelFrame, r: EngineResult): NsocUpdate {
    const s = r.stats;
    let energyJ = 0;
    try {
      if (s.collected) energyJ = estimateEnergy(this.model!.model, s, HOROWITZ_45NM_SCALED_28NM).totalJ;
    } catch {
      energyJ = 0; // a model whose stats do not match its layers: no estimate rather than no figures
    }
    const hopUs = this.model!.card.input.hopUs;
    return {
      window: frame.index,
      sparsity: s.layers.map((l) => l.outputSparsity),
      layerNames: s.layers.map((l) => l.name),
      opsExecuted: s.executedOps,
      macsDense: s.denseMacs,
      inferenceMs: r.inferMs,
      energyMicroJ: energyJ * 1e6,
      // one inference per hop: energy × rate
      powerMilliW: energyJ * (1e6 / hopUs) * 1e3,
    };
  }

  /** Display tick: publish the newest prediction / NSoC figures / events; refresh the event rate. */
  tick(): void {
    const now = this.now();
    if (now - this.rateSince >= 500) {
      this.eventRate = (this.rateCount * 1000) / (now - this.rateSince);
      this.rateCount = 0;
      this.rateSince = now;
    }
    if (this.latestPrediction) {
      const { p, endWallMs } = this.latestPrediction;
      this.latestPrediction = null;
      this.out.prediction(p);
      this.sent.add(this.now() - endWallMs);
    }
    if (this.latestNsoc) {
      const n = this.latestNsoc;
      this.latestNsoc = null;
      this.out.nsoc(n);
    }
    if (this.chunker.pending > 0) {
      const c = this.chunker.take();
      if (c && this.out.wantsEvents()) this.out.events(c);
    }
  }
}
