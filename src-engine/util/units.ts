/** Parses a duration such as "100ms", "20 ms", "1.5s", "500us", "250µs"; a bare number is microseconds. */
export function parseDurationUs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min)?\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a duration: '${text}' (examples: 100ms, 20ms, 1s, 500us)`);
  const v = Number(m[1]);
  const unit = (m[2] ?? 'us').toLowerCase();
  const us = unit === 's' ? v * 1e6 : unit === 'ms' ? v * 1e3 : unit === 'min' ? v * 6e7 : v;
  if (!Number.isInteger(Math.round(us)) || us <= 0) throw new RangeError(`duration must be positive: '${text}'`);
  return Math.round(us);
}

/** Parses "64x64" (width x height). */
export function parseSize(text: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a size: '${text}' (example: 64x64)`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 1 || height < 1 || width > 65535 || height > 65535) throw new RangeError(`size out of range: '${text}'`);
  return { width, height };
}

/** Parses "x,y,w,h". */
export function parseRoi(text: string): { x: number; y: number; width: number; height: number } {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new RangeError(`not a region: '${text}' (x,y,width,height, e.g. 32,0,128,128)`);
  }
  const [x, y, width, height] = parts;
  if (width < 1 || height < 1) throw new RangeError(`region must have a positive size: '${text}'`);
  return { x, y, width, height };
}

export function formatDurationUs(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(3)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(3)} ms`;
  return `${us} µs`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} Mev/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(2)} kev/s`;
  return `${perSecond.toFixed(1)} ev/s`;
}
