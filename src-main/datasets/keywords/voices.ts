// The speakers of the keyword dataset. A "voice" is one synthesizer setting
// that stays fixed per subject: an espeak-ng language (accent) with a variant
// (+m3, +klatt2, +whisper…), a festival voice, a flite voice, an MBROLA voice
// (through espeak-ng), a Pico language or an RHVoice voice. Its index in VOICES is the
// sample's group id. The lists are fixed here (not read from the installed
// espeak-ng) so the same seed gives the same dataset on every machine with the
// same tool versions; espeak-ng silently ignores an unknown variant, so each
// name is spelled exactly as `espeak-ng --voices=variant` lists its file
// (klatt6 and caleb are left out: in espeak-ng 1.51 they sound exactly like klatt).
import { MBROLA_ENGLISH_VOICES, type SpeechSynth } from '../../media/speech';
import type { AccentLanguage } from './accents';

export const ESPEAK_LANGUAGES = ['en-gb', 'en-us', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc'] as const;

export const ESPEAK_VARIANTS = [
  'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'f1', 'f2', 'f3', 'f4', 'f5',
  'klatt', 'klatt2', 'klatt3', 'klatt4', 'klatt5', 'whisper', 'whisperf', 'croak',
  'adam', 'Alex', 'Alicia', 'Andrea', 'Andy', 'Annie', 'antonio', 'aunty', 'belinda', 'benjamin',
  'boris', 'david', 'ed', 'edward', 'Gene', 'gustave', 'Hugo', 'iven', 'iven2', 'iven3',
  'john', 'kaukovalta', 'Lee', 'linda', 'max', 'Michael', 'michel', 'Mike', 'norbert', 'pablo',
  'paul', 'pedro', 'quincy', 'rob', 'robert', 'sandro', 'shelby', 'steph', 'steph2', 'steph3',
  'travis', 'victor', 'zac', 'anika', 'grandma', 'grandpa', 'Storm', 'Tweaky',
] as const;

/**
 * festival voices that train the backbone beside espeak-ng: a second
 * synthesizer (diphone concatenation, where espeak-ng is formant synthesis).
 * kal_diphone is left out: it is the speaker of flite's kal voices, which the
 * test split holds out.
 */
export const FESTIVAL_VOICES = ['ked_diphone'] as const;

/**
 * festival's voices of other languages, speaking English words from a
 * respelling in their own orthography (accents.ts): accented English by nine
 * more speakers — women, men and a child, diphone and HMM synthesis — none of
 * them flite's. Each keeps its own pitch (their intonation models differ).
 */
export const ACCENT_VOICES = [
  { name: 'lp_diphone', lang: 'it' },
  { name: 'pc_diphone', lang: 'it' },
  { name: 'czech_dita', lang: 'cs' },
  { name: 'czech_krb', lang: 'cs' },
  { name: 'czech_machac', lang: 'cs' },
  { name: 'czech_ph', lang: 'cs' },
  { name: 'suo_fi_lj_diphone', lang: 'fi' },
  { name: 'hy_fi_mv_diphone', lang: 'fi' },
  { name: 'upc_ca_ona_hts', lang: 'ca' },
] as const;

/**
 * The `hmmaccents` split's voices: statistical-parametric (HMM) voices of
 * other languages speaking English — more speakers made the way flite's awb,
 * rms and slt are, eight of them women.
 * - Pico's German, Spanish and Italian voices (women) read respellings (accents.ts).
 * - RHVoice's Russian, Ukrainian and Kyrgyz voices read the English words
 *   themselves: RHVoice maps an English word's pronunciation onto the
 *   language's phonemes ("right" is said as "райт"), so no respelling.
 * - RHVoice's Esperanto and Brazilian Portuguese voices read respellings.
 * Only voices under a licence that allows any use (LGPL-2.1+ or CC BY-SA);
 * RHVoice's non-commercial and no-derivatives voices are left out, and
 * aleksandr-hq, aleksandr's speaker again.
 */
export const HMM_ACCENT_VOICES: readonly { synth: 'pico' | 'rhvoice'; name: string; lang?: AccentLanguage }[] = [
  { synth: 'pico', name: 'de-DE', lang: 'de' },
  { synth: 'pico', name: 'es-ES', lang: 'es' },
  { synth: 'pico', name: 'it-IT', lang: 'it' },
  { synth: 'rhvoice', name: 'anna' },
  { synth: 'rhvoice', name: 'elena' },
  { synth: 'rhvoice', name: 'irina' },
  { synth: 'rhvoice', name: 'aleksandr' },
  { synth: 'rhvoice', name: 'natalia' },
  { synth: 'rhvoice', name: 'anatol' },
  { synth: 'rhvoice', name: 'nazgul' },
  { synth: 'rhvoice', name: 'azamat' },
  { synth: 'rhvoice', name: 'spomenka', lang: 'eo' },
  { synth: 'rhvoice', name: 'Leticia-F123', lang: 'pt' },
];

/**
 * The `mbrola` split's voices: espeak-ng driving MBROLA's diphone databases,
 * recorded from people — four native English speakers (us1 a woman, us2, us3,
 * en1 British) and sixteen other-language speakers whose diphones espeak-ng
 * maps English onto (accented English; seven women). None is a flite speaker.
 */
export const MBROLA_VOICES = Object.keys(MBROLA_ENGLISH_VOICES);

/**
 * The `parametric` split's voices: statistical-parametric (HMM) synthesizers
 * trained on recorded speakers — SVOX Pico's American and British English
 * voices (two women) and RHVoice's bdl and clb (CMU ARCTIC's US man and
 * woman). Left out: RHVoice's slt and alan, who are flite's slt and awb
 * (test speakers), and its evgeniy-eng and lyubov (non-commercial licence).
 */
export const PARAMETRIC_VOICES: readonly { synth: 'pico' | 'rhvoice'; name: string }[] = [
  { synth: 'pico', name: 'en-US' },
  { synth: 'pico', name: 'en-GB' },
  { synth: 'rhvoice', name: 'bdl' },
  { synth: 'rhvoice', name: 'clb' },
];

/**
 * The `festvox` split's voices: festival's other English voices — two more
 * diphone speakers (rab, British; don, a minimal British voice at 10 kHz) and
 * MBROLA's four English speakers (us1 a woman, us2, us3, en1) through
 * festival's own front end and prosody, which flite shares (flite is festival's
 * runtime port), where the mbrola split has espeak-ng's. kal_diphone stays out
 * (flite's kal speaker).
 */
export const FESTVOX_VOICES = ['rab_diphone', 'don_diphone', 'us1_mbrola', 'us2_mbrola', 'us3_mbrola', 'en1_mbrola'] as const;
/** The women among them: their mean F0 is drawn from a woman's range. */
export const FESTVOX_WOMEN: readonly string[] = ['us1_mbrola'];

/** flite's full-vocabulary voices (awb_time only speaks clock times); kal is an 8 kHz voice. */
export const FLITE_VOICES = ['kal', 'kal16', 'awb', 'rms', 'slt'] as const;

/** Typical mean F0 of each flite voice, Hz: the centre of the pitch jitter in the test split. */
export const FLITE_F0: Record<(typeof FLITE_VOICES)[number], number> = { kal: 105, kal16: 105, awb: 115, rms: 100, slt: 170 };

export interface Voice {
  /** group id in the dataset */
  id: number;
  synth: SpeechSynth;
  /** the synthesizer's voice argument: 'en-us+f3' or 'slt' */
  name: string;
  /** where it may be used: backbone training subjects, unseen espeak-ng subjects (few-shot), the held-out synthesizer (test), the second training synthesizer (the festival split), festival's other-language voices (the accents split), MBROLA's voices (the mbrola split), Pico's and RHVoice's (the parametric split), festival's other English voices (the festvox split) or Pico's and RHVoice's other-language voices (the hmmaccents split) */
  role: 'train' | 'unseen' | 'flite' | 'festival' | 'accents' | 'mbrola' | 'parametric' | 'festvox' | 'hmmaccents';
  /** accents and hmmaccents: the language whose spelling the voice reads (none: the English word itself) */
  lang?: AccentLanguage;
}

/**
 * Which espeak-ng voices are unseen subjects: every variant in five (by list
 * position) with any accent, and the New York accent with any variant. Their
 * speech only appears in the few-shot split.
 */
function isUnseen(lang: number, variant: number): boolean {
  return variant % 5 === 4 || ESPEAK_LANGUAGES[lang] === 'en-us-nyc';
}

function buildVoices(): Voice[] {
  const out: Voice[] = [];
  for (let l = 0; l < ESPEAK_LANGUAGES.length; l++) {
    for (let v = 0; v < ESPEAK_VARIANTS.length; v++) {
      out.push({ id: out.length, synth: 'espeak-ng', name: `${ESPEAK_LANGUAGES[l]}+${ESPEAK_VARIANTS[v]}`, role: isUnseen(l, v) ? 'unseen' : 'train' });
    }
  }
  for (const f of FLITE_VOICES) out.push({ id: out.length, synth: 'flite', name: f, role: 'flite' });
  // after flite's, so every earlier group id stays what generator keywords-3 wrote
  for (const f of FESTIVAL_VOICES) out.push({ id: out.length, synth: 'festival', name: f, role: 'festival' });
  for (const a of ACCENT_VOICES) out.push({ id: out.length, synth: 'festival', name: a.name, role: 'accents', lang: a.lang });
  for (const m of MBROLA_VOICES) out.push({ id: out.length, synth: 'espeak-ng', name: m, role: 'mbrola' });
  for (const v of PARAMETRIC_VOICES) out.push({ id: out.length, synth: v.synth, name: v.name, role: 'parametric' });
  for (const f of FESTVOX_VOICES) out.push({ id: out.length, synth: 'festival', name: f, role: 'festvox' });
  for (const v of HMM_ACCENT_VOICES) out.push({ id: out.length, synth: v.synth, name: v.name, role: 'hmmaccents', ...(v.lang ? { lang: v.lang } : {}) });
  return out;
}

/** All voices; index = group id. */
export const VOICES: readonly Voice[] = buildVoices();

export function voicesWithRole(role: Voice['role']): Voice[] {
  return VOICES.filter((v) => v.role === role);
}
