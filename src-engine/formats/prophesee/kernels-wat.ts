/**
 * WebAssembly source of the Prophesee decoders' hot loops (kernels.ts runs
 * them): the same state machines as the JavaScript decoders in evt3.ts,
 * evt2.ts and dat.ts (which stay the fallback where WebAssembly is
 * unavailable), with the same results, error positions included.
 *
 * Each function decodes little-endian words at byte address w, from word
 * index i below n, into columns at t (f64), x, y (u16), p (u8), and returns
 * the next word index. Decoder state lives at address 0: f64 @0 and @8
 * (EVT 3.0: time-high µs, loop shift; EVT 2.0: time base, loop shift), i32
 * EVT 3.0 lastHigh @16, low @20, y @24, cdOk @28, baseX @32, vecPol @36,
 * vecOk @40; every call writes its event count @44 and, when the clock runs
 * past 2^53 µs, that word's index @48 (else −1). Words before the first
 * TIME_HIGH are skipped by the caller, which also sets the first time base.
 *
 * - evt3(w, n, i, t, x, y, p, limit): until at least `limit` events are there
 *   (a vector word may add up to 11 more);
 * - evt2(w, n, i, t, x, y, p, room): at most `room` words (≤ 1 event each);
 * - dat(w, n, i, t, x, y, p, room): (t, w) u32 pairs, i and n count words,
 *   at most `room` events.
 *
 * EVT 3.0 takes eight words at a time and .dat four events at a time with WebAssembly SIMD (fixed-width
 * v128, in V8 since Node 16.4 / Chromium 91) wherever none of them is a rare
 * type; a runtime without SIMD fails to compile the module and gets the
 * JavaScript decoders, as one without WebAssembly does.
 *
 * Built into kernels-binary.ts with wabt's wat2wasm (npm `wabt`, dev
 * dependency); test/formats/prophesee-wasm.test.ts rebuilds it and fails if
 * the committed binary is stale (regenerate:
 * node --import tsx test/formats/prophesee-wasm.test.ts --write).
 */
import { COMPACT_TABLE } from './kernel-layout';

/**
 * For each 8-bit lane mask, the i8x16.swizzle that packs the 16-bit lanes
 * whose bit is set to the front, in order (0xff yields zero in the others).
 */
function compactTable(): string {
  let out = '';
  for (let m = 0; m < 256; m++) {
    const bytes: number[] = [];
    for (let lane = 0; lane < 8; lane++) if (m & (1 << lane)) bytes.push(2 * lane, 2 * lane + 1);
    while (bytes.length < 16) bytes.push(0xff);
    out += bytes.map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  }
  return out;
}

/** 0xff for the word types the SIMD path leaves to the scalar one: EM (1), VECT_BASE_X (3), VECT_12 (4), VECT_8 (5), TIME_HIGH (8). */
const RARE_TYPES = Array.from({ length: 16 }, (_, k) => ([1, 3, 4, 5, 8].includes(k) ? '-1' : '0')).join(' ');

const splat8 = (v: number) => Array(8).fill(String(v)).join(' ');

/** i8x16.shuffle indices moving 16-bit lanes up by k, lanes below k taken from the second operand. */
function shiftLanes(k: number): string {
  const idx: number[] = [];
  for (let lane = 0; lane < 8; lane++) {
    const from = lane >= k ? 2 * (lane - k) : 16 + 2 * lane;
    idx.push(from, from + 1);
  }
  return idx.join(' ');
}

/**
 * `out` = per lane, the value of the last lane at or before it whose `valid`
 * mask is set, else `carry`: three log steps (windows of 2, 4, 8 lanes), then
 * the carry where no lane up to it was valid. Uses $om and $c.
 */
function lastValid(out: string, value: string, valid: string, carry: string): string {
  const get = (v: string) => (v.startsWith('$') ? `(local.get ${v})` : v);
  const lines = [`(local.set ${out} ${get(value)})`, `(local.set $om ${get(valid)})`, `(local.set $c (v128.const i32x4 0 0 0 0))`];
  for (const k of [1, 2, 4]) {
    lines.push(
      `(local.set ${out} (v128.bitselect (local.get ${out}) (i8x16.shuffle ${shiftLanes(k)} (local.get ${out}) (local.get $c)) (local.get $om)))`,
      `(local.set $om (v128.or (local.get $om) (i8x16.shuffle ${shiftLanes(k)} (local.get $om) (local.get $c))))`,
    );
  }
  lines.push(`(local.set ${out} (v128.bitselect (local.get ${out}) ${carry} (local.get $om)))`);
  return lines.join('\n                ');
}

