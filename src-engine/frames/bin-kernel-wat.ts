/**
 * WebAssembly source of the time-channel binner's counting loops (bin-kernel.ts
 * runs them): the loop of binRun in time-channel.ts without the JavaScript
 * bounds checks. Built into bin-kernel-binary.ts with wabt's wat2wasm;
 * test/frames/bin-kernel.test.ts fails if the committed binary is stale
 * (regenerate: node --import tsx test/frames/bin-kernel.test.ts --write).
 *
 * Why a fixed memory layout (KERNEL_LAYOUT): the event chunk, the lookup
 * tables and the page map sit at constant addresses, which the loads and
 * stores take as immediate offsets; the tables span every u16 coordinate (−2
 * beyond the sensor), so the out-of-sensor test is the table's sign test; and
 * the tallies are packed two to a register (16-bit halves; a call sees at most
 * CHUNK = 2^15 events). With a dozen pointer, bound and counter values the
 * loop had more live values than x64 has registers: V8 kept the loop index and
 * parameters on the stack and reloaded them on every event, and the loop ran
 * twice as slow (6.5–7 against 3.3–3.6 ns an event here).
 *
 * count(from, to, pm, frame, clip1): events [from, to) of the chunk (X, Y u16
 * and P u8 at their layout addresses); adds to the counts of the frame whose
 * channel 0 is at `frame` (channel P & pm), saturating at clip1 + 1, and
 * writes i32 OUT[0..4] = outside the sensor, outside the ROI, kept ON,
 * saturated, saturated ON. It also marks the 4 KB page of memory each count
 * lands in (the byte MAP + address >> 12 becomes 1), so only the pages written
 * need clearing and copying.
 *
 * count2(from, to, pm, frame, clip1, frame2): the same events counted into a
 * second frame too (sliding windows: an event lies in two), in one pass — the
 * loads and the address arithmetic are shared. The second frame's saturation
 * tallies go to OUT2[0..1]; the others are the same for both.
 *
 * window(from, to, pm, buf, clip1, ws, win, bins, np, tPrev) → events taken: a
 * disjoint window's events from `from` on, each into the bin its t gives — bin
 * floor((t − ws) · bins / win) with the bounds pushDisjoint computes, in the
 * same float operations — while t (f64 in the chunk) is non-decreasing from
 * tPrev, inside the window and inside its own bin's bounds (the rounding
 * check); it stops at the first event that is not, for the JavaScript loops to
 * take. One call a window replaces the run searches, the order check and a
 * call per bin. Per bin b it adds kept, kept ON, saturated, saturated ON to the
 * i32s at TALLY + 16·b; OUT[0..3] = outside the sensor, outside the ROI, first
 * and last bin counted into (−1: none).
 */

/** events in the chunk: at most 2^15, so the kernels' packed 16-bit tallies cannot overflow */
const CHUNK = 32768;
/** the most bins a window may have (TimeChannelConfig.bins) */
const MAX_BINS = 1024;
/** coordinates are u16: a table entry for each */
const TABLE_LEN = 65536;
/** 4 KB pages of memory the page map covers (128 MB: the fixed area and the arena's at most 64 MB of slots) */
const MAP_LEN = 32768;

/** Byte addresses in the kernel's memory; from SLOTS (page-aligned) on, the arena's slots. */
export const KERNEL_LAYOUT = (() => {
  const T = 64;
  const X = T + 8 * CHUNK;
  const Y = X + 2 * CHUNK;
  const P = Y + 2 * CHUNK;
  const X_TABLE = P + CHUNK;
  const Y_TABLE = X_TABLE + 4 * TABLE_LEN;
  const TALLY = Y_TABLE + 4 * TABLE_LEN;
  const MAP = TALLY + 16 * MAX_BINS;
  const SLOTS = (MAP + MAP_LEN + 4095) & ~4095;
  return { OUT: 0, OUT2: 24, T, X, Y, P, X_TABLE, Y_TABLE, TALLY, MAP, SLOTS, CHUNK, MAX_BINS, TABLE_LEN, MAP_LEN, PAGE_SHIFT: 12 } as const;
})();
/** a table entry beyond the sensor (−1 is outside the ROI) */
export const OFF_SENSOR = -2;

const L = KERNEL_LAYOUT;

/** out[0] and out[1] (outside the sensor, outside the ROI) are counted in memory: rare, and no register to spare. */
const zeroDrops = String.raw`
    (i32.store offset=${L.OUT} (i32.const 0) (i32.const 0))
    (i32.store offset=${L.OUT + 4} (i32.const 0) (i32.const 0))`;

