import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DVS_GESTURE_CLASSES } from '../../src-engine/formats/aedat/gesture-labels';
import {
  GESTURE_ALL_CLASSES,
  GESTURE_BACKBONE,
  GESTURE_CLASSES,
  GESTURE_HELD_OUT,
  GESTURE_NOVEL,
  GestureRenderer,
  J,
  encodeClip,
  gestureClassIndex,
  makeGestureClip,
  makePose,
  poseAt,
  auxProgram,
  type GestureClip,
} from '../../src-engine/datasets/gesture/index';

const cls = (name: string) => gestureClassIndex(name);

/** A take without distractors, shake or sway: every event then comes from the gesture itself. */
function still(clip: GestureClip): GestureClip {
  clip.take.distractors = [];
  clip.take.shake = 0;
  clip.take.sway = 0;
  return clip;
}

/** Event counts of one window (64 × 64 × 10) summed over channels. */
function eventMap(clip: GestureClip, sensorSeed = 1): Float64Array {
  const { frames } = encodeClip(clip, { fps: 60, noisy: false, sensorSeed, windows: [1] });
  const d = frames[0].data, m = new Float64Array(64 * 64);
  for (let i = 0; i < m.length; i++) for (let c = 0; c < 10; c++) m[i] += d[i * 10 + c];
  return m;
}

/** The figure's neck in the 64 × 64 model input (the sensor is 128 × 128). */
function neck(clip: GestureClip): { x: number; y: number } {
  const p = makePose();
  poseAt(clip, 0, p);
  return { x: (64 + p.xy[2 * J.neck] * 128) / 2, y: (p.xy[2 * J.neck + 1] * 128) / 2 };
}

function mass(m: Float64Array, keep: (x: number, y: number) => boolean): number {
  let s = 0;
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if (keep(x + 0.5, y + 0.5)) s += m[y * 64 + x];
  return s;
}

test('the class list is the DVS Gesture order; two classes are held out of backbone training', () => {
  assert.equal(GESTURE_CLASSES.length, 11);
  assert.equal(GESTURE_CLASSES[0], 'hand_clap');
  assert.equal(GESTURE_CLASSES[10], 'other');
  assert.deepEqual([...GESTURE_HELD_OUT], ['air_guitar', 'left_arm_counter_clockwise']);
  assert.equal(GESTURE_BACKBONE.length, 9);
  assert.ok(GESTURE_HELD_OUT.every((c) => !GESTURE_BACKBONE.includes(c)));
  assert.throws(() => gestureClassIndex('moonwalk'), /unknown gesture class 'moonwalk'/);
});

test('the novel few-shot gestures are not DVS Gesture classes and follow the eleven in index order', () => {
  assert.ok(GESTURE_NOVEL.length >= 4);
  const dvs = new Set([...GESTURE_CLASSES, ...DVS_GESTURE_CLASSES.map((n) => n.replace(/[ -]/g, '_'))]);
  for (const [i, name] of GESTURE_NOVEL.entries()) {
    assert.ok(!dvs.has(name), `${name} is a DVS Gesture class`);
    assert.equal(gestureClassIndex(name), 11 + i);
    assert.equal(GESTURE_ALL_CLASSES[11 + i], name);
  }
  assert.deepEqual(GESTURE_ALL_CLASSES.slice(0, 11), [...GESTURE_CLASSES]);
});

