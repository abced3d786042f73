// One sample from its recipe: synthesize (cached) → trim to the word → mix
// into pre-roll + 1 s window + tail → cochlea → the window's frame.
import { readWav } from '../../../src-engine/sources/cochlea/wav';
import { SPEECH_SAMPLE_RATE, synthesizeSpeech } from '../../media/speech';
import { encodeClip, KEYWORD_INPUT } from './encoding';
import { mixClip, wordBounds } from './mix';
import type { NoiseBank } from './noise';
import { EDGE_US, PRE_ROLL_US, type SampleSpec, TAIL_US, WINDOW_US } from './plan';
import type { InputEncoding } from '../../../src-engine/models/card';

const SR = SPEECH_SAMPLE_RATE;
const us = (t: number): number => Math.round((t * SR) / 1e6);

export interface MadeSample {
  frame: Uint8Array;
  /** events in the sample's window */
  events: number;
  /** the mixed clip (pre-roll + window + tail), for inspection and tests */
  pcm: Float32Array;
  /** the word's first sample in the clip, −1 for silence */
  wordAt: number;
  wordLength: number;
}

/** The trimmed word of a synthesized WAV (centre-cropped when longer than the window allows). */
export function trimWord(wav: Uint8Array): Float32Array {
  const a = readWav(wav);
  if (a.sampleRate !== SR) throw new RangeError(`speech: expected ${SR} Hz audio, got ${a.sampleRate} Hz`);
  const b = wordBounds(a.samples, SR);
  let w = a.samples.subarray(b.start, b.end);
  const room = us(WINDOW_US - 2 * EDGE_US);
  if (w.length > room) w = w.subarray((w.length - room) >> 1, ((w.length - room) >> 1) + room);
  return w;
}

/** Mixes the clip of a recipe given its synthesized word (null for silence). */
export function mixSample(spec: SampleSpec, word: Float32Array | null, noise: NoiseBank): { pcm: Float32Array; wordAt: number } {
  const length = us(PRE_ROLL_US + WINDOW_US + TAIL_US);
  let wordAt = -1;
  if (word) {
    const free = us(WINDOW_US - 2 * EDGE_US) - word.length;
    wordAt = us(PRE_ROLL_US + EDGE_US) + Math.floor(spec.position * (free + 1));
  }
  const m = mixClip({
    length,
    word,
    wordAt: Math.max(0, wordAt),
    wordLevelDb: spec.wordLevelDb,
    noise: spec.noise ? noise[spec.noise] : null,
    noiseOffset: spec.noiseOffset,
    snrDb: spec.snrDb,
    noiseLevelDb: spec.noiseLevelDb,
  });
  // The anchor click: the encoder starts its window grid at the first event, so a
  // clip whose noise is below the cochlea's floor would have its window start at
  // the word's onset (word always at the top). Live, the grid was anchored long
  // before and a word lands at any phase. One click at ANCHOR_US makes the first
  // event early, so the planned window exists; its events die out long before
  // the window (pre-roll 300 ms) and never enter a frame.
  m.pcm[us(ANCHOR_US)] += 0.5;
  return { pcm: m.pcm, wordAt };
}

/** When the anchor click sounds, µs into the clip. */
export const ANCHOR_US = 20_000;

/** Makes one sample end to end. */
export async function makeSample(spec: SampleSpec, noise: NoiseBank, speechCacheDir?: string, enc: InputEncoding = KEYWORD_INPUT): Promise<MadeSample> {
  const word = spec.speech ? trimWord(await synthesizeSpeech(spec.speech, { cacheDir: speechCacheDir })) : null;
  return encodeSample(spec, word, noise, enc);
}

/** The CPU part of makeSample (mix + encode) for an already synthesized, trimmed word. */
export function encodeSample(spec: SampleSpec, word: Float32Array | null, noise: NoiseBank, enc: InputEncoding = KEYWORD_INPUT): MadeSample {
  const { pcm, wordAt } = mixSample(spec, word, noise);
  const e = encodeClip(pcm, SR, PRE_ROLL_US, enc);
  return { frame: e.frame, events: e.events, pcm, wordAt, wordLength: word ? word.length : 0 };
}
