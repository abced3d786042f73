// When two words sound too much alike for one to stand in for "another word"
// next to the other (docs/DATASETS.md, auxiliary vocabulary). Works on
// espeak-ng's IPA (`espeak-ng -q --ipa`), pure functions.
//
// The rule — a word sounds like a protected word if, in either's IPA:
//  1. the phoneme strings are at most one edit apart (know/no, yet/yes, goes/go, stoop/stop, wowed/wow);
//  2. one contains the other (two or more phonemes: going ⊃ go, cup ⊃ up, coffee ⊃ off);
//  3. they rhyme: the same primary-stressed vowel and everything after it (guess/yes, night/right);
//  4. they start alike: the same onset and vowel of the primary-stressed syllable (marvel/marvin, happen/happy, yellow/yes).

const VOWELS = new Set([...'aeiouæɑɒɔəɚɛɜɝɪʊʌʏɐɵøyɘɤᵻœɶ']);
const SAME: Record<string, string> = { ɾ: 't', ɫ: 'l', ɬ: 'l', ɝ: 'ɜ', r: 'ɹ', g: 'ɡ' };

export interface Phonemes {
  /** phoneme tokens: a vowel or diphthong with its length mark, a consonant, tʃ / dʒ */
  tokens: string[];
  /** index of the first consonant before the primary-stressed vowel (its onset), = stressVowel without one */
  stressOnset: number;
  /** index of the primary-stressed vowel (espeak-ng marks it with ˈ right before the vowel) */
  stressVowel: number;
}

const DIPHTHONGS = ['aɪ', 'aʊ', 'eɪ', 'oʊ', 'ɔɪ', 'əʊ', 'ɪə', 'eə', 'ʊə'];
const isVowel = (t: string): boolean => VOWELS.has([...t][0]);

/** Splits one word's IPA into phoneme tokens and finds its primary stress. */
export function phonemes(ipa: string): Phonemes {
  const chars = [...ipa.trim().normalize('NFD')].map((c) => SAME[c] ?? c);
  const tokens: string[] = [];
  let mark = -1;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === 'ˈ') {
      if (mark < 0) mark = tokens.length;
    } else if (ch === 'ː') {
      if (tokens.length) tokens[tokens.length - 1] += ch;
    } else if (/[ˌ.‿ʔ\u0300-\u036f]/u.test(ch)) {
      // secondary stress, syllable marks, glottal stops and diacritics do not tell words apart here
    } else if (isVowel(ch) && i + 1 < chars.length && DIPHTHONGS.includes(ch + chars[i + 1])) {
      tokens.push(ch + chars[++i]);
    } else if ((ch === 'ʃ' || ch === 'ʒ') && tokens.length && tokens[tokens.length - 1] === (ch === 'ʃ' ? 't' : 'd')) {
      tokens[tokens.length - 1] += ch;
    } else {
      tokens.push(ch);
    }
  }
  let stressVowel = Math.max(0, mark);
  while (stressVowel < tokens.length && !isVowel(tokens[stressVowel])) stressVowel++;
  if (stressVowel >= tokens.length) stressVowel = Math.max(0, tokens.findIndex(isVowel));
  let stressOnset = stressVowel;
  while (stressOnset > 0 && !isVowel(tokens[stressOnset - 1])) stressOnset--;
  return { tokens, stressOnset, stressVowel };
}

function editDistance(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

function contains(a: string[], b: string[]): boolean {
  if (b.length < 2 || b.length > a.length) return false;
  outer: for (let i = 0; i + b.length <= a.length; i++) {
    for (let j = 0; j < b.length; j++) if (a[i + j] !== b[j]) continue outer;
    return true;
  }
  return false;
}

/** Which part of the rule (1–4) makes `a` sound like `b`, or 0 when it does not. */
export function soundsAlike(a: Phonemes, b: Phonemes): 0 | 1 | 2 | 3 | 4 {
  if (editDistance(a.tokens, b.tokens) <= 1) return 1;
  if (contains(a.tokens, b.tokens) || contains(b.tokens, a.tokens)) return 2;
  if (a.stressVowel >= 0 && b.stressVowel >= 0) {
    const rhymeA = a.tokens.slice(a.stressVowel).join(' '), rhymeB = b.tokens.slice(b.stressVowel).join(' ');
    if (rhymeA === rhymeB) return 3;
    const startA = a.tokens.slice(a.stressOnset, a.stressVowel + 1).join(' '), startB = b.tokens.slice(b.stressOnset, b.stressVowel + 1).join(' ');
    if (startA === startB) return 4;
  }
  return 0;
}
