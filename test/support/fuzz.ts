// Seeded mutation fuzzer for the event readers. Each case mutates a valid seed
// file, feeds it in random chunk sizes, and demands that the reader either
// decodes it or throws an EventFormatError — nothing else, and nothing slow.
import { batchFrom, type EventBatch } from '../../src-engine/events/batch';
import { EventFormatError } from '../../src-engine/formats/errors';
import { openEventStream, READERS, WRITERS } from '../../src-engine/formats/registry';
import type { FormatId } from '../../src-engine/formats/types';
import { memorySink } from '../../src-engine/node/file-io';

/** xorshift32: small, fast, reproducible. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  u32(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
}

/** A plausible recording: sorted times, some same-time runs, both polarities. */
export function syntheticEvents(rng: Rng, n: number, width: number, height: number): EventBatch {
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  let now = 1_000 + rng.int(1000);
  for (let i = 0; i < n; i++) {
    if (rng.int(4) !== 0) now += rng.int(rng.int(10) === 0 ? 5_000 : 40);
    t.push(now);
    x.push(rng.int(width));
    y.push(rng.int(height));
    p.push(rng.int(2));
  }
  return batchFrom(t, x, y, p);
}

/** One small valid file per writer, to mutate. */
export async function writerSeeds(events: EventBatch, width: number, height: number): Promise<Map<FormatId, Uint8Array>> {
  const seeds = new Map<FormatId, Uint8Array>();
  for (const w of WRITERS) {
    const sink = memorySink();
    const ew = w.create({ width, height, source: 'fuzz seed' }, sink);
    await ew.write(events);
    await ew.close();
    seeds.set(w.id, sink.bytes());
  }
  return seeds;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff];
const INTERESTING32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xffff, 0x1000000];

export function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(b.length);
    switch (rng.int(8)) {
      case 0: // bit flip
        if (b.length) b[at] ^= 1 << rng.int(8);
        break;
      case 1: // random byte
        if (b.length) b[at] = rng.int(256);
        break;
      case 2: // interesting byte
        if (b.length) b[at] = INTERESTING[rng.int(INTERESTING.length)];
        break;
      case 3: {
        // interesting 32-bit value, either endianness
        const v = INTERESTING32[rng.int(INTERESTING32.length)];
        const le = rng.int(2) === 0;
        for (let k = 0; k < 4 && at + k < b.length; k++) b[at + k] = (le ? v >>> (8 * k) : v >>> (8 * (3 - k))) & 0xff;
        break;
      }
      case 4: // truncate
        b = b.subarray(0, at);
        break;
      case 5: {
        // insert random bytes
        const n = 1 + rng.int(16);
        const ins = new Uint8Array(n).map(() => rng.int(256));
        const o = new Uint8Array(b.length + n);
        o.set(b.subarray(0, at));
        o.set(ins, at);
        o.set(b.subarray(at), at + n);
        b = o;
        break;
      }
      case 6: {
        // delete a range
        const end = Math.min(b.length, at + 1 + rng.int(64));
        const o = new Uint8Array(b.length - (end - at));
        o.set(b.subarray(0, at));
        o.set(b.subarray(end), at);
        b = o;
        break;
      }
      case 7: {
        // duplicate a range elsewhere
        const n = 1 + rng.int(256);
        const src = b.slice(at, at + n);
        const dst = rng.int(b.length + 1);
        const o = new Uint8Array(b.length + src.length);
        o.set(b.subarray(0, dst));
        o.set(src, dst);
        o.set(b.subarray(dst), dst + src.length);
        b = o;
        break;
      }
    }
  }
  return b;
}

function* chunked(rng: Rng, b: Uint8Array): Generator<Uint8Array> {
  let o = 0;
  while (o < b.length) {
    const n = 1 + rng.int(rng.int(4) === 0 ? 16 : 4096);
    yield b.subarray(o, o + n);
    o += n;
  }
}

export interface FuzzFailure {
  format: FormatId;
  caseIndex: number;
  error: string;
  /** the failing input, base64 (reproduce with `decodeCase`) */
  input: string;
}

export interface FuzzReport {
  format: FormatId;
  cases: number;
  decoded: number;
  formatErrors: number;
  slowestMs: number;
  failures: FuzzFailure[];
}

/** Decodes every batch; returns the event count. */
export async function decodeCase(bytes: Uint8Array, name: string, format: FormatId | undefined, rng?: Rng): Promise<number> {
  const stream = await openEventStream(rng ? chunked(rng, bytes) : [bytes], name, format ? { format } : {});
  let n = 0;
  for await (const b of stream) {
    n += b.length;
    if (b.t.length !== b.length || b.x.length !== b.length || b.y.length !== b.length || b.p.length !== b.length) {
      throw new Error('batch columns disagree with length');
    }
  }
  return n;
}

/**
 * Runs `cases` mutations of `seed` through reader `format` (forced, so the
 * reader itself is exercised even when detection would refuse the mutant) and
 * every 4th case through auto-detection too.
 */
export async function fuzzFormat(format: FormatId, seeds: Uint8Array[], cases: number, rngSeed: number, slowMs = 2_000): Promise<FuzzReport> {
  const rng = new Rng(rngSeed);
  const report: FuzzReport = { format, cases, decoded: 0, formatErrors: 0, slowestMs: 0, failures: [] };
  for (let i = 0; i < cases; i++) {
    const input = mutate(rng, seeds[rng.int(seeds.length)]);
    for (const forced of i % 4 === 0 ? [format, undefined] : [format]) {
      const started = performance.now();
      try {
        await decodeCase(input, `fuzz-${format}-${i}`, forced, rng);
        report.decoded++;
      } catch (e) {
        if (e instanceof EventFormatError) report.formatErrors++;
        else report.failures.push({ format, caseIndex: i, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), input: Buffer.from(input).toString('base64') });
      }
      const ms = performance.now() - started;
      report.slowestMs = Math.max(report.slowestMs, ms);
      if (ms > slowMs) report.failures.push({ format, caseIndex: i, error: `took ${ms.toFixed(0)} ms`, input: Buffer.from(input).toString('base64') });
    }
  }
  return report;
}

export const FUZZ_FORMATS: FormatId[] = READERS.map((r) => r.id);
