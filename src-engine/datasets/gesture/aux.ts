/**
 * Auxiliary motion classes: extra, procedurally invented "gestures" that only
 * the dataset's `aux` split holds, so the backbone learns motion features from
 * many more classes than the nine it is judged on. Aux class k is a motion
 * program drawn from a seeded random generator (the same program whatever the
 * dataset seed, so class k means one motion); each take then varies it with the
 * usual speed, phase, amplitude, subject, room, light and sensor randomisation.
 *
 * A program sets periodic joint trajectories: per arm (one- or two-handed) the
 * upper-arm and forearm angles as a sine of the main phase or its second
 * harmonic, optionally knee lifts, a sideways lean, a small bob and head turns.
 *
 * **Kept away from the held-out and novel gestures by construction**
 * (docs/DATASETS.md, "Auxiliary classes"):
 * - no loops: an arm's two angles at the same harmonic stay in phase or in
 *   antiphase (±0.35 rad), so a hand sweeps back and forth along a curve and
 *   never circles (left_arm_counter_clockwise, the arm circles);
 * - at most one upper arm rises above shoulder level (raise_both_arms,
 *   jumping_jack, wave_both_hands lift both);
 * - every posed arm moves (upper-arm swing ≥ 0.25 rad): no arm held out still
 *   while the other one works (air_guitar);
 * - arms and legs stay in the image plane: no foreshortening and no growing
 *   fist (punch_forward, raise_both_arms);
 * - legs only lift their knees in place: no sideways leg swing or feet jumping
 *   apart (side_kick, jumping_jack); the torso never bends towards the camera
 *   (bow) and leans at most 0.05 torso lengths.
 */
import { Random } from '../../sources/random';
import { mixSeed } from './scene';

export interface AuxArm {
  /** upper-arm angle centre and swing (rad, outward frame: 0 sideways, π/2 down, negative up) */
  a0: number;
  a1: number;
  /** forearm angle relative to the upper arm: centre and swing */
  g0: number;
  g1: number;
  /** harmonics of the main phase (1 or 2) and phases */
  ma: number;
  mg: number;
  pa: number;
  pg: number;
}

export interface AuxProgram {
  /** cycles per second: the take's speed is drawn from this range */
  freq: [number, number];
  /** subject's right arm, left arm (null = resting) */
  armR: AuxArm | null;
  armL: AuxArm | null;
  /** knee lift (fraction of the thigh) and its harmonic and phase; 0 = feet still */
  knee: number;
  kneeM: number;
  kneeP: number;
  /** sideways lean (torso lengths), vertical bob (frame heights), head turn (0…0.35), each with a phase */
  lean: number;
  leanP: number;
  bob: number;
  headTurn: number;
  headP: number;
}

/** Seed of the programs: aux class k is program k in every dataset. */
const AUX_SEED = 0xa0c1a55;
/** At most this many aux classes (class indices beyond the named classes). */
export const AUX_MAX_CLASSES = 4096;

/** Upper arms above this angle (rad) are above shoulder level. */
const SHOULDER_LEVEL = 0.1;

function range(r: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * r.uniform();
}

function makeArm(r: Random): AuxArm {
  const a1 = range(r, 0.25, 0.8);
  const a0 = range(r, -0.3, 1.3);
  const ma = r.uniform() < 0.75 ? 1 : 2;
  const mg = r.uniform() < 0.6 ? ma : 3 - ma;
  const pa = range(r, 0, 2 * Math.PI);
  // same harmonic: in phase or antiphase (a back-and-forth sweep); other harmonic: a figure of eight at most
  const pg = mg === ma ? pa + (r.uniform() < 0.5 ? 0 : Math.PI) + range(r, -0.35, 0.35) : range(r, 0, 2 * Math.PI);
  return { a0, a1, g0: range(r, -1.6, 0.3), g1: range(r, 0, 0.9), ma, mg, pa, pg };
}

/** Keeps an arm's upper arm below shoulder level over its whole swing. */
function keepLow(arm: AuxArm): AuxArm {
  return arm.a0 - arm.a1 >= SHOULDER_LEVEL ? arm : { ...arm, a0: Math.min(1.45, arm.a1 + SHOULDER_LEVEL + 0.05) };
}

export function auxProgram(k: number): AuxProgram {
  if (!Number.isInteger(k) || k < 0 || k >= AUX_MAX_CLASSES) throw new RangeError(`aux class ${k} is outside 0…${AUX_MAX_CLASSES - 1}`);
  const r = new Random(mixSeed(AUX_SEED, k));
  const f0 = range(r, 0.7, 2.6);
  const mode = r.uniform(); // < 0.3 right arm, < 0.6 left arm, else both
  let armR: AuxArm | null = null;
  let armL: AuxArm | null = null;
  if (mode < 0.3) armR = makeArm(r);
  else if (mode < 0.6) armL = makeArm(r);
  else {
    armR = makeArm(r);
    const rel = r.uniform();
    // the second arm: its own motion, or the first one's mirrored with a phase offset
    if (rel < 0.5) armL = makeArm(r);
    else {
      const off = [0, Math.PI, Math.PI / 2][Math.floor(r.uniform() * 3)]!;
      armL = { ...armR, pa: armR.pa + off, pg: armR.pg + off };
    }
    // at most one upper arm above shoulder level
    if (armR.a0 - armR.a1 < SHOULDER_LEVEL) armL = keepLow(armL);
  }
  const legs = r.uniform() < 0.3;
  const leans = r.uniform() < 0.35;
  const bobs = r.uniform() < 0.3;
  const turns = r.uniform() < 0.35;
  return {
    freq: [f0 * 0.8, f0 * 1.25],
    armR,
    armL,
    knee: legs ? range(r, 0.2, 0.6) : 0,
    kneeM: r.uniform() < 0.7 ? 1 : 2,
    kneeP: range(r, 0, 2 * Math.PI),
    lean: leans ? range(r, 0.02, 0.05) : 0,
    leanP: range(r, 0, 2 * Math.PI),
    bob: bobs ? range(r, 0.004, 0.012) : 0,
    headTurn: turns ? range(r, 0.15, 0.35) : 0,
    headP: range(r, 0, 2 * Math.PI),
  };
}

/** The name of aux class k in a dataset's class list. */
export function auxClassName(k: number): string {
  return `aux_${String(k).padStart(3, '0')}`;
}
