// How a keyword clip becomes the network's input: the cochlea (32 mel
// channels, 100–7600 Hz at 16 kHz) → delta-modulation events → a 1 s window
// in 32 time bins of 31.25 ms, neighbouring channels pooled in pairs into 16
// bands, ON/OFF apart, counts clipped at 15 → the 'time-rows' layout (32 bins
// × 16 bands × 2: a spectrogram-like image).
//
// Every sample goes through ModelInputEncoder.pushAudio — the code the live
// app runs on the microphone — so training tensors and live tensors agree
// bit for bit. The only change for generation is a finer hop (10 ms instead
// of the live 250 ms) so a window can start where the clip's plan says; the
// hop only decides which windows are emitted, never what a window contains.
import type { InputEncoding } from '../../../src-engine/models/card';
import { ModelInputEncoder } from '../../../src-engine/models/encoder';

export const KEYWORD_CHANNELS = 32;
/**
 * The cochlea's channels pooled in pairs (the binner's scaling): a model that sees the
 * exact channel of every formant learns one synthesizer's vocal tracts; with 16 bands the
 * same recipe recognizes 3 points more of the unseen synthesizer's words and 2 more of the
 * training ones' (model v9, docs/MODELS.md).
 */
export const KEYWORD_BANDS = 16;
export const KEYWORD_BINS = 32;

/**
 * The keyword model's input encoding (meta.json `input`, later the model card's).
 * The cochlea's defaults (δ 1.5 dB, 60 Hz envelope) turn steady background
 * noise into a storm of events (pink noise at 20 dB SNR: ~2 500 events/s, two
 * thirds of the cells of a word's frame set). δ 2.5 dB with a 30 Hz envelope
 * (still ~3× faster than a 31 ms bin) cuts steady noise to ~430 events/s and a
 * word's frame to ~10–30 % of cells, and keeps words apart (docs/DATASETS.md).
 * The noise floor is −75 dB, not the cochlea's default −60: a word's energy is
 * spread over 32 channels, so a quietly spoken word (−40 dB) sat at the −60 dB
 * floor in most of them and its weak consonants made no events at all; with
 * the lower floor the same recipe recognizes 2–3 points more of the unseen
 * synthesizer's words (model v12, docs/MODELS.md).
 */
export const KEYWORD_INPUT: InputEncoding = {
  sensor: 'audio',
  sensorWidth: KEYWORD_CHANNELS,
  sensorHeight: 1,
  windowUs: 1_000_000,
  hopUs: 250_000,
  bins: KEYWORD_BINS,
  polarities: 2,
  clip: 15,
  width: KEYWORD_BANDS,
  height: 1,
  layout: 'time-rows',
  cochlea: { sampleRate: 16000, channels: KEYWORD_CHANNELS, fMinHz: 100, fMaxHz: 7600, thresholdDb: -75, deltaDb: 2.5, envelopeHz: 30 },
};

/** Hop used while generating: windows every 10 ms, so the chosen one starts within 5 ms of the plan. */
export const GENERATION_HOP_US = 10_000;

export interface EncodedClip {
  /** bins × channels × polarities (the model input) */
  frame: Uint8Array;
  /** the chosen window's start, µs from the clip's first sample */
  tStartUs: number;
  /** events counted into the chosen window */
  events: number;
  /** events the cochlea made over the whole clip */
  clipEvents: number;
}

/**
 * Runs a 16 kHz clip (first sample at t = 0) through the encoder and returns
 * the window starting nearest `windowStartUs`. The encoder anchors its window
 * grid at the first event, so with no event before the plan (a clean clip)
 * the window starts at the first sound; with no events at all the frame is
 * all zeros, which is what the live app's binner represents as silence.
 */
export function encodeClip(pcm: Float32Array, sampleRate: number, windowStartUs: number, enc: InputEncoding = KEYWORD_INPUT): EncodedClip {
  // closeOnMediaClock off: only windows that events opened exist, as when generator keywords-3
  // made the shipped models' data (the nearest window to the plan is chosen among those; the
  // contents of any window are the same either way)
  const encoder = new ModelInputEncoder({ ...enc, hopUs: GENERATION_HOP_US }, { closeOnMediaClock: false });
  const events = encoder.pushAudio(pcm, sampleRate, 0);
  const clipEvents = events.length;
  const frames = [...encoder.takeFrames(), ...encoder.flush()];
  const size = encoder.inputShape[0] * encoder.inputShape[1] * encoder.inputShape[2];
  let best = -1, bestD = Infinity;
  for (let i = 0; i < frames.length; i++) {
    const d = Math.abs(frames[i].tStartUs - windowStartUs);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  if (best < 0) return { frame: new Uint8Array(size), tStartUs: windowStartUs, events: 0, clipEvents };
  const f = frames[best];
  return { frame: f.data, tStartUs: f.tStartUs, events: f.events, clipEvents };
}
