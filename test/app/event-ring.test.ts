// The shot ring keeps the last `capacity` events of the live stream, copied in
// bulk: checked against a plain list on random batch sizes that wrap the ring,
// batches larger than the ring, and a geometry change (which empties it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventRing } from '../../src-main/app/classes-wiring';
import { batchFrom } from '../../src-engine/events/batch';

type Ev = [number, number, number, number];

test('property: the ring holds exactly the last `capacity` events, in order, whatever the batch sizes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 12 }), fc.nat(10), (capacity, sizes, switchAt) => {
      const ring = new EventRing(capacity);
      let kept: Ev[] = [];
      let t = 0;
      sizes.forEach((size, b) => {
        const g = b === switchAt ? { width: 20, height: 10 } : { width: 10, height: 10 };
        if (g.width !== ring.geometry.width || g.height !== ring.geometry.height) kept = [];
        const evs: Ev[] = Array.from({ length: size }, (): Ev => [t++, t % 10, (t * 7) % 10, t & 1]);
        ring.add(batchFrom(evs.map((e) => e[0]), evs.map((e) => e[1]), evs.map((e) => e[2]), evs.map((e) => e[3])), g);
        kept = [...kept, ...evs].slice(-capacity);
      });
      const got = ring.window(-Infinity, Infinity);
      assert.deepEqual(Array.from({ length: got.length }, (_, i): Ev => [got.t[i], got.x[i], got.y[i], got.p[i]]), kept);
      // a time window of it
      if (kept.length > 2) {
        const [lo, hi] = [kept[1][0], kept[kept.length - 1][0]];
        assert.deepEqual(Array.from(ring.window(lo, hi).t), kept.filter((e) => e[0] >= lo && e[0] < hi).map((e) => e[0]));
      }
    }),
    { numRuns: 300 },
  );
});
