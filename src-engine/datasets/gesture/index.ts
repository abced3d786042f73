// The procedural gesture dataset's renderer (pure TypeScript: runs in workers and browsers).
export { GESTURE_ALL_CLASSES, GESTURE_BACKBONE, GESTURE_CLASSES, GESTURE_HELD_OUT, GESTURE_NOVEL, gestureClassIndex } from './classes';
export type { GestureClass, GestureNovelClass } from './classes';
export { AUX_MAX_CLASSES, auxClassName, auxProgram } from './aux';
export type { AuxArm, AuxProgram } from './aux';
export { makeGestureClip, makeSubject, makeTake, mixSeed } from './scene';
export type { ClutterShape, Distractor, GestureClip, GestureSubject, GestureTake } from './scene';
export { GestureRenderer } from './renderer';
export { J, JOINTS, makePose, poseAt } from './pose';
export type { Pose } from './pose';
export { GESTURE_INPUT, encodeClip } from './sample';
export type { ClipRenderOptions, ClipWindows } from './sample';
export { renderGestureClip } from './clip';
export type { GestureClipOptions } from './clip';
