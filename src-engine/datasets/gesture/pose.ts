/**
 * Per-class joint trajectories of the 2D figure. Each arm is posed either by
 * angles (upper arm α and forearm γ, measured in the arm's "outward" frame:
 * 0 = straight out sideways, π/2 = hanging down, −π/2 = straight up) or by a
 * hand target solved with two-link inverse kinematics. Everything is a pure
 * function of (clip, t): no state, so any frame can be rendered on its own.
 * Units: frame heights; x from the frame centre, y down from the top.
 */
import { GESTURE_ALL_CLASSES } from './classes';
import type { GestureClip } from './scene';

/** Joint slots in a Pose (x at 2k, y at 2k + 1). */
export const J = {
  neck: 0, pelvis: 1, head: 2,
  shoulderR: 3, elbowR: 4, handR: 5,
  shoulderL: 6, elbowL: 7, handL: 8,
  hipR: 9, kneeR: 10, footR: 11,
  hipL: 12, kneeL: 13, footL: 14,
} as const;
export const JOINTS = 15;

/** Joint positions plus the head's turn (1 = facing the camera, smaller = turned: the head looks narrower). */
export interface Pose {
  xy: Float64Array;
  headTurn: number;
  headShift: number;
  /** hand size factors (1 = the subject's hand; a fist punched at the camera looks bigger) */
  handScaleR: number;
  handScaleL: number;
}

export function makePose(): Pose {
  return { xy: new Float64Array(JOINTS * 2), headTurn: 1, headShift: 0, handScaleR: 1, handScaleL: 1 };
}

const TAU = 2 * Math.PI;

/** Sets elbow and hand of the arm at `shoulder` (side −1 = subject's right = image left) from angles. */
function armAngles(xy: Float64Array, shoulder: number, side: number, U: number, F: number, alpha: number, gamma: number): void {
  const sx = xy[2 * shoulder], sy = xy[2 * shoulder + 1];
  const ex = sx + side * U * Math.cos(alpha), ey = sy + U * Math.sin(alpha);
  xy[2 * shoulder + 2] = ex;
  xy[2 * shoulder + 3] = ey;
  xy[2 * shoulder + 4] = ex + side * F * Math.cos(gamma);
  xy[2 * shoulder + 5] = ey + F * Math.sin(gamma);
}

/** Two-link IK to the hand target (tx, ty), choosing the elbow that sits lower and further out. */
function armReach(xy: Float64Array, shoulder: number, side: number, U: number, F: number, tx: number, ty: number): void {
  const sx = xy[2 * shoulder], sy = xy[2 * shoulder + 1];
  const u = side * (tx - sx), v = ty - sy;
  let d = Math.hypot(u, v);
  const dMin = Math.abs(U - F) + 1e-6, dMax = U + F - 1e-6;
  d = d < dMin ? dMin : d > dMax ? dMax : d;
  const phi = Math.atan2(v, u);
  let c = (U * U + d * d - F * F) / (2 * U * d);
  c = c < -1 ? -1 : c > 1 ? 1 : c;
  const delta = Math.acos(c);
  const a1 = phi + delta, a2 = phi - delta;
  const alpha = Math.cos(a1) + Math.sin(a1) >= Math.cos(a2) + Math.sin(a2) ? a1 : a2;
  const hu = d * Math.cos(phi), hv = d * Math.sin(phi);
  const gamma = Math.atan2(hv - U * Math.sin(alpha), hu - U * Math.cos(alpha));
  armAngles(xy, shoulder, side, U, F, alpha, gamma);
}

/** Sets knee and foot from the thigh and shin angles away from straight down (positive = outwards). */
function leg(xy: Float64Array, hip: number, side: number, thigh: number, shin: number, a: number, b: number): void {
  const kx = xy[2 * hip] + side * thigh * Math.sin(a), ky = xy[2 * hip + 1] + thigh * Math.cos(a);
  xy[2 * hip + 2] = kx;
  xy[2 * hip + 3] = ky;
  xy[2 * hip + 4] = kx + side * shin * Math.sin(b);
  xy[2 * hip + 5] = ky + shin * Math.cos(b);
}