/** Where a novel gesture's events fall, as shares of all its events, summed over four unseen subjects. */
function novelRegions(name: string) {
  const share = { total: 0, imageLeft: 0, aboveShoulders: 0, belowHips: 0, belowHipsLeft: 0, face: 0 };
  for (let subject = 0; subject < 4; subject++) {
    const clip = still(makeGestureClip(15, cls(name), 20_000 + subject, subject));
    const m = eventMap(clip), p = makePose();
    poseAt(clip, 0, p);
    const n = neck(clip), hipY = (p.xy[2 * J.pelvis + 1] * 128) / 2, T = hipY - n.y;
    share.total += mass(m, () => true);
    share.imageLeft += mass(m, (x) => x < n.x);
    share.aboveShoulders += mass(m, (_, y) => y < n.y + 3);
    share.belowHips += mass(m, (_, y) => y > hipY);
    share.belowHipsLeft += mass(m, (x, y) => y > hipY && x < n.x);
    // a box around the head and upper chest
    share.face += mass(m, (x, y) => y < n.y + T / 2 && Math.abs(x - n.x) < T / 2);
  }
  const f = (v: number) => v / share.total;
  return { total: share.total, left: f(share.imageLeft), up: f(share.aboveShoulders), low: f(share.belowHips), lowLeft: share.belowHipsLeft / share.belowHips, face: f(share.face) };
}

test('each novel gesture moves the body part it names', () => {
  const r = Object.fromEntries(GESTURE_NOVEL.map((name) => [name, novelRegions(name)]));
  for (const [name, v] of Object.entries(r)) assert.ok(v.total > 5000, `${name}: only ${v.total} events over four clips`);
  const two = (name: string) => assert.ok(r[name].left > 0.3 && r[name].left < 0.7, `${name} uses both arms: ${r[name].left.toFixed(2)} of its events on the image's left`);
  // both arms overhead and down: both sides, the legs still
  two('raise_both_arms');
  assert.ok(r.raise_both_arms.low < 0.1, `raise_both_arms: ${r.raise_both_arms.low.toFixed(2)} below the hips`);
  // jumping jack: both sides, legs moving too
  two('jumping_jack');
  assert.ok(r.jumping_jack.low > 0.05, `jumping_jack: legs ${r.jumping_jack.low.toFixed(2)}`);
  // punches: fists in front of the face and chest, legs still
  assert.ok(r.punch_forward.face > 0.6 && r.punch_forward.low < 0.05, `punch_forward: face box ${r.punch_forward.face.toFixed(2)}, legs ${r.punch_forward.low.toFixed(2)}`);
  // both hands waving overhead
  two('wave_both_hands');
  assert.ok(r.wave_both_hands.up > 0.9, `wave_both_hands: ${r.wave_both_hands.up.toFixed(2)} above the shoulders`);
  // the subject's right leg kicks: lower body, image left
  assert.ok(r.side_kick.low > 0.15 && r.side_kick.lowLeft > 0.75, `side_kick: legs ${r.side_kick.low.toFixed(2)}, ${r.side_kick.lowLeft.toFixed(2)} of them on the image's left`);
  // a bow: centred, head and chest
  two('bow');
  assert.ok(r.bow.face > 0.25 && r.bow.up > 0.2, `bow: face box ${r.bow.face.toFixed(2)}, above the shoulders ${r.bow.up.toFixed(2)}`);
});

test('novel gestures render deterministically and differ from each other and from the DVS Gesture classes', () => {
  const opts = { fps: 30, noisy: true, sensorSeed: 5, windows: [2] };
  for (const name of GESTURE_NOVEL) {
    const a = encodeClip(makeGestureClip(8, cls(name), 20_003, 4), opts).frames[0].data;
    assert.deepEqual(encodeClip(makeGestureClip(8, cls(name), 20_003, 4), opts).frames[0].data, a, `${name} is not deterministic`);
  }
  // the same subject and take performing each class: every pair of classes gives different event maps
  const maps = GESTURE_ALL_CLASSES.map((_, c) => eventMap(still(makeGestureClip(8, c, 20_003, 4))));
  for (const [i, name] of GESTURE_NOVEL.entries()) {
    const a = maps[11 + i];
    for (let c = 0; c < maps.length; c++) {
      if (c === 11 + i) continue;
      let diff = 0, sum = 0;
      for (let k = 0; k < a.length; k++) {
        diff += Math.abs(a[k] - maps[c][k]);
        sum += a[k] + maps[c][k];
      }
      assert.ok(diff / sum > 0.3, `${name} vs ${GESTURE_ALL_CLASSES[c]}: event maps differ by only ${((100 * diff) / sum).toFixed(0)}%`);
    }
  }
});

