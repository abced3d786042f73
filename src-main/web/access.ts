/**
 * Who may talk to the browser host. Plain functions (no sockets) so the rules
 * are unit-tested directly:
 *
 * - Listening on loopback is the default. Any other address requires a token,
 *   and the host refuses to start without one.
 * - With a token, every WebSocket upgrade must carry it (`/api?token=…`),
 *   compared in constant time.
 * - Browsers always send `Origin` on a WebSocket; a page from another site
 *   must not drive the app (cross-site WebSocket hijacking), so a present
 *   Origin must be our own page's origin or one explicitly allowed. Clients
 *   without Origin are not browsers (no ambient credentials to abuse) and
 *   still need the token when one is set.
 * - On loopback without a token, the `Host` header must name a loopback
 *   address: this defeats DNS rebinding (evil.example resolving to 127.0.0.1
 *   would otherwise be "same origin" with us).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

/** Refuse a configuration that would expose the API beyond this machine without a token. */
export function checkListenConfig(host: string, token: string | undefined): void {
  if (token && token.length < 16) throw new Error('the token must be at least 16 characters (try: openssl rand -hex 16)');
  if (!isLoopbackHost(host) && !token) {
    throw new Error(`refusing to listen on ${host} without a token: anyone on the network could drive the app. Pass --token (at least 16 characters), or listen on 127.0.0.1`);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  // hash both so the comparison is constant-time and length-independent
  return timingSafeEqual(digest(expected), digest(given));
}

/** host:port → hostname (brackets kept off IPv6), or null when unparsable */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

export interface AccessPolicy {
  /** the address the host listens on */
  listenHost: string;
  token?: string;
  /** extra origins allowed to open the WebSocket, e.g. "http://kiosk-controller:8080" */
  allowedOrigins?: readonly string[];
}

export interface UpgradeRequest {
  /** request path with query, e.g. "/api?token=…" */
  url: string;
  host?: string;
  origin?: string;
}

export type AccessDecision = { ok: true } | { ok: false; status: 400 | 401 | 403 | 404; reason: string };

/** The Host header check alone (also applied to page requests). */
export function checkHostHeader(policy: AccessPolicy, hostHeader: string | undefined): AccessDecision {
  // beyond loopback the token guards the API; the page itself is public
  if (policy.token && !isLoopbackHost(policy.listenHost)) return { ok: true };
  const name = hostnameOf(hostHeader);
  if (name === null) return { ok: false, status: 400, reason: 'missing or malformed Host header' };
  if (!isLoopbackHost(name)) return { ok: false, status: 403, reason: `Host ${hostHeader} is not a loopback name` };
  return { ok: true };
}

export function checkUpgrade(policy: AccessPolicy, req: UpgradeRequest): AccessDecision {
  let url: URL;
  try {
    url = new URL(req.url, 'http://host.invalid');
  } catch {
    return { ok: false, status: 400, reason: 'malformed request URL' };
  }
  if (url.pathname !== '/api') return { ok: false, status: 404, reason: `no WebSocket endpoint at ${url.pathname}` };
  const host = checkHostHeader(policy, req.host);
  if (!host.ok) return host;
  if (req.origin !== undefined) {
    const allowed = new Set(policy.allowedOrigins ?? []);
    let sameOrigin = false;
    try {
      const o = new URL(req.origin);
      sameOrigin = (o.protocol === 'http:' || o.protocol === 'https:') && o.host === req.host;
    } catch {
      sameOrigin = false;
    }
    if (!sameOrigin && !allowed.has(req.origin)) return { ok: false, status: 403, reason: `Origin ${req.origin.slice(0, 200)} is not allowed` };
  }
  if (policy.token && !tokenMatches(policy.token, url.searchParams.get('token'))) {
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  }
  return { ok: true };
}
