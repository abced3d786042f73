// Event-core benchmarks: decoders on in-memory copies of the real recordings
// (so disk speed does not count), and the time-channel binner.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sliceBatch, type EventBatch } from '../src-engine/events/batch';
import { collectEvents } from '../src-engine/events/stream';
import { TimeChannelBinner } from '../src-engine/frames/time-channel';
import { openEventStream, readerFor, WRITERS } from '../src-engine/formats/registry';
import type { FormatId } from '../src-engine/formats/types';
import { memorySink } from '../src-engine/node/file-io';
import { SHARED_EVENTS_DIR } from '../test/support/shared-data';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: number;
  note?: string;
  [k: string]: unknown;
}

const TARGETS: Partial<Record<FormatId, number>> = { evt3: 150, evt2: 200, dat: 250, aedat4: 60 };

async function decodeOnce(bytes: Uint8Array, format: FormatId): Promise<number> {
  const s = await openEventStream([bytes], 'bench', { format, reuseBatches: true });
  let n = 0;
  for await (const b of s) n += b.length;
  return n;
}

/** Repeats decoding until `minEvents` have passed; returns M events/s of the best of 3 rounds. */
async function measure(bytes: Uint8Array, format: FormatId, minEvents: number): Promise<{ mevs: number; events: number; passes: number }> {
  const perPass = await decodeOnce(bytes, format); // warm-up
  const passes = Math.max(1, Math.ceil(minEvents / Math.max(1, perPass) / 3));
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < passes; i++) n += await decodeOnce(bytes, format);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, n / s / 1e6);
  }
  return { mevs: best, events: perPass * passes * 3, passes: passes * 3 };
}

const FILES: [string, FormatId][] = [
  ['evt2_sample.raw', 'evt2'],
  ['ncars_sample.dat', 'dat'],
  ['dvxplorer_sample.aedat4', 'aedat4'],
  ['dvs128_walking.aedat', 'aedat2'],
  ['davis240c_translboxes.aedat', 'aedat2'],
];

async function loadEvents(file: string): Promise<EventBatch> {
  const bytes = readFileSync(join(SHARED_EVENTS_DIR, file));
  return collectEvents(await openEventStream([bytes], file));
}

/**
 * The real events repeated k times (each copy shifted to follow the last), so
 * small recordings (N-CARS samples hold 2 009 events) measure the decode loop
 * rather than the cost of opening a file.
 */
function repeated(events: EventBatch, k: number): EventBatch {
  const n = events.length;
  const out = { t: new Float64Array(n * k), x: new Uint16Array(n * k), y: new Uint16Array(n * k), p: new Uint8Array(n * k), length: n * k };
  const span = events.t[n - 1] - events.t[0] + 1;
  for (let r = 0; r < k; r++) {
    out.x.set(events.x, r * n);
    out.y.set(events.y, r * n);
    out.p.set(events.p, r * n);
    for (let i = 0; i < n; i++) out.t[r * n + i] = events.t[i] + r * span;
  }
  return out;
}

async function encode(format: FormatId, events: EventBatch, width: number, height: number): Promise<Uint8Array> {
  const writer = WRITERS.find((w) => w.id === format)!;
  const sink = memorySink();
  const w = writer.create({ width, height }, sink);
  await w.write(events);
  await w.close();
  return sink.bytes();
}

const BULK_EVENTS = 2_000_000;

export async function decodeBench(minEvents: number): Promise<BenchRow[]> {
  if (!existsSync(SHARED_EVENTS_DIR)) {
    console.log(`decode: real recordings not found at ${SHARED_EVENTS_DIR}, skipped`);
    return [];
  }
  const rows: BenchRow[] = [];
  for (const [file, format] of FILES) {
    const bytes = new Uint8Array(readFileSync(join(SHARED_EVENTS_DIR, file)));
    const whole = await measure(bytes, format, minEvents / 5);
    rows.push({ name: `open+decode ${file} (whole file)`, value: whole.mevs, unit: 'Mev/s', events: whole.events, file, note: 'per-file cost included' });
    const events = await loadEvents(file);
    const info = (await openEventStream([bytes], file)).info;
    const k = Math.max(1, Math.ceil(BULK_EVENTS / events.length));
    const bulk = await encode(format, repeated(events, k), info.width || 1 + Math.max(...events.x), info.height || 1 + Math.max(...events.y));
    const m = await measure(bulk, format, minEvents);
    rows.push({ name: `decode ${readerFor(format).label}`, value: m.mevs, unit: 'Mev/s', target: TARGETS[format], events: m.events, file, note: `${file} events ×${k} (${((events.length * k) / 1e6).toFixed(1)} M) re-encoded` });
    console.log(`decode ${file}: whole file ${whole.mevs.toFixed(1)} Mev/s, bulk ${m.mevs.toFixed(1)} Mev/s over ${(m.events / 1e6).toFixed(0)} M events`);
  }
  // No real EVT 3.0 recording is available: the real EVT 2.0 events, re-encoded
  // as EVT 3.0 (vectorised where events share time, row and polarity, as sensors do).
  const events = await loadEvents('evt2_sample.raw');
  const k = Math.ceil(BULK_EVENTS / events.length);
  const evt3 = await encode('evt3', repeated(events, k), 640, 480);
  const m = await measure(evt3, 'evt3', minEvents);
  rows.push({ name: 'decode Prophesee EVT 3.0', value: m.mevs, unit: 'Mev/s', target: TARGETS.evt3, events: m.events, note: `evt2_sample.raw events ×${k} re-encoded, ${(evt3.length / (events.length * k)).toFixed(2)} B/event` });
  console.log(`decode evt3: ${m.mevs.toFixed(1)} Mev/s`);
  return rows;
}

