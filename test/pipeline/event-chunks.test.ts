// The display chunker keeps every stride-th event (stride from the last
// interval's count) up to its cap per chunk. Checked against the plain
// definition — visit each event, keep it when the count since the last kept
// one reaches the stride — on random batch sizes, rates and takes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchFrom } from '../../src-engine/events/batch';
import { EventChunker } from '../../src-main/pipeline/event-chunks';

/** the definition, event by event */
class PlainChunker {
  kept: number[] = [];
  total = 0;
  stride = 1;
  phase = 0;
  constructor(readonly cap: number) {}
  add(ts: number[]): void {
    for (const t of ts) {
      if (this.kept.length >= this.cap) break;
      if (++this.phase < this.stride) continue;
      this.phase = 0;
      this.kept.push(t);
    }
    this.total += ts.length;
  }
  take(): { t: number[]; total: number } | null {
    if (this.total === 0) return null;
    const out = { t: this.kept, total: this.total };
    this.stride = Math.max(1, Math.ceil(this.total / this.cap));
    this.kept = [];
    this.total = 0;
    return out;
  }
}

test('property: the chunker keeps exactly the events the plain definition keeps', () => {
  const step = fc.oneof(fc.record({ add: fc.integer({ min: 0, max: 120 }) }), fc.record({ take: fc.constant(true) }));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.array(step, { maxLength: 40 }), (cap, steps) => {
      const fast = new EventChunker(cap), plain = new PlainChunker(cap);
      let t = 1000;
      for (const s of steps) {
        if ('add' in s) {
          const ts = Array.from({ length: s.add }, () => t++);
          fast.add(batchFrom(ts, ts.map((v) => v % 7), ts.map((v) => v % 5), ts.map((v) => v & 1)), 8, 6);
          plain.add(ts);
        } else {
          const a = fast.take(), b = plain.take();
          if (b === null) { assert.equal(a, null); continue; }
          assert.ok(a);
          assert.equal(a.total, b.total);
          assert.deepEqual(Array.from(a.t, (v) => v + a.t0Us), b.t);
          assert.deepEqual(Array.from(a.x), b.t.map((v) => v % 7));
          assert.deepEqual(Array.from(a.p), b.t.map((v) => v & 1));
        }
      }
    }),
    { numRuns: 500 },
  );
});
