import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hidUnavailableReason, listHidDevices, matchesFilter, NSOC_FILTER, openHidTransport, type HidDeviceInfo } from '../../src-main/devices/hid/hid-host';

const info = (o: Partial<HidDeviceInfo>): HidDeviceInfo => ({ path: '/dev/hidraw0', vendorId: 0x1209, productId: 0x4e4c, interface: 0, ...o });

test('the NSoC filter: our vendor id and usage page; a platform without usage pages is not excluded', () => {
  assert.equal(matchesFilter(info({ usagePage: 0xff4e, usage: 1 }), NSOC_FILTER), true);
  assert.equal(matchesFilter(info({}), NSOC_FILTER), true);
  assert.equal(matchesFilter(info({ usagePage: 0x01, usage: 6 }), NSOC_FILTER), false);
  assert.equal(matchesFilter(info({ vendorId: 0x046d, usagePage: 0xff4e }), NSOC_FILTER), false);
  assert.equal(matchesFilter(info({ serialNumber: 'A' }), { serialNumber: 'B' }), false);
  assert.equal(matchesFilter(info({ serialNumber: 'A' }), { serialNumber: 'A', productId: 0x4e4c }), true);
});

test('enumeration with node-hid never throws on this machine; opening a missing device is a readable error', async () => {
  const reason = hidUnavailableReason();
  const found = await listHidDevices();
  assert.ok(Array.isArray(found));
  for (const d of found) assert.ok(matchesFilter(d, NSOC_FILTER));
  if (reason) {
    assert.match(reason, /USB HID is not available/);
    return;
  }
  const all = await listHidDevices({});
  for (const d of all) assert.equal(typeof d.path, 'string');
  await assert.rejects(openHidTransport('/dev/no-such-hidraw-device'), (e: unknown) => e instanceof Error && e.message.length > 0);
});