/**
 * The shared head of an event: its table entries, the two drop tests (out of
 * the sensor first, as binRun), its polarity and offset in the frame ($pix).
 */
const eventHead = String.raw`
          (local.set $xo (i32.load offset=${L.X_TABLE} (i32.shl (i32.load16_u offset=${L.X} (i32.shl (local.get $j) (i32.const 1))) (i32.const 2))))
          (local.set $yo (i32.load offset=${L.Y_TABLE} (i32.shl (i32.load16_u offset=${L.Y} (i32.shl (local.get $j) (i32.const 1))) (i32.const 2))))
          (if (i32.lt_s (i32.or (local.get $xo) (local.get $yo)) (i32.const 0))
            (then
              (local.set $a (select (i32.const ${L.OUT}) (i32.const ${L.OUT + 4})
                (i32.or (i32.eq (local.get $xo) (i32.const ${OFF_SENSOR})) (i32.eq (local.get $yo) (i32.const ${OFF_SENSOR})))))
              (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
              (br $next)))
          (local.set $pp (i32.and (i32.load8_u offset=${L.P} (local.get $j)) (local.get $pm)))
          (local.set $pix (i32.add (i32.add (local.get $yo) (local.get $xo)) (local.get $pp)))`;

/**
 * One frame's count of the current event into the frame whose channel 0 is at
 * $frame (suffix '' or '2'): saturating at clip1 + 1, marking the page, and
 * adding 1 when saturated, and 1 << 16 when saturated and ON, to $sats.
 */
const countInto = (w: '' | '2'): string => String.raw`
          (local.set $a (i32.add (local.get $frame${w}) (local.get $pix)))
          (local.set $v (i32.load8_u (local.get $a)))
          ;; 1 when v ≥ clip: the count stays
          (local.set $s (i32.shr_u (i32.sub (local.get $clip1) (local.get $v)) (i32.const 31)))
          (i32.store8 (local.get $a) (i32.sub (i32.add (local.get $v) (i32.const 1)) (local.get $s)))
          (i32.store8 offset=${L.MAP} (i32.shr_u (local.get $a) (i32.const ${L.PAGE_SHIFT})) (i32.const 1))
          (local.set $sats${w} (i32.add (local.get $sats${w})
            (i32.or (local.get $s) (i32.shl (i32.and (local.get $s) (local.get $pp)) (i32.const 16)))))`;

const commonLocals = String.raw`(local $j i32) (local $xo i32) (local $yo i32) (local $pp i32) (local $a i32) (local $v i32) (local $s i32) (local $pix i32)
    (local $kepts i32) (local $sats i32)`;

/** Adds 1 (kept) and 1 << 16 when ON to $kepts. */
const countKept = '(local.set $kepts (i32.add (local.get $kepts) (i32.or (i32.const 1) (i32.shl (local.get $pp) (i32.const 16)))))';

/** count (one frame) or count2 (two): the same loop, the second frame's count added. */
function countFunc(two: boolean): string {
  return String.raw`
  (func (export "${two ? 'count2' : 'count'}") (param $from i32) (param $to i32) (param $pm i32) (param $frame i32) (param $clip1 i32)
      ${two ? '(param $frame2 i32)' : ''}
    ${commonLocals}
    ${two ? '(local $sats2 i32)' : ''}
    ${zeroDrops}
    (local.set $j (local.get $from))
    (if (i32.lt_u (local.get $j) (local.get $to)) (then
    (loop $events
        (block $next
          ${eventHead}
          ${countInto('')}
          ${two ? countInto('2') : ''}
          ${countKept})
        ;; the loop test at the bottom (from < to checked before): one branch per event
        (br_if $events (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $to))))))
    (i32.store offset=${L.OUT + 8} (i32.const 0) (i32.shr_u (local.get $kepts) (i32.const 16)))
    (i32.store offset=${L.OUT + 12} (i32.const 0) (i32.and (local.get $sats) (i32.const 0xffff)))
    (i32.store offset=${L.OUT + 16} (i32.const 0) (i32.shr_u (local.get $sats) (i32.const 16)))
    ${two ? `(i32.store offset=${L.OUT2} (i32.const 0) (i32.and (local.get $sats2) (i32.const 0xffff)))
    (i32.store offset=${L.OUT2 + 4} (i32.const 0) (i32.shr_u (local.get $sats2) (i32.const 16)))` : ''})`;
}

