/**
 * HID buttons for the kiosk: presenter clickers, foot pedals, any
 * keyboard-like HID device. Input reports are decoded into key names
 * (hid-usages.ts), looked up in Settings.buttons, and the mapped action
 * ('enroll', 'undo', 'reset', 'next-source') is emitted; the core publishes
 * it on topic 'action'.
 *
 * Report formats (no report-descriptor parsing: these two cover clickers and
 * pedals in practice; see docs/HID_PROTOCOL.md § Buttons):
 * - boot keyboard (usage page 0x01, usage 0x06/0x07): 8 bytes [modifiers,
 *   reserved, key1…key6], or 9 with a report id first;
 * - consumer control (usage page 0x0C, usage 0x01): 16-bit usages, LE,
 *   optionally after a report id (odd length).
 * A press is a key present in this report and absent from the previous one
 * (reports repeat the held keys); the rollover report (all 0x01) is ignored.
 *
 * Devices come and go: `start()` rescans every `rescanMs`, opens new ones
 * (non-exclusively where the OS allows), and drops those that error. The OS
 * may refuse to hand a keyboard to an app (macOS, Windows without a filter
 * driver); that device is then listed with its error, and the renderer's
 * own key events remain the fallback.
 */
import type { Settings, Topics } from '../ipc/contract';
import { consumerUsageName, keyboardUsageName, MODIFIERS } from './hid-usages';
import { type HidDeviceInfo, listHidDevices, loadNodeHid } from './hid/hid-host';

export type ButtonAction = Topics['action']['action'];
export type ButtonMap = Settings['buttons'];

export const USAGE_PAGE_DESKTOP = 0x01;
export const USAGE_KEYBOARD = 0x06;
export const USAGE_KEYPAD = 0x07;
export const USAGE_PAGE_CONSUMER = 0x0c;
export const USAGE_CONSUMER_CONTROL = 0x01;

/** A starting point for Settings.buttons: what common presenter clickers and pedals send. */
export const SUGGESTED_BUTTONS: ButtonMap = {
  PageDown: 'enroll',
  ArrowRight: 'enroll',
  PageUp: 'undo',
  ArrowLeft: 'undo',
  Escape: 'reset',
  F5: 'next-source',
  Period: 'next-source',
  KeyB: 'next-source',
  'Consumer.PlayPause': 'enroll',
  'Consumer.ScanNextTrack': 'next-source',
};

export type ReportKind = 'keyboard' | 'consumer';

export function reportKindOf(d: Pick<HidDeviceInfo, 'usagePage' | 'usage'>): ReportKind | null {
  if (d.usagePage === USAGE_PAGE_DESKTOP && (d.usage === USAGE_KEYBOARD || d.usage === USAGE_KEYPAD)) return 'keyboard';
  if (d.usagePage === USAGE_PAGE_CONSUMER && d.usage === USAGE_CONSUMER_CONTROL) return 'consumer';
  return null;
}

/** Turns one device's input reports into newly pressed key names. */
export class ButtonDecoder {
  private held = new Set<string>();

  constructor(readonly kind: ReportKind) {}

  decode(report: Uint8Array): string[] {
    const now = this.kind === 'keyboard' ? keyboardKeys(report) : consumerKeys(report);
    if (now === null) return [];
    const pressed = [...now].filter((k) => !this.held.has(k));
    this.held = now;
    return pressed;
  }
}

/** Keys held in a boot keyboard report; null for a report to ignore (rollover, wrong size). */
export function keyboardKeys(r: Uint8Array): Set<string> | null {
  const body = r.length === 9 ? r.subarray(1) : r;
  if (body.length !== 8) return null;
  const keys = new Set<string>();
  for (let i = 2; i < 8; i++) {
    const u = body[i];
    if (u === 0x01) return null; // ErrorRollOver: too many keys, the report says nothing reliable
    if (u >= 0x04) keys.add(keyboardUsageName(u));
  }
  for (let b = 0; b < 8; b++) if (body[0] & (1 << b)) keys.add(MODIFIERS[b]);
  return keys;
}

