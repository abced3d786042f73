// The same NSoC worker code in a browser Web Worker: browser-entry.ts bundled
// with esbuild, served from 127.0.0.1, run in headless Chromium (Debian's
// `chromium` package, driven by playwright-core), fed the same model file and
// frames as the Node tests — every result must equal the Node results bit for bit.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { NsocWorkerClient } from '../../src-engine/node/nsoc-worker-client';
import { bytesOf, expectedResults, workerTestFrames, workerTestModelBytes } from './worker-fixture';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: skipping the browser Web Worker test (apt-get install chromium; CI installs it)`;
if (skip) console.log(`# SKIP ${skip}`);

const ENTRY = join(import.meta.dirname, '../../src-engine/nsoc/worker/browser-entry.ts');

/** Runs in the page: loads the model in a Web Worker with the given options, infers every frame, returns plain numbers (floats as bytes). */
const PAGE = `<!doctype html><meta charset="utf-8"><title>nsoc worker</title><script>
async function runAll(options) {
  const [model, frames] = await Promise.all(['model.nlm', 'frames.bin'].map((u) => fetch(u).then((r) => r.arrayBuffer())));
  const worker = new Worker('nsoc-worker.js');
  const answers = [];
  let wake = null;
  worker.onmessage = (e) => { answers.push(e.data); if (wake) { const w = wake; wake = null; w(); } };
  worker.onerror = (e) => { answers.push({ type: 'error', message: 'worker error: ' + e.message }); if (wake) wake(); };
  const next = async () => { while (answers.length === 0) await new Promise((r) => (wake = r)); return answers.shift(); };
  const bytes = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  worker.postMessage({ type: 'load', modelBytes: new Uint8Array(model), sourceName: 'convtiny.nlm', ...options });
  const loaded = await next();
  if (loaded.type !== 'loaded') return { error: loaded.message };
  const size = loaded.model.input.height * loaded.model.input.width * loaded.model.input.channels;
  const n = frames.byteLength / size;
  for (let i = 0; i < n; i++) {
    const frame = new Uint8Array(frames.slice(i * size, (i + 1) * size));
    worker.postMessage({ type: 'infer', seq: i, frame, tSensorUs: 1000 * i }, [frame.buffer]);
  }
  const results = [];
  for (let i = 0; i < n; i++) {
    const r = await next();
    if (r.type !== 'result') return { error: r.message };
    results.push({ seq: r.seq, tSensorUs: r.tSensorUs, output: Array.from(r.output), scores: bytes(r.scores), confidences: bytes(r.confidences),
      top: r.top, label: r.label, confidence: r.confidence, stats: r.stats, frameBack: r.frame.byteLength });
  }
  // a corrupt file: an error message, not an exception
  const bad = new Uint8Array(model.slice(0));
  bad[bad.length - 100] ^= 0x40;
  worker.postMessage({ type: 'load', modelBytes: bad, sourceName: 'bad.nlm' });
  const refused = await next();
  worker.terminate();
  return { loaded: { model: loaded.model, labels: loaded.labels, layers: loaded.summary.layers }, results, refused };
}
</script>`;

let server: Server | undefined;
let browser: Browser | undefined;
let base = '';
let dir = '';

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'neurolive-browser-'));
  await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', platform: 'browser', target: 'chrome110', outfile: join(dir, 'nsoc-worker.js'), logLevel: 'silent' });
  const frames = workerTestFrames();
  const files: Record<string, [string, Uint8Array]> = {
    '/index.html': ['text/html', new TextEncoder().encode(PAGE)],
    '/nsoc-worker.js': ['text/javascript', readFileSync(join(dir, 'nsoc-worker.js'))],
    '/model.nlm': ['application/octet-stream', workerTestModelBytes()],
    '/frames.bin': ['application/octet-stream', Buffer.concat(frames)],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f[0], 'content-length': f[1].length }).end(f[1]);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PageRun {
  error?: string;
  loaded: { model: { name: string; engine: string; path: string }; labels: string[]; layers: number };
  results: { seq: number; tSensorUs: number; output: number[]; scores: number[]; confidences: number[]; top: number; label: string; confidence: number; stats: unknown; frameBack: number }[];
  refused: { type: string; request: string; errorName: string; message: string };
}

async function runInBrowser(options: Record<string, string>): Promise<PageRun> {
  const page = await browser!.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/index.html`);
    const run = (await page.evaluate(`runAll(${JSON.stringify(options)})`)) as PageRun;
    assert.deepEqual(errors, []);
    assert.equal(run.error, undefined, run.error);
    return run;
  } finally {
    await page.close();
  }
}

test('a browser Web Worker gives the Node worker’s and the in-thread results bit for bit (WebAssembly and JavaScript engines)', { skip, timeout: 120_000 }, async () => {
  const frames = workerTestFrames();
  const node = new NsocWorkerClient();
  try {
    for (const engine of ['wasm', 'js'] as const) {
      const run = await runInBrowser({ engine });
      assert.equal(run.loaded.model.engine, engine); // 'wasm' loads only where WebAssembly SIMD works
      assert.equal(run.loaded.layers, 7);
      const expected = expectedResults(frames, { engine });
      await node.load(workerTestModelBytes(), { engine });
      const fromNode = await Promise.all(frames.map((f, i) => node.infer(f, { tSensorUs: 1000 * i })));
      assert.equal(run.results.length, frames.length);
      run.results.forEach((b, i) => {
        const e = expected[i];
        const n = fromNode[i];
        assert.equal(b.seq, i);
        assert.equal(b.tSensorUs, 1000 * i);
        assert.equal(b.frameBack, 40960);
        assert.deepEqual(b.output, [...e.output], `${engine} frame ${i} output`);
        assert.deepEqual(b.output, [...n.output]);
        assert.deepEqual(b.scores, bytesOf(e.scores), `${engine} frame ${i} scores`);
        assert.deepEqual(b.scores, bytesOf(n.scores!));
        assert.deepEqual(b.confidences, bytesOf(e.confidences), `${engine} frame ${i} confidences`);
        assert.deepEqual(b.confidences, bytesOf(n.confidences));
        assert.equal(b.top, e.top);
        assert.equal(b.label, e.label);
        assert.equal(b.confidence, n.confidence);
        assert.deepEqual(b.stats, e.stats, `${engine} frame ${i} stats`);
        assert.deepEqual(b.stats, n.stats);
      });
      assert.equal(run.refused.type, 'error');
      assert.equal(run.refused.errorName, 'ModelFileError');
      assert.match(run.refused.message, /^bad\.nlm: model file checksum at byte \d+: CRC-32 is 0x[0-9a-f]{8}, the file says 0x[0-9a-f]{8}$/);
    }
  } finally {
    await node.close();
  }
});
