/**
 * Which frames may call the app over IPC: only our own window's top frame,
 * showing a page from our own origin (app://neurolive, or the dev server in
 * development). An iframe, a page navigated elsewhere or another window gets
 * a 'forbidden' error before its arguments are even looked at.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'neurolive';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface FrameLike {
  readonly url: string;
}

export type SenderDecision = { ok: true } | { ok: false; reason: string };

/** The origin of a URL, for schemes URL.origin calls opaque ("null") too. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
    // custom standard schemes: URL gives origin "null", so build it
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function checkSender(frame: FrameLike | null | undefined, mainFrame: FrameLike | null | undefined, trustedOrigins: readonly string[]): SenderDecision {
  if (!frame || !mainFrame) return { ok: false, reason: 'the sender frame is gone' };
  if (frame !== mainFrame) return { ok: false, reason: 'only the main window’s top frame may call the app' };
  const origin = originOf(frame.url);
  if (origin === null || !trustedOrigins.includes(origin)) return { ok: false, reason: `a page from ${origin ?? 'an unknown origin'} may not call the app` };
  return { ok: true };
}
