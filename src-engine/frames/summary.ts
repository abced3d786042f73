// What a TimeChannelBinner did with the events it was given.

/** Why events did not reach any emitted frame. */
export interface DropCounts {
  /** x ≥ sensor width or y ≥ sensor height */
  outOfBounds: number;
  /** on a pixel of the hot-pixel mask */
  hotPixel: number;
  /** rejected by the background-activity filter */
  denoise: number;
  /** outside the region of interest */
  roi: number;
  /** t before the start of window 0 (t0) */
  beforeFirstWindow: number;
  /** out of time order and every window holding t had already been emitted */
  late: number;
  /** between two windows (hop longer than the window) */
  gap: number;
  /** only in windows left incomplete at flush (includeIncomplete = false) */
  afterLastWindow: number;
}

export interface BinnerSummary {
  eventsIn: number;
  /** events that were counted in at least one emitted frame */
  eventsKept: number;
  dropped: DropCounts;
  /** events held in windows not yet emitted (0 after flush) */
  pending: number;
  /** events whose t is below the largest t seen before them (they are still binned when their window is open) */
  outOfOrder: number;
  windowsEmitted: number;
  /** empty windows not emitted because a run of them exceeded maxGapWindows */
  windowsSkipped: number;
  /** per channel, events counted over all emitted frames before clipping */
  channelCounts: number[];
  /** per channel, the sum of the emitted (clipped) frame values */
  channelClippedSums: number[];
}

export function emptyDropCounts(): DropCounts {
  return { outOfBounds: 0, hotPixel: 0, denoise: 0, roi: 0, beforeFirstWindow: 0, late: 0, gap: 0, afterLastWindow: 0 };
}

export function totalDropped(d: DropCounts): number {
  return d.outOfBounds + d.hotPixel + d.denoise + d.roi + d.beforeFirstWindow + d.late + d.gap + d.afterLastWindow;
}
