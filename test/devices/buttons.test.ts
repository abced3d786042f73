import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { actionFor, ButtonDecoder, type ButtonHidAccess, consumerKeys, createHidButtons, keyboardKeys, reportKindOf, SUGGESTED_BUTTONS } from '../../src-main/devices/buttons';
import { consumerUsageOf, keyboardUsageName, keyboardUsageOf } from '../../src-main/devices/hid-usages';
import type { Topics } from '../../src-main/ipc/contract';
import type { HidDeviceInfo } from '../../src-main/devices/hid/hid-host';

// Boot keyboard reports built from the HID Usage Tables (Keyboard/Keypad page 0x07):
// 0x4E PageDown, 0x4B PageUp, 0x29 Escape, 0x3E F5, 0x37 Period, 0x05 'b', 0x04 'a'.
const kb = (mods: number, ...keys: number[]) => Uint8Array.from([mods, 0, ...keys, ...new Array(6 - keys.length).fill(0)]);

test('usage names follow KeyboardEvent.code and the consumer page', () => {
  assert.equal(keyboardUsageName(0x4e), 'PageDown');
  assert.equal(keyboardUsageName(0x4b), 'PageUp');
  assert.equal(keyboardUsageName(0x04), 'KeyA');
  assert.equal(keyboardUsageName(0x1d), 'KeyZ');
  assert.equal(keyboardUsageName(0x1e), 'Digit1');
  assert.equal(keyboardUsageName(0x27), 'Digit0');
  assert.equal(keyboardUsageName(0x3a), 'F1');
  assert.equal(keyboardUsageName(0x3e), 'F5');
  assert.equal(keyboardUsageName(0x45), 'F12');
  assert.equal(keyboardUsageName(0x68), 'F13');
  assert.equal(keyboardUsageName(0xa5), 'Keyboard.0xa5');
  assert.equal(keyboardUsageOf('Period'), 0x37);
  assert.equal(consumerUsageOf('Consumer.PlayPause'), 0xcd);
});

test('a presenter clicker: press, hold (repeated report), release, next key — one press each', () => {
  const d = new ButtonDecoder('keyboard');
  const seq: [Uint8Array, string[]][] = [
    [kb(0, 0x4e), ['PageDown']],
    [kb(0, 0x4e), []], // held: the report repeats
    [kb(0), []], // released
    [kb(0, 0x4e), ['PageDown']],
    [kb(0, 0x4e, 0x4b), ['PageUp']], // second key while the first is held
    [kb(0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01), []], // ErrorRollOver is ignored
    [kb(0), []],
    [kb(0x02, 0x05), ['KeyB', 'ShiftLeft']], // Shift+B: modifiers are keys too
    [Uint8Array.of(1, ...kb(0, 0x29)), ['Escape']], // with a report id first (9 bytes)
    [Uint8Array.of(1, 2, 3), []], // a report of another size is not a keyboard report
  ];
  for (const [i, [report, want]] of seq.entries()) assert.deepEqual(d.decode(report), want, `report ${i}`);
});

test('consumer control reports: 16-bit usages, with or without a report id', () => {
  assert.deepEqual([...consumerKeys(Uint8Array.of(0xcd, 0x00))!], ['Consumer.PlayPause']);
  assert.deepEqual([...consumerKeys(Uint8Array.of(0x02, 0xb5, 0x00))!], ['Consumer.ScanNextTrack']);
  assert.deepEqual([...consumerKeys(Uint8Array.of(0x23, 0x02, 0xe9, 0x00))!], ['Consumer.ACHome', 'Consumer.VolumeUp']);
  assert.deepEqual([...consumerKeys(Uint8Array.of(0x02, 0x00, 0x00))!], []);
  const d = new ButtonDecoder('consumer');
  assert.deepEqual(d.decode(Uint8Array.of(2, 0xcd, 0)), ['Consumer.PlayPause']);
  assert.deepEqual(d.decode(Uint8Array.of(2, 0, 0)), []);
  assert.deepEqual(d.decode(Uint8Array.of(2, 0xcd, 0)), ['Consumer.PlayPause']);
  assert.equal(keyboardKeys(Uint8Array.of(0, 0, 0)), null);
});

test('mapping: mapped keys give actions, "none" and unmapped keys none, and no prototype keys', () => {
  const map = { ...SUGGESTED_BUTTONS, KeyB: 'none' as const };
  assert.equal(actionFor(map, 'PageDown'), 'enroll');
  assert.equal(actionFor(map, 'PageUp'), 'undo');
  assert.equal(actionFor(map, 'Escape'), 'reset');
  assert.equal(actionFor(map, 'KeyB'), null);
  assert.equal(actionFor(map, 'KeyQ'), null);
  assert.equal(actionFor(map, 'constructor'), null);
  assert.equal(actionFor(map, '__proto__'), null);
});

