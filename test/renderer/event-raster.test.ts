// The 2D view's time-window raster (src-renderer/src/live/event-raster.ts):
// what is lit, in which colour, how it fades, and what resets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventRaster, rgbaWord } from '../../src-renderer/src/live/event-raster';
import type { EventChunk } from '../../src-main/ipc/contract';

const COLOURS = { on: rgbaWord('#0000ff'), off: rgbaWord('#ff0000'), background: rgbaWord('#000000') };

function chunk(t0Us: number, w: number, h: number, ev: [t: number, x: number, y: number, p: number][]): EventChunk {
  return {
    t0Us,
    width: w,
    height: h,
    t: Float32Array.from(ev.map((e) => e[0])),
    x: Uint16Array.from(ev.map((e) => e[1])),
    y: Uint16Array.from(ev.map((e) => e[2])),
    p: Uint8Array.from(ev.map((e) => e[3])),
    total: ev.length,
  };
}

test('rgbaWord packs #rrggbb as little-endian RGBA', () => {
  assert.equal(rgbaWord('#102030'), 0xff302010);
  assert.equal(rgbaWord('#ffffff', 0), 0x00ffffff);
});

test('the newest event of a pixel sets its colour; pixels outside the window stay background', () => {
  const r = new EventRaster();
  r.add(chunk(1_000_000, 4, 2, [[0, 0, 0, 1], [500, 1, 0, 0], [100_000, 2, 1, 1]]));
  const lit = r.render(50_000, COLOURS);
  // now = 1.1 s: (0,0) and (1,0) are 100 ms and 99.5 ms old → out of a 50 ms window
  assert.equal(lit, 1);
  assert.equal(r.pixels[0], COLOURS.background);
  assert.equal(r.pixels[1], COLOURS.background);
  assert.equal(r.pixels[1 * 4 + 2], COLOURS.on, 'the newest event is full ON colour');
  assert.equal(r.render(200_000, COLOURS), 3);
  // red channel of an OFF pixel, blue of an ON pixel
  assert.ok((r.pixels[1] & 255) > 0 && ((r.pixels[1] >>> 16) & 255) === 0);
});

test('older events fade towards the background', () => {
  const r = new EventRaster();
  r.add(chunk(0, 3, 1, [[0, 0, 0, 1], [50_000, 1, 0, 1], [90_000, 2, 0, 1]]));
  r.render(100_000, COLOURS);
  const blue = (k: number) => (r.pixels[k] >>> 16) & 255;
  assert.ok(blue(0) < blue(1) && blue(1) < blue(2), `${blue(0)} < ${blue(1)} < ${blue(2)}`);
  assert.equal(blue(2), 255);
});

test('coordinates outside the sensor are ignored, not written out of bounds', () => {
  const r = new EventRaster();
  r.add(chunk(0, 2, 2, [[0, 5, 0, 1], [0, 0, 9, 1], [1, 1, 1, 0]]));
  assert.equal(r.render(10, COLOURS), 1);
  assert.equal(r.pixels.length, 4);
});

test('a chunk more than a second older than the raster (restart, seek back) clears it', () => {
  const r = new EventRaster();
  r.add(chunk(10_000_000, 2, 1, [[0, 0, 0, 1]]));
  r.add(chunk(0, 2, 1, [[0, 1, 0, 0]]));
  assert.equal(r.render(1_000, COLOURS), 1);
  assert.equal(r.pixels[0], COLOURS.background);
  assert.equal(r.pixels[1], COLOURS.off);
});

test('a new geometry resizes the raster', () => {
  const r = new EventRaster();
  r.add(chunk(0, 2, 2, [[0, 0, 0, 1]]));
  r.add(chunk(10, 8, 4, [[0, 7, 3, 1]]));
  assert.equal(r.width, 8);
  assert.equal(r.pixels.length, 32);
});

test('property: lit pixels are exactly the pixels whose latest event is younger than the window', () => {
  const W = 6;
  const H = 5;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: W - 1 }), fc.integer({ min: 0, max: H - 1 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 1, max: 250_000 }),
      (evs, windowUs) => {
        const sorted = [...evs].sort((a, b) => a[0] - b[0]);
        const r = new EventRaster();
        r.add(chunk(0, W, H, sorted as [number, number, number, number][]));
        const now = sorted[sorted.length - 1][0];
        const latest = new Map<number, number>();
        for (const [t, x, y] of sorted) latest.set(y * W + x, t);
        const expected = [...latest.values()].filter((t) => now - t < windowUs).length;
        assert.equal(r.render(windowUs, COLOURS), expected);
      },
    ),
  );
});
