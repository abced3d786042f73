/**
 * WebAssembly source of the time-channel binner's counting loops (bin-kernel.ts
 * runs them): the loop of binRun in time-channel.ts without the JavaScript
 * bounds checks. Built into bin-kernel-binary.ts with wabt's wat2wasm;
 * test/frames/bin-kernel.test.ts fails if the committed binary is stale
 * (regenerate: node --import tsx test/frames/bin-kernel.test.ts --write).
 *
 * Why a fixed memory layout (KERNEL_LAYOUT): the event chunk and the lookup
 * tables sit at constant addresses, which the loads take as immediate offsets,
 * and the tables span every u16 coordinate (−2 beyond the sensor), so the
 * out-of-sensor test is the table's sign test. With a dozen pointer and bound
 * parameters the loop had more live values than registers: V8 reloaded them
 * from the stack on every event, and the loop ran 2.2× slower (6.5 against
 * 2.9 ns an event here).
 *
 * count(from, to, pm, buf, chBase, clip1, map, out): events [from, to) of the
 * chunk (X, Y u16 and P u8 at their layout addresses); adds to the counts of
 * the frame at buf, channel chBase + (P & pm), saturating at clip1 + 1, and
 * writes i32 out[0..4] = outside the sensor, outside the ROI, kept ON,
 * saturated, saturated ON. It also marks the 4 KB page of the frame that each
 * count lands in: byte map + (offset in the frame >> 12) becomes 1 (so only
 * the pages written need clearing and copying).
 *
 * count2(…, out, buf2, chBase2, map2, out2): the same events counted into a
 * second frame too (sliding windows: an event lies in two), in one pass — the
 * loads and the address arithmetic are shared. The second frame's saturation
 * tallies go to out2[0..1] (saturated, saturated ON); the others are the same.
 *
 * window(from, to, pm, buf, clip1, map, out, ws, win, bins, np, tPrev) →
 * events taken: a disjoint window's events from `from` on, each into the bin
 * its t gives — bin floor((t − ws) · bins / win) with the bounds pushDisjoint
 * computes, in the same float operations — while t (f64 in the chunk) is
 * non-decreasing from tPrev, inside the window, and inside its own bin's
 * bounds (the rounding check); it stops at the first event that is not, for
 * the JavaScript loops to take. One call a window replaces the run searches,
 * the order check and a call per bin. Per bin b it adds kept, kept ON,
 * saturated, saturated ON to the i32s at TALLY + 16·b; out[0..3] = outside the
 * sensor, outside the ROI, first and last bin counted into (−1: none).
 */

/** events in the chunk */
const CHUNK = 65536;
/** the most bins a window may have (TimeChannelConfig.bins) */
const MAX_BINS = 1024;
/** coordinates are u16: a table entry for each */
const TABLE_LEN = 65536;

/** Byte addresses in the kernel's memory; everything from SLOTS on is the arena's (slots, then page maps). */
export const KERNEL_LAYOUT = (() => {
  const T = 64;
  const X = T + 8 * CHUNK;
  const Y = X + 2 * CHUNK;
  const P = Y + 2 * CHUNK;
  const X_TABLE = P + CHUNK;
  const Y_TABLE = X_TABLE + 4 * TABLE_LEN;
  const TALLY = Y_TABLE + 4 * TABLE_LEN;
  const SLOTS = TALLY + 16 * MAX_BINS;
  return { OUT: 0, OUT2: 24, T, X, Y, P, X_TABLE, Y_TABLE, TALLY, SLOTS, CHUNK, MAX_BINS, TABLE_LEN } as const;
})();
/** a table entry beyond the sensor (−1 is outside the ROI) */
export const OFF_SENSOR = -2;

const L = KERNEL_LAYOUT;

/**
 * The shared head of an event: its table entries, the two drop tests (out of
 * the sensor first, as binRun), its polarity and offset in the frame ($pix).
 */
const eventHead = String.raw`
          (local.set $xo (i32.load offset=${L.X_TABLE} (i32.shl (i32.load16_u offset=${L.X} (i32.shl (local.get $j) (i32.const 1))) (i32.const 2))))
          (local.set $yo (i32.load offset=${L.Y_TABLE} (i32.shl (i32.load16_u offset=${L.Y} (i32.shl (local.get $j) (i32.const 1))) (i32.const 2))))
          (if (i32.lt_s (i32.or (local.get $xo) (local.get $yo)) (i32.const 0))
            (then
              (if (i32.or (i32.eq (local.get $xo) (i32.const ${OFF_SENSOR})) (i32.eq (local.get $yo) (i32.const ${OFF_SENSOR})))
                (then (local.set $oob (i32.add (local.get $oob) (i32.const 1))))
                (else (local.set $roi (i32.add (local.get $roi) (i32.const 1)))))
              (br $next)))
          (local.set $pp (i32.and (i32.load8_u offset=${L.P} (local.get $j)) (local.get $pm)))
          (local.set $pix (i32.add (i32.add (local.get $yo) (local.get $xo)) (local.get $pp)))`;

