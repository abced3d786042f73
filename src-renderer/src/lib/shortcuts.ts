/** The keyboard shortcuts, listed once for the handler and the help overlay. */
export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: '1 – 5', does: 'Live, Enroll, Record, Models, Settings' },
  { keys: 'Space', does: 'Enroll: capture a shot · Live: pause / resume a replay' },
  { keys: 'R', does: 'Start / stop recording a take' },
  { keys: 'K', does: 'Enter kiosk mode' },
  { keys: 'U', does: 'Undo the last shot of the selected class (Enroll)' },
  { keys: '?', does: 'This help' },
  { keys: 'Esc', does: 'Close a dialog' },
];

/** true when a key press is meant for a text field, not a shortcut */
export function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  if (target.isContentEditable) return true;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'range', 'button', 'color'].includes(type);
  }
  return false;
}