test('rendering is deterministic: same seed, same bytes; another seed, another picture', () => {
  const a = new GestureRenderer(makeGestureClip(42, 3, 7, 1), 128, 128);
  const b = new GestureRenderer(makeGestureClip(42, 3, 7, 1), 128, 128);
  const c = new GestureRenderer(makeGestureClip(43, 3, 7, 1), 128, 128);
  for (const t of [0, 0.137, 1.5]) {
    const fa = a.render(t);
    assert.deepEqual(b.render(t), fa);
    assert.notDeepEqual(c.render(t), fa);
  }
  // frames do not depend on what was rendered before
  const fresh = new GestureRenderer(makeGestureClip(42, 3, 7, 1), 128, 128);
  assert.deepEqual(fresh.render(0.137), a.render(0.137));
  // the encoded windows too
  const opts = { fps: 60, noisy: true, sensorSeed: 9, windows: [1] };
  assert.deepEqual(encodeClip(makeGestureClip(42, 3, 7, 1), opts).frames[0].data, encodeClip(makeGestureClip(42, 3, 7, 1), opts).frames[0].data);
  assert.throws(() => new GestureRenderer(makeGestureClip(1, 0, 0, 0), 4, 128), /frame size must be whole pixels from 8 to 4096/);
});

test('a subject keeps their body across classes and takes; takes differ', () => {
  const a = makeGestureClip(5, 0, 3, 0), b = makeGestureClip(5, 9, 3, 17);
  assert.deepEqual(a.subject, b.subject);
  assert.notDeepEqual(a.take.neckX, b.take.neckX);
  assert.notDeepEqual(makeGestureClip(5, 0, 4, 0).subject, a.subject);
});

test('hand waves move on their own side above the shoulders (the subject’s right hand is on the image’s left)', () => {
  for (let subject = 0; subject < 3; subject++) {
    for (const [name, side] of [['right_hand_wave', -1], ['left_hand_wave', 1]] as const) {
      const clip = still(makeGestureClip(11, cls(name), subject, 0));
      const m = eventMap(clip), n = neck(clip);
      const total = mass(m, () => true);
      const upperSide = mass(m, (x, y) => (x - n.x) * side > 0 && y < n.y + 6);
      assert.ok(total > 500, `${name}: only ${total} events`);
      assert.ok(upperSide / total > 0.6, `${name} (subject ${subject}): ${((100 * upperSide) / total).toFixed(0)}% of events in the upper ${side < 0 ? 'left' : 'right'}`);
    }
  }
});

test('claps happen at the midline, arm circles on their own side', () => {
  for (let subject = 0; subject < 3; subject++) {
    const clip = still(makeGestureClip(12, cls('hand_clap'), subject, 0));
    const m = eventMap(clip), n = neck(clip);
    const left = mass(m, (x) => x < n.x), right = mass(m, (x) => x >= n.x);
    let sx = 0;
    for (let i = 0; i < m.length; i++) sx += m[i] * (i % 64 + 0.5);
    const cx = sx / (left + right);
    assert.ok(Math.abs(cx - n.x) < 4, `clap centroid x ${cx.toFixed(1)} vs neck ${n.x.toFixed(1)}`);
    assert.ok(left / right > 0.5 && left / right < 2, `clap left/right ${left}/${right}`);
    for (const [name, side] of [['right_arm_clockwise', -1], ['left_arm_counter_clockwise', 1]] as const) {
      const c = still(makeGestureClip(12, cls(name), subject, 0));
      const mm = eventMap(c), nn = neck(c);
      const own = mass(mm, (x) => (x - nn.x) * side > 0), all = mass(mm, () => true);
      assert.ok(own / all > 0.7, `${name}: ${((100 * own) / all).toFixed(0)}% on its side`);
    }
  }
});

