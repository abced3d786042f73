/**
 * Keys the kiosk swallows (webContents 'before-input-event'): reload, dev
 * tools, close/quit, print, save, open, zoom, full-screen toggles, find. With
 * the application menu removed most accelerators are gone already; this
 * covers Chromium's built-in ones. Outside kiosk mode nothing is filtered.
 * The way out of the kiosk is the PIN pad in the UI (setKiosk with the PIN).
 */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

const BARE = new Set(['F1', 'F3', 'F5', 'F6', 'F7', 'F11', 'F12', 'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'BrowserSearch']);
const WITH_MODIFIER = new Set(['r', 'w', 'q', 'p', 's', 'o', 'n', 't', 'f', 'g', 'h', 'j', 'l', 'u', 'i', '+', '=', '-', '_', '0', 'tab', 'pageup', 'pagedown']);

export function kioskBlocksKey(input: KeyInput, kiosk: boolean): boolean {
  if (!kiosk || (input.type !== 'keyDown' && input.type !== 'rawKeyDown')) return false;
  if (BARE.has(input.key)) return true;
  const mod = input.control || input.meta;
  if (mod && WITH_MODIFIER.has(input.key.toLowerCase())) return true;
  // Alt+F4 closes, Alt+Left/Right navigate, a lone Alt would show a menu bar
  if (input.alt && (input.key === 'F4' || input.key === 'ArrowLeft' || input.key === 'ArrowRight' || input.key === 'Alt' || input.key === 'Home')) return true;
  return false;
}
