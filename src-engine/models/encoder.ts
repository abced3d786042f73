/**
 * Sensor data → network input, exactly as a model card says. One class serves
 * every path — the live app (webcam, microphone, DVS), the CLI (files, .y4m,
 * .wav) and the dataset generators — so a model is trained on the very tensors
 * it will see live.
 *
 *   events (any geometry) ──centre crop + scale──┐
 *   luma frames ─resize─▶ DvsEmulator ───────────┼─▶ TimeChannelBinner ─▶ layout ─▶ ModelFrame
 *   PCM (any rate) ─resample─▶ Cochlea ──────────┘
 */
import type { EventBatch, Geometry } from '../events/batch';
import { TimeChannelBinner, type TimeChannelFrame } from '../frames/time-channel';
import type { Roi } from '../frames/spatial';
import { Cochlea } from '../sources/cochlea/cochlea';
import { DvsEmulator } from '../sources/dvs-emulator/emulator';
import type { InputEncoding } from './card';
import { AudioResampler, LumaResizer } from './resample';

export interface ModelFrame {
  /** window number (window k starts at t0 + k·hop) */
  index: number;
  tStartUs: number;
  tEndUs: number;
  /** the model's input, H × W × C, a fresh array the caller may keep */
  data: Uint8Array;
  shape: [number, number, number];
  /** events counted into the frame */
  events: number;
}

export interface EncoderOptions {
  /** seed of the DVS emulator's threshold mismatch and noise (default 1) */
  seed?: number;
  /** geometry of the events given to pushEvents, when not the card's sensor size */
  eventGeometry?: Geometry;
  /** emit the last, incomplete windows on flush (default true: a short clip still yields a frame) */
  includeIncomplete?: boolean;
  /**
   * tonic's background-activity filter before binning: an event survives only
   * if a neighbour fired within this many µs (live denoise; off by default,
   * since the shipped models were trained without it)
   */
  denoiseUs?: number;
  /**
   * Close webcam / microphone windows on the media clock, not only when a
   * later event arrives (default true): live, a word followed by silence is
   * answered when its window ends, not when the next word starts. A window's
   * contents are the same either way; only when it is emitted changes.
   */
  closeOnMediaClock?: boolean;
}

/**
 * 1 × channels × (bins·P) → bins × channels × P: time runs down the rows, so a
 * 2D network sees a spectrogram-like image of cochlea events.
 */
export function timeRowsLayout(frame: Uint8Array, channels: number, bins: number, polarities: number, out = new Uint8Array(frame.length)): Uint8Array {
  if (frame.length !== channels * bins * polarities) throw new RangeError(`time-rows layout: a frame of ${frame.length} values is not 1 × ${channels} × ${bins}·${polarities}`);
  const C = bins * polarities;
  for (let ch = 0; ch < channels; ch++) {
    for (let b = 0; b < bins; b++) {
      for (let p = 0; p < polarities; p++) out[(b * channels + ch) * polarities + p] = frame[ch * C + b * polarities + p];
    }
  }
  return out;
}

/** The largest centred region of `g` with the aspect ratio w:h. */
export function centreCrop(g: Geometry, w: number, h: number): Roi {
  let cw = g.width, ch = g.height;
  if (g.width * h > g.height * w) cw = Math.max(1, Math.round((g.height * w) / h));
  else ch = Math.max(1, Math.round((g.width * h) / w));
  return { x: (g.width - cw) >> 1, y: (g.height - ch) >> 1, width: cw, height: ch };
}

export class ModelInputEncoder {
  readonly inputShape: [number, number, number];
  private readonly eventBinner: TimeChannelBinner;
  /** binner for the encoder's own sensor (emulated DVS or cochlea), made on first use */
  private mediaBinner: TimeChannelBinner | null = null;
  private emulator: DvsEmulator | null = null;
  private resizer: LumaResizer | null = null;
  private cochlea: Cochlea | null = null;
  private resampler: AudioResampler | null = null;
  private audioT0 = NaN;
  private audioOut = 0;
  private pending: ModelFrame[] = [];

  constructor(
    readonly encoding: InputEncoding,
    private readonly opts: EncoderOptions = {},
  ) {
    const e = encoding;
    if (e.layout === 'time-rows' && e.height !== 1) throw new RangeError(`time-rows layout needs a one-row binner output, not ${e.width}×${e.height}`);
    this.inputShape = e.layout === 'time-rows' ? [e.bins, e.width, e.polarities] : [e.height, e.width, e.bins * e.polarities];
    const g = opts.eventGeometry ?? { width: e.sensorWidth, height: e.sensorHeight };
    this.eventBinner = this.makeBinner(g);
  }

  private makeBinner(sensor: Geometry): TimeChannelBinner {
    const e = this.encoding;
    return new TimeChannelBinner({
      sensor,
      // a camera's frame keeps its aspect (centre crop, then scale); a cochlea's channels are one
      // frequency axis: no ROI (the whole sensor), pooled into `width` bands (32 → 16: neighbours summed)
      roi: e.sensor === 'audio' ? undefined : centreCrop(sensor, e.width, e.height),
      size: { width: e.width, height: e.height },
      windowUs: e.windowUs,
      hopUs: e.hopUs,
      bins: e.bins,
      polarities: e.polarities,
      clip: e.clip,
      includeIncomplete: this.opts.includeIncomplete ?? true,
      ...(this.opts.denoiseUs ? { denoise: { filterTimeUs: this.opts.denoiseUs } } : {}),
    });
  }

