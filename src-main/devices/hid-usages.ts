/**
 * Names for HID usages (USB HID Usage Tables 1.4): the Keyboard/Keypad page
 * 0x07 named as W3C KeyboardEvent.code does ('PageDown', 'KeyB', 'F5' …), so
 * a binding captured from a key press in the renderer matches the same key
 * on a HID device, and the Consumer page 0x0C as 'Consumer.<name>'.
 */

const KEYBOARD: Record<number, string> = {
  0x28: 'Enter',
  0x29: 'Escape',
  0x2a: 'Backspace',
  0x2b: 'Tab',
  0x2c: 'Space',
  0x2d: 'Minus',
  0x2e: 'Equal',
  0x2f: 'BracketLeft',
  0x30: 'BracketRight',
  0x31: 'Backslash',
  0x33: 'Semicolon',
  0x34: 'Quote',
  0x35: 'Backquote',
  0x36: 'Comma',
  0x37: 'Period',
  0x38: 'Slash',
  0x39: 'CapsLock',
  0x46: 'PrintScreen',
  0x47: 'ScrollLock',
  0x48: 'Pause',
  0x49: 'Insert',
  0x4a: 'Home',
  0x4b: 'PageUp',
  0x4c: 'Delete',
  0x4d: 'End',
  0x4e: 'PageDown',
  0x4f: 'ArrowRight',
  0x50: 'ArrowLeft',
  0x51: 'ArrowDown',
  0x52: 'ArrowUp',
  0x53: 'NumLock',
  0x54: 'NumpadDivide',
  0x55: 'NumpadMultiply',
  0x56: 'NumpadSubtract',
  0x57: 'NumpadAdd',
  0x58: 'NumpadEnter',
  0x63: 'NumpadDecimal',
  0x65: 'ContextMenu',
};
for (let i = 0; i < 26; i++) KEYBOARD[0x04 + i] = `Key${String.fromCharCode(65 + i)}`;
for (let i = 0; i < 9; i++) KEYBOARD[0x1e + i] = `Digit${i + 1}`;
KEYBOARD[0x27] = 'Digit0';
for (let i = 0; i < 12; i++) KEYBOARD[0x3a + i] = `F${i + 1}`;
for (let i = 0; i < 12; i++) KEYBOARD[0x68 + i] = `F${i + 13}`;
for (let i = 0; i < 9; i++) KEYBOARD[0x59 + i] = `Numpad${i + 1}`;
KEYBOARD[0x62] = 'Numpad0';

/** modifier byte bits 0–7 of a boot keyboard report */
export const MODIFIERS = ['ControlLeft', 'ShiftLeft', 'AltLeft', 'MetaLeft', 'ControlRight', 'ShiftRight', 'AltRight', 'MetaRight'] as const;

const CONSUMER: Record<number, string> = {
  0x30: 'Power',
  0x40: 'Menu',
  0xb0: 'Play',
  0xb1: 'Pause',
  0xb2: 'Record',
  0xb3: 'FastForward',
  0xb4: 'Rewind',
  0xb5: 'ScanNextTrack',
  0xb6: 'ScanPreviousTrack',
  0xb7: 'Stop',
  0xcd: 'PlayPause',
  0xe2: 'Mute',
  0xe9: 'VolumeUp',
  0xea: 'VolumeDown',
  0x223: 'ACHome',
  0x224: 'ACBack',
  0x225: 'ACForward',
  0x22d: 'ACZoomIn',
  0x22e: 'ACZoomOut',
};

/** 'PageDown' for 0x4E; 'Usage0x07.xx' for a usage without a name. */
export function keyboardUsageName(usage: number): string {
  return KEYBOARD[usage] ?? `Keyboard.0x${usage.toString(16).padStart(2, '0')}`;
}

export function consumerUsageName(usage: number): string {
  return `Consumer.${CONSUMER[usage] ?? `0x${usage.toString(16).padStart(3, '0')}`}`;
}

/** Reverse lookups for tests and the settings UI. */
export function keyboardUsageOf(name: string): number | undefined {
  for (const [k, v] of Object.entries(KEYBOARD)) if (v === name) return Number(k);
  return undefined;
}
export function consumerUsageOf(name: string): number | undefined {
  const short = name.replace(/^Consumer\./, '');
  for (const [k, v] of Object.entries(CONSUMER)) if (v === short) return Number(k);
  return undefined;
}