/** Best rate in Mev/s over 3 rounds for each mode; modes alternate within a round, so both see the same machine. */
function bestRates<M extends string>(modes: readonly M[], eventsPerPass: number, passes: number, pass: (mode: M) => void): Record<M, number> {
  const best = Object.fromEntries(modes.map((m) => [m, 0])) as Record<M, number>;
  for (let round = 0; round < 3; round++) {
    for (const mode of modes) {
      const t0 = performance.now();
      for (let i = 0; i < passes; i++) pass(mode);
      best[mode] = Math.max(best[mode], (eventsPerPass * passes) / ((performance.now() - t0) / 1000) / 1e6);
    }
  }
  return best;
}

export async function binningBench(minEvents: number): Promise<BenchRow[]> {
  if (!existsSync(SHARED_EVENTS_DIR)) return [];
  const rows: BenchRow[] = [];
  for (const [file, label, cfg] of [
    // sparse (2.7 k events/s, ~280 events a window): the per-window cost, not the per-event loop, dominates
    ['dvs128_walking.aedat', 'DVS128 → 64×64, 5 bins', { size: { width: 64, height: 64 } }],
    ['evt2_sample.raw', 'Prophesee 640×480 → 64×64, 5 bins', { size: { width: 64, height: 64 } }],
    ['evt2_sample.raw', 'Prophesee 640×480 full size, 5 bins', {}],
  ] as const) {
    const events = await loadEvents(file);
    const sensor = { width: file.startsWith('dvs128') ? 128 : 640, height: file.startsWith('dvs128') ? 128 : 480 };
    const passes = Math.max(1, Math.ceil(minEvents / 3 / events.length));
    // Two ways to take the frames: pushEach lends each one and reuses its buffer (the streaming form,
    // as `neurolive classify` does); push hands out a new frame per window (the baseline).
    let windows = 0;
    const use = (): void => {
      windows++;
    };
    const best = bestRates(['lend', 'fresh'], events.length, passes, (mode) => {
      const binner = new TimeChannelBinner({ sensor, windowUs: 100_000, bins: 5, ...cfg });
      if (mode === 'lend') binner.pushEach(events, use);
      else windows += binner.push(events).length;
      windows += binner.flush().length;
    });
    const perWindow = events.length / (windows / (6 * passes));
    rows.push({
      name: `binning ${label}`, value: best.lend, unit: 'Mev/s', target: 100, file,
      note: `pushEach (frames reused); push with a new frame per window ${best.fresh.toFixed(1)} Mev/s in the same run (×${(best.lend / best.fresh).toFixed(2)}); ${perWindow.toFixed(0)} events a window`,
    });
    console.log(`binning ${file}: ${best.lend.toFixed(1)} Mev/s lent frames, ${best.fresh.toFixed(1)} new frames`);
  }
  rows.push(await slidingBinningRow(minEvents));
  return rows;
}

/**
 * Sliding windows as the gesture model bins live (500 ms every 250 ms: each event counts in two windows),
 * on a real recording in 64 K-event batches; the same binner with disjoint windows (hop = window) in the
 * same run is the reference.
 */
async function slidingBinningRow(minEvents: number): Promise<BenchRow> {
  const file = 'davis240c_translboxes.aedat';
  const events = await loadEvents(file);
  const batches: EventBatch[] = [];
  for (let i = 0; i < events.length; i += 1 << 16) batches.push(sliceBatch(events, i, Math.min(events.length, i + (1 << 16))));
  const passes = Math.max(1, Math.ceil(minEvents / 3 / events.length));
  const best = bestRates(['sliding', 'disjoint'], events.length, passes, (mode) => {
    const binner = new TimeChannelBinner({ sensor: { width: 240, height: 180 }, windowUs: 500_000, hopUs: mode === 'sliding' ? 250_000 : 500_000, bins: 5, size: { width: 64, height: 64 } });
    for (const b of batches) binner.pushEach(b, () => {});
    binner.flush();
  });
  console.log(`binning ${file} sliding: ${best.sliding.toFixed(1)} Mev/s, disjoint ${best.disjoint.toFixed(1)}`);
  return {
    name: 'binning DAVIS240C → 64×64, 500 ms windows every 250 ms', value: best.sliding, unit: 'Mev/s', target: 100, file,
    note: `each event counts in two windows; the same with disjoint windows ${best.disjoint.toFixed(1)} Mev/s in the same run`,
  };
}
