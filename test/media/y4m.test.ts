import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderGestureClip } from '../../src-engine/datasets/gesture/index';
import { Y4M_MAX_LINE, Y4mDecoder, Y4mError, Y4mWriter, encodeY4m, readY4m, type Y4mColorSpace } from '../../src-engine/media/y4m';
import { ModelInputEncoder } from '../../src-engine/models/encoder';
import { GESTURE_INPUT } from '../../src-engine/datasets/gesture/index';

const enc = (s: string) => new TextEncoder().encode(s);
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function randomFrame(n: number, seed: number): Uint8Array {
  const f = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f[i] = s >>> 24;
  }
  return f;
}
function y4mError(fn: () => unknown, kind: string, offset: number, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Y4mError, `expected Y4mError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.offset, offset, e.message);
    assert.match(e.message, reason);
    return true;
  });
}

test('every colour space round-trips luma, size, rate and frame times, with odd sizes', () => {
  const spaces: Y4mColorSpace[] = ['420jpeg', '420mpeg2', '420paldv', '420', '444', 'mono'];
  for (const cs of spaces) {
    const w = 7, h = 5;
    const frames = [randomFrame(w * h, 1), randomFrame(w * h, 2), randomFrame(w * h, 3)];
    const bytes = encodeY4m(frames, { width: w, height: h, fps: [30000, 1001], colorSpace: cs, comments: ['made=by-test'] });
    const { header, frames: back } = readY4m(bytes, 'clip.y4m');
    assert.equal(header.width, w);
    assert.equal(header.height, h);
    assert.deepEqual([header.fpsNum, header.fpsDen], [30000, 1001]);
    assert.equal(header.colorSpace, cs);
    assert.deepEqual(header.comments, ['made=by-test']);
    const chroma = cs === 'mono' ? 0 : cs === '444' ? 2 * w * h : 2 * 4 * 3;
    assert.equal(header.frameBytes, w * h + chroma);
    assert.equal(bytes.length, header.headerLength + 3 * (6 + header.frameBytes));
    assert.equal(back.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(back[i].luma, frames[i]);
      assert.equal(back[i].index, i);
      assert.equal(back[i].tUs, Math.round((i * 1e6 * 1001) / 30000));
    }
  }
});

test('a header without C is 420jpeg; FRAME parameters are kept; I? reads as progressive', () => {
  const luma = randomFrame(4, 9);
  const bytes = cat(enc('YUV4MPEG2 W2 H2 F25:1 I?\n'), enc('FRAME Ixyz Xfoo=1\n'), luma, new Uint8Array(2));
  const { header, frames } = readY4m(bytes);
  assert.equal(header.colorSpace, '420jpeg');
  assert.deepEqual(frames[0].params, ['Ixyz', 'Xfoo=1']);
  assert.deepEqual(frames[0].luma, luma);
  assert.equal(frames[0].offset, 25);
});

test('the push decoder gives the same frames for any chunking (views stay valid until the next push)', () => {
  const w = 6, h = 4;
  const frames = [0, 1, 2, 3].map((k) => randomFrame(w * h, k + 10));
  const bytes = encodeY4m(frames, { width: w, height: h, fps: 60 });
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 8 }), (cuts) => {
      const at = [...new Set(cuts)].sort((a, b) => a - b);
      const d = new Y4mDecoder('chunked');
      const got: Uint8Array[] = [];
      let prev = 0;
      for (const c of [...at, bytes.length]) {
        for (const f of d.push(bytes.slice(prev, c))) got.push(f.luma.slice());
        prev = c;
      }
      d.end();
      assert.equal(got.length, frames.length);
      got.forEach((g, i) => assert.deepEqual(g, frames[i]));
    }),
    { numRuns: 200 },
  );
});

test('bad headers are refused with the byte offset and the reason', () => {
  y4mError(() => readY4m(enc('RIFF0000WAVEfmt \n')), 'corrupt', 0, /not a YUV4MPEG2 stream/);
  y4mError(() => readY4m(enc('YUV4MPEG2 H2 F25:1\n')), 'corrupt', 0, /lacks W/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2\n')), 'corrupt', 0, /lacks F/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2 F25:0\n')), 'corrupt', 16, /frame rate must be positive/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2x H2 F25:1\n')), 'corrupt', 10, /W2x.*not a whole number/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2 F25:1 It\n')), 'unsupported', 22, /interlacing 't'/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2 F25:1 C422\n')), 'unsupported', 22, /colour space '422'/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2 F25:1 Q7\n')), 'corrupt', 22, /unknown tag/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W99999 H2 F25:1\n')), 'limit', 10, /width 99999 exceeds/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W16000 H16000 F25:1\n')), 'limit', 0, /exceed .* pixels/);
  y4mError(() => readY4m(enc(`YUV4MPEG2 W2 H2 F25:1 X${'a'.repeat(Y4M_MAX_LINE)}`)), 'limit', 0, /longer than 4096 bytes/);
  y4mError(() => readY4m(new Uint8Array(0)), 'truncated', 0, /empty stream/);
  y4mError(() => readY4m(enc('YUV4MPEG2 W2 H2')), 'truncated', 15, /header line has no end/);
});

test('bad frames: a truncated last frame and garbage in place of FRAME name their offsets', () => {
  const good = encodeY4m([randomFrame(4, 1), randomFrame(4, 2)], { width: 2, height: 2, fps: 25 });
  const headerLen = readY4m(good).header.headerLength;
  const frameLen = 6 + 4 + 2;
  y4mError(() => readY4m(good.subarray(0, good.length - 3)), 'truncated', headerLen + frameLen, /frame 1 is cut short/);
  const bad = good.slice();
  bad.set(enc('FRAMX'), headerLen + frameLen);
  y4mError(() => readY4m(bad), 'corrupt', headerLen + frameLen, /expected 'FRAME' \(frame 1\)/);
  const glued = good.slice();
  glued.set(enc('FRAMEX'), headerLen);
  y4mError(() => readY4m(glued), 'corrupt', headerLen, /bad FRAME line/);
});

test('the writer checks sizes and writes neutral chroma for 4:2:0', () => {
  assert.throws(() => new Y4mWriter({ width: 0, height: 2, fps: 30 }), /frame size must be whole pixels/);
  assert.throws(() => new Y4mWriter({ width: 2, height: 2, fps: -1 }), /fps must be positive/);
  assert.throws(() => new Y4mWriter({ width: 2, height: 2, fps: 30, comments: ['a b'] }), /must not contain spaces/);
  const w = new Y4mWriter({ width: 3, height: 3, fps: 29.97 });
  assert.equal(new TextDecoder().decode(w.header()), 'YUV4MPEG2 W3 H3 F29970:1000 Ip A1:1 C420jpeg\n');
  assert.throws(() => w.frame(new Uint8Array(8)), /luma must be 3×3 = 9 bytes, got 8/);
  const f = w.frame(new Uint8Array(9).fill(7));
  assert.equal(f.length, 6 + 9 + 2 * 2 * 2);
  assert.deepEqual([...f.subarray(15)], new Array(8).fill(128));
});

test('renderGestureClip makes a 4:2:0 y4m that the live encoder turns into events and frames', () => {
  const bytes = renderGestureClip({ gesture: 'right_hand_wave', width: 160, height: 120, fps: 30, seconds: 1.2 });
  const { header, frames } = readY4m(bytes, 'wave.y4m');
  assert.equal(header.colorSpace, '420jpeg');
  assert.deepEqual([header.width, header.height, header.fpsNum, header.fpsDen], [160, 120, 30, 1]);
  assert.deepEqual(header.comments, ['neurolive-gesture=right_hand_wave']);
  assert.equal(frames.length, 36);
  assert.notDeepEqual(frames[0].luma, frames[5].luma);
  const encoder = new ModelInputEncoder(GESTURE_INPUT);
  let events = 0;
  for (const f of frames) events += encoder.pushVideo(f.luma, header.width, header.height, f.tUs).length;
  const out = encoder.flush();
  assert.ok(events > 1000, `only ${events} events`);
  assert.ok(out.length >= 2);
  assert.deepEqual(out[0].shape, [64, 64, 10]);
  assert.deepEqual(renderGestureClip({ gesture: 'right_hand_wave', width: 160, height: 120, fps: 30, seconds: 1.2 }), bytes);
  assert.throws(() => renderGestureClip({ gesture: 'jumping_jacks' }), /unknown gesture class 'jumping_jacks'/);
});
