// The recipe of every sample, drawn from the seed alone: which word, which
// voice and synthesizer settings, which noise at which level and where the
// word sits in its 1 s window. A sample's draws come from its own generator
// (seeded by seed/split/index), so any sample can be (re)made on its own —
// shards are independent and a resumed run makes exactly the same data.
import { Random } from '../../../src-engine/sources/random';
import type { SpeechParams } from '../../media/speech';
import { NOISE_KINDS, type NoiseKind } from './noise';
import { AUX_WORDS } from './aux-vocabulary';
import { ALL_CLASSES, BACKBONE_CLASSES, COMMAND_WORDS, HELD_OUT_WORDS, SILENCE, UNKNOWN, UNKNOWN_WORDS } from './vocabulary';
import { FESTVOX_WOMEN, FLITE_F0, type Voice, voicesWithRole } from './voices';
import { respell } from './accents';

export const SPLITS = ['train', 'val', 'test', 'fewshot'] as const;
/**
 * 'aux': the auxiliary vocabulary (aux-vocabulary.ts) in training voices; its classes follow ALL_CLASSES.
 * 'festival': the command words and unknown words spoken by festival, a second training synthesizer.
 * 'accents': the same words by festival's other-language voices reading respellings (accented English).
 * 'mbrola': the same words by MBROLA's recorded diphone voices through espeak-ng (native and accented English).
 * 'parametric': the same words by Pico's and RHVoice's HMM voices.
 * 'festvox': the same words by festival's other English voices (diphone and MBROLA).
 * 'hmmaccents': the same words by Pico's and RHVoice's other-language HMM voices (accented English).
 */
export type KeywordSplit = (typeof SPLITS)[number] | 'aux' | 'festival' | 'accents' | 'mbrola' | 'parametric' | 'festvox' | 'hmmaccents';

/** Noise before the window, so the cochlea has settled on the background (live, it always has). */
export const PRE_ROLL_US = 300_000;
export const WINDOW_US = 1_000_000;
/** Audio after the window (the last bin's events are complete). */
export const TAIL_US = 50_000;
/** The word keeps this far from the window's edges. */
export const EDGE_US = 30_000;

export interface SampleSpec {
  split: KeywordSplit;
  index: number;
  /** index into the dataset's classes: ALL_CLASSES, then (aux split only) AUX_WORDS */
  label: number;
  /** the spoken word, null for silence */
  word: string | null;
  /** group id (voice id), −1 for silence (no speaker) */
  group: number;
  speech: SpeechParams | null;
  noise: NoiseKind | null;
  /** noise loop read offset, samples */
  noiseOffset: number;
  /** word RMS over its active part, dBFS */
  wordLevelDb: number;
  /** word − noise, dB (words with noise) */
  snrDb: number;
  /** noise RMS, dBFS (silence clips) */
  noiseLevelDb: number;
  /** where the word starts in the free room of the window, 0…1 */
  position: number;
}

export interface SplitPlan {
  split: KeywordSplit;
  /** class names this split holds, in the interleaving order of its samples */
  classes: string[];
  perClass: number;
  count: number;
}

/** How many samples each split holds for `perClass` training samples per class. */
export function planSplits(perClass: number, tiny: boolean): SplitPlan[] {
  const backbone = [...BACKBONE_CLASSES];
  const few = [...BACKBONE_CLASSES, ...HELD_OUT_WORDS];
  // tiny: one of each per split (a smoke test, seconds); otherwise val 1/5, test 1/3 of perClass
  const val = tiny ? 1 : Math.max(2, Math.round(perClass / 5));
  const test = tiny ? 1 : Math.max(2, Math.round(perClass / 3));
  // the N-way K-shot benchmark needs ≥ 20 per class (K shots + queries)
  const fewshot = tiny ? 1 : Math.max(20, Math.round(perClass / 10));
  return [
    { split: 'train', classes: backbone, perClass, count: perClass * backbone.length },
    { split: 'val', classes: backbone, perClass: val, count: val * backbone.length },
    { split: 'test', classes: backbone, perClass: test, count: test * backbone.length },
    { split: 'fewshot', classes: few, perClass: fewshot, count: fewshot * few.length },
  ];
}

