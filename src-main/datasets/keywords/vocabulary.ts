// The keyword vocabulary: Google Speech Commands' ten command words, "silence"
// (noise only) and "unknown" (other words) for the backbone; a disjoint set of
// other Speech Commands words kept out of backbone training — never spoken in
// train/val/test, not even as "unknown" — for the one-shot benchmark.

export const COMMAND_WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'] as const;
export const SILENCE = 'silence';
export const UNKNOWN = 'unknown';

/** The backbone's output classes, in output order. */
export const BACKBONE_CLASSES: readonly string[] = [...COMMAND_WORDS, SILENCE, UNKNOWN];

/** Words the backbone never hears: the one-shot benchmark's new classes. */
export const HELD_OUT_WORDS: readonly string[] = ['marvin', 'sheila', 'wow', 'happy', 'house', 'zero', 'three', 'seven'];

/** Words that train the "unknown" class (other Speech Commands words, disjoint from the held-out ones). */
export const UNKNOWN_WORDS: readonly string[] = [
  'one', 'two', 'four', 'five', 'six', 'eight', 'nine',
  'bed', 'bird', 'cat', 'dog', 'tree', 'backward', 'forward', 'follow', 'learn', 'visual',
];

/** Every class of the dataset: y indexes this list (backbone first, then held-out words). */
export const ALL_CLASSES: readonly string[] = [...BACKBONE_CLASSES, ...HELD_OUT_WORDS];
