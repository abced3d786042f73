// The 3D view's pure parts: the ring of points (space-time-ring.ts), the
// orbit camera (space-time-orbit.ts). How chunks reach the worker:
// test/renderer/event-feed.test.ts. The three.js drawing itself runs in Chromium
// (test/e2e/long-tasks.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpaceTimeRing, Z_PER_MS, type EventColumns } from '../../src-renderer/src/live/space-time-ring';
import { Orbit } from '../../src-renderer/src/live/space-time-orbit';

/** n events evenly over `ms` milliseconds from t0Us, on a w×h sensor, alternating polarity */
function chunk(t0Us: number, n: number, ms: number, w = 100, h = 80): EventColumns {
  const c: EventColumns = { t0Us, width: w, height: h, t: new Float32Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    c.t[i] = (i * ms * 1000) / n;
    c.x[i] = i % w;
    c.y[i] = (i * 7) % h;
    c.p[i] = i & 1;
  }
  return c;
}

test('ring: positions are centred on the sensor, y up, z = time; colours follow polarity', () => {
  const r = new SpaceTimeRing();
  const c = chunk(1_000_000, 4, 4);
  assert.equal(r.add(c), true, 'first chunk sets the sensor size');
  assert.equal(r.filled, 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(r.positions[i * 3], c.x[i] - 50);
    assert.equal(r.positions[i * 3 + 1], 40 - c.y[i]);
    assert.ok(Math.abs(r.positions[i * 3 + 2] - (c.t[i] / 1000) * Z_PER_MS) < 1e-6);
    assert.deepEqual([...r.colours.subarray(i * 3, i * 3 + 3)].map((v) => Math.round(v * 100)), (c.p[i] ? r.onRgb : r.offRgb).map((v) => Math.round(v * 100)));
  }
  assert.ok(Math.abs(r.nowMs - c.t[3] / 1000) < 1e-6);
  assert.deepEqual(r.takeDirty(), { from: 0, count: 4 });
  assert.equal(r.takeDirty(), null, 'nothing new since');
  assert.equal(r.add(chunk(1_004_000, 2, 1)), false, 'same sensor');
  assert.deepEqual(r.takeDirty(), { from: 4, count: 2 });
});

test('ring: a chunk is decimated to the budget share of its duration; wrapping marks the whole ring dirty', () => {
  const r = new SpaceTimeRing();
  r.spanMs = 300;
  r.setBudget(10_000);
  assert.equal(r.ring, 15_000);
  // 30 ms of a 300 ms span → a tenth of the budget
  r.add(chunk(0, 100_000, 30));
  assert.equal(r.filled, 1_000);
  // enough chunks to wrap the ring
  for (let k = 1; k <= 20; k++) r.add(chunk(k * 30_000, 100_000, 30));
  assert.equal(r.filled, r.ring);
  assert.deepEqual(r.takeDirty(), { from: 0, count: r.ring });
  // the newest kept event: the last one of every 100
  assert.ok(r.nowMs > 629.9 && r.nowMs <= 630, `now ${r.nowMs} ms`);
});

test('ring: a new sensor size or a jump back in time starts over', () => {
  const r = new SpaceTimeRing();
  r.add(chunk(5_000_000, 100, 10));
  assert.equal(r.add(chunk(5_010_000, 50, 10, 64, 64)), true);
  assert.equal(r.filled, 50);
  r.add(chunk(1_000_000, 20, 10, 64, 64));
  assert.equal(r.filled, 20, 'seeked back 4 s: only the new events');
  assert.equal(r.positions[2], 0, 'times restart from the new epoch');
});

test('orbit: home frames the box from the front right and above; drag, zoom and reset', () => {
  const o = new Orbit();
  o.frame(346, 260, 150, 45, 16 / 9);
  assert.deepEqual(o.target, [0, 0, -75]);
  const eye: [number, number, number] = [0, 0, 0];
  o.position(eye);
  assert.ok(eye[0] > 0 && eye[1] > 0 && eye[2] > o.target[2], `home eye ${eye}`);
  const home = o.radius;
  const dist = Math.hypot(eye[0] - o.target[0], eye[1] - o.target[1], eye[2] - o.target[2]);
  assert.ok(Math.abs(dist - home) < 1e-9, 'the eye is on the sphere');
  // the box's bounding sphere fits the vertical field of view
  assert.ok(Math.asin((0.5 * Math.hypot(346, 260, 150)) / home) <= (22.5 * Math.PI) / 180);

  // a drag the view's height across is a full turn: back where we were
  o.rotate(600, 0, 600);
  const turned: [number, number, number] = [0, 0, 0];
  o.position(turned);
  eye.forEach((v, i) => assert.ok(Math.abs(turned[i] - v) < 1e-6));
  o.rotate(150, 0, 600);
  o.position(turned);
  assert.ok(Math.abs(turned[0] - eye[0]) > 1, 'a quarter turn moves the eye');
  // dragging far down lifts the eye to just short of the pole, far up to just short of the other
  o.rotate(0, 10_000, 600);
  assert.ok(o.phi > 0 && o.phi < 0.02, `phi ${o.phi}`);
  o.rotate(0, -20_000, 600);
  assert.ok(o.phi < Math.PI && o.phi > Math.PI - 0.02, `phi ${o.phi}`);

  o.zoom(-500);
  assert.ok(o.radius < home, 'wheel up comes closer');
  o.zoom(1e6);
  assert.equal(o.radius, home * 5, 'zoom out is bounded');
  o.reset();
  o.position(turned);
  eye.forEach((v, i) => assert.ok(Math.abs(turned[i] - v) < 1e-9, 'double click: home view'));

  // a view narrower than tall moves home further back and keeps the relative zoom
  o.zoom(-700);
  const ratio = o.radius / home;
  o.frame(346, 260, 150, 45, 0.5);
  const zoomedNarrow = o.radius;
  o.reset();
  assert.ok(o.radius > home * 1.2, `home ${home} → ${o.radius}`);
  assert.ok(Math.abs(zoomedNarrow / o.radius - ratio) < 1e-9);
});