/** --tiny: one take of each of the first TINY_AUX_WORDS aux words. */
export const TINY_AUX_WORDS = 12;
/**
 * Takes of each aux word (default). More takes of the same words made the embedding separate
 * new words better: 8 → 16 → 32 took 5-way 1-shot from 77.5 to 80–81 to 83–85 % (docs/MODELS.md).
 */
export const DEFAULT_AUX_PER_WORD = 32;

/** The aux split: `perWord` takes of every aux word (tiny: one of each of the first few), interleaved. */
export function planAux(perWord: number, tiny: boolean): SplitPlan {
  const classes = tiny ? AUX_WORDS.slice(0, TINY_AUX_WORDS) : [...AUX_WORDS];
  const n = tiny ? 1 : perWord;
  return { split: 'aux', classes, perClass: n, count: n * classes.length };
}

/** --tiny: one take of each festival class. Default takes per class: */
export const DEFAULT_FESTIVAL_PER_CLASS = 160;

/** The festival split: `perClass` takes of each command word and of unknown words (silence has no synthesizer). */
export function planFestival(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('festival', perClass, tiny);
}

/** Default takes per class of the accents split (spread over its nine voices). */
export const DEFAULT_ACCENTS_PER_CLASS = 160;

/** The accents split: like the festival split, by the accent voices. */
export function planAccents(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('accents', perClass, tiny);
}

/** Default takes per class of the mbrola and parametric splits (spread over their voices). */
export const DEFAULT_MBROLA_PER_CLASS = 160;
export const DEFAULT_PARAMETRIC_PER_CLASS = 160;
export const DEFAULT_FESTVOX_PER_CLASS = 160;
export const DEFAULT_HMM_ACCENTS_PER_CLASS = 160;

/** The mbrola split: like the festival split, by espeak-ng's MBROLA voices. */
export function planMbrola(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('mbrola', perClass, tiny);
}

/** The parametric split: like the festival split, by Pico's and RHVoice's voices. */
export function planParametric(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('parametric', perClass, tiny);
}

/** The festvox split: like the festival split, by festival's other English voices. */
export function planFestvox(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('festvox', perClass, tiny);
}

/** The hmmaccents split: like the festival split, by Pico's and RHVoice's other-language voices. */
export function planHmmAccents(perClass: number, tiny: boolean): SplitPlan {
  return wordsPlan('hmmaccents', perClass, tiny);
}

function wordsPlan(split: 'festival' | 'accents' | 'mbrola' | 'parametric' | 'festvox' | 'hmmaccents', perClass: number, tiny: boolean): SplitPlan {
  const classes = [...COMMAND_WORDS, UNKNOWN];
  const n = tiny ? 1 : perClass;
  return { split, classes, perClass: n, count: n * classes.length };
}

