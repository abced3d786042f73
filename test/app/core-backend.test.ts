// AppCore.setBackend: the live pipeline moves to an NSoC attached over HID
// (the software device on a loopback) and gives the simulator's results;
// unplugging shows the error and falls back to the simulator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppCore } from '../../src-main/app/core';
import { defaultNsocDevices, SoftwareNsocDevices } from '../../src-main/devices/hid';
import { ApiError, type LiveState } from '../../src-main/ipc/contract';
import { writeTestModel } from '../pipeline/fixture-model';
import { waitFor } from '../pipeline/wait';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
const REPLAY = join(RESOURCES, 'demo', 'waves.aedat4');
const root = mkdtempSync(join(tmpdir(), 'nl-backend-'));
const models = join(root, 'models');
after(() => rmSync(root, { recursive: true, force: true }));
before(() => writeTestModel(models));

const base = { resourcesDir: RESOURCES, runtime: 'browser' as const, version: 't', modelDirs: [models], autoStart: false, replayTickMs: 10, fallbackToDemoMs: -1 };

/** Replays the file from its start and collects the engine's outputs by window end time. */
async function replay(core: AppCore, windows: number): Promise<Map<number, { top: number; output: number[] }>> {
  const got = new Map<number, { top: number; output: number[] }>();
  const off = core.pipeline.onResult((frame, r) => got.set(frame.tEndUs, { top: r.top, output: Array.from(r.output) }));
  try {
    await core.invoke('startSource', { kind: 'file', path: REPLAY, speed: 2, loop: false });
    await waitFor(() => got.size >= windows, `${windows} windows inferred`, 60_000);
    await core.invoke('stopSource', undefined);
  } finally {
    off();
  }
  return got;
}

describe('AppCore setBackend', () => {
  it('NEUROLIVE_SOFTWARE_HID=1 attaches the software NSoC; otherwise USB devices are looked for', async () => {
    const sw = defaultNsocDevices({ NEUROLIVE_SOFTWARE_HID: '1' });
    assert.ok(sw instanceof SoftwareNsocDevices);
    assert.deepEqual(await sw.list(), [{ label: `${sw.device.identity.name} (software, loopback)` }]);
    sw.unplug();
    assert.deepEqual(await sw.list(), []);
    await assert.rejects(sw.open(), /no Neurolive NSoC is plugged in/);
    assert.ok(!(defaultNsocDevices({}) instanceof SoftwareNsocDevices));
  });

  it('without an attached NSoC, hid-device is refused readably and the simulator stays', async () => {
    const core = await AppCore.create({ ...base, userDataDir: join(root, 'none'), nsocDevices: { list: async () => [], open: async () => Promise.reject(new Error('none')) } });
    try {
      await core.invoke('selectModel', { id: 'test-gesture' });
      await assert.rejects(core.invoke('setBackend', { kind: 'hid-device' }), (e: unknown) => e instanceof ApiError && e.code === 'unavailable' && e.message === 'no NSoC device is attached: only the simulator is available');
      assert.equal(core.getState().backend.kind, 'simulator');
      assert.equal(((await core.invoke('setBackend', { kind: 'simulator' })) as LiveState['backend']).kind, 'simulator');
    } finally {
      await core.close();
    }
  });

  it('runs on the software HID NSoC with the simulator’s results, then falls back to the simulator when it is unplugged', async () => {
    const devices = new SoftwareNsocDevices();
    const core = await AppCore.create({ ...base, userDataDir: join(root, 'sw'), nsocDevices: devices });
    const states: LiveState[] = [];
    core.on('state', (s) => states.push(s));
    try {
      await core.invoke('selectModel', { id: 'test-gesture' });
      const sim = await replay(core, 8);

      const b = (await core.invoke('setBackend', { kind: 'hid-device' })) as LiveState['backend'];
      assert.equal(b.kind, 'hid-device');
      assert.match(b.label, /^USB NSoC: .*software, loopback/);
      assert.equal(b.state, 'ready');
      const hid = await replay(core, 8);
      assert.ok(devices.device.framesProcessed >= 8, `the device ran the frames (${devices.device.framesProcessed})`);
      // windows can be dropped under load, so compare the ones both runs inferred
      const both = [...hid.keys()].filter((t) => sim.has(t));
      assert.ok(both.length >= 5, `${both.length} windows in common`);
      for (const t of both) assert.deepEqual(hid.get(t), sim.get(t), `window ending at ${t} µs`);

      // keep frames flowing, then pull the cable
      let after = 0;
      const off = core.pipeline.onResult(() => after++);
      await core.invoke('startSource', { kind: 'file', path: REPLAY, speed: 2, loop: true });
      devices.unplug();
      const lost = await waitFor(() => states.find((s) => s.backend.kind === 'hid-device' && s.backend.state === 'error'), 'the backend to show the lost device');
      assert.match(lost.backend.error ?? '', /the USB NSoC was lost \(device unplugged\); switching to the simulator/);
      // frames keep flowing, so the simulator may be 'busy' (frames queued) at any one moment: wait until it is 'ready' between them
      await waitFor(() => core.getState().backend.kind === 'simulator' && core.getState().backend.state === 'ready', 'the fallback to the simulator, ready', 30_000);
      const s = core.getState().backend;
      assert.equal(s.kind, 'simulator');
      assert.equal(s.state, 'ready');
      assert.match(s.error ?? '', /the USB NSoC was lost \(device unplugged\); running on the simulator/);
      const n = after;
      await waitFor(() => after >= n + 2, 'windows inferred on the simulator after the fallback', 30_000);
      off();
      // still unplugged: asking for the device again is refused readably
      await assert.rejects(core.invoke('setBackend', { kind: 'hid-device' }), /no NSoC device is attached/);
    } finally {
      await core.close();
    }
  });
});
