// A speaker of the formant synthesizer, drawn from its name alone: vocal-tract
// length (how far every formant is scaled), mean F0, voice quality (spectral
// tilt, breathiness, formant bandwidths), speaking rate, how long its formant
// transitions take, and its own rendition of every phone (each phone's
// formant targets moved by a few per cent, fixed for the speaker) — an accent.
// Domain randomization: no two speakers put a vowel at the same place.
import { Random } from '../../../src-engine/sources/random';
import { PHONES } from './phones';

export interface FormantSpeaker {
  name: string;
  /** formant scale: 1 = the adult male table, ~1.17 a woman's, ~1.3 a child's */
  tract: number;
  /** mean F0, Hz */
  f0: number;
  /** extra phone-duration factor (1 = the table's) */
  rate: number;
  /** glottal low-pass bandwidth, Hz (smaller = darker voice, steeper tilt) */
  tiltHz: number;
  /** aspiration noise mixed into voicing, 0–0.3 */
  breathiness: number;
  /** formant bandwidth factor */
  bandwidth: number;
  /** formant transition (coarticulation) time, ms */
  transitionMs: number;
  /** F0 jitter, fraction */
  jitter: number;
  /** how far the pitch falls over a word (end F0 / start F0) */
  fall: number;
  /** per phone: its F1–F3 factors for this speaker */
  accent: Readonly<Record<string, readonly [number, number, number]>>;
  /** chance a word-final stop is not released (the lips or tongue just stay closed) */
  unreleased: number;
  /** which pronunciation variant it uses, by index (mod the word's variant count) */
  variant: number;
}

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const uni = (r: Random, a: number, b: number): number => a + (b - a) * r.uniform();
const clampN = (r: Random, sd: number, lim: number): number => Math.max(-lim, Math.min(lim, sd * r.normal()));

/** The speaker a name stands for (any name; the same name, the same speaker). */
export function formantSpeaker(name: string): FormantSpeaker {
  const r = new Random(hash32(`formant-speaker/${name}`));
  const u = r.uniform();
  // men, women and children, with tract length and pitch that go together
  const [tract, f0] = u < 0.45 ? [uni(r, 0.9, 1.05), uni(r, 85, 145)] : u < 0.9 ? [uni(r, 1.08, 1.22), uni(r, 160, 250)] : [uni(r, 1.22, 1.35), uni(r, 220, 300)];
  const accent: Record<string, [number, number, number]> = {};
  for (const p of Object.keys(PHONES)) accent[p] = [1 + clampN(r, 0.07, 0.16), 1 + clampN(r, 0.06, 0.14), 1 + clampN(r, 0.04, 0.1)];
  return {
    name,
    tract,
    f0,
    rate: uni(r, 0.85, 1.2),
    tiltHz: uni(r, 120, 600),
    breathiness: uni(r, 0.01, 0.3),
    bandwidth: uni(r, 0.8, 1.6),
    transitionMs: uni(r, 25, 60),
    jitter: uni(r, 0.003, 0.02),
    fall: uni(r, 0.65, 0.95),
    accent,
    unreleased: uni(r, 0, 0.6),
    variant: Math.floor(r.uniform() * 2),
  };
}