/** A straight arm raised forwards in the plane through the shoulder: `c` is the cosine of its angle from hanging down. */
function straightArm(xy: Float64Array, shoulder: number, side: number, U: number, F: number, out: number, c: number): void {
  const sx = xy[2 * shoulder], sy = xy[2 * shoulder + 1];
  xy[2 * shoulder + 2] = sx + side * out * (U / (U + F));
  xy[2 * shoulder + 3] = sy + U * c;
  xy[2 * shoulder + 4] = sx + side * out;
  xy[2 * shoulder + 5] = sy + (U + F) * c;
}

/** Writes the figure's pose at time t (seconds) into `pose`. */
export function poseAt(clip: GestureClip, t: number, pose: Pose): void {
  const { subject: s, take: k } = clip;
  const xy = pose.xy;
  const sc = k.scale;
  const T = s.torso * sc, U = s.upperArm * sc, F = s.forearm * sc, SW = s.shoulderWidth * sc;
  const r = k.r;
  const P = TAU * k.freq * t + k.phase;
  const A = k.amp;
  const cls = GESTURE_ALL_CLASSES[clip.classIndex];
  // an auxiliary class (aux.ts) has no name here: its take carries its motion program
  const aux = k.aux;
  // 0 → 1 → 0 once per cycle: the novel gestures' main movement
  const s01 = (1 - Math.cos(P)) / 2;

  // body: neck, shoulders, pelvis with a slow sway (every class) and, for `other`, maybe stepping
  let swayX = k.sway * Math.sin(TAU * k.swayHz * t + r[11] * TAU);
  let bob = 0.15 * k.sway * Math.sin(2 * TAU * k.swayHz * t);
  let lean = 0;
  let stepping = 0;
  pose.headTurn = 1;
  pose.headShift = 0;
  pose.handScaleR = 1;
  pose.handScaleL = 1;
  if (cls === 'other') {
    // a mix of non-class motions, chosen by the take's randoms
    if (r[0] < 0.45) {
      stepping = 1;
      swayX += 0.02 * A * Math.sin(P);
      bob += 0.012 * A * Math.abs(Math.sin(P));
    }
    if (r[1] < 0.55) {
      const turn = Math.sin(TAU * (0.2 + 0.5 * r[2]) * t + r[3] * TAU);
      pose.headTurn = 1 - 0.3 * Math.abs(turn);
      pose.headShift = 0.35 * turn;
    }
    if (r[4] < 0.3) lean = 0.08 * A * Math.sin(TAU * (0.2 + 0.4 * r[5]) * t + r[6] * TAU);
  } else if (aux) {
    lean = aux.lean * Math.min(1, A) * Math.sin(P + aux.leanP);
    bob += aux.bob * Math.sin(2 * P + aux.leanP);
    if (aux.headTurn > 0) {
      const turn = Math.sin(P + aux.headP);
      pose.headTurn = 1 - aux.headTurn * Math.abs(turn);
      pose.headShift = aux.headTurn * turn;
    }
  }
  // bow: the torso bends towards the camera, so the neck sinks towards the pelvis (which stays)
  const drop = cls === 'bow' ? Math.min(0.6, (0.3 + 0.2 * r[6]) * A) * T * Math.pow(s01, 1.3) : 0;
  // jumping jack: a hop at each open/close transition; side kick: the body leans away from the kick
  if (cls === 'jumping_jack') bob -= (0.025 + 0.02 * r[8]) * sc * Math.abs(Math.sin(P));
  if (cls === 'side_kick') lean = (0.05 + 0.04 * r[9]) * A * s01;
  const nx = k.neckX + swayX + lean * T * 0.5, ny = k.neckY + bob + drop;
  xy[2 * J.neck] = nx;
  xy[2 * J.neck + 1] = ny;
  const px = k.neckX + swayX, py = ny + T - drop;
  xy[2 * J.pelvis] = px;
  xy[2 * J.pelvis + 1] = py;
  const hr = s.headRadius * sc;
  xy[2 * J.head] = nx + pose.headShift * hr * 0.4 + lean * hr;
  // a bowing head tips forward: it sinks further than the neck
  xy[2 * J.head + 1] = drop > 0 ? ny - hr * 1.15 + (drop / T) * hr * 1.2 : ny - hr * 1.15;
  const shY = ny + 0.05 * T;
  xy[2 * J.shoulderR] = nx - SW / 2;
  xy[2 * J.shoulderR + 1] = shY;
  xy[2 * J.shoulderL] = nx + SW / 2;
  xy[2 * J.shoulderL + 1] = shY;

  // legs: hips to feet, front view; a lifted knee shortens the leg on screen
  const hipW = SW * 0.3, thigh = T * 0.75, shin = T * 0.75;
  for (const [hip, side, ph] of [[J.hipR, -1, 0], [J.hipL, 1, Math.PI]] as const) {
    const lift = stepping
      ? Math.max(0, Math.sin(P + ph)) * (0.35 + 0.3 * r[7])
      : aux && aux.knee > 0 ? aux.knee * Math.max(0, Math.sin(aux.kneeM * P + aux.kneeP + ph)) : 0;
    const hx = px + side * hipW, hy = py;
    xy[2 * hip] = hx;
    xy[2 * hip + 1] = hy;
    xy[2 * hip + 2] = hx + side * 0.02 * sc;
    xy[2 * hip + 3] = hy + thigh * (1 - lift);
    xy[2 * hip + 4] = hx + side * 0.04 * sc;
    xy[2 * hip + 5] = hy + thigh * (1 - lift) + shin * (1 - 0.3 * lift);
  }
  if (cls === 'jumping_jack') {
    // feet jump apart as the arms go up
    const a = Math.atan2((0.3 + 0.2 * r[7]) * A * T * s01, thigh + shin);
    leg(xy, J.hipR, -1, thigh, shin, a, a);
    leg(xy, J.hipL, 1, thigh, shin, a, a);
  } else if (cls === 'side_kick') {
    // the subject's right leg swings out sideways, knee straightening at the top
    const a = (0.6 + 0.5 * r[7]) * A * Math.pow(s01, 1.5);
    leg(xy, J.hipR, -1, thigh, shin, a, a + 0.3 * (1 - s01));
  }

  // resting arms hang slightly out, with a little breathing motion
  const restA = Math.PI / 2 - 0.12 - 0.2 * r[8];
  const restG = restA + 0.05 + 0.15 * r[9];
  const breath = 0.03 * Math.sin(TAU * k.swayHz * t * 1.7);
  const rest = (shoulder: number, side: number) => armAngles(xy, shoulder, side, U, F, restA + breath, restG + breath);

  const chestY = ny + T * (0.35 + 0.2 * r[5]);
  if (aux) {
    const a = Math.min(1, A);
    for (const [shoulder, side, arm] of [[J.shoulderR, -1, aux.armR], [J.shoulderL, 1, aux.armL]] as const) {
      if (!arm) {
        rest(shoulder, side);
        continue;
      }
      const alpha = arm.a0 + arm.a1 * a * Math.sin(arm.ma * P + arm.pa);
      armAngles(xy, shoulder, side, U, F, alpha, alpha + arm.g0 + arm.g1 * a * Math.sin(arm.mg * P + arm.pg));
    }
    return;
  }
  switch (cls) {
    case 'hand_clap': {
      const gap = T * (0.5 + 0.4 * r[6]) * A * Math.pow((1 - Math.cos(P)) / 2, 0.8);
      const hand = s.armRadius * sc;
      armReach(xy, J.shoulderR, -1, U, F, nx - hand - gap / 2, chestY);
      armReach(xy, J.shoulderL, 1, U, F, nx + hand + gap / 2, chestY);
      break;
    }
    case 'right_hand_wave':
    case 'left_hand_wave': {
      const side = cls === 'right_hand_wave' ? -1 : 1;
      const swing = (0.4 + 0.4 * r[6]) * A * Math.sin(P);
      const alpha = -0.3 + 0.7 * r[7] + 0.12 * swing;
      armAngles(xy, side < 0 ? J.shoulderR : J.shoulderL, side, U, F, alpha, -Math.PI / 2 + 0.1 + swing);
      rest(side < 0 ? J.shoulderL : J.shoulderR, -side);
      break;
    }
    case 'right_arm_clockwise':
    case 'right_arm_counter_clockwise':
    case 'left_arm_clockwise':
    case 'left_arm_counter_clockwise': {
      const side = cls.startsWith('right') ? -1 : 1;
      // the subject's clockwise is counter-clockwise on screen (y down: angle decreasing)
      const screenDir = cls.endsWith('counter_clockwise') ? 1 : -1;
      const shoulder = side < 0 ? J.shoulderR : J.shoulderL;
      const R = (U + F) * (0.45 + 0.3 * r[6]) * Math.min(1.15, A);
      const cx = xy[2 * shoulder] + side * T * (0.15 + 0.2 * r[7]);
      const cy = xy[2 * shoulder + 1] + T * (0.05 * r[8] - 0.1);
      const th = screenDir * TAU * k.freq * t + k.phase;
      armReach(xy, shoulder, side, U, F, cx + R * Math.cos(th), cy + R * Math.sin(th));
      rest(side < 0 ? J.shoulderL : J.shoulderR, -side);
      break;
    }
    case 'arm_roll': {
      const R = T * (0.1 + 0.08 * r[6]) * A;
      const cy = chestY + T * 0.1;
      const th = k.dir * P;
      const off = T * (0.05 + 0.05 * r[7]);
      armReach(xy, J.shoulderR, -1, U, F, nx - off + R * Math.cos(th), cy + R * Math.sin(th));
      armReach(xy, J.shoulderL, 1, U, F, nx + off + R * Math.cos(th + Math.PI), cy + R * Math.sin(th + Math.PI));
      break;
    }
    case 'air_drums': {
      const B = T * (0.15 + 0.15 * r[6]) * A;
      const baseY = ny + T * (0.55 + 0.25 * r[7]);
      const spread = SW * (0.3 + 0.35 * r[8]);
      const drift = 0.25 * SW * Math.sin(0.5 * P + r[9] * TAU);
      const off = Math.PI * (0.7 + 0.6 * r[10]);
      armReach(xy, J.shoulderR, -1, U, F, nx - spread + drift, baseY - B * Math.pow((1 - Math.cos(P)) / 2, 1.5));
      armReach(xy, J.shoulderL, 1, U, F, nx + spread + drift, baseY - B * Math.pow((1 - Math.cos(P + off)) / 2, 1.5));
      break;
    }
    case 'air_guitar': {
      // left hand holds the neck out to the side; the right hand strums at the belly
      const slide = 0.05 * T * Math.sin(0.3 * P + r[9] * TAU);
      armReach(xy, J.shoulderL, 1, U, F, xy[2 * J.shoulderL] + (U + F) * (0.75 + 0.15 * r[6]) + slide, xy[2 * J.shoulderL + 1] + T * (0.1 + 0.2 * r[7]) + slide * 0.5);
      const strum = T * (0.08 + 0.1 * r[8]) * A * Math.sin(P);
      armReach(xy, J.shoulderR, -1, U, F, nx - T * (0.05 + 0.1 * r[10]), ny + T * (0.8 + 0.12 * r[5]) + strum);
      break;
    }
    case 'raise_both_arms': {
      // straight arms lifted forward and up to overhead, then lowered: seen from the front the hands rise
      // past the shoulders while the arms foreshorten (pointing at the camera half way)
      const e = Math.min(0.95, 0.12 + (0.78 + 0.1 * r[6]) * A * Math.pow(s01, 0.8)) * Math.PI;
      const out = SW * (0.04 + 0.1 * r[7]);
      for (const [shoulder, side] of [[J.shoulderR, -1], [J.shoulderL, 1]] as const) straightArm(xy, shoulder, side, U, F, out, Math.cos(e));
      break;
    }
    case 'jumping_jack': {
      // straight-ish arms sweep sideways from the hips to over the head
      const top = -Math.PI / 2 + 0.15 + 0.25 * r[6];
      const alpha = restA + (top - restA) * Math.min(1, 0.85 * A + 0.15) * s01;
      armAngles(xy, J.shoulderR, -1, U, F, alpha, alpha + 0.15);
      armAngles(xy, J.shoulderL, 1, U, F, alpha, alpha + 0.15);
      break;
    }
    case 'punch_forward': {
      // boxing: fists guard the chin and punch straight at the camera in turn; a punching arm
      // foreshortens, its elbow rising behind the fist, its shoulder turning in, the fist growing
      for (const [shoulder, side, ph] of [[J.shoulderR, -1, 0], [J.shoulderL, 1, Math.PI]] as const) {
        const ext = Math.min(1, A) * Math.pow(Math.max(0, Math.sin(P + ph)), 0.7);
        xy[2 * shoulder] -= side * SW * 0.15 * ext;
        const sx = xy[2 * shoulder], sy = xy[2 * shoulder + 1];
        const gx = nx + side * SW * (0.15 + 0.1 * r[6]), gy = ny + T * (0.1 + 0.1 * r[7]);
        const fx = sx - side * SW * (0.05 + 0.15 * r[8]), fy = sy - T * (0.05 + 0.1 * r[9]);
        if (side < 0) pose.handScaleR = 1 + (0.6 + 0.4 * r[10]) * ext;
        else pose.handScaleL = 1 + (0.6 + 0.4 * r[10]) * ext;
        const hx = gx + (fx - gx) * ext, hy = gy + (fy - gy) * ext;
        const elx = sx + side * U * 0.3, ely = sy + U * 0.9;
        xy[2 * shoulder + 2] = elx + ((sx + hx) / 2 - elx) * ext;
        xy[2 * shoulder + 3] = ely + ((sy + hy) / 2 - ely) * ext;
        xy[2 * shoulder + 4] = hx;
        xy[2 * shoulder + 5] = hy;
      }
      break;
    }
    case 'wave_both_hands': {
      // both arms up, forearms swinging: mirrored (both out, both in) or side by side, per take
      const swing = (0.4 + 0.4 * r[6]) * A * Math.sin(P);
      const alpha = -0.35 - 0.4 * r[7] + 0.1 * swing;
      armAngles(xy, J.shoulderR, -1, U, F, alpha, -Math.PI / 2 + 0.1 + swing);
      armAngles(xy, J.shoulderL, 1, U, F, alpha, -Math.PI / 2 + 0.1 + k.dir * swing);
      break;
    }
    case 'side_kick': {
      // arms lift out sideways for balance as the leg kicks
      const alpha = restA - (0.5 + 0.4 * r[8]) * s01;
      armAngles(xy, J.shoulderR, -1, U, F, alpha, alpha + 0.3);
      armAngles(xy, J.shoulderL, 1, U, F, alpha, alpha + 0.3);
      break;
    }
    case 'bow': {
      rest(J.shoulderR, -1);
      rest(J.shoulderL, 1);
      break;
    }
    default: {
      // other: each arm drifts between random poses, slowly (or rests)
      for (const [shoulder, side, o] of [[J.shoulderR, -1, 0], [J.shoulderL, 1, 4]] as const) {
        if (r[o + 2] < 0.3) {
          rest(shoulder, side);
          continue;
        }
        const f1 = k.freq * (0.5 + r[o + 1]), f2 = k.freq * (0.3 + r[o + 3]);
        const alpha = Math.PI / 2 - 1.4 * r[o] * A + 0.6 * Math.sin(TAU * f1 * t + r[o + 1] * TAU);
        const gamma = alpha - 1.2 * r[o + 3] + 0.7 * Math.sin(TAU * f2 * t + r[o] * TAU);
        armAngles(xy, shoulder, side, U, F, alpha, gamma);
      }
    }
  }
}