/** Usages held in a consumer control report. */
export function consumerKeys(r: Uint8Array): Set<string> | null {
  const body = r.length % 2 === 1 ? r.subarray(1) : r;
  if (body.length === 0) return null;
  const keys = new Set<string>();
  for (let i = 0; i + 1 < body.length; i += 2) {
    const u = body[i] | (body[i + 1] << 8);
    if (u !== 0) keys.add(consumerUsageName(u));
  }
  return keys;
}

/** The action a key is mapped to, or null (unmapped, or mapped to 'none'). */
export function actionFor(map: ButtonMap, key: string): ButtonAction | null {
  const a = Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
  return a && a !== 'none' ? a : null;
}

// ------------------------------------------------------------ the service

export interface ButtonDeviceState {
  path: string;
  name: string;
  kind: ReportKind;
  state: 'open' | 'error';
  error?: string;
}

/** An opened button device. */
export interface ButtonHidDevice {
  onData(l: (report: Uint8Array) => void): void;
  onError(l: (e: unknown) => void): void;
  close(): Promise<void> | void;
}

/** What the service needs from node-hid (replaceable in tests). */
export interface ButtonHidAccess {
  list(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<ButtonHidDevice>;
}

export interface HidButtonsOptions {
  /** read on every press, so a settings change applies at once */
  mapping: () => ButtonMap;
  onAction: (a: Topics['action']) => void;
  /** every decoded press, mapped or not (the settings UI's "press a button" capture) */
  onKey?: (key: string, from: string) => void;
  rescanMs?: number;
  hid?: ButtonHidAccess;
}

export interface HidButtons {
  devices(): ButtonDeviceState[];
  /** rescan now (also done every rescanMs once started) */
  scan(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

function nodeHidAccess(): ButtonHidAccess {
  return {
    list: async () => (await listHidDevices({})).filter((d) => reportKindOf(d) !== null),
    async open(path) {
      const hid = loadNodeHid();
      if (!hid) throw new Error('node-hid is not available');
      const dev = await hid.HIDAsync.open(path, { nonExclusive: true });
      return {
        onData: (l) => void dev.on('data', (b: Buffer) => l(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
        onError: (l) => void dev.on('error', l),
        close: () => dev.close(),
      };
    },
  };
}

export function createHidButtons(opts: HidButtonsOptions): HidButtons {
  const hid = opts.hid ?? nodeHidAccess();
  const open = new Map<string, { state: ButtonDeviceState; close: () => Promise<void> | void }>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let scanning: Promise<void> | null = null;

  const scanOnce = async () => {
    let found: HidDeviceInfo[];
    try {
      found = await hid.list();
    } catch {
      return;
    }
    for (const d of found) {
      const kind = reportKindOf(d);
      if (!kind || open.has(d.path)) continue;
      const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || `HID ${d.vendorId.toString(16)}:${d.productId.toString(16)}`;
      const state: ButtonDeviceState = { path: d.path, name, kind, state: 'open' };
      try {
        const dev = await hid.open(d.path);
        const decoder = new ButtonDecoder(kind);
        dev.onData((data) => {
          for (const key of decoder.decode(data)) {
            const from = `${name}: ${key}`;
            opts.onKey?.(key, from);
            const action = actionFor(opts.mapping(), key);
            if (action) opts.onAction({ action, from });
          }
        });
        dev.onError((e) => {
          // unplugged: forget it, the next scan picks it up again when it returns
          open.delete(d.path);
          void Promise.resolve(dev.close()).catch(() => undefined);
          void e;
        });
        open.set(d.path, { state, close: () => dev.close() });
      } catch (e) {
        // remembered so it is not retried every scan; listed with the reason
        open.set(d.path, { state: { ...state, state: 'error', error: e instanceof Error ? e.message : String(e) }, close: () => undefined });
      }
    }
  };

  const scan = () => {
    scanning ??= scanOnce().finally(() => {
      scanning = null;
    });
    return scanning;
  };

  return {
    devices: () => [...open.values()].map((d) => d.state),
    scan,
    start() {
      if (timer) return;
      void scan();
      timer = setInterval(() => void scan(), opts.rescanMs ?? 3000);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await scanning;
      for (const d of open.values()) await Promise.resolve(d.close()).catch(() => undefined);
      open.clear();
    },
  };
}
