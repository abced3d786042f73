/** Kiosk copy: technical errors become something a visitor can read. */
export function friendly(message: string): string {
  const m = message.toLowerCase();
  if (m.includes('camera') || m.includes('webcam') || m.includes('video')) return 'The camera is taking a break — showing a recording meanwhile.';
  if (m.includes('microphone') || m.includes('audio')) return 'The microphone is taking a break — showing a recording meanwhile.';
  if (m.includes('name')) return 'Please pick a shorter name.';
  if (m.includes('connect') || m.includes('socket') || m.includes('timeout')) return 'One moment — reconnecting…';
  return 'Something hiccuped — fixing it, one moment…';
}
