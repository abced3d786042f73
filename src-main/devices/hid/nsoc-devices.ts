/**
 * Where AppCore finds an attached NSoC for setBackend('hid-device'): real
 * USB devices through node-hid, or — for tests and demos without hardware —
 * the software device over a loopback (CoreOptions.nsocDevices, or the
 * environment variable NEUROLIVE_SOFTWARE_HID=1). The software one can be
 * "unplugged" and "plugged" again, which is how the fallback is tested.
 */
import { hidDeviceOpener, listHidDevices } from './hid-host';
import { SoftwareHidDevice, type SoftwareDeviceOptions } from './software-device';
import { createLoopback, type HidTransport } from './transport';

export interface NsocDevices {
  /** attached devices, by a name to show; empty when none */
  list(): Promise<{ label: string }[]>;
  /** opens (or reopens) the first one: createHidBackend's `open` */
  open(): Promise<HidTransport>;
}

/** Real USB NSoCs (node-hid): nothing listed when node-hid or the device is missing. */
export function usbNsocDevices(): NsocDevices {
  const open = hidDeviceOpener();
  return {
    list: async () => (await listHidDevices().catch(() => [])).map((d) => ({ label: d.product ?? `USB NSoC ${d.serialNumber ?? d.path}` })),
    open,
  };
}

/** The software NSoC on a loopback: one device that keeps its model across reconnections, as a real one keeps its RAM. */
export class SoftwareNsocDevices implements NsocDevices {
  readonly device: SoftwareHidDevice;
  private plugged = true;
  private link: ReturnType<typeof createLoopback> | null = null;

  constructor(opts: SoftwareDeviceOptions = {}) {
    this.device = new SoftwareHidDevice(opts);
  }

  async list(): Promise<{ label: string }[]> {
    return this.plugged ? [{ label: `${this.device.identity.name} (software, loopback)` }] : [];
  }

  async open(): Promise<HidTransport> {
    if (!this.plugged) throw new Error('no Neurolive NSoC is plugged in');
    const link = createLoopback();
    this.device.attach(link.device);
    this.link = link;
    return link.host;
  }

  /** Pulls the cable: the open link closes and reopening fails until plug(). */
  unplug(): void {
    this.plugged = false;
    this.link?.host.unplug();
    this.link = null;
  }

  plug(): void {
    this.plugged = true;
  }
}

/** The default: NEUROLIVE_SOFTWARE_HID=1 → the software device, else USB. */
export function defaultNsocDevices(env: NodeJS.ProcessEnv = process.env): NsocDevices {
  return env['NEUROLIVE_SOFTWARE_HID'] === '1' ? new SoftwareNsocDevices() : usbNsocDevices();
}