/** One frame's count of the current event (suffix '' or '2'). */
const countInto = (w: '' | '2'): string => String.raw`
          (local.set $rel (i32.add (local.get $pix) (local.get $chBase${w})))
          (local.set $a (i32.add (local.get $buf${w}) (local.get $rel)))
          (local.set $v (i32.load8_u (local.get $a)))
          ;; 1 when v ≥ clip: the count stays
          (local.set $s (i32.shr_u (i32.sub (local.get $clip1) (local.get $v)) (i32.const 31)))
          (i32.store8 (local.get $a) (i32.sub (i32.add (local.get $v) (i32.const 1)) (local.get $s)))
          (i32.store8 (i32.add (local.get $map${w}) (i32.shr_u (local.get $rel) (i32.const 12))) (i32.const 1))
          (local.set $sat${w} (i32.add (local.get $sat${w}) (local.get $s)))
          (local.set $satOn${w} (i32.add (local.get $satOn${w}) (i32.and (local.get $s) (local.get $pp))))`;

const commonLocals = String.raw`(local $j i32) (local $xo i32) (local $yo i32) (local $pp i32) (local $a i32) (local $v i32) (local $s i32)
    (local $oob i32) (local $roi i32) (local $keptOn i32) (local $sat i32) (local $satOn i32) (local $pix i32) (local $rel i32)`;

/** count (one frame) or count2 (two): the same loop, the second frame's count added. */
function countFunc(two: boolean): string {
  return String.raw`
  (func (export "${two ? 'count2' : 'count'}") (param $from i32) (param $to i32) (param $pm i32)
      (param $buf i32) (param $chBase i32) (param $clip1 i32) (param $map i32) (param $out i32)
      ${two ? '(param $buf2 i32) (param $chBase2 i32) (param $map2 i32) (param $out2 i32)' : ''}
    ${commonLocals}
    ${two ? '(local $sat2 i32) (local $satOn2 i32)' : ''}
    (local.set $j (local.get $from))
    (if (i32.lt_u (local.get $j) (local.get $to)) (then
    (loop $events
        (block $next
          ${eventHead}
          ${countInto('')}
          ${two ? countInto('2') : ''}
          (local.set $keptOn (i32.add (local.get $keptOn) (local.get $pp))))
        ;; the loop test at the bottom (from < to checked before): one branch per event
        (br_if $events (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $to))))))
    (i32.store (local.get $out) (local.get $oob))
    (i32.store offset=4 (local.get $out) (local.get $roi))
    (i32.store offset=8 (local.get $out) (local.get $keptOn))
    (i32.store offset=12 (local.get $out) (local.get $sat))
    (i32.store offset=16 (local.get $out) (local.get $satOn))
    ${two ? '(i32.store (local.get $out2) (local.get $sat2)) (i32.store offset=4 (local.get $out2) (local.get $satOn2))' : ''})`;
}

/** Adds the current bin's tallies (kept, kept ON, saturated, saturated ON) to its four i32s at TALLY + 16·bin. */
const flushBin = String.raw`
          (local.set $at (i32.shl (local.get $bin) (i32.const 4)))
          (i32.store offset=${L.TALLY} (local.get $at) (i32.add (i32.load offset=${L.TALLY} (local.get $at)) (local.get $kept)))
          (i32.store offset=${L.TALLY + 4} (local.get $at) (i32.add (i32.load offset=${L.TALLY + 4} (local.get $at)) (local.get $keptOn)))
          (i32.store offset=${L.TALLY + 8} (local.get $at) (i32.add (i32.load offset=${L.TALLY + 8} (local.get $at)) (local.get $sat)))
          (i32.store offset=${L.TALLY + 12} (local.get $at) (i32.add (i32.load offset=${L.TALLY + 12} (local.get $at)) (local.get $satOn)))`;

const windowFunc = String.raw`
  (func (export "window") (param $from i32) (param $to i32) (param $pm i32) (param $buf i32) (param $clip1 i32) (param $map i32) (param $out i32)
      (param $ws f64) (param $win f64) (param $bins i32) (param $np i32) (param $tPrev f64) (result i32)
    ${commonLocals}
    (local $t f64) (local $d f64) (local $dEnd f64) (local $binsF f64) (local $bin i32) (local $nb i32) (local $chBase i32) (local $first i32)
    (local $kept i32) (local $at i32)
    (local.set $j (local.get $from))
    (local.set $bin (i32.const -1))
    (local.set $first (i32.const -1))
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
            (if (i32.ge_s (local.get $bin) (i32.const 0)) (then ${flushBin}))
            (if (i32.lt_s (local.get $first) (i32.const 0)) (then (local.set $first (local.get $nb))))
            (local.set $bin (local.get $nb))
            (local.set $chBase (i32.mul (local.get $nb) (local.get $np)))
            (local.set $kept (i32.const 0))
            (local.set $keptOn (i32.const 0))
            (local.set $sat (i32.const 0))
            (local.set $satOn (i32.const 0))))
        (local.set $tPrev (local.get $t))
        (block $next
          ${eventHead}
          ${countInto('')}
          (local.set $kept (i32.add (local.get $kept) (i32.const 1)))
          (local.set $keptOn (i32.add (local.get $keptOn) (local.get $pp))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $events)))
    (if (i32.ge_s (local.get $bin) (i32.const 0)) (then ${flushBin}))
    (i32.store (local.get $out) (local.get $oob))
    (i32.store offset=4 (local.get $out) (local.get $roi))
    (i32.store offset=8 (local.get $out) (local.get $first))
    (i32.store offset=12 (local.get $out) (local.get $bin))
    (i32.sub (local.get $j) (local.get $from)))`;

export const BIN_KERNEL_WAT = `
(module
  (import "env" "memory" (memory 1))
${countFunc(false)}
${countFunc(true)}
${windowFunc}
)
`;
