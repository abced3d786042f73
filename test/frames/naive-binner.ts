// A plain, slow restatement of the time-channel encoding, written straight from
// its definition (docs/FRAMES.md), for the property tests to compare against.
import type { EventBatch } from '../../src-engine/events/batch';
import type { TimeChannelConfig } from '../../src-engine/frames/time-channel';
import type { BinnerSummary } from '../../src-engine/frames/summary';

export interface NaiveFrame {
  index: number;
  tStartUs: number;
  tEndUs: number;
  data: number[];
  eventsIn: number;
  eventsKept: number;
}

export interface NaiveResult {
  frames: NaiveFrame[];
  summary: BinnerSummary;
}

/** Frames for all of `events`, as if pushed and then flushed (after `clockUs`, when given). */
export function naiveTimeChannel(events: EventBatch, cfg: TimeChannelConfig, clockUs?: number): NaiveResult {
  const sw = cfg.sensor.width, sh = cfg.sensor.height;
  const win = cfg.windowUs ?? 100_000;
  const hop = cfg.hopUs ?? win;
  const bins = cfg.bins ?? 5;
  const P = cfg.polarities ?? 2;
  const clip = cfg.clip ?? 2 ** (cfg.bits ?? 4) - 1;
  const roi = cfg.roi ?? { x: 0, y: 0, width: sw, height: sh };
  const outW = cfg.size?.width ?? roi.width, outH = cfg.size?.height ?? roi.height;
  const C = bins * P;
  const summary: BinnerSummary = {
    eventsIn: events.length,
    eventsKept: 0,
    dropped: { outOfBounds: 0, hotPixel: 0, denoise: 0, roi: 0, beforeFirstWindow: 0, late: 0, gap: 0, afterLastWindow: 0 },
    pending: 0,
    outOfOrder: 0,
    windowsEmitted: 0,
    windowsSkipped: 0,
    channelCounts: new Array(C).fill(0),
    channelClippedSums: new Array(C).fill(0),
  };
  if (events.length === 0) return { frames: [], summary };

  const t0 = cfg.t0Us ?? events.t[0];
  const start = (k: number) => t0 + k * hop;
  // tonic's denoise memory: t + filter_time of each pixel's last event, filter_time to begin with
  const filterTime = cfg.denoise?.filterTimeUs;
  const memory = new Map<number, number>();
  const mem = (x: number, y: number) => memory.get(y * sw + x) ?? filterTime!;
  const counts = new Map<number, number[]>(); // unclipped, per window
  const inCounts = new Map<number, number>();
  const keptCounts = new Map<number, number>();
  const firstWindowOfEvent: number[] = []; // smallest window each binned event went to
  let clock = -Infinity;

  for (let i = 0; i < events.length; i++) {
    const t = events.t[i], x = events.x[i], y = events.y[i], p = events.p[i];
    if (t < clock) summary.outOfOrder++;
    clock = Math.max(clock, t);
    // windows holding t that are still open: they end after the clock
    const open: number[] = [];
    for (let k = 0; start(k) <= t; k++) if (t < start(k) + win && start(k) + win > clock) open.push(k);
    for (const k of open) inCounts.set(k, (inCounts.get(k) ?? 0) + 1);

    if (x >= sw || y >= sh) { summary.dropped.outOfBounds++; continue; }
    if (cfg.hotPixels && cfg.hotPixels[y * sw + x]) { summary.dropped.hotPixel++; continue; }
    if (filterTime !== undefined) {
      memory.set(y * sw + x, t + filterTime);
      const near =
        (x > 0 && mem(x - 1, y) > t) || (x < sw - 1 && mem(x + 1, y) > t) ||
        (y > 0 && mem(x, y - 1) > t) || (y < sh - 1 && mem(x, y + 1) > t);
      if (!near) { summary.dropped.denoise++; continue; }
    }
    if (x < roi.x || x >= roi.x + roi.width || y < roi.y || y >= roi.y + roi.height) { summary.dropped.roi++; continue; }
    if (open.length === 0) {
      if (t < t0) summary.dropped.beforeFirstWindow++;
      else {
        const k = Math.floor((t - t0) / hop);
        if (t < start(k) + win) summary.dropped.late++;
        else summary.dropped.gap++;
      }
      continue;
    }
    const xo = Math.floor(((x - roi.x) * outW) / roi.width);
    const yo = Math.floor(((y - roi.y) * outH) / roi.height);
    for (const k of open) {
      const bin = Math.floor(((t - start(k)) * bins) / win);
      const ch = bin * P + (P === 2 ? p : 0);
      if (!counts.has(k)) counts.set(k, new Array(outH * outW * C).fill(0));
      counts.get(k)![(yo * outW + xo) * C + ch]++;
      keptCounts.set(k, (keptCounts.get(k) ?? 0) + 1);
    }
    firstWindowOfEvent.push(open[0]);
  }

  if (clockUs !== undefined) clock = Math.max(clock, clockUs);
  const emitted: number[] = [];
  for (let k = 0; start(k) + win <= clock; k++) emitted.push(k);
  if (cfg.includeIncomplete) for (let k = emitted.length; start(k) <= clock; k++) emitted.push(k);
  if (emitted.length === 0) emitted.push(0);

  const frames = emitted.map((k) => {
    const raw = counts.get(k) ?? new Array(outH * outW * C).fill(0);
    raw.forEach((v, i) => {
      summary.channelCounts[i % C] += v;
      summary.channelClippedSums[i % C] += Math.min(v, clip);
    });
    return {
      index: k,
      tStartUs: start(k),
      tEndUs: start(k) + win,
      data: raw.map((v) => Math.min(v, clip)),
      eventsIn: inCounts.get(k) ?? 0,
      eventsKept: keptCounts.get(k) ?? 0,
    };
  });
  summary.windowsEmitted = frames.length;
  const last = emitted[emitted.length - 1];
  for (const k of firstWindowOfEvent) {
    if (k <= last) summary.eventsKept++;
    else summary.dropped.afterLastWindow++;
  }
  return { frames, summary };
}
