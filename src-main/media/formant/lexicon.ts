// Pronunciations the formant synthesizer knows (CMUdict's ARPAbet, stress
// digits dropped; `|` separates a word's accepted variants, as American
// speakers differ on "on", "off", "dog"). It speaks whole words from this list
// only: the keyword dataset's command and unknown words.

const ENTRIES: Record<string, string> = {
  yes: 'Y EH S',
  no: 'N OW',
  up: 'AH P',
  down: 'D AW N',
  left: 'L EH F T',
  right: 'R AY T',
  on: 'AA N|AO N',
  off: 'AO F|AA F',
  stop: 'S T AA P',
  go: 'G OW',
  one: 'W AH N',
  two: 'T UW',
  four: 'F AO R',
  five: 'F AY V',
  six: 'S IH K S',
  eight: 'EY T',
  nine: 'N AY N',
  bed: 'B EH D',
  bird: 'B ER D',
  cat: 'K AE T',
  dog: 'D AO G|D AA G',
  tree: 'T R IY',
  backward: 'B AE K W ER D',
  forward: 'F AO R W ER D',
  follow: 'F AA L OW',
  learn: 'L ER N',
  visual: 'V IH ZH UW AX L',
};

/** The pronunciation variants of a word, each a list of phones; throws for a word it does not know. */
export function pronounce(word: string): string[][] {
  const e = ENTRIES[word.toLowerCase()];
  if (!e) throw new RangeError(`formant synthesizer: no pronunciation for ${JSON.stringify(word)} (it knows: ${Object.keys(ENTRIES).join(', ')})`);
  return e.split('|').map((v) => v.split(' '));
}

export const FORMANT_WORDS: readonly string[] = Object.keys(ENTRIES);
