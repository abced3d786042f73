// How the other-language voices (festival's, Pico's, RHVoice's) say the English words of the dataset:
// each word respelled in the voice's own orthography (its letter-to-sound
// rules then give an accented English pronunciation, the way a speaker of
// that language would read it). ASCII only (speech.ts's text rule).
// Only command words and unknown words: the held-out words are never spoken
// outside the few-shot split, and the aux vocabulary stays espeak-ng's.
import { COMMAND_WORDS, UNKNOWN_WORDS } from './vocabulary';

type Respelling = Record<(typeof COMMAND_WORDS)[number] | (typeof UNKNOWN_WORDS)[number], string>;

/** Italian: i for /j/, u for /w/, c only before a/o/u (k sound). */
const ITALIAN: Respelling = {
  yes: 'ies', no: 'nou', up: 'ap', down: 'daun', left: 'left', right: 'rait', on: 'on', off: 'of', stop: 'stop', go: 'gou',
  one: 'uan', two: 'tu', four: 'for', five: 'faiv', six: 'siks', eight: 'eit', nine: 'nain',
  bed: 'bed', bird: 'berd', cat: 'ket', dog: 'dog', tree: 'tri', backward: 'bekuord', forward: 'foruord', follow: 'folou', learn: 'lern', visual: 'viziual',
};

/** Czech: j for /j/, j closing a diphthong (rajt), no c (it is /ts/). */
const CZECH: Respelling = { ...ITALIAN, yes: 'jes', right: 'rajt', five: 'fajv', eight: 'ejt', nine: 'najn' };

/** Finnish: j for /j/, doubled letters for long vowels. */
const FINNISH: Respelling = { ...ITALIAN, yes: 'jes', two: 'tuu', four: 'foor', tree: 'trii', forward: 'fooruord' };

/** Catalan: j is /ʒ/ (visual), i for /j/. */
const CATALAN: Respelling = { ...ITALIAN, visual: 'vijual' };

/** German: j for /j/, w is /v/ and z /ts/ (so visual is wischual), v is /f/. */
const GERMAN: Respelling = { ...CZECH, right: 'rait', five: 'faiv', eight: 'eit', nine: 'nain', visual: 'wischual' };

/** Spanish: i for /j/, z is /θ/ (visual with s). */
const SPANISH: Respelling = { ...ITALIAN, visual: 'visual' };

/** Esperanto: spelled as said, j for /j/ and to close a diphthong — Czech's table. */
const ESPERANTO: Respelling = CZECH;

/** Brazilian Portuguese: i for /j/; Italian's table reads the same way. */
const PORTUGUESE: Respelling = ITALIAN;

const TABLES = { it: ITALIAN, cs: CZECH, fi: FINNISH, ca: CATALAN, de: GERMAN, es: SPANISH, eo: ESPERANTO, pt: PORTUGUESE } as const satisfies Record<string, Respelling>;
/** The spellings a voice can read the words in. */
export type AccentLanguage = keyof typeof TABLES;

/** The text a voice of `lang` reads to say `word`; a RangeError for a word outside the tables. */
export function respell(word: string, lang: AccentLanguage): string {
  const t = TABLES[lang] as Record<string, string>;
  const s = Object.hasOwn(t, word) ? t[word] : undefined;
  if (s === undefined) throw new RangeError(`keywords: no ${lang} respelling of ${JSON.stringify(word)}`);
  return s;
}
