/**
 * The node-hid side: finding attached NSoCs and turning an opened device
 * into a HidTransport. node-hid is loaded lazily, so a machine without the
 * native module (or without libusb/hidraw access) still runs the app — the
 * HID backend is then unavailable with a readable reason.
 *
 * Reports go out as our 64 bytes, byte 0 being the report id (0x01) as
 * hidapi expects; reports come in the same way on every platform for a
 * device with numbered reports. Reconnection lives in createHidBackend: this
 * module only enumerates and opens; `hidDeviceOpener` re-enumerates on each
 * call and prefers the serial number it saw first (the same unit comes back
 * under a new path after being replugged).
 */
import { createRequire } from 'node:module';
import { REPORT_BYTES } from './protocol';
import { NEUROLIVE_USAGE_PAGE, NEUROLIVE_VENDOR_ID } from './software-device';
import type { HidTransport } from './transport';

type NodeHid = typeof import('node-hid');

let cached: NodeHid | null | undefined;
let loadError = '';

/** node-hid, or null with `hidUnavailableReason()` saying why. */
export function loadNodeHid(): NodeHid | null {
  if (cached !== undefined) return cached;
  try {
    cached = createRequire(import.meta.url)('node-hid') as NodeHid;
  } catch (e) {
    cached = null;
    loadError = e instanceof Error ? e.message : String(e);
  }
  return cached;
}

export function hidUnavailableReason(): string | null {
  return loadNodeHid() ? null : `USB HID is not available on this machine (node-hid did not load: ${loadError})`;
}

export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  usagePage?: number;
  usage?: number;
  interface: number;
}

export interface HidFilter {
  vendorId?: number;
  productId?: number;
  usagePage?: number;
  usage?: number;
  serialNumber?: string;
}

/** The NSoC filter: our vendor id and vendor-defined usage page. */
export const NSOC_FILTER: HidFilter = { vendorId: NEUROLIVE_VENDOR_ID, usagePage: NEUROLIVE_USAGE_PAGE };

export function matchesFilter(d: HidDeviceInfo, f: HidFilter): boolean {
  return (
    (f.vendorId === undefined || d.vendorId === f.vendorId) &&
    (f.productId === undefined || d.productId === f.productId) &&
    // hidapi reports no usage page on some platforms (libusb backend): do not exclude those
    (f.usagePage === undefined || d.usagePage === undefined || d.usagePage === f.usagePage) &&
    (f.usage === undefined || d.usage === undefined || d.usage === f.usage) &&
    (f.serialNumber === undefined || d.serialNumber === f.serialNumber)
  );
}

/** Attached HID devices matching the filter (default: NSoCs). [] when node-hid is unavailable. */
export async function listHidDevices(filter: HidFilter = NSOC_FILTER): Promise<HidDeviceInfo[]> {
  const hid = loadNodeHid();
  if (!hid) return [];
  const all = await hid.devicesAsync();
  return all
    .filter((d): d is typeof d & { path: string } => typeof d.path === 'string' && d.path.length > 0)
    .map((d) => ({
      path: d.path,
      vendorId: d.vendorId,
      productId: d.productId,
      serialNumber: d.serialNumber,
      manufacturer: d.manufacturer,
      product: d.product,
      usagePage: d.usagePage,
      usage: d.usage,
      interface: d.interface,
    }))
    .filter((d) => matchesFilter(d, filter));
}

/** Opens one device by path as a HidTransport. */
export async function openHidTransport(path: string): Promise<HidTransport> {
  const hid = loadNodeHid();
  if (!hid) throw new Error(hidUnavailableReason()!);
  const dev = await hid.HIDAsync.open(path);
  const reportListeners = new Set<(r: Uint8Array) => void>();
  const closeListeners = new Set<(reason: Error | null) => void>();
  let closed = false;
  const shut = (reason: Error | null) => {
    if (closed) return;
    closed = true;
    dev.removeAllListeners();
    void dev.close().catch(() => undefined);
    for (const l of closeListeners) l(reason);
  };
  dev.on('data', (data: Buffer) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    // some platforms strip the report id, some pad: accept 63 (id stripped) or ≥ 64 bytes
    const report = bytes.length === REPORT_BYTES - 1 ? Uint8Array.of(1, ...bytes) : bytes.subarray(0, REPORT_BYTES);
    for (const l of reportListeners) l(report);
  });
  // node-hid emits 'error' when the device is unplugged (read fails)
  dev.on('error', (e: unknown) => shut(e instanceof Error ? e : new Error(String(e))));
  return {
    get closed() {
      return closed;
    },
    async write(report) {
      if (closed) throw new Error('HID device closed');
      try {
        await dev.write(Buffer.from(report.buffer, report.byteOffset, report.byteLength));
      } catch (e) {
        shut(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
    },
    onReport(l) {
      reportListeners.add(l);
      return () => reportListeners.delete(l);
    },
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    async close() {
      shut(null);
    },
  };
}

/**
 * An `open` for createHidBackend: each call enumerates and opens the first
 * matching device, preferring the serial number of the first one it opened.
 */
export function hidDeviceOpener(filter: HidFilter = NSOC_FILTER): () => Promise<HidTransport> {
  let serial: string | undefined;
  return async () => {
    const found = await listHidDevices(filter);
    const pick = (serial && found.find((d) => d.serialNumber === serial)) || found[0];
    if (!pick) throw new Error(hidUnavailableReason() ?? 'no Neurolive NSoC is plugged in');
    serial ??= pick.serialNumber;
    return openHidTransport(pick.path);
  };
}
