// File replay against real recordings: every format, pacing, loop, seek, pause,
// DVS Gesture ground truth, and a corrupt file ending in a readable error state.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EventBatch } from '../../src-engine/events/batch';
import type { SourceStatus } from '../../src-main/ipc/contract';
import { createDemoSource, listDemoFiles } from '../../src-main/sources/demo';
import { ReplaySource } from '../../src-main/sources/replay';
import type { SensorClock, SourceSink } from '../../src-main/sources/types';
import { waitFor } from '../pipeline/wait';
import { loadTruth, SHARED_FILES, sharedPath, skipWithoutSharedData } from '../support/shared-data';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
const tmp = mkdtempSync(join(tmpdir(), 'nl-replay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Push {
  n: number;
  first: number;
  last: number;
  clock: SensorClock;
  wall: number;
}

/** A sink recording every push, status and discontinuity. */
function recorder() {
  const pushes: Push[] = [];
  const statuses: SourceStatus[] = [];
  let discontinuities = 0;
  let events = 0;
  let prevT = -Infinity;
  let backwards = 0;
  const hooks: { onPush?: () => void } = {};
  const sink: SourceSink = {
    events(b: EventBatch, clock: SensorClock) {
      hooks.onPush?.();
      events += b.length;
      for (let i = 0; i < b.length; i++) {
        if (b.t[i] < prevT) backwards++;
        prevT = b.t[i];
      }
      pushes.push({ n: b.length, first: b.t[0], last: b.t[b.length - 1], clock: { ...clock }, wall: performance.now() });
    },
    video() {},
    audio() {},
    status(s) {
      statuses.push(s);
    },
    discontinuity() {
      discontinuities++;
    },
  };
  return { sink, pushes, statuses, hooks, get events() { return events; }, get backwards() { return backwards; }, get discontinuities() { return discontinuities; } };
}

describe('replay source', { skip: skipWithoutSharedData }, () => {
  for (const name of SHARED_FILES) {
    it(`replays every event of ${name} in order at 10×`, async () => {
      const truth = loadTruth(name);
      const src = new ReplaySource({ files: [sharedPath(name)], speed: 10, loop: false });
      const r = recorder();
      await src.start(r.sink);
      await waitFor(() => src.status().state === 'paused', `the end of ${name}`, 20_000);
      await src.stop();
      assert.equal(r.events, truth.count);
      assert.equal(r.backwards, truth.monotonic === false ? r.backwards : 0, 'output time never runs backwards');
      const s = src.status();
      assert.equal(s.durationUs, truth.t_max - truth.first[0][0]);
      if (truth.width) assert.deepEqual([s.width, s.height], [truth.width, truth.height]);
      else assert.ok(s.width > truth.max_x && s.height > truth.max_y, 'geometry inferred from the events');
    });
  }

  it('paces by the events’ timestamps: 10× plays a 0.59 s file in about 59 ms of reported sensor clock', async () => {
    const src = new ReplaySource({ files: [sharedPath('dvxplorer_sample.aedat4')], speed: 10, loop: false, tickMs: 5 });
    const r = recorder();
    const t0 = performance.now();
    await src.start(r.sink);
    await waitFor(() => src.status().state === 'paused', 'the end of the file');
    const wall = performance.now() - t0;
    await src.stop();
    const p0 = r.pushes[0], pn = r.pushes[r.pushes.length - 1];
    const sensorMs = (pn.clock.tUs - p0.clock.tUs) / 1000;
    // the clock the source reports maps sensor time to host time at the replay speed
    for (const p of r.pushes) assert.equal(p.clock.speed, 10);
    const reportedMs = pn.clock.wallMs - p0.clock.wallMs;
    assert.ok(Math.abs(reportedMs - sensorMs / 10) < 1 || reportedMs > sensorMs / 10, `reported ${reportedMs} ms for ${sensorMs} ms of sensor time`);
    // never faster than real time × speed (a loaded machine may only make it slower)
    assert.ok(wall >= sensorMs / 10 - 5, `played ${sensorMs} ms of events in ${wall} ms at 10×`);
    // and pushes are spread out, not one burst: each push's events are due by then
    for (const p of r.pushes) assert.ok(p.wall >= p.clock.wallMs - 1, 'a slice is pushed only once due');
    // 1× the same file: about ten times the reported span
    const slow = new ReplaySource({ files: [sharedPath('dvxplorer_sample.aedat4')], speed: 1, loop: false, tickMs: 20 });
    const r1 = recorder();
    await slow.start(r1.sink);
    await waitFor(() => slow.status().state === 'paused', 'the end at 1×');
    await slow.stop();
    const span1 = r1.pushes[r1.pushes.length - 1].clock.wallMs - r1.pushes[0].clock.wallMs;
    assert.ok(span1 >= sensorMs - 25, `1×: ${span1} ms reported for ${sensorMs} ms`);
  });

  it('loops with time running on, and tells the sink about each restart', async () => {
    const src = new ReplaySource({ files: [sharedPath('ncars_sample.dat')], speed: 10, loop: true });
    const r = recorder();
    await src.start(r.sink);
    await waitFor(() => src.loops >= 3, 'three loops');
    await src.stop();
    assert.equal(r.backwards, 0);
    assert.ok(r.events >= 3 * 2009);
    assert.ok(r.discontinuities >= 3);
  });

  it('seeks (re-open and skip), pauses and resumes', async () => {
    const src = new ReplaySource({ files: [sharedPath('dvs128_walking.aedat')], speed: 1, loop: false, tickMs: 5 });
    const r = recorder();
    await src.start(r.sink);
    await waitFor(() => r.pushes.length > 0, 'the first events');
    const st = src.playback({ paused: true });
    assert.equal(st.state, 'paused');
    const paused = r.events;
    src.playback({ seekUs: 5_000_000 });
    assert.equal(src.status().positionUs, 5_000_000);
    const before = r.pushes.length;
    let pos = -1;
    // the position as the first slice after the seek is pushed (polling later could see a later slice)
    r.hooks.onPush = () => {
      if (pos < 0) pos = src.status().positionUs!;
    };
    src.playback({ paused: false, speed: 10 });
    await waitFor(() => r.pushes.length > before, 'events after the seek');
    assert.ok(r.events > paused);
    assert.ok(pos >= 5_000_000 && pos < 5_000_000 + 200_000, `position after seek ${pos}`);
    await waitFor(() => src.status().state === 'paused', 'the end');
    await src.stop();
    // only the part after 5 s was played after the seek: fewer than all events
    assert.ok(r.events < 19182 + paused, `${r.events} events`);
    assert.equal(r.backwards, 0);
  });

  it('reads a DVS Gesture _labels.csv beside the file as ground truth at the position', async () => {
    const demo = listDemoFiles(RESOURCES).find((f) => f.endsWith('waves.aedat4'));
    assert.ok(demo, 'the bundled demo has waves.aedat4');
    const src = new ReplaySource({ files: [demo], speed: 1 });
    await src.start(recorder().sink);
    src.playback({ paused: true });
    src.playback({ seekUs: 1_000_000 });
    assert.equal(src.status().groundTruth, 'right hand wave');
    src.playback({ seekUs: 3_000_000 });
    assert.equal(src.status().groundTruth, 'left hand wave');
    src.playback({ seekUs: 2_100_000 });
    assert.equal(src.status().groundTruth, null, 'the cut between two gestures has no label');
    await src.stop();
  });

  it('a corrupt file ends in state error with the file, offset and reason', async () => {
    const bad = join(tmp, 'broken.aedat4');
    const good = readFileSync(sharedPath('dvxplorer_sample.aedat4'));
    const bytes = Buffer.from(good.subarray(0, 300_000));
    bytes.fill(0xa5, 200_000, 300_000); // garbage in the middle of the packets
    writeFileSync(bad, bytes);
    const src = new ReplaySource({ files: [bad], speed: 10, loop: false });
    const r = recorder();
    await src.start(r.sink);
    const st = await waitFor(() => (src.status().state === 'error' ? src.status() : null), 'the error state');
    assert.match(st.error!, /broken\.aedat4/);
    assert.match(st.error!, /byte \d+|offset/);
    assert.ok(r.statuses.some((s) => s.state === 'error'), 'the sink was told');
    await src.stop();
    assert.equal(src.status().state, 'error', 'stop keeps the error visible');
  });

  it('a missing file is an error state, not a throw', async () => {
    const src = new ReplaySource({ files: [join(tmp, 'nope.aedat4')] });
    await src.start(recorder().sink);
    assert.equal(src.status().state, 'error');
    assert.match(src.status().error!, /nope\.aedat4.*(no such file|ENOENT)/i);
  });

  it('the demo plays its bundled recordings one after another', async () => {
    const files = listDemoFiles(RESOURCES);
    assert.ok(files.length >= 2, 'at least two demo recordings');
    const dir = join(tmp, 'resources');
    const demoDir = join(dir, 'demo');
    (await import('node:fs')).mkdirSync(demoDir, { recursive: true });
    // two short copies of a real recording stand in for the demo (fast to play through)
    copyFileSync(sharedPath('ncars_sample.dat'), join(demoDir, 'a.dat'));
    copyFileSync(sharedPath('ncars_sample.dat'), join(demoDir, 'b.dat'));
    const src = createDemoSource(dir, { speed: 10 });
    const r = recorder();
    await src.start(r.sink);
    assert.match(src.status().label, /Built-in demo: a/);
    await waitFor(() => src.status().label.endsWith(': b'), 'the second recording');
    await waitFor(() => src.loops >= 1, 'a loop over the playlist');
    await src.stop();
    assert.equal(r.backwards, 0);
  });
});
