// Mixing a spoken word with background noise into the clip the cochlea hears:
// the word placed at a chosen sample, at a chosen level, with noise at a
// chosen signal-to-noise ratio. Pure functions on Float32 PCM.
//
// SNR here is the word's power over its active part (wordBounds) against the
// noise's power over the whole clip, the usual definition for keyword-spotting
// augmentation (the silence around the word does not dilute the speech).

/** dB of a mean square (power) relative to full scale; −Infinity for silence. */
export function powerDb(ms: number): number {
  return ms > 0 ? 10 * Math.log10(ms) : -Infinity;
}

export function meanSquare(x: Float32Array, start = 0, end = x.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i] * x[i];
  return end > start ? s / (end - start) : 0;
}

/**
 * Where the word is: the first and last 10 ms frames whose RMS lies within
 * `rangeDb` of the loudest frame, widened by `padMs` (a synthesizer pads
 * silence around the word; the cochlea needs the onset, not the silence).
 * Returns [start, end) in samples; [0, 0) for digital silence.
 */
export function wordBounds(x: Float32Array, sampleRate: number, rangeDb = 40, padMs = 15): { start: number; end: number } {
  const frame = Math.max(1, Math.round(sampleRate / 100));
  const frames = Math.ceil(x.length / frame);
  const db = new Float64Array(frames);
  let peak = -Infinity;
  for (let f = 0; f < frames; f++) {
    db[f] = powerDb(meanSquare(x, f * frame, Math.min(x.length, (f + 1) * frame)));
    if (db[f] > peak) peak = db[f];
  }
  if (peak === -Infinity) return { start: 0, end: 0 };
  let a = 0, b = frames - 1;
  while (db[a] < peak - rangeDb) a++;
  while (db[b] < peak - rangeDb) b--;
  const pad = Math.round((padMs * sampleRate) / 1000);
  return { start: Math.max(0, a * frame - pad), end: Math.min(x.length, (b + 1) * frame + pad) };
}

export interface MixSpec {
  /** clip length, samples */
  length: number;
  /** the word (its active part: the caller trims it with wordBounds), or null for a noise-only clip */
  word: Float32Array | null;
  /** clip sample where the word's first sample goes (the word must fit) */
  wordAt: number;
  /** the word's RMS over itself, dB re full scale (e.g. −25) */
  wordLevelDb: number;
  /** noise source (any length ≥ 1; read cyclically from noiseOffset) or null for none */
  noise: Float32Array | null;
  noiseOffset: number;
  /** word level − noise level, dB; for a noise-only clip use noiseLevelDb */
  snrDb?: number;
  /** noise RMS, dB re full scale, when there is no word (silence clips) */
  noiseLevelDb?: number;
}

export interface MixResult {
  pcm: Float32Array;
  /** the gains applied (after any scaling down to avoid clipping) */
  wordGain: number;
  noiseGain: number;
  /** the scale applied to both to keep the peak below 0.99 (1 when none) */
  limiter: number;
}

/** Builds the clip. Throws RangeError when the word does not fit or the levels are missing. */
export function mixClip(s: MixSpec): MixResult {
  const out = new Float32Array(s.length);
  let wordGain = 0, noiseGain = 0;
  if (s.word) {
    if (s.wordAt < 0 || s.wordAt + s.word.length > s.length) throw new RangeError(`mix: a word of ${s.word.length} samples at ${s.wordAt} does not fit a clip of ${s.length}`);
    const ms = meanSquare(s.word);
    wordGain = ms > 0 ? Math.sqrt(10 ** (s.wordLevelDb / 10) / ms) : 0;
  }
  if (s.noise && s.noise.length) {
    let level: number;
    if (s.word) {
      if (s.snrDb === undefined) throw new RangeError('mix: a word with noise needs snrDb');
      level = s.wordLevelDb - s.snrDb;
    } else {
      if (s.noiseLevelDb === undefined) throw new RangeError('mix: a noise-only clip needs noiseLevelDb');
      level = s.noiseLevelDb;
    }
    // the power of the noise exactly as it lands in the clip (cyclic read)
    const N = s.noise.length;
    let sum = 0;
    for (let i = 0, j = ((s.noiseOffset % N) + N) % N; i < s.length; i++) {
      const v = s.noise[j];
      sum += v * v;
      out[i] = v;
      if (++j === N) j = 0;
    }
    const ms = sum / s.length;
    noiseGain = ms > 0 ? Math.sqrt(10 ** (level / 10) / ms) : 0;
    for (let i = 0; i < s.length; i++) out[i] *= noiseGain;
  }
  if (s.word) for (let i = 0; i < s.word.length; i++) out[s.wordAt + i] += wordGain * s.word[i];
  let peak = 0;
  for (let i = 0; i < out.length; i++) {
    const a = Math.abs(out[i]);
    if (a > peak) peak = a;
  }
  const limiter = peak > 0.99 ? 0.99 / peak : 1;
  if (limiter !== 1) for (let i = 0; i < out.length; i++) out[i] *= limiter;
  return { pcm: out, wordGain: wordGain * limiter, noiseGain: noiseGain * limiter, limiter };
}
