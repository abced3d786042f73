// The phones of the rule-based formant synthesizer (ARPAbet, as CMUdict spells
// them): what kind of sound each is, its formant targets for an adult male
// vocal tract (Peterson & Barney's vowels, Klatt 1980's consonant loci), its
// typical duration, and for obstruents where its noise sits. The speaker model
// (speaker.ts) scales and perturbs these; the renderer (synth.ts) interpolates.

export type PhoneKind = 'vowel' | 'diphthong' | 'glide' | 'nasal' | 'stop' | 'fricative' | 'affricate' | 'aspirate';

export interface Phone {
  kind: PhoneKind;
  voiced: boolean;
  /** F1–F3 targets, Hz (stops, fricatives: the locus the neighbouring vowels' formants bend towards) */
  f: readonly [number, number, number];
  /** diphthongs: the F1–F3 the glide ends on */
  to?: readonly [number, number, number];
  /** typical duration, ms (stressed, medial) */
  ms: number;
  /** frication / burst noise: centre and bandwidth, Hz, and level relative to a vowel (0–1) */
  noise?: { hz: number; bw: number; gain: number };
}

const V = (f1: number, f2: number, f3: number, ms: number): Phone => ({ kind: 'vowel', voiced: true, f: [f1, f2, f3], ms });
const D = (a: readonly [number, number, number], b: readonly [number, number, number], ms: number): Phone => ({ kind: 'diphthong', voiced: true, f: a, to: b, ms });

export const PHONES: Readonly<Record<string, Phone>> = {
  IY: V(310, 2020, 2960, 120),
  IH: V(400, 1800, 2570, 90),
  EH: V(530, 1680, 2500, 110),
  AE: V(620, 1660, 2430, 150),
  AA: V(700, 1220, 2600, 150),
  AO: V(600, 990, 2570, 150),
  AH: V(620, 1200, 2550, 100),
  AX: V(500, 1400, 2300, 60),
  UH: V(450, 1100, 2350, 90),
  UW: V(350, 1250, 2200, 130),
  ER: V(470, 1270, 1540, 140),
  EY: D([480, 2090, 2630], [330, 2200, 2700], 150),
  AY: D([660, 1200, 2550], [400, 1880, 2500], 180),
  AW: D([640, 1230, 2550], [420, 940, 2350], 180),
  OW: D([540, 1100, 2300], [450, 900, 2300], 160),
  OY: D([550, 960, 2400], [360, 1820, 2450], 180),
  W: { kind: 'glide', voiced: true, f: [290, 610, 2150], ms: 60 },
  Y: { kind: 'glide', voiced: true, f: [260, 2070, 3020], ms: 60 },
  R: { kind: 'glide', voiced: true, f: [310, 1060, 1380], ms: 70 },
  L: { kind: 'glide', voiced: true, f: [310, 1050, 2880], ms: 70 },
  M: { kind: 'nasal', voiced: true, f: [250, 1100, 2100], ms: 70 },
  N: { kind: 'nasal', voiced: true, f: [250, 1600, 2600], ms: 65 },
  NG: { kind: 'nasal', voiced: true, f: [250, 2000, 2700], ms: 70 },
  P: { kind: 'stop', voiced: false, f: [200, 900, 2100], ms: 75, noise: { hz: 1200, bw: 2500, gain: 0.25 } },
  B: { kind: 'stop', voiced: true, f: [200, 900, 2100], ms: 65, noise: { hz: 1200, bw: 2500, gain: 0.15 } },
  T: { kind: 'stop', voiced: false, f: [200, 1750, 2700], ms: 70, noise: { hz: 4200, bw: 2000, gain: 0.5 } },
  D: { kind: 'stop', voiced: true, f: [200, 1750, 2700], ms: 60, noise: { hz: 4200, bw: 2000, gain: 0.3 } },
  K: { kind: 'stop', voiced: false, f: [200, 1900, 2300], ms: 75, noise: { hz: 2000, bw: 900, gain: 0.5 } },
  G: { kind: 'stop', voiced: true, f: [200, 1900, 2300], ms: 65, noise: { hz: 2000, bw: 900, gain: 0.3 } },
  S: { kind: 'fricative', voiced: false, f: [320, 1400, 2700], ms: 110, noise: { hz: 5500, bw: 2200, gain: 0.45 } },
  Z: { kind: 'fricative', voiced: true, f: [320, 1400, 2700], ms: 90, noise: { hz: 5500, bw: 2200, gain: 0.3 } },
  SH: { kind: 'fricative', voiced: false, f: [300, 1840, 2750], ms: 120, noise: { hz: 2900, bw: 1500, gain: 0.5 } },
  ZH: { kind: 'fricative', voiced: true, f: [300, 1840, 2750], ms: 90, noise: { hz: 2900, bw: 1500, gain: 0.35 } },
  F: { kind: 'fricative', voiced: false, f: [340, 1100, 2080], ms: 110, noise: { hz: 5000, bw: 6000, gain: 0.12 } },
  V: { kind: 'fricative', voiced: true, f: [220, 1100, 2080], ms: 70, noise: { hz: 5000, bw: 6000, gain: 0.08 } },
  TH: { kind: 'fricative', voiced: false, f: [320, 1290, 2540], ms: 100, noise: { hz: 5500, bw: 6000, gain: 0.1 } },
  DH: { kind: 'fricative', voiced: true, f: [270, 1290, 2540], ms: 60, noise: { hz: 5500, bw: 6000, gain: 0.06 } },
  CH: { kind: 'affricate', voiced: false, f: [350, 1800, 2820], ms: 130, noise: { hz: 3000, bw: 1500, gain: 0.5 } },
  JH: { kind: 'affricate', voiced: true, f: [260, 1800, 2820], ms: 110, noise: { hz: 3000, bw: 1500, gain: 0.35 } },
  HH: { kind: 'aspirate', voiced: false, f: [500, 1500, 2500], ms: 70 },
};

export function isVowel(p: Phone): boolean {
  return p.kind === 'vowel' || p.kind === 'diphthong';
}
