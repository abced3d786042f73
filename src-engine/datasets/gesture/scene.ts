/**
 * Random subjects and takes. A subject (body and clothes) is a pure function
 * of (dataset seed, subject id), so the same person recurs across classes and
 * splits can keep whole people unseen; a take (where they stand, how fast and
 * wide they move, the room, the light, the camera) is drawn per clip.
 * Lengths are in units of the frame height; luma in albedo units (0…1).
 */
import { Random } from '../../sources/random';
import { GESTURE_ALL_CLASSES } from './classes';
import { AUX_MAX_CLASSES, type AuxProgram, auxProgram } from './aux';

export interface GestureSubject {
  id: number;
  /** neck to hip */
  torso: number;
  shoulderWidth: number;
  upperArm: number;
  forearm: number;
  headRadius: number;
  /** limb radii */
  armRadius: number;
  legRadius: number;
  skin: number;
  shirt: number;
  /** sleeve albedo; equals skin for short sleeves */
  sleeve: number;
  longSleeves: boolean;
  pants: number;
  hair: number;
}

export type ClutterShape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; value: number }
  | { kind: 'ellipse'; x: number; y: number; rx: number; ry: number; value: number }
  | { kind: 'stripes'; x: number; y: number; w: number; h: number; period: number; value: number; vertical: boolean };

export interface Distractor {
  kind: 'rect' | 'ellipse';
  x: number;
  y: number;
  /** velocity, frame heights per second */
  vx: number;
  vy: number;
  rx: number;
  ry: number;
  value: number;
}

export interface GestureTake {
  /** neck position: x relative to the frame centre, y from the top */
  neckX: number;
  neckY: number;
  /** multiplies the subject's size (distance to the camera) */
  scale: number;
  background: number;
  /** background texture amplitude (albedo) and seed */
  texture: number;
  textureSeed: number;
  clutter: ClutterShape[];
  distractors: Distractor[];
  /** global illumination gain and a linear gradient (fraction per frame height) along `gradientAngle` */
  gain: number;
  gradient: number;
  gradientAngle: number;
  /** camera shake amplitude in frame heights, two frequencies (Hz) and phases */
  shake: number;
  shakeHz: [number, number];
  shakePhase: [number, number, number, number];
  /** motion: cycles per second, starting phase, amplitude factor, direction (±1) and free per-class randoms */
  freq: number;
  phase: number;
  amp: number;
  dir: 1 | -1;
  r: number[];
  /** small whole-body sway (all classes): amplitude and frequency */
  sway: number;
  swayHz: number;
  /** the motion program of an auxiliary class (class index ≥ GESTURE_ALL_CLASSES.length), else absent */
  aux?: AuxProgram;
}

export interface GestureClip {
  classIndex: number;
  subject: GestureSubject;
  take: GestureTake;
}

/** Mixes integers into one 32-bit seed (splitmix-style). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (Math.trunc(p) | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function range(r: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * r.uniform();
}

export function makeSubject(datasetSeed: number, id: number): GestureSubject {
  const r = new Random(mixSeed(datasetSeed, 0x5b7ec7, id));
  const torso = range(r, 0.3, 0.38);
  const skin = range(r, 0.2, 0.85);
  const shirt = range(r, 0.06, 0.92);
  const longSleeves = r.uniform() < 0.5;
  // sleeves a shade off the shirt, so an arm in front of the body still has an edge
  const sleeve = longSleeves ? Math.min(0.95, Math.max(0.04, shirt * (r.uniform() < 0.5 ? range(r, 0.6, 0.8) : range(r, 1.25, 1.6)))) : skin;
  return {
    id,
    torso,
    shoulderWidth: torso * range(r, 0.75, 0.95),
    upperArm: torso * range(r, 0.5, 0.6),
    forearm: torso * range(r, 0.48, 0.58),
    headRadius: torso * range(r, 0.21, 0.26),
    armRadius: torso * range(r, 0.065, 0.095),
    legRadius: torso * range(r, 0.1, 0.13),
    skin,
    shirt,
    sleeve,
    longSleeves,
    pants: range(r, 0.05, 0.7),
    hair: range(r, 0.03, 0.6),
  };
}

/** A background albedo at least `minLn` (ln units) away from `shirt`, so the body has an edge. */
function contrasting(r: Random, shirt: number): number {
  const dark = r.uniform() < 0.5;
  for (let k = 0; k < 2; k++) {
    const ln = range(r, 0.3, 1.3) * ((dark !== (k === 1)) ? -1 : 1);
    const bg = shirt * Math.exp(ln);
    if (bg >= 0.04 && bg <= 0.95) return bg;
  }
  return shirt > 0.4 ? Math.max(0.04, shirt * 0.5) : Math.min(0.95, shirt * 2);
}

