// The auxiliary vocabulary: 471 common English words spoken by the
// training voices into a split of their own ('aux'). The backbone hears only
// twelve classes; a second, training-only classification head over these
// words makes its embedding tell many more words apart, which the one-shot
// learners and the unseen synthesizer need (docs/DATASETS.md). Only the
// 12-class head is exported: the converter and the NSoC never see the aux head.
//
// None of them is, or sounds like, a command, "unknown" or held-out word:
// candidates were dropped by the rule in sounds-alike.ts (espeak-ng IPA in
// en-us and en-gb: one phoneme edit apart, containing one another, rhyming,
// or starting alike), e.g. know, yet, goes, stoop, wowed, marvel, happen,
// yellow, guess, night, going, cup. test/datasets/keywords-aux.test.ts
// re-checks the list with espeak-ng.
import { COMMAND_WORDS, HELD_OUT_WORDS, UNKNOWN_WORDS } from './vocabulary';

/** Words the auxiliary vocabulary must keep away from (every word the benchmark or the backbone's classes use). */
export const PROTECTED_WORDS: readonly string[] = [...COMMAND_WORDS, ...UNKNOWN_WORDS, ...HELD_OUT_WORDS];

/** The aux split's classes: its y indexes this list (meta.json generator.auxClasses). */
export const AUX_WORDS: readonly string[] = [
  'about', 'above', 'across', 'act', 'add', 'afraid', 'after', 'again', 'against', 'air', 'all', 'almost', 'alone',
  'along', 'already', 'also', 'always', 'among', 'amount', 'angry', 'animal', 'answer', 'any', 'apple', 'area',
  'arm', 'army', 'around', 'ask', 'asleep', 'aunt', 'autumn', 'baby', 'ball', 'beach', 'bean', 'beautiful',
  'because', 'become', 'between', 'big', 'bike', 'bill', 'black', 'blanket', 'blind', 'blood', 'boat', 'body',
  'bone', 'book', 'boot', 'bottle', 'bottom', 'box', 'boy', 'brain', 'branch', 'break', 'breakfast', 'brick',
  'bridge', 'bring', 'broken', 'brother', 'brush', 'bucket', 'build', 'bus', 'business', 'busy', 'butter', 'buy',
  'cake', 'call', 'car', 'card', 'care', 'carpet', 'case', 'chair', 'chance', 'change', 'cheap', 'cheese', 'chicken',
  'child', 'chin', 'church', 'circle', 'class', 'clean', 'clear', 'clock', 'close', 'cloud', 'cold', 'color', 'comb',
  'common', 'company', 'cook', 'cool', 'copper', 'corn', 'corner', 'cotton', 'country', 'cousin', 'cover', 'crash',
  'cream', 'crowd', 'cry', 'curtain', 'damp', 'danger', 'daughter', 'deep', 'desk', 'dinner', 'dirty', 'double',
  'dream', 'drink', 'drum', 'dry', 'duck', 'during', 'dust', 'early', 'earth', 'easy', 'edge', 'egg', 'elbow',
  'empty', 'engine', 'enough', 'evening', 'every', 'example', 'eye', 'face', 'fact', 'family', 'famous', 'fast',
  'feather', 'feel', 'fence', 'field', 'film', 'finger', 'finish', 'first', 'fish', 'flag', 'flame', 'flower', 'fly',
  'fold', 'food', 'foot', 'friend', 'fruit', 'full', 'funny', 'garden', 'gift', 'girl', 'glass', 'glove', 'good',
  'grass', 'green', 'ground', 'group', 'guitar', 'hair', 'hard', 'health', 'heart', 'heat', 'heavy', 'help', 'hill',
  'hold', 'holiday', 'hook', 'hope', 'hospital', 'hot', 'hour', 'hundred', 'hungry', 'hurry', 'ice', 'idea', 'inch',
  'inside', 'iron', 'island', 'jacket', 'jelly', 'job', 'join', 'journey', 'judge', 'jump', 'jungle', 'kick', 'kind',
  'king', 'kitchen', 'lake', 'lamp', 'land', 'language', 'large', 'laugh', 'lazy', 'lead', 'leaf', 'library', 'like',
  'lip', 'list', 'little', 'lock', 'long', 'loose', 'loud', 'love', 'lunch', 'magic', 'mail', 'make', 'man', 'many',
  'map', 'match', 'meal', 'measure', 'meat', 'medicine', 'meeting', 'metal', 'middle', 'milk', 'minute', 'mirror',
  'money', 'monkey', 'month', 'moon', 'morning', 'mother', 'mountain', 'mouth', 'move', 'much', 'music', 'nail',
  'name', 'narrow', 'nation', 'near', 'neck', 'needle', 'nest', 'net', 'never', 'news', 'noise', 'north', 'number',
  'nurse', 'ocean', 'old', 'page', 'pain', 'paint', 'pair', 'paper', 'parcel', 'parent', 'park', 'part', 'party',
  'pass', 'past', 'paste', 'pen', 'pencil', 'people', 'pepper', 'person', 'picture', 'piece', 'pig', 'pin', 'pink',
  'pipe', 'plant', 'play', 'please', 'pocket', 'point', 'poison', 'polish', 'pool', 'poor', 'powder', 'power',
  'present', 'price', 'print', 'prison', 'private', 'problem', 'pull', 'pump', 'punish', 'purple', 'push', 'queen',
  'question', 'quick', 'quiet', 'rabbit', 'rain', 'reach', 'read', 'ready', 'reason', 'record', 'rest', 'rich',
  'ring', 'river', 'road', 'rock', 'roof', 'room', 'rope', 'rough', 'round', 'rule', 'sad', 'safe', 'salt', 'sand',
  'school', 'science', 'season', 'secret', 'seed', 'shake', 'shape', 'sharp', 'shelf', 'shell', 'ship', 'shirt',
  'short', 'shoulder', 'side', 'size', 'skin', 'skirt', 'sky', 'sleep', 'small', 'smell', 'smile', 'smoke', 'snake',
  'soap', 'sock', 'soldier', 'song', 'sound', 'soup', 'south', 'space', 'speak', 'special', 'spoon', 'sport',
  'spring', 'square', 'stamp', 'steam', 'steel', 'stick', 'still', 'stomach', 'stone', 'story', 'strange', 'string',
  'strong', 'sugar', 'summer', 'support', 'swim', 'table', 'tail', 'talk', 'tall', 'taste', 'tax', 'teacher', 'team',
  'teeth', 'thank', 'thick', 'thin', 'thing', 'think', 'thumb', 'thunder', 'ticket', 'tiger', 'time', 'tired',
  'today', 'together', 'tongue', 'touch', 'train', 'travel', 'trouble', 'truck', 'twenty', 'umbrella', 'until',
  'valley', 'voice', 'wagon', 'waist', 'walk', 'wall', 'warm', 'water', 'wave', 'weather', 'week', 'welcome', 'west',
  'wet', 'wheel', 'whip', 'whistle', 'wide', 'wife', 'wild', 'wind', 'window', 'winter', 'wire', 'wish', 'woman',
  'wood', 'wool', 'work', 'world', 'worm', 'wrong', 'young',
];