test('clockwise is the subject’s clockwise: counter-clockwise on screen, and counter-clockwise the reverse', () => {
  const turn = (name: string) => {
    const clip = makeGestureClip(13, cls(name), 2, 0);
    const shoulder = name.startsWith('right') ? J.shoulderR : J.shoulderL;
    const hand = shoulder + 2;
    const p = makePose();
    let total = 0, prev = NaN;
    const period = 1 / clip.take.freq;
    for (let i = 0; i <= 200; i++) {
      poseAt(clip, (i / 200) * period, p);
      const a = Math.atan2(p.xy[2 * hand + 1] - p.xy[2 * shoulder + 1], p.xy[2 * hand] - p.xy[2 * shoulder]);
      if (!Number.isNaN(prev)) total += ((a - prev + 3 * Math.PI) % (2 * Math.PI)) - Math.PI;
      prev = a;
    }
    return total; // screen angle, y down: positive = clockwise on screen
  };
  for (const side of ['right', 'left']) {
    const cw = turn(`${side}_arm_clockwise`), ccw = turn(`${side}_arm_counter_clockwise`);
    assert.ok(Math.abs(Math.abs(cw) - 2 * Math.PI) < 0.5, `${side} clockwise turns ${cw.toFixed(2)} rad per period`);
    assert.ok(cw < 0, `${side}_arm_clockwise must turn counter-clockwise on screen, turned ${cw.toFixed(2)}`);
    assert.ok(ccw > 0, `${side}_arm_counter_clockwise must turn clockwise on screen, turned ${ccw.toFixed(2)}`);
  }
});

test('the classes are told apart on unseen subjects by a nearest-centroid rule on coarse event maps', (t) => {
  // features: 8 × 8 cells × 5 time bins × 2 polarities, L2-normalised
  const feature = (clip: GestureClip, sensorSeed: number) => {
    const { frames } = encodeClip(clip, { fps: 30, noisy: false, sensorSeed, windows: [1] });
    const d = frames[0].data, f = new Float64Array(8 * 8 * 10);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 10; c++) f[((y >> 3) * 8 + (x >> 3)) * 10 + c] += d[(y * 64 + x) * 10 + c];
    let n = 0;
    for (const v of f) n += v * v;
    n = Math.sqrt(n) || 1;
    return f.map((v) => v / n);
  };
  const K = GESTURE_ALL_CLASSES.length;
  const centroids = Array.from({ length: K }, () => new Float64Array(640));
  for (let c = 0; c < K; c++) {
    for (let s = 0; s < 4; s++) {
      const f = feature(makeGestureClip(21, c, s, s), s);
      for (let i = 0; i < 640; i++) centroids[c][i] += f[i];
    }
  }
  let right = 0, n = 0;
  for (let c = 0; c < K; c++) {
    for (const s of [10_000, 10_001]) {
      const f = feature(makeGestureClip(21, c, s, 99), s);
      let best = -1, bestD = Infinity;
      for (let k = 0; k < K; k++) {
        let d = 0;
        for (let i = 0; i < 640; i++) d += (f[i] - centroids[k][i] / 4) ** 2;
        if (d < bestD) [bestD, best] = [d, k];
      }
      if (best === c) right++;
      n++;
    }
  }
  // chance is 1/17 ≈ 6 %
  t.diagnostic(`nearest centroid on unseen subjects: ${right}/${n}`);
  assert.ok(right / n >= 0.3, `nearest-centroid accuracy ${right}/${n}`);
});

