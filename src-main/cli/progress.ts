// A progress bar on stderr for long work; silent when stderr is not a terminal
// (pipes, CI, tests) so machine-readable output stays clean.
export interface Progress {
  update(done: number): void;
  finish(note?: string): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || !(total > 0)) return { update() {}, finish() {} };
  let lastDraw = 0;
  const started = Date.now();
  const draw = (done: number, note = '') => {
    const frac = Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (Date.now() - started) / 1000;
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${secs.toFixed(1)}s ${note}`);
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(done);
    },
    finish(note) {
      draw(total, note ?? '');
      stream.write('\n');
    },
  };
}

/** Passes chunks through while reporting the bytes seen so far. */
export async function* countBytes(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    onBytes(n);
    yield c;
  }
}
