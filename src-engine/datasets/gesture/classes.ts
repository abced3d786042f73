/**
 * The eleven DVS Gesture classes (Amir et al. 2017), in the dataset's label
 * order. Directions are the subject's own: the figure faces the camera, so the
 * subject's right hand appears on the image's left (as in DVS Gesture) and a
 * rotation the subject makes clockwise appears counter-clockwise on screen.
 */
export const GESTURE_CLASSES = [
  'hand_clap',
  'right_hand_wave',
  'left_hand_wave',
  'right_arm_clockwise',
  'right_arm_counter_clockwise',
  'left_arm_clockwise',
  'left_arm_counter_clockwise',
  'arm_roll',
  'air_drums',
  'air_guitar',
  'other',
] as const;
export type GestureClass = (typeof GESTURE_CLASSES)[number];

/** Kept out of backbone training: the one-shot benchmark learns them from a few examples. */
export const GESTURE_HELD_OUT: readonly GestureClass[] = ['air_guitar', 'left_arm_counter_clockwise'];
export const GESTURE_BACKBONE: readonly GestureClass[] = GESTURE_CLASSES.filter((c) => !GESTURE_HELD_OUT.includes(c));

/**
 * Gestures that are not DVS Gesture classes, rendered only into the dataset's
 * `fewshot` split: the shipped backbone never saw them, so the one-shot
 * benchmark has enough held-out classes for 5-way episodes. Their class
 * indices follow the eleven above (11, 12, …), so every existing index keeps
 * its meaning and the train/val/test splits keep their bytes.
 */
export const GESTURE_NOVEL = ['raise_both_arms', 'jumping_jack', 'punch_forward', 'wave_both_hands', 'side_kick', 'bow'] as const;
export type GestureNovelClass = (typeof GESTURE_NOVEL)[number];

/** Every class the renderer can perform: the DVS Gesture classes, then the novel ones. */
export const GESTURE_ALL_CLASSES: readonly (GestureClass | GestureNovelClass)[] = [...GESTURE_CLASSES, ...GESTURE_NOVEL];

/** Index into GESTURE_ALL_CLASSES (equal to the GESTURE_CLASSES index for the DVS Gesture classes). */
export function gestureClassIndex(name: string): number {
  const i = (GESTURE_ALL_CLASSES as readonly string[]).indexOf(name);
  if (i < 0) throw new RangeError(`unknown gesture class '${name}' (one of ${GESTURE_ALL_CLASSES.join(', ')})`);
  return i;
}
