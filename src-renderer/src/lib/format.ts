/** Number formatting shared by the screens. */
export function fmtRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return `${Math.round(perSecond)}`;
}
export function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${Math.round(n)}`;
}
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}
export function fmtDuration(us: number): string {
  const s = us / 1e6;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
export function fmtBytes(b: number): string {
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} kB`;
  return `${b} B`;
}
/** Power from milliwatts, in the unit that keeps three significant digits (an edge NSoC draws µW to mW). */
export function fmtPower(milliW: number): string {
  if (!Number.isFinite(milliW) || milliW < 0) return '—';
  if (milliW >= 1000) return `${(milliW / 1000).toFixed(2)} W`;
  if (milliW >= 1) return `${milliW.toPrecision(3)} mW`;
  if (milliW >= 1e-3) return `${(milliW * 1000).toPrecision(3)} µW`;
  return milliW === 0 ? '0 µW' : `${(milliW * 1e6).toPrecision(3)} nW`;
}
