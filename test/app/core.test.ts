// AppCore at its boundary: argument validation with readable errors, unknown
// methods, media checks, settings persistence (atomic, corrupt file → .bak).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppCore } from '../../src-main/app/core';
import { ApiError, type MethodName } from '../../src-main/ipc/contract';
import { DEFAULT_SETTINGS, unknownThresholdFor } from '../../src-main/settings/store';

const RESOURCES = resolve(import.meta.dirname, '../../resources');
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'nl-core-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function core(userDataDir = tmp()) {
  return AppCore.create({ userDataDir, resourcesDir: RESOURCES, runtime: 'browser', version: '0.0.0-test', autoStart: false, modelDirs: [] });
}

async function rejects(p: Promise<unknown>, code: ApiError['code'], message: RegExp): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `an ApiError, not ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n\s+at /, 'no stack trace');
    return e;
  }
  assert.fail('expected a rejection');
}

describe('AppCore: arguments', () => {
  it('answers appInfo, getState and listSources', async () => {
    const c = await core();
    const info = (await c.invoke('appInfo', undefined)) as { name: string; version: string; runtime: string };
    assert.deepEqual([info.name, info.version, info.runtime], ['Neurolive', '0.0.0-test', 'browser']);
    const st = (await c.invoke('getState', {})) as { source: { state: string }; droppedWindows: number };
    assert.equal(st.source.state, 'idle');
    assert.equal(st.droppedWindows, 0);
    const sources = (await c.invoke('listSources', undefined)) as { kind: string; available: boolean; choices?: string[] }[];
    assert.deepEqual(sources.map((s) => s.kind), ['demo', 'file', 'dv-tcp', 'webcam', 'microphone', 'take']);
    assert.deepEqual(sources[0].choices, ['arm-circles', 'music', 'waves']);
    await c.close();
  });

  it('bad arguments are invalid-argument errors a person can read', async () => {
    const c = await core();
    await rejects(c.invoke('startSource', { kind: 'dv-tcp', port: 70000 }), 'invalid-argument', /^startSource: port: .*65535/);
    await rejects(c.invoke('startSource', { kind: 'laser' }), 'invalid-argument', /^startSource: kind: /);
    await rejects(c.invoke('startSource', { kind: 'file', path: '' }), 'invalid-argument', /path/);
    await rejects(c.invoke('playback', { speed: 50 }), 'invalid-argument', /^playback: speed: .*10/);
    await rejects(c.invoke('updateSettings', { windowMs: 'fast' }), 'invalid-argument', /^updateSettings: windowMs: .*number/);
    await rejects(c.invoke('updateSettings', { kiosk: { enabled: true, pin: '12', idleSeconds: 60, visitorClassTtlMinutes: 5 } }), 'invalid-argument', /kiosk\.pin/);
    await rejects(c.invoke('renameClass', { classId: 1, name: '   ' }), 'invalid-argument', /name cannot be empty/);
    await rejects(c.invoke('appInfo', { extra: 1 }), 'invalid-argument', /^appInfo: /);
    await c.close();
  });

  it('unknown methods are not-found; a method whose service is missing is unavailable', async () => {
    const c = await core();
    await rejects(c.invoke('format-disk' as MethodName, {}), 'not-found', /unknown method "format-disk"/);
    await rejects(c.invoke('__proto__' as MethodName, {}), 'not-found', /unknown method/);
    await rejects(c.invoke('importModel', { path: '/tmp/does-not-exist.onnx' }), 'not-found', /does-not-exist\.onnx: no such file/);
    await rejects(c.invoke('exportClassPack', { path: '/tmp/x' }), 'unavailable', /select a model first/);
    await c.close();
  });

  it('handler failures come back as readable errors: a missing file, no such model, playback without a replay', async () => {
    const c = await core();
    await rejects(c.invoke('selectModel', { id: 'nope' }), 'not-found', /no installed model with id nope/);
    await rejects(c.invoke('playback', { paused: true }), 'conflict', /cannot be paused/);
    await rejects(c.invoke('startSource', { kind: 'demo', name: 'unicorns' }), 'not-found', /no demo recording named "unicorns" \(have: arm-circles, music, waves\)/);
    await rejects(c.invoke('setBackend', { kind: 'hid-device' }), 'unavailable', /no NSoC device/);
    await c.close();
  });

  it('media: malformed or oversized payloads are dropped and counted, never thrown', async () => {
    const c = await core();
    c.media('video', { timestampUs: 0, width: 4, height: 4, luma: new Uint8Array(15) });
    c.media('video', { timestampUs: 0, width: 100_000, height: 4, luma: new Uint8Array(4) });
    c.media('video', null);
    c.media('audio', { timestampUs: 0, sampleRate: 16000, pcm: new Float32Array(10_000_000) });
    c.media('audio', { timestampUs: 0, sampleRate: 16000, pcm: [0.1, 0.2] });
    c.media('nonsense' as 'video', {});
    const reasons = [...c.mediaDrops.keys()].join('\n');
    assert.match(reasons, /luma has 15 bytes, expected 4×4 = 16/);
    assert.match(reasons, /100000×4 is outside/);
    assert.match(reasons, /10000000 samples is outside/);
    assert.match(reasons, /pcm must be a Float32Array/);
    assert.match(reasons, /unknown media stream/);
    // a good frame without a webcam source is simply ignored
    c.media('video', { timestampUs: 0, width: 4, height: 4, luma: new Uint8Array(16) });
    assert.equal([...c.mediaDrops.values()].reduce((a, b) => a + b, 0), 6);
    await c.close();
  });
});

describe('AppCore: kiosk', () => {
  it('entering needs nothing; leaving needs the PIN; five wrong PINs lock it', async () => {
    const c = await core();
    await c.invoke('updateSettings', { kiosk: { enabled: false, pin: '2468', idleSeconds: 60, visitorClassTtlMinutes: 30 } });
    assert.deepEqual(await c.invoke('setKiosk', { enabled: true }), { enabled: true });
    assert.equal(c.getState().kiosk, true);
    await rejects(c.invoke('setKiosk', { enabled: false }), 'forbidden', /wrong PIN/);
    await rejects(c.invoke('setKiosk', { enabled: false, pin: '1111' }), 'forbidden', /wrong PIN/);
    assert.equal(c.getState().kiosk, true);
    assert.deepEqual(await c.invoke('setKiosk', { enabled: false, pin: '2468' }), { enabled: false });
    await c.invoke('setKiosk', { enabled: true });
    for (let i = 0; i < 5; i++) await rejects(c.invoke('setKiosk', { enabled: false, pin: '0000' }), 'forbidden', /wrong PIN/);
    await rejects(c.invoke('setKiosk', { enabled: false, pin: '2468' }), 'forbidden', /too many wrong PINs: try again in \d+ s/);
    assert.equal(c.getState().kiosk, true);
    await rejects(c.invoke('setKiosk', { enabled: false, pin: '123456789' }), 'invalid-argument', /pin/);
    await c.close();
  });
});

describe('AppCore: HID buttons', () => {
  it('a mapped key on a HID keyboard-like device is published on topic action', async () => {
    let feed = null as ((r: Uint8Array) => void) | null;
    const hid = {
      list: async () => [{ path: 'fake-clicker', vendorId: 0x1234, productId: 1, product: 'Clicker', usagePage: 0x01, usage: 0x06, interface: 0 }],
      open: async () => ({ onData: (l: (r: Uint8Array) => void) => void (feed = l), onError: () => undefined, close: () => undefined }),
    };
    const c = await AppCore.create({ userDataDir: tmp(), resourcesDir: RESOURCES, runtime: 'browser', version: 't', autoStart: false, modelDirs: [], hidButtons: { hid, rescanMs: 60_000 } });
    await c.invoke('updateSettings', { buttons: { PageDown: 'enroll', KeyB: 'none' } });
    const actions: { action: string; from: string }[] = [];
    c.on('action', (a) => actions.push(a));
    await c.buttons!.scan();
    assert.ok(feed, 'the device was opened');
    const report = (key: number) => new Uint8Array([0, 0, key, 0, 0, 0, 0, 0]);
    feed!(report(0x4e)); // PageDown pressed
    feed!(report(0x00)); // released
    feed!(report(0x05)); // KeyB: mapped to none
    assert.deepEqual(actions, [{ action: 'enroll', from: 'Clicker: PageDown' }]);
    assert.deepEqual(c.buttons!.devices().map((d) => d.state), ['open']);
    await c.close();
  });
});

describe('AppCore: settings', () => {
  it('defaults, update, persisted atomically and read back', async () => {
    const dir = tmp();
    const c = await core(dir);
    assert.deepEqual(await c.invoke('getSettings', undefined), DEFAULT_SETTINGS);
    const s = (await c.invoke('updateSettings', { windowMs: 250, kiosk: { enabled: true, pin: '1234', idleSeconds: 60, visitorClassTtlMinutes: 30 } })) as typeof DEFAULT_SETTINGS;
    assert.equal(s.windowMs, 250);
    assert.equal(s.kiosk.pin, '1234');
    await c.close();
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('settings')), ['settings.json'], 'no temp files left behind');
    const c2 = await core(dir);
    const back = (await c2.invoke('getSettings', undefined)) as typeof DEFAULT_SETTINGS;
    assert.equal(back.windowMs, 250);
    assert.equal(back.kiosk.enabled, true);
    assert.equal(((await c2.invoke('getState', undefined)) as { kiosk: boolean }).kiosk, true);
    await c2.close();
  });

  for (const [what, text] of [
    ['not JSON', '{"windowMs": 100,'],
    ['an invalid field', JSON.stringify({ ...DEFAULT_SETTINGS, bins: 99 })],
    ['a JSON array', '[1,2]'],
  ] as const) {
    it(`a settings file with ${what} → defaults, a warning, the bad file kept as .bak`, async () => {
      const dir = tmp();
      writeFileSync(join(dir, 'settings.json'), text);
      const c = await core(dir);
      assert.deepEqual(await c.invoke('getSettings', undefined), DEFAULT_SETTINGS);
      assert.match(c.warnings.join('\n'), /settings\.json is invalid \(.+\); kept as .*settings\.json\.bak, using defaults/);
      assert.equal(readFileSync(join(dir, 'settings.json.bak'), 'utf8'), text);
      await c.close();
      assert.ok(existsSync(join(dir, 'settings.json')), 'defaults written back');
    });
  }

  it('an older file missing newer fields keeps its values and gains the defaults', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ windowMs: 300, learner: 'binary-fc', unknownThreshold: 0.7 }));
    const c = await core(dir);
    const s = (await c.invoke('getSettings', undefined)) as typeof DEFAULT_SETTINGS;
    assert.equal(s.windowMs, 300);
    assert.equal(s.learner, 'binary-fc');
    // the binary layer's own threshold (added in session 9) comes from the defaults; NCM's stays
    assert.equal(s.unknownThreshold, 0.7);
    assert.equal(s.binaryUnknownThreshold, DEFAULT_SETTINGS.binaryUnknownThreshold);
    assert.equal(unknownThresholdFor(s), DEFAULT_SETTINGS.binaryUnknownThreshold);
    assert.equal(unknownThresholdFor({ ...s, learner: 'ncm' }), 0.7);
    assert.equal(s.kiosk.pin, DEFAULT_SETTINGS.kiosk.pin);
    assert.equal(c.warnings.length, 0);
    await c.close();
  });
});