test('device classes by usage page and usage', () => {
  assert.equal(reportKindOf({ usagePage: 0x01, usage: 0x06 }), 'keyboard');
  assert.equal(reportKindOf({ usagePage: 0x01, usage: 0x07 }), 'keyboard');
  assert.equal(reportKindOf({ usagePage: 0x0c, usage: 0x01 }), 'consumer');
  assert.equal(reportKindOf({ usagePage: 0x01, usage: 0x02 }), null); // a mouse
  assert.equal(reportKindOf({ usagePage: 0xff4e, usage: 0x01 }), null);
});

test('the service opens clickers and pedals, emits mapped actions, follows settings changes, survives unplugging', async () => {
  const dev = (path: string, usagePage: number, usage: number, product: string): HidDeviceInfo => ({ path, vendorId: 0x1234, productId: 1, product, manufacturer: 'Acme', usagePage, usage, interface: 0 });
  let attached = [dev('/dev/hidraw1', 0x01, 0x06, 'Clicker'), dev('/dev/hidraw2', 0x0c, 0x01, 'Pedal'), dev('/dev/hidraw3', 0x01, 0x06, 'Locked keyboard')];
  const emitters = new Map<string, EventEmitter>();
  const hid: ButtonHidAccess = {
    list: async () => attached,
    async open(path) {
      if (path === '/dev/hidraw3') throw new Error('permission denied');
      const e = new EventEmitter();
      emitters.set(path, e);
      return { onData: (l) => void e.on('data', l), onError: (l) => void e.on('error', l), close: () => void e.removeAllListeners() };
    },
  };
  let mapping: Record<string, 'enroll' | 'undo' | 'reset' | 'next-source' | 'none'> = { PageDown: 'enroll', 'Consumer.PlayPause': 'reset' };
  const actions: Topics['action'][] = [];
  const keys: string[] = [];
  const buttons = createHidButtons({ mapping: () => mapping, onAction: (a) => actions.push(a), onKey: (k) => keys.push(k), hid });
  await buttons.scan();
  assert.deepEqual(buttons.devices().map((d) => [d.name, d.kind, d.state, d.error]), [
    ['Acme Clicker', 'keyboard', 'open', undefined],
    ['Acme Pedal', 'consumer', 'open', undefined],
    ['Acme Locked keyboard', 'keyboard', 'error', 'permission denied'],
  ]);
  const clicker = emitters.get('/dev/hidraw1')!;
  const pedal = emitters.get('/dev/hidraw2')!;
  clicker.emit('data', Buffer.from(kb(0, 0x4e)));
  clicker.emit('data', Buffer.from(kb(0)));
  pedal.emit('data', Buffer.from([0xcd, 0x00]));
  clicker.emit('data', Buffer.from(kb(0, 0x4b))); // PageUp: unmapped
  assert.deepEqual(actions, [
    { action: 'enroll', from: 'Acme Clicker: PageDown' },
    { action: 'reset', from: 'Acme Pedal: Consumer.PlayPause' },
  ]);
  assert.deepEqual(keys, ['PageDown', 'Consumer.PlayPause', 'PageUp']);
  // a settings change applies to the next press
  mapping = { PageUp: 'undo' };
  clicker.emit('data', Buffer.from(kb(0)));
  clicker.emit('data', Buffer.from(kb(0, 0x4b)));
  assert.deepEqual(actions.at(-1), { action: 'undo', from: 'Acme Clicker: PageUp' });
  // unplugged: dropped, and picked up again when it returns
  clicker.emit('error', new Error('could not read from HID device'));
  attached = attached.filter((d) => d.path !== '/dev/hidraw1');
  await buttons.scan();
  assert.deepEqual(buttons.devices().map((d) => d.name), ['Acme Pedal', 'Acme Locked keyboard']);
  attached = [...attached, dev('/dev/hidraw1', 0x01, 0x06, 'Clicker')];
  await buttons.scan();
  assert.equal(buttons.devices().length, 3);
  emitters.get('/dev/hidraw1')!.emit('data', Buffer.from(kb(0, 0x4b)));
  assert.equal(actions.length, 4);
  await buttons.stop();
  assert.deepEqual(buttons.devices(), []);
});