/** Adds the current bin's tallies (kept, kept ON, saturated, saturated ON) to its four i32s at TALLY + 16·bin. */
const flushBin = String.raw`
          (local.set $a (i32.shl (local.get $bin) (i32.const 4)))
          (i32.store offset=${L.TALLY} (local.get $a) (i32.add (i32.load offset=${L.TALLY} (local.get $a)) (i32.and (local.get $kepts) (i32.const 0xffff))))
          (i32.store offset=${L.TALLY + 4} (local.get $a) (i32.add (i32.load offset=${L.TALLY + 4} (local.get $a)) (i32.shr_u (local.get $kepts) (i32.const 16))))
          (i32.store offset=${L.TALLY + 8} (local.get $a) (i32.add (i32.load offset=${L.TALLY + 8} (local.get $a)) (i32.and (local.get $sats) (i32.const 0xffff))))
          (i32.store offset=${L.TALLY + 12} (local.get $a) (i32.add (i32.load offset=${L.TALLY + 12} (local.get $a)) (i32.shr_u (local.get $sats) (i32.const 16))))`;

const windowFunc = String.raw`
  (func (export "window") (param $from i32) (param $to i32) (param $pm i32) (param $buf i32) (param $clip1 i32)
      (param $ws f64) (param $win f64) (param $bins i32) (param $np i32) (param $tPrev f64) (result i32)
    ${commonLocals}
    (local $t f64) (local $d f64) (local $dEnd f64) (local $binsF f64) (local $bin i32) (local $nb i32) (local $frame i32)
    ${zeroDrops}
    (i32.store offset=${L.OUT + 8} (i32.const 0) (i32.const -1))
    (local.set $j (local.get $from))
    (local.set $bin (i32.const -1))
    (local.set $dEnd (f64.const -inf)) ;; the first event starts a bin
    (local.set $binsF (f64.convert_i32_s (local.get $bins)))
    (block $stop
      (loop $events
        (br_if $stop (i32.ge_u (local.get $j) (local.get $to)))
        (local.set $t (f64.load offset=${L.T} (i32.shl (local.get $j) (i32.const 3))))
        ;; out of order, or NaN
        (br_if $stop (i32.eqz (f64.ge (local.get $t) (local.get $tPrev))))
        (local.set $d (f64.sub (local.get $t) (local.get $ws)))
        (if (i32.eqz (f64.lt (local.get $d) (local.get $dEnd)))
          (then
            ;; the next bin: stop at the window's end, else its bounds as pushDisjoint computes them
            (br_if $stop (i32.eqz (f64.lt (local.get $d) (local.get $win))))
            (br_if $stop (f64.lt (local.get $d) (f64.const 0)))
            (local.set $nb (i32.trunc_f64_s (f64.div (f64.mul (local.get $d) (local.get $binsF)) (local.get $win))))
            (br_if $stop (i32.ge_s (local.get $nb) (local.get $bins)))
            (br_if $stop (f64.lt (local.get $d)
              (f64.div (f64.mul (f64.convert_i32_s (local.get $nb)) (local.get $win)) (local.get $binsF))))
            (local.set $dEnd
              (f64.div (f64.mul (f64.convert_i32_s (i32.add (local.get $nb) (i32.const 1))) (local.get $win)) (local.get $binsF)))
            (br_if $stop (i32.eqz (f64.lt (local.get $d) (local.get $dEnd))))
            (if (i32.ge_s (local.get $bin) (i32.const 0))
              (then ${flushBin})
              (else (i32.store offset=${L.OUT + 8} (i32.const 0) (local.get $nb))))
            (local.set $bin (local.get $nb))
            (local.set $frame (i32.add (local.get $buf) (i32.mul (local.get $nb) (local.get $np))))
            (local.set $kepts (i32.const 0))
            (local.set $sats (i32.const 0))))
        (local.set $tPrev (local.get $t))
        (block $next
          ${eventHead}
          ${countInto('')}
          ${countKept})
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $events)))
    (if (i32.ge_s (local.get $bin) (i32.const 0)) (then ${flushBin}))
    (i32.store offset=${L.OUT + 12} (i32.const 0) (local.get $bin))
    (i32.sub (local.get $j) (local.get $from)))`;

export const BIN_KERNEL_WAT = `
(module
  (import "env" "memory" (memory 1))
${countFunc(false)}
${countFunc(true)}
${windowFunc}
)
`;