export const PROPHESEE_KERNELS_WAT = String.raw`
(module
  (import "env" "memory" (memory 1))
  ;; state at address 0: f64 highTime, f64 loopShift, i32 lastHigh @16, low @20,
  ;; y @24, cdOk @28, baseX @32, vecPol @36, vecOk @40, count @44 (out),
  ;; overflowAt @48 (out, -1 = none)
  (func (export "evt3") (param $w i32) (param $n i32) (param $i i32)
      (param $t i32) (param $x i32) (param $y i32) (param $p i32) (param $limit i32) (result i32)
    (local $highTime f64) (local $loopShift f64) (local $ht f64) (local $tt f64)
    (local $lastHigh i32) (local $low i32) (local $yy i32) (local $cdOk i32)
    (local $baseX i32) (local $vecPol i32) (local $vecOk i32) (local $cnt i32)
    (local $word i32) (local $type i32) (local $h i32) (local $m i32) (local $pol i32) (local $bx i32)
    (local $v v128) (local $vt v128) (local $isY v128) (local $v11 v128) (local $ys v128) (local $ls v128)
    (local $om v128) (local $c v128) (local $idx v128) (local $hts v128) (local $a i32)
    (local.set $highTime (f64.load (i32.const 0)))
    (local.set $loopShift (f64.load (i32.const 8)))
    (local.set $lastHigh (i32.load (i32.const 16)))
    (local.set $low (i32.load (i32.const 20)))
    (local.set $yy (i32.load (i32.const 24)))
    (local.set $cdOk (i32.load (i32.const 28)))
    (local.set $baseX (i32.load (i32.const 32)))
    (local.set $vecPol (i32.load (i32.const 36)))
    (local.set $vecOk (i32.load (i32.const 40)))
    (i32.store (i32.const 48) (i32.const -1))
    (block $stop
      (loop $words
        (br_if $stop (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $stop (i32.ge_u (local.get $cnt) (local.get $limit)))
        ;; Fast path: eight words at once with SIMD when none of them is of the rare
        ;; types and the run cannot reach the limit inside them (so events and the
        ;; stopping point are those of one word at a time). Per 16-bit lane: the row
        ;; of the last ADDR_Y and the time of the last TIME_LOW up to it (a
        ;; log-step scan from the state carried in), whether an ADDR_Y has come
        ;; since the last EM word; the kept ADDR_X lanes are packed to the front by
        ;; a shuffle from a table indexed by their bit mask (at COMPACT_TABLE).
        (if (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $n))
                     (i32.le_u (i32.add (local.get $cnt) (i32.const 8)) (local.get $limit)))
          (then
            (local.set $v (v128.load align=1 (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 1)))))
            (local.set $vt (i16x8.shr_u (local.get $v) (i32.const 12)))
            (if (i32.eqz (v128.any_true (i8x16.swizzle (v128.const i8x16 ${RARE_TYPES}) (local.get $vt))))
              (then
                (local.set $isY (i16x8.eq (local.get $vt) (v128.const i16x8 0 0 0 0 0 0 0 0)))
                (local.set $v11 (v128.and (local.get $v) (v128.const i16x8 ${splat8(0x7ff)})))
                ;; rows: last ADDR_Y value, carried in from $yy
                ${lastValid('$ys', '$v11', '$isY', '(i16x8.splat (local.get $yy))')}
                ;; TIME_LOW values, carried in from $low
                ${lastValid('$ls', '(v128.and (local.get $v) (v128.const i16x8 ' + splat8(0xfff) + '))', '(i16x8.eq (local.get $vt) (v128.const i16x8 ' + splat8(6) + '))', '(i16x8.splat (local.get $low))')}
                ;; an ADDR_Y seen (here or before, and no EM since): the ADDR_X lanes that count
                (local.set $om (v128.or (local.get $isY) (i16x8.splat (i32.sub (i32.const 0) (local.get $cdOk)))))
                ${[1, 2, 4].map((k) => `(local.set $om (v128.or (local.get $om) (i8x16.shuffle ${shiftLanes(k)} (local.get $om) (v128.const i32x4 0 0 0 0))))`).join('\n                ')}
                (local.set $m (i16x8.bitmask (v128.and (local.get $om)
                  (i16x8.eq (local.get $vt) (v128.const i16x8 ${splat8(2)})))))
                (local.set $idx (v128.load (i32.add (i32.const ${COMPACT_TABLE}) (i32.shl (local.get $m) (i32.const 4)))))
                (v128.store align=1 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1)))
                  (i8x16.swizzle (local.get $v11) (local.get $idx)))
                (v128.store align=1 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1)))
                  (i8x16.swizzle (local.get $ys) (local.get $idx)))
                (i64.store align=1 (i32.add (local.get $p) (local.get $cnt))
                  (i64x2.extract_lane 0 (i8x16.narrow_i16x8_u
                    (i8x16.swizzle (v128.and (i16x8.shr_u (local.get $v) (i32.const 11)) (v128.const i16x8 ${splat8(1)})) (local.get $idx))
                    (local.get $v))))
                ;; times: highTime + low, four f64 pairs
                (local.set $c (i8x16.swizzle (local.get $ls) (local.get $idx)))
                (local.set $hts (f64x2.splat (local.get $highTime)))
                (local.set $v (i32x4.extend_low_i16x8_u (local.get $c)))
                (local.set $c (i32x4.extend_high_i16x8_u (local.get $c)))
                (local.set $a (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3))))
                (v128.store align=1 (local.get $a) (f64x2.add (local.get $hts) (f64x2.convert_low_i32x4_u (local.get $v))))
                (v128.store offset=16 align=1 (local.get $a) (f64x2.add (local.get $hts)
                  (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
                (v128.store offset=32 align=1 (local.get $a) (f64x2.add (local.get $hts) (f64x2.convert_low_i32x4_u (local.get $c))))
                (v128.store offset=48 align=1 (local.get $a) (f64x2.add (local.get $hts)
                  (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))))
                (local.set $cnt (i32.add (local.get $cnt) (i32.popcnt (local.get $m))))
                (local.set $yy (i16x8.extract_lane_u 7 (local.get $ys)))
                (local.set $low (i16x8.extract_lane_u 7 (local.get $ls)))
                (local.set $cdOk (i32.and (i16x8.extract_lane_u 7 (local.get $om)) (i32.const 1)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $words)))))
        (local.set $word (i32.load16_u (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 1)))))
        (local.set $type (i32.shr_u (local.get $word) (i32.const 12)))
        (block $next
          ;; ADDR_X (2), ADDR_Y (0), TIME_LOW (6) and the ignored types arrive in no
          ;; predictable order: folded in without branches, every such word writes a
          ;; candidate event that only an ADDR_X after an ADDR_Y keeps. 0x13a is the
          ;; set of the other types: EM (1), VECT_BASE_X (3), VECT_12 (4), VECT_8 (5), TIME_HIGH (8).
          (if (i32.eqz (i32.and (i32.shr_u (i32.const 0x13a) (local.get $type)) (i32.const 1)))
            (then
              (local.set $low (select (i32.and (local.get $word) (i32.const 0xfff)) (local.get $low) (i32.eq (local.get $type) (i32.const 6))))
              (f64.store (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3)))
                (f64.add (local.get $highTime) (f64.convert_i32_u (local.get $low))))
              (i32.store16 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1))) (i32.and (local.get $word) (i32.const 0x7ff)))
              (i32.store16 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1))) (local.get $yy))
              (i32.store8 (i32.add (local.get $p) (local.get $cnt)) (i32.and (i32.shr_u (local.get $word) (i32.const 11)) (i32.const 1)))
              (local.set $cnt (i32.add (local.get $cnt) (i32.and (i32.eq (local.get $type) (i32.const 2)) (local.get $cdOk))))
              (local.set $yy (select (i32.and (local.get $word) (i32.const 0x7ff)) (local.get $yy) (i32.eqz (local.get $type))))
              (local.set $cdOk (i32.or (local.get $cdOk) (i32.eqz (local.get $type))))
              (br $next)))
          (if (i32.eq (local.get $type) (i32.const 8))
            (then ;; TIME_HIGH
              (local.set $h (i32.and (local.get $word) (i32.const 0xfff)))
              (local.set $ht (f64.add (f64.convert_i32_u (i32.shl (local.get $h) (i32.const 12))) (local.get $loopShift)))
              (if (i32.and (f64.lt (local.get $ht) (local.get $highTime))
                           (f64.ge (f64.sub (local.get $highTime) (local.get $ht)) (f64.const 16732160)))
                (then
                  (local.set $loopShift (f64.add (local.get $loopShift) (f64.const 16777216)))
                  (local.set $ht (f64.add (local.get $ht) (f64.const 16777216)))
                  (if (f64.gt (local.get $ht) (f64.const 9007199254736895))
                    (then
                      (i32.store (i32.const 48) (local.get $i))
                      (br $stop)))))
              (if (i32.ne (local.get $h) (local.get $lastHigh)) (then (local.set $low (i32.const 0))))
              (local.set $lastHigh (local.get $h))
              (local.set $highTime (local.get $ht))
              (br $next)))
          (if (i32.eq (local.get $type) (i32.const 1))
            (then ;; EM ADDR_Y: what follows is not CD
              (local.set $cdOk (i32.const 0))
              (br $next)))
          (if (i32.eq (local.get $type) (i32.const 3))
            (then ;; VECT_BASE_X
              (local.set $baseX (i32.and (local.get $word) (i32.const 0x7ff)))
              (local.set $vecPol (i32.and (i32.shr_u (local.get $word) (i32.const 11)) (i32.const 1)))
              (local.set $vecOk (i32.const 1))
              (br $next)))
          (if (i32.or (i32.eq (local.get $type) (i32.const 4)) (i32.eq (local.get $type) (i32.const 5)))
            (then ;; VECT_12 / VECT_8
              (local.set $m (i32.and (local.get $word) (select (i32.const 0xfff) (i32.const 0xff) (i32.eq (local.get $type) (i32.const 4)))))
              (if (i32.eqz (i32.and (local.get $cdOk) (local.get $vecOk))) (then (local.set $m (i32.const 0))))
              (local.set $tt (f64.add (local.get $highTime) (f64.convert_i32_u (local.get $low))))
              (block $bitsDone
                (loop $bits
                  (br_if $bitsDone (i32.eqz (local.get $m)))
                  (f64.store (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3))) (local.get $tt))
                  (i32.store16 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1))) (i32.add (local.get $baseX) (i32.ctz (local.get $m))))
                  (i32.store16 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1))) (local.get $yy))
                  (i32.store8 (i32.add (local.get $p) (local.get $cnt)) (local.get $vecPol))
                  (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
                  (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                  (br $bits)))
              (local.set $baseX (i32.and (i32.add (local.get $baseX) (select (i32.const 12) (i32.const 8) (i32.eq (local.get $type) (i32.const 4)))) (i32.const 0xffff)))))
          ;; other word types carry no CD event
        )
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $words)))
    (f64.store (i32.const 0) (local.get $highTime))
    (f64.store (i32.const 8) (local.get $loopShift))
    (i32.store (i32.const 16) (local.get $lastHigh))
    (i32.store (i32.const 20) (local.get $low))
    (i32.store (i32.const 24) (local.get $yy))
    (i32.store (i32.const 28) (local.get $cdOk))
    (i32.store (i32.const 32) (local.get $baseX))
    (i32.store (i32.const 36) (local.get $vecPol))
    (i32.store (i32.const 40) (local.get $vecOk))
    (i32.store (i32.const 44) (local.get $cnt))
    (local.get $i))

  (data (i32.const ${COMPACT_TABLE}) "${compactTable()}")

  (func (export "evt2") (param $w i32) (param $n i32) (param $i i32)
      (param $t i32) (param $x i32) (param $y i32) (param $p i32) (param $room i32) (result i32)
    (local $base f64) (local $loopShift f64) (local $th f64) (local $end i32) (local $cnt i32) (local $word i32) (local $type i32)
    (local.set $base (f64.load (i32.const 0)))
    (local.set $loopShift (f64.load (i32.const 8)))
    (local.set $end (select (local.get $n) (i32.add (local.get $i) (local.get $room))
      (i32.lt_u (i32.sub (local.get $n) (local.get $i)) (local.get $room))))
    (i32.store (i32.const 48) (i32.const -1))
    (block $stop
      (loop $words
        (br_if $stop (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $word (i32.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $type (i32.shr_u (local.get $word) (i32.const 28)))
        (if (i32.lt_u (local.get $type) (i32.const 2))
          (then ;; CD_OFF / CD_ON
            (f64.store (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3)))
              (f64.add (local.get $base) (f64.convert_i32_u (i32.and (i32.shr_u (local.get $word) (i32.const 22)) (i32.const 63)))))
            (i32.store16 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1))) (i32.and (i32.shr_u (local.get $word) (i32.const 11)) (i32.const 2047)))
            (i32.store16 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1))) (i32.and (local.get $word) (i32.const 2047)))
            (i32.store8 (i32.add (local.get $p) (local.get $cnt)) (local.get $type))
            (local.set $cnt (i32.add (local.get $cnt) (i32.const 1))))
          (else
            (if (i32.eq (local.get $type) (i32.const 8))
              (then ;; TIME_HIGH: bits 33-6 of the time; a fall of ≥ 2^34 − 64 − 10000 µs is a clock loop
                (local.set $th (f64.add (f64.mul (f64.convert_i32_u (i32.and (local.get $word) (i32.const 0x0fffffff))) (f64.const 64)) (local.get $loopShift)))
                (if (i32.and (f64.lt (local.get $th) (local.get $base))
                             (f64.ge (f64.sub (local.get $base) (local.get $th)) (f64.const 17179859120)))
                  (then
                    (local.set $loopShift (f64.add (local.get $loopShift) (f64.const 17179869184)))
                    (local.set $th (f64.add (local.get $th) (f64.const 17179869184)))
                    (if (f64.gt (local.get $th) (f64.const 9007199254740927))
                      (then
                        (i32.store (i32.const 48) (local.get $i))
                        (br $stop)))))
                (local.set $base (local.get $th))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $words)))
    (f64.store (i32.const 0) (local.get $base))
    (f64.store (i32.const 8) (local.get $loopShift))
    (i32.store (i32.const 44) (local.get $cnt))
    (local.get $i))

  (func (export "dat") (param $w i32) (param $n i32) (param $i i32)
      (param $t i32) (param $x i32) (param $y i32) (param $p i32) (param $room i32) (result i32)
    (local $end i32) (local $cnt i32) (local $a i32) (local $word i32) (local $ts v128) (local $ws v128)
    (local.set $end (select (local.get $n) (i32.add (local.get $i) (i32.shl (local.get $room) (i32.const 1)))
      (i32.lt_u (i32.shr_u (i32.sub (local.get $n) (local.get $i)) (i32.const 1)) (local.get $room))))
    (block $stop
      (loop $events
        (br_if $stop (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
        ;; four events at once with SIMD: times and words gathered into lanes, fields masked,
        ;; narrowed and stored together
        (if (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $end))
          (then
            (local.set $a (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $ts (v128.load offset=16 align=1 (local.get $a)))
            (local.set $ws (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (v128.load align=1 (local.get $a)) (local.get $ts)))
            (local.set $ts (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load align=1 (local.get $a)) (local.get $ts)))
            (local.set $a (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3))))
            (v128.store align=1 (local.get $a) (f64x2.convert_low_i32x4_u (local.get $ts)))
            (v128.store offset=16 align=1 (local.get $a)
              (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ts) (local.get $ts))))
            (local.set $ts (v128.and (local.get $ws) (v128.const i32x4 0x3fff 0x3fff 0x3fff 0x3fff)))
            (i64.store align=1 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1)))
              (i64x2.extract_lane 0 (i16x8.narrow_i32x4_u (local.get $ts) (local.get $ts))))
            (local.set $ts (v128.and (i32x4.shr_u (local.get $ws) (i32.const 14)) (v128.const i32x4 0x3fff 0x3fff 0x3fff 0x3fff)))
            (i64.store align=1 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1)))
              (i64x2.extract_lane 0 (i16x8.narrow_i32x4_u (local.get $ts) (local.get $ts))))
            (local.set $ts (v128.and (i32x4.shr_u (local.get $ws) (i32.const 28)) (v128.const i32x4 1 1 1 1)))
            (local.set $ts (i16x8.narrow_i32x4_u (local.get $ts) (local.get $ts)))
            (i32.store align=1 (i32.add (local.get $p) (local.get $cnt))
              (i32x4.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $ts) (local.get $ts))))
            (local.set $cnt (i32.add (local.get $cnt) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $events)))
        (local.set $a (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $word (i32.load offset=4 (local.get $a)))
        (f64.store (i32.add (local.get $t) (i32.shl (local.get $cnt) (i32.const 3))) (f64.convert_i32_u (i32.load (local.get $a))))
        (i32.store16 (i32.add (local.get $x) (i32.shl (local.get $cnt) (i32.const 1))) (i32.and (local.get $word) (i32.const 0x3fff)))
        (i32.store16 (i32.add (local.get $y) (i32.shl (local.get $cnt) (i32.const 1))) (i32.and (i32.shr_u (local.get $word) (i32.const 14)) (i32.const 0x3fff)))
        (i32.store8 (i32.add (local.get $p) (local.get $cnt)) (i32.and (i32.shr_u (local.get $word) (i32.const 28)) (i32.const 1)))
        (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $events)))
    (i32.store (i32.const 44) (local.get $cnt))
    (i32.store (i32.const 48) (i32.const -1))
    (local.get $i))
)
`;
