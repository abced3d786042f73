/**
 * WebAssembly source of the time-channel binner's counting loop (bin-kernel.ts
 * runs it): the loop of binRun in time-channel.ts, instruction for
 * instruction, without the JavaScript bounds checks that cost it half its
 * speed. Built into bin-kernel-binary.ts with wabt's wat2wasm;
 * test/frames/bin-kernel.test.ts fails if the committed binary is stale
 * (regenerate: node --import tsx test/frames/bin-kernel.test.ts --write).
 *
 * count(X, Y, P, n, sw1, sh1, xOff, yOff, pm, buf, chBase, clip1, out): events
 * [0, n) at X, Y (u16) and P (u8); xOff / yOff i32 tables (−1 outside the ROI);
 * adds to the counts of buf (u8, saturating at clip1 + 1) and writes i32
 * out[0..4] = outside the sensor, outside the ROI, kept ON, saturated, saturated ON.
 * It also marks the 4 KB page of buf that each count lands in: byte
 * map + (offset in buf >> 12) becomes 1 (so only the pages written need
 * clearing and copying).
 *
 * count2(…, out, map, buf2, chBase2, out2, map2): the same events counted into a second
 * window too (sliding windows: an event lies in two), in one pass — the loads
 * and the address arithmetic, most of an event's cost, are shared. The second
 * window's saturation tallies go to out2[0..1] (saturated, saturated ON); the
 * other tallies are the same for both windows.
 */
/** One window's count of the current event (suffix '' or '2'): the loop body both functions share. */
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

/** count (one window) or count2 (two): the same loop, the second window's count added. */
function countFunc(two: boolean): string {
  return String.raw`
  (func (export "${two ? 'count2' : 'count'}") (param $X i32) (param $Y i32) (param $P i32) (param $n i32) (param $sw1 i32) (param $sh1 i32)
      (param $xOff i32) (param $yOff i32) (param $pm i32) (param $buf i32) (param $chBase i32) (param $clip1 i32) (param $out i32) (param $map i32)
      ${two ? '(param $buf2 i32) (param $chBase2 i32) (param $out2 i32) (param $map2 i32)' : ''}
    (local $j i32) (local $x i32) (local $y i32) (local $xo i32) (local $yo i32) (local $pp i32) (local $a i32) (local $v i32) (local $s i32)
    (local $oob i32) (local $roi i32) (local $keptOn i32) (local $sat i32) (local $satOn i32) (local $pix i32) (local $rel i32)
    ${two ? '(local $sat2 i32) (local $satOn2 i32)' : ''}
    (if (i32.gt_u (local.get $n) (i32.const 0)) (then
    (loop $events
        (local.set $x (i32.load16_u (i32.add (local.get $X) (i32.shl (local.get $j) (i32.const 1)))))
        (local.set $y (i32.load16_u (i32.add (local.get $Y) (i32.shl (local.get $j) (i32.const 1)))))
        (block $next
          (if (i32.lt_s (i32.or (i32.sub (local.get $sw1) (local.get $x)) (i32.sub (local.get $sh1) (local.get $y))) (i32.const 0))
            (then
              (local.set $oob (i32.add (local.get $oob) (i32.const 1)))
              (br $next)))
          (local.set $xo (i32.load (i32.add (local.get $xOff) (i32.shl (local.get $x) (i32.const 2)))))
          (local.set $yo (i32.load (i32.add (local.get $yOff) (i32.shl (local.get $y) (i32.const 2)))))
          (if (i32.lt_s (i32.or (local.get $xo) (local.get $yo)) (i32.const 0))
            (then
              (local.set $roi (i32.add (local.get $roi) (i32.const 1)))
              (br $next)))
          (local.set $pp (i32.and (i32.load8_u (i32.add (local.get $P) (local.get $j))) (local.get $pm)))
          (local.set $pix (i32.add (i32.add (local.get $yo) (local.get $xo)) (local.get $pp)))
          ${countInto('')}
          ${two ? countInto('2') : ''}
          (local.set $keptOn (i32.add (local.get $keptOn) (local.get $pp))))
        ;; the loop test at the bottom (n > 0 checked before): one branch per event
        (br_if $events (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $n))))))
    (i32.store (local.get $out) (local.get $oob))
    (i32.store offset=4 (local.get $out) (local.get $roi))
    (i32.store offset=8 (local.get $out) (local.get $keptOn))
    (i32.store offset=12 (local.get $out) (local.get $sat))
    (i32.store offset=16 (local.get $out) (local.get $satOn))
    ${two ? '(i32.store (local.get $out2) (local.get $sat2)) (i32.store offset=4 (local.get $out2) (local.get $satOn2))' : ''})`;
}

export const BIN_KERNEL_WAT = `
(module
  (import "env" "memory" (memory 1))
${countFunc(false)}
${countFunc(true)}
)
`;