test('the rotation direction is in the events: the per-bin event centroid turns the right way', () => {
  // the centroid of each time bin's events, around their mean: its turning
  // sign (y down: negative = counter-clockwise on screen = the subject's clockwise)
  const turning = (clip: GestureClip) => {
    const { frames } = encodeClip(clip, { fps: 60, noisy: false, sensorSeed: 3, windows: [1] });
    const d = frames[0].data, cx = [0, 0, 0, 0, 0], cy = [0, 0, 0, 0, 0], n = [0, 0, 0, 0, 0];
    for (let i = 0; i < 64 * 64; i++) {
      for (let b = 0; b < 5; b++) {
        const v = d[i * 10 + 2 * b] + d[i * 10 + 2 * b + 1];
        cx[b] += v * (i % 64);
        cy[b] += v * Math.floor(i / 64);
        n[b] += v;
      }
    }
    const px = cx.map((s, b) => s / n[b]), py = cy.map((s, b) => s / n[b]);
    const mx = px.reduce((a, b) => a + b) / 5, my = py.reduce((a, b) => a + b) / 5;
    let cross = 0;
    for (let b = 0; b < 4; b++) cross += (px[b] - mx) * (py[b + 1] - my) - (py[b] - my) * (px[b + 1] - mx);
    return cross;
  };
  let right = 0, n = 0;
  for (let subject = 0; subject < 3; subject++) {
    for (const side of ['right', 'left']) {
      for (const dir of ['clockwise', 'counter_clockwise']) {
        const c = turning(still(makeGestureClip(14, cls(`${side}_arm_${dir}`), subject, 1)));
        if ((c < 0) === (dir === 'clockwise')) right++;
        n++;
      }
    }
  }
  assert.ok(right >= n - 1, `the turning sign matched the class in ${right} of ${n} clips`);
});

test('aux motion classes keep away from the held-out and novel gestures by construction', () => {
  const named = GESTURE_ALL_CLASSES.length;
  const pose = makePose();
  const turning = (a: number[]) => a.reduce((s, v, i) => (i ? s + Math.atan2(Math.sin(v - a[i - 1]!), Math.cos(v - a[i - 1]!)) : 0), 0);
  let moving = 0;
  for (let k = 0; k < 200; k++) {
    const p = auxProgram(k);
    const arms = [p.armR, p.armL].filter((a) => a !== null);
    assert.ok(arms.length >= 1, `aux ${k} moves no arm`);
    // at most one upper arm rises above shoulder level; every posed arm swings
    assert.ok(arms.filter((a) => a.a0 - a.a1 < 0.1).length <= 1, `aux ${k} lifts both arms`);
    for (const a of arms) assert.ok(a.a1 >= 0.25, `aux ${k} holds an arm still`);
    assert.ok(p.lean <= 0.05 && p.bob <= 0.012, `aux ${k} leans or hops too much`);
    // rendered poses over two cycles: no growing fist, no bow, feet under the hips, hands never circle
    const clip = makeGestureClip(1, named + k, 5, 4_000_000 + k);
    assert.deepEqual(clip.take.aux, p);
    const T = clip.subject.torso * clip.take.scale;
    const handAngle: [number[], number[]] = [[], []];
    for (let i = 0; i <= 200; i++) {
      poseAt(clip, (2 * i) / (200 * clip.take.freq), pose);
      const xy = pose.xy;
      assert.equal(pose.handScaleR, 1);
      assert.equal(pose.handScaleL, 1);
      assert.ok(Math.abs(xy[2 * J.pelvis + 1]! - xy[2 * J.neck + 1]! - T) < 1e-9, `aux ${k} bends the torso`);
      for (const [hip, foot] of [[J.hipR, J.footR], [J.hipL, J.footL]] as const) assert.ok(Math.abs(xy[2 * foot]! - xy[2 * hip]!) < 0.05, `aux ${k} kicks sideways`);
      for (const [s, h, side] of [[J.shoulderR, J.handR, 0], [J.shoulderL, J.handL, 1]] as const) {
        handAngle[side].push(Math.atan2(xy[2 * h + 1]! - xy[2 * s + 1]!, xy[2 * h]! - xy[2 * s]!));
      }
    }
    // a hand circling its shoulder would turn by ~2π per cycle; a sweep turns back and forth
    for (const a of handAngle) assert.ok(Math.abs(turning(a)) < Math.PI, `aux ${k}: a hand circles the shoulder`);
    if (arms.length === 2) moving++;
  }
  assert.ok(moving > 40, 'two-handed programs are common');
  assert.throws(() => makeGestureClip(1, named + 4096, 5, 0), /outside/);
});
