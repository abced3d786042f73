// The formant synthesizer as the speech module uses it: a word by a named
// speaker → 16 kHz mono 16-bit WAV bytes.
import { pronounce } from './lexicon';
import { formantSpeaker } from './speaker';
import { FORMANT_SAMPLE_RATE, synthesizeFormantWord } from './synth';

export { FORMANT_WORDS, pronounce } from './lexicon';
export { formantSpeaker, type FormantSpeaker } from './speaker';
export { FORMANT_SAMPLE_RATE, synthesizeFormantWord } from './synth';

/** Bumped whenever the synthesizer's output changes (it is part of the speech cache key). */
export const FORMANT_SYNTH_VERSION = 1;

export interface FormantWavRequest {
  word: string;
  /** speaker name (formantSpeaker) */
  speaker: string;
  /** mean F0, Hz (default the speaker's) */
  f0?: number;
  /** duration factor (> 1 slower) */
  stretch?: number;
  seed: number;
}

/** Throws a RangeError naming the known words when the synthesizer cannot say `word`. */
export function checkFormantWord(word: string): void {
  pronounce(word);
}

/** Speaks one word as a WAV file's bytes. */
export function formantWav(r: FormantWavRequest): Uint8Array {
  const x = synthesizeFormantWord({ word: r.word, speaker: formantSpeaker(r.speaker), f0: r.f0, stretch: r.stretch, seed: r.seed });
  const b = Buffer.alloc(44 + 2 * x.length);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + 2 * x.length, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(FORMANT_SAMPLE_RATE, 24);
  b.writeUInt32LE(2 * FORMANT_SAMPLE_RATE, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(2 * x.length, 40);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.round(Math.max(-1, Math.min(1, x[i])) * 32767), 44 + 2 * i);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
