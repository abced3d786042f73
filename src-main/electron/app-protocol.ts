/**
 * The renderer is served from a custom `app://neurolive/` scheme instead of
 * file:// (Electron security checklist: "use a custom protocol"): the page
 * gets a real origin (so sender and permission checks can name it), file://'s
 * broad privileges are avoided, and every response carries the CSP header
 * and the same hardening headers as the browser host. Files come from the
 * in-memory copy of the build (static-site.ts), so nothing outside
 * out/renderer can be reached by any path.
 */
import { protocol, type Session } from 'electron';
import { lookup, type StaticSite } from '../web/static-site';
import { APP_HOST, APP_SCHEME } from './sender';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

export function serveAppProtocol(ses: Session, site: StaticSite): void {
  ses.protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? lookup(site, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: {
        'Content-Type': file.type,
        'Content-Security-Policy': site.csp,
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Opener-Policy': 'same-origin',
      },
    });
  });
}