/** 32-bit FNV-1a of a string: one independent seed per sample. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const uni = (r: Random, a: number, b: number): number => a + (b - a) * r.uniform();
const int = (r: Random, a: number, b: number): number => a + Math.floor((b - a + 1) * r.uniform());
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(xs.length * r.uniform())];

const NOISE_WEIGHTS: Record<NoiseKind, number> = { white: 0.25, pink: 0.35, brown: 0.25, hum: 0.15 };
function pickNoise(r: Random): NoiseKind {
  let u = r.uniform();
  for (const k of NOISE_KINDS) {
    u -= NOISE_WEIGHTS[k];
    if (u < 0) return k;
  }
  return 'pink';
}

const VOICE_ROLE: Record<KeywordSplit, Voice['role']> = { train: 'train', val: 'train', test: 'flite', fewshot: 'unseen', aux: 'train', festival: 'festival', accents: 'accents', mbrola: 'mbrola', parametric: 'parametric', festvox: 'festvox', hmmaccents: 'hmmaccents' };
const voiceCache = new Map<Voice['role'], Voice[]>();
function voicesFor(split: KeywordSplit): Voice[] {
  const role = VOICE_ROLE[split];
  let v = voiceCache.get(role);
  if (!v) voiceCache.set(role, (v = voicesWithRole(role)));
  return v;
}

/** Synthesizer settings of one take: a voice's pitch, speed and loudness vary take to take, as a person's do. */
function speechFor(r: Random, word: string, voice: Voice): SpeechParams {
  const p: SpeechParams = { text: voice.lang ? respell(word, voice.lang) : word, synth: voice.synth, voice: voice.name, speed: int(r, 120, 240), amplitude: int(r, 70, 150) };
  if (voice.synth === 'espeak-ng') p.pitch = int(r, 15, 85);
  // Pico's and RHVoice's voices (English and other languages): 75–145 % of their own pitch
  else if (voice.synth === 'pico' || voice.synth === 'rhvoice') p.pitch = int(r, 75, 145);
  // festival's one (male) speaker at any mean F0 from a low male to a high female voice
  else if (voice.role === 'festival') p.pitch = int(r, 75, 170);
  // festival's other English voices: a man's or a woman's range, as the speaker is
  else if (voice.role === 'festvox') p.pitch = FESTVOX_WOMEN.includes(voice.name) ? int(r, 140, 260) : int(r, 75, 170);
  // the accent voices keep their own pitch (int_lr_params drives only the English diphone voices' intonation)
  else if (voice.synth === 'flite' && r.uniform() < 0.6) p.pitch = Math.round(FLITE_F0[voice.name as keyof typeof FLITE_F0] * uni(r, 0.85, 1.2));
  // a reverberant room for a quarter of takes, a band-limited microphone for a fifth
  if (r.uniform() < 0.25) p.reverb = int(r, 10, 70);
  if (r.uniform() < 0.2) p.lowpassHz = int(r, 35, 75) * 100;
  // espeak-ng's formant voices share one vocal tract per variant, festival has one
  // speaker: warp most takes (formants ±15 %) so a model cannot lean on exact formants
  if (voice.synth !== 'flite' && r.uniform() < 0.8) p.warp = Math.round(uni(r, 0.85, 1.2) * 1000) / 1000;
  // a microphone's / room's colour: one or two octave-wide bands ±10 dB in 60 % of takes (every split)
  if (r.uniform() < 0.6) {
    p.eq = [];
    for (let k = 1 + (r.uniform() < 0.5 ? 1 : 0); k > 0; k--) p.eq.push({ hz: Math.round(150 * 40 ** r.uniform()), gainDb: Math.round(uni(r, -10, 10) * 10) / 10 });
  }
  return p;
}

/** The recipe of sample `index` of a split (class = index mod the split's classes). */
export function sampleSpec(seed: number, plan: SplitPlan, index: number): SampleSpec {
  const r = new Random(hash32(`keywords/${seed}/${plan.split}/${index}`));
  const name = plan.classes[index % plan.classes.length];
  const label = plan.split === 'aux' ? ALL_CLASSES.length + AUX_WORDS.indexOf(name) : ALL_CLASSES.indexOf(name);
  let word: string | null = null;
  if (plan.split === 'aux') word = name;
  else if (name === UNKNOWN) word = pick(r, UNKNOWN_WORDS);
  else if (name !== SILENCE) word = name;
  const voice = word ? pick(r, voicesFor(plan.split)) : null;
  const speech = word && voice ? speechFor(r, word, voice) : null;
  let noise: NoiseKind | null = null;
  // words: noise in 90% of clips (SNR 5–35 dB); silence: noise in 90%, the rest digital silence
  if (r.uniform() < 0.9) noise = pickNoise(r);
  return {
    split: plan.split,
    index,
    label,
    word,
    group: voice ? voice.id : -1,
    speech,
    noise,
    noiseOffset: int(r, 0, 1 << 30),
    wordLevelDb: uni(r, -40, -12),
    snrDb: uni(r, 5, 35),
    noiseLevelDb: uni(r, -75, -25),
    position: r.uniform(),
  };
}