  private media(): TimeChannelBinner {
    const e = this.encoding;
    return (this.mediaBinner ??= this.makeBinner({ width: e.sensorWidth, height: e.sensorHeight }));
  }

  /** A binner frame as model input, copied or re-laid out (the binner reuses its buffer). */
  private toModel(f: TimeChannelFrame): ModelFrame {
    const e = this.encoding;
    const data = e.layout === 'time-rows' ? timeRowsLayout(f.data, e.width, e.bins, e.polarities) : f.data.slice();
    return { index: f.index, tStartUs: f.tStartUs, tEndUs: f.tEndUs, data, shape: this.inputShape, events: f.eventsKept };
  }

  /** Frames a binner handed out (advanceTo, flush) as model input, their buffers given back to it. */
  private collect(binner: TimeChannelBinner, frames: TimeChannelFrame[]): ModelFrame[] {
    return frames.map((f) => {
      const m = this.toModel(f);
      binner.recycle(f.data);
      return m;
    });
  }

  /** Events from a recording or an event camera; returns the frames they completed. */
  pushEvents(batch: EventBatch): ModelFrame[] {
    const out: ModelFrame[] = [];
    this.eventBinner.pushEach(batch, (f) => out.push(this.toModel(f)));
    return out;
  }

  /**
   * One video frame (8-bit luma, any size: centre-cropped and resized to the
   * card's sensor) at time tUs through the DVS emulator. Returns the events it
   * made (valid until the next call); completed frames wait in takeFrames().
   */
  pushVideo(luma: Uint8Array, width: number, height: number, tUs: number): EventBatch {
    const e = this.encoding;
    if (e.sensor !== 'dvs') throw new RangeError(`this model listens to ${e.sensor}, not video`);
    this.resizer ??= new LumaResizer(e.sensorWidth, e.sensorHeight);
    this.emulator ??= new DvsEmulator({ width: e.sensorWidth, height: e.sensorHeight, preset: e.dvs?.preset ?? 'clean', ...e.dvs?.params, seed: this.opts.seed ?? 1 });
    const events = this.emulator.push(this.resizer.resize(luma, width, height), tUs);
    // the emulator returned every event up to tUs: a still scene still closes its windows
    this.mediaFrames(events, tUs);
    return events;
  }

  /**
   * Mono PCM (−1…1) at any sample rate, first sample at tUs, through the
   * cochlea (resampled to the card's rate). Returns the events it made.
   */
  pushAudio(pcm: Float32Array, sampleRate: number, tUs: number): EventBatch {
    const e = this.encoding, c = e.cochlea;
    if (e.sensor !== 'audio' || !c) throw new RangeError(`this model listens to ${e.sensor}, not audio`);
    if (!this.cochlea) {
      this.cochlea = new Cochlea({
        sampleRate: c.sampleRate, channels: c.channels, fMin: c.fMinHz, fMax: c.fMaxHz,
        thresholdDb: c.thresholdDb, deltaDb: c.deltaDb, frameHopUs: c.frameHopUs, envelopeHz: c.envelopeHz,
        noiseMarginDb: c.noiseMarginDb, noiseWindowUs: c.noiseWindowUs,
      });
    }
    if (this.resampler && this.resampler.inRate !== sampleRate) throw new RangeError(`the sample rate changed from ${this.resampler.inRate} to ${sampleRate} Hz mid-stream`);
    if (sampleRate !== c.sampleRate) this.resampler ??= new AudioResampler(sampleRate, c.sampleRate);
    if (Number.isNaN(this.audioT0)) this.audioT0 = tUs;
    const samples = this.resampler ? this.resampler.push(pcm) : pcm;
    // one sample clock from the first chunk on (the resampler's output is continuous)
    const t = this.resampler ? this.audioT0 + Math.round((this.audioOut * 1e6) / c.sampleRate) : tUs;
    this.audioOut += samples.length;
    const events = this.cochlea.push(samples, t);
    // silence makes no events: the cochlea's clock, not the next word, closes the windows
    this.mediaFrames(events, this.cochlea.settledUs);
    return events;
  }

  /** Bins media events, then closes the windows that end by `settledUs` (no later event can fall in them). */
  private mediaFrames(events: EventBatch, settledUs: number): void {
    const binner = this.media();
    binner.pushEach(events, (f) => this.pending.push(this.toModel(f)));
    if (this.opts.closeOnMediaClock !== false && Number.isFinite(settledUs)) this.pending.push(...this.collect(binner, binner.advanceTo(settledUs)));
  }

  /** Frames completed by pushVideo / pushAudio since the last call. */
  takeFrames(): ModelFrame[] {
    const f = this.pending;
    this.pending = [];
    return f;
  }

  /** End of input: the frames still open (incomplete windows included unless disabled). */
  flush(): ModelFrame[] {
    const out = this.takeFrames();
    out.push(...this.collect(this.eventBinner, this.eventBinner.flush()));
    if (this.mediaBinner) out.push(...this.collect(this.mediaBinner, this.mediaBinner.flush()));
    return out;
  }
}
