/**
 * The built renderer, read into memory once at start. Serving from memory
 * means a rebuild of out/renderer while the host runs (another build, a test)
 * can never serve a half-written file; restart the host to pick up a new build.
 */
import { promises as fs } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.y4m': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

/** the whole site may not exceed this (a safety net, the renderer is a few MB) */
export const MAX_SITE_BYTES = 256 * 1024 * 1024;

/** Directives a <meta> CSP cannot carry (frame-ancestors) or that we always want. */
const HEADER_ONLY_DIRECTIVES: Record<string, string> = {
  'frame-ancestors': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'object-src': "'none'",
};

export const FALLBACK_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; worker-src 'self' blob:; connect-src 'self'";

export interface StaticFile {
  body: Buffer;
  type: string;
}

export interface StaticSite {
  files: Map<string, StaticFile>;
  /** the Content-Security-Policy header value */
  csp: string;
}

/** The page's own <meta http-equiv="Content-Security-Policy"> content, or null. */
export function metaCsp(html: string): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gis) ?? []) {
    if (!/http-equiv\s*=\s*["']content-security-policy["']/i.test(tag)) continue;
    const m = /\bcontent\s*=\s*"([^"]*)"|\bcontent\s*=\s*'([^']*)'/is.exec(tag);
    if (m) return (m[1] ?? m[2]).replace(/\s+/g, ' ').trim();
  }
  return null;
}

/**
 * The header CSP: the page's own meta policy (one source of truth, kept by
 * the renderer) plus the directives only a header can set.
 */
export function headerCsp(pageCsp: string | null): string {
  const base = (pageCsp ?? FALLBACK_CSP).replace(/;\s*$/, '');
  const present = new Set(
    base
      .split(';')
      .map((d) => d.trim().split(/\s+/)[0]?.toLowerCase())
      .filter(Boolean),
  );
  const extra = Object.entries(HEADER_ONLY_DIRECTIVES)
    .filter(([d]) => !present.has(d))
    .map(([d, v]) => `${d} ${v}`);
  return [base, ...extra].join('; ');
}

export async function loadStaticSite(dir: string): Promise<StaticSite> {
  const files = new Map<string, StaticFile>();
  let total = 0;
  async function walk(d: string): Promise<void> {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const body = await fs.readFile(p);
        total += body.length;
        if (total > MAX_SITE_BYTES) throw new Error(`${dir} holds more than ${MAX_SITE_BYTES >> 20} MiB: is it really the renderer build?`);
        files.set('/' + relative(dir, p).split(sep).join('/'), { body, type: TYPES[extname(p).toLowerCase()] ?? 'application/octet-stream' });
      }
    }
  }
  await walk(dir);
  const index = files.get('/index.html');
  if (!index) throw new Error(`${dir}/index.html is missing: build the renderer first (npm run build)`);
  return { files, csp: headerCsp(metaCsp(index.body.toString('utf8'))) };
}

/** Local files index.html refers to (scripts, styles) that the site lacks: non-empty means a build in progress. */
export function missingAssets(site: StaticSite): string[] {
  const html = site.files.get('/index.html')?.body.toString('utf8') ?? '';
  const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["'](?:\.\/|\/)([^"':?#]+)["']/g)].map((m) => '/' + m[1]);
  return refs.filter((r) => !site.files.has(r));
}

/**
 * loadStaticSite, retried while the folder looks half-written (another
 * process rebuilding out/renderer at the same moment: a test, npm run build).
 */
export async function loadCompleteSite(dir: string, attempts = 20, waitMs = 500): Promise<StaticSite> {
  for (let i = 1; ; i++) {
    try {
      const site = await loadStaticSite(dir);
      const missing = missingAssets(site);
      if (missing.length === 0) return site;
      if (i >= attempts) throw new Error(`${dir}/index.html refers to missing files: ${missing.join(', ')}`);
    } catch (e) {
      if (i >= attempts) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Map a request path to a file: "/" and extensionless paths (client-side routes) get index.html. */
export function lookup(site: StaticSite, pathname: string): StaticFile | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  // the map holds only files found under the build directory, so '..' can only miss
  const hit = site.files.get(path);
  if (hit) return hit;
  if (path === '/' || extname(path) === '') return site.files.get('/index.html') ?? null;
  return null;
}