/** The motion speed range per class (cycles per second). */
const FREQ: Record<string, [number, number]> = {
  hand_clap: [1.4, 2.8],
  right_hand_wave: [1.4, 3],
  left_hand_wave: [1.4, 3],
  right_arm_clockwise: [0.8, 1.6],
  right_arm_counter_clockwise: [0.8, 1.6],
  left_arm_clockwise: [0.8, 1.6],
  left_arm_counter_clockwise: [0.8, 1.6],
  arm_roll: [1.2, 2.2],
  air_drums: [2, 3.5],
  air_guitar: [2.5, 5],
  other: [0.3, 1.2],
  // novel (few-shot only) gestures; slow ones start fast enough that a 500 ms window never sees a still pose
  raise_both_arms: [0.6, 1.1],
  jumping_jack: [0.8, 1.4],
  punch_forward: [1, 2],
  wave_both_hands: [1.4, 3],
  side_kick: [0.6, 1.2],
  bow: [0.5, 1],
};

export function makeTake(takeSeed: number, classIndex: number, aspect = 1): GestureTake {
  const r = new Random(mixSeed(takeSeed, 0x7a4e, classIndex));
  const cls = GESTURE_ALL_CLASSES[classIndex];
  const named = GESTURE_ALL_CLASSES.length;
  // indices after the named classes are auxiliary motion classes (aux.ts)
  const aux = cls === undefined && Number.isInteger(classIndex) && classIndex >= named && classIndex < named + AUX_MAX_CLASSES ? auxProgram(classIndex - named) : undefined;
  if (!cls && !aux) throw new RangeError(`gesture class index ${classIndex} is outside 0…${named - 1} (or an aux class ${named}…${named + AUX_MAX_CLASSES - 1})`);
  const [f0, f1] = aux ? aux.freq : FREQ[cls!]!;
  const halfW = aspect / 2;
  const clutter: ClutterShape[] = [];
  const nClutter = Math.floor(range(r, 2, 12));
  for (let i = 0; i < nClutter; i++) {
    const k = r.uniform();
    const x = range(r, -halfW, halfW), y = range(r, 0, 1), value = range(r, 0.04, 0.95);
    if (k < 0.45) clutter.push({ kind: 'rect', x, y, w: range(r, 0.03, 0.35), h: range(r, 0.03, 0.5), value });
    else if (k < 0.8) clutter.push({ kind: 'ellipse', x, y, rx: range(r, 0.02, 0.15), ry: range(r, 0.02, 0.15), value });
    else clutter.push({ kind: 'stripes', x, y, w: range(r, 0.08, 0.3), h: range(r, 0.08, 0.3), period: range(r, 0.015, 0.05), value, vertical: r.uniform() < 0.5 });
  }
  const distractors: Distractor[] = [];
  const nDistract = Math.floor(range(r, 0, 3.6));
  for (let i = 0; i < nDistract; i++) {
    const speed = range(r, 0.01, 0.08), ang = range(r, 0, 2 * Math.PI);
    distractors.push({
      kind: r.uniform() < 0.5 ? 'rect' : 'ellipse',
      x: range(r, -halfW, halfW), y: range(r, 0, 1), vx: speed * Math.cos(ang), vy: speed * Math.sin(ang),
      rx: range(r, 0.015, 0.07), ry: range(r, 0.015, 0.07), value: range(r, 0.04, 0.95),
    });
  }
  const rs: number[] = [];
  for (let i = 0; i < 12; i++) rs.push(r.uniform());
  return {
    neckX: range(r, -0.1, 0.1),
    neckY: range(r, 0.26, 0.36),
    scale: range(r, 0.85, 1.15),
    background: 0,
    texture: range(r, 0, 0.06),
    textureSeed: r.uint32(),
    clutter,
    distractors,
    gain: range(r, 0.45, 1.35),
    gradient: range(r, 0, 0.6),
    gradientAngle: range(r, 0, 2 * Math.PI),
    shake: r.uniform() < 0.4 ? 0 : range(r, 0.0005, 0.003),
    shakeHz: [range(r, 2, 6), range(r, 6, 12)],
    shakePhase: [range(r, 0, 6.3), range(r, 0, 6.3), range(r, 0, 6.3), range(r, 0, 6.3)],
    freq: range(r, f0, f1),
    phase: range(r, 0, 2 * Math.PI),
    amp: range(r, 0.75, 1.25),
    dir: r.uniform() < 0.5 ? 1 : -1,
    r: rs,
    sway: range(r, 0, 0.012),
    swayHz: range(r, 0.15, 0.6),
    ...(aux ? { aux } : {}),
  };
}

/** One clip: a subject performing a class in a random take. */
export function makeGestureClip(datasetSeed: number, classIndex: number, subjectId: number, takeId: number, aspect = 1): GestureClip {
  const subject = makeSubject(datasetSeed, subjectId);
  const take = makeTake(mixSeed(datasetSeed, subjectId, takeId), classIndex, aspect);
  take.background = contrasting(new Random(mixSeed(datasetSeed, subjectId, takeId, 0xb9)), subject.shirt);
  return { classIndex, subject, take };
}
