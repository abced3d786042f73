/**
 * Apply the newest value at most once every `ms` (the last one always lands).
 * The host pushes predictions and NSoC figures per display tick (~30 Hz);
 * applying each re-styled, re-laid-out and repainted the page 30 times a
 * second — on the loaded 2-core test machine that work, rastered in
 * software, starved the page for seconds. People read these figures, they
 * do not need them at 30 Hz.
 */
export function latestEvery<T>(ms: number, apply: (v: T) => void): (v: T) => void {
  let pending: { v: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const flush = (): void => {
    timer = null;
    last = Date.now();
    const p = pending;
    pending = null;
    if (p) apply(p.v);
  };
  return (v) => {
    pending = { v };
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) flush();
    else timer = setTimeout(flush, wait);
  };
}
