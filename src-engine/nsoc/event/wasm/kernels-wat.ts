/**
 * WebAssembly (SIMD) source of the event path's hot loops. Built into
 * kernels-binary.ts with wabt's wat2wasm (npm `wabt`, dev dependency); the
 * test test/nsoc/runtime-wasm.test.ts rebuilds it and fails if the committed
 * binary is stale (regenerate: node --import tsx test/nsoc/runtime-wasm.test.ts --write).
 *
 * Memory conventions (all pointers are byte offsets; see wasm-executor.ts):
 * - activations: uint8 HWC with the channel count padded to a multiple of 16
 *   (pad channels are always zero, so they never produce events), except the
 *   model input, whose channel stride is its real channel count;
 * - event lists: (index i32, value i32) pairs;
 * - potentials: int32 [H][W][coutP], coutP = cout padded to a multiple of 16;
 * - weights: int16 rows of coutP (widened to int32 lanes on load);
 * - activation levels: int32 [k][CP], level k = ⌊(T + k·s)/16⌋ + 1, so that the
 *   activation ⌈(16p − T)/s⌉ capped at 2^b − 1 is the number of levels p reaches;
 * - layers whose worst-case potential fits int16 use int16 potentials and
 *   levels (conv16, poolActivate16): twice the lanes per instruction.
 * Every buffer a 16-byte load touches is allocated padded to 16 bytes.
 */
export const KERNELS_WAT = String.raw`
(module
  (import "env" "memory" (memory 1))

  ;; Lists the non-zero bytes of [src, src + len) as (index, value) pairs at dst,
  ;; 16 bytes at a time: all-zero chunks cost one test, others one bit per
  ;; event (the chunk's non-zero lanes as a bit mask). Returns the number of events.
  (func (export "scan") (param $src i32) (param $len i32) (param $dst i32) (result i32)
    (local $i i32) (local $k i32) (local $mask i32) (local $p i32)
    (local.set $p (local.get $dst))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $mask (i8x16.bitmask (i8x16.ne (v128.load (i32.add (local.get $src) (local.get $i))) (v128.const i32x4 0 0 0 0))))
        (block $bitsEnd
          (loop $bits
            (br_if $bitsEnd (i32.eqz (local.get $mask)))
            (local.set $k (i32.add (local.get $i) (i32.ctz (local.get $mask))))
            (br_if $bitsEnd (i32.ge_u (local.get $k) (local.get $len)))
            (i32.store (local.get $p) (local.get $k))
            (i32.store offset=4 (local.get $p) (i32.load8_u (i32.add (local.get $src) (local.get $k))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $bits)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $chunks)))
    (i32.shr_u (i32.sub (local.get $p) (local.get $dst)) (i32.const 3)))

  ;; Counts, without listing anything, what a delta layer chooses by: the bytes
  ;; of [src, src + len) that differ from the reference input [ref, …) (the
  ;; return value), and what the plain event path would do with src, at out:
  ;; its non-zero bytes (i32) and, at out + 8, their synaptic operations (f64),
  ;; a 16-byte chunk's non-zero bytes times chunkOps[chunk] (taps × cout of its
  ;; pixel; the channel stride is a multiple of 16, so a chunk is in one pixel).
  (func (export "countDiff") (param $src i32) (param $ref i32) (param $len i32) (param $chunkOps i32) (param $out i32) (result i32)
    (local $i i32) (local $nz i32) (local $nnz i32) (local $diff i32) (local $ops f64) (local $a v128)
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $a (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $nz (i32.popcnt (i8x16.bitmask (i8x16.ne (local.get $a) (v128.const i32x4 0 0 0 0)))))
        (if (local.get $nz)
          (then
            (local.set $nnz (i32.add (local.get $nnz) (local.get $nz)))
            (local.set $ops (f64.add (local.get $ops) (f64.convert_i32_u
              (i32.mul (local.get $nz) (i32.load (i32.add (local.get $chunkOps) (i32.shr_u (local.get $i) (i32.const 2))))))))))
        (local.set $diff (i32.add (local.get $diff)
          (i32.popcnt (i8x16.bitmask (i8x16.ne (local.get $a) (v128.load (i32.add (local.get $ref) (local.get $i))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $chunks)))
    (i32.store (local.get $out) (local.get $nnz))
    (f64.store offset=8 (local.get $out) (local.get $ops))
    (local.get $diff))

  ;; Lists where [src, src + len) differs from [ref, …) as (index, src − ref)
  ;; pairs at dst: a delta layer's events (see wasm-executor.ts). Returns their number.
  (func (export "scanDiff") (param $src i32) (param $ref i32) (param $len i32) (param $dst i32) (result i32)
    (local $i i32) (local $k i32) (local $mask i32) (local $p i32)
    (local.set $p (local.get $dst))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $mask (i8x16.bitmask (i8x16.ne
          (v128.load (i32.add (local.get $src) (local.get $i)))
          (v128.load (i32.add (local.get $ref) (local.get $i))))))
        (block $bitsEnd
          (loop $bits
            (br_if $bitsEnd (i32.eqz (local.get $mask)))
            (local.set $k (i32.add (local.get $i) (i32.ctz (local.get $mask))))
            (br_if $bitsEnd (i32.ge_u (local.get $k) (local.get $len)))
            (i32.store (local.get $p) (local.get $k))
            (i32.store offset=4 (local.get $p) (i32.sub
              (i32.load8_u (i32.add (local.get $src) (local.get $k)))
              (i32.load8_u (i32.add (local.get $ref) (local.get $k)))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $bits)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $chunks)))
    (i32.shr_u (i32.sub (local.get $p) (local.get $dst)) (i32.const 3)))

  ;; The largest byte of [src, src + len) (the 16-byte padding is zero).
  (func (export "maxByte") (param $src i32) (param $len i32) (result i32)
    (local $i i32) (local $m v128)
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $m (i8x16.max_u (local.get $m) (v128.load (i32.add (local.get $src) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $chunks)))
    ;; fold the 16 lanes
    (local.set $m (i8x16.max_u (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 0 0 0 0 0 0 0 (local.get $m) (local.get $m))))
    (local.set $m (i8x16.max_u (local.get $m) (i8x16.shuffle 4 5 6 7 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $m) (local.get $m))))
    (local.set $m (i8x16.max_u (local.get $m) (i8x16.shuffle 2 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $m) (local.get $m))))
    (local.set $m (i8x16.max_u (local.get $m) (i8x16.shuffle 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $m) (local.get $m))))
    (i8x16.extract_lane_u 0 (local.get $m)))

  ;; Convolution scatter. Events are grouped by input pixel; for every block of
  ;; 16 output channels and every tap (ky, kx) that reaches an output, the 16
  ;; potentials stay in four registers while each of the pixel's events adds
  ;; value × W[ky][kx][c][block]. Returns the synaptic operations executed
  ;; (taps × events × cout, pad channels excluded).
  (func (export "conv")
    (param $ev i32) (param $n i32) (param $inCS i32) (param $inW i32)
    (param $rowStart i32) (param $rowTap i32) (param $rowOut i32)
    (param $colStart i32) (param $colTap i32) (param $colOut i32)
    (param $kw i32) (param $inC i32) (param $outW i32) (param $coutP i32) (param $cout i32)
    (param $w i32) (param $acc i32)
    (result f64)
    (local $i i32) (local $j i32) (local $pix i32) (local $pixBase i32) (local $pixEnd i32)
    (local $y i32) (local $x i32) (local $ry i32) (local $ry0 i32) (local $ry1 i32)
    (local $rx i32) (local $cx0 i32) (local $cx1 i32) (local $blk i32)
    (local $rowAcc i32) (local $rowW i32) (local $accA i32) (local $wTap i32) (local $e i32) (local $eEnd i32)
    (local $wA i32) (local $coutP2 i32) (local $ops f64)
    (local $a v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $coutP2 (i32.shl (local.get $coutP) (i32.const 1)))
    (block $end
      (loop $pixels
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pix (i32.div_u (i32.load (i32.add (local.get $ev) (i32.shl (local.get $i) (i32.const 3)))) (local.get $inCS)))
        (local.set $pixBase (i32.mul (local.get $pix) (local.get $inCS)))
        (local.set $pixEnd (i32.add (local.get $pixBase) (local.get $inCS)))
        ;; j: first event of the next pixel
        (local.set $j (i32.add (local.get $i) (i32.const 1)))
        (block $runEnd
          (loop $run
            (br_if $runEnd (i32.ge_u (local.get $j) (local.get $n)))
            (br_if $runEnd (i32.ge_u (i32.load (i32.add (local.get $ev) (i32.shl (local.get $j) (i32.const 3)))) (local.get $pixEnd)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $run)))
        (local.set $y (i32.div_u (local.get $pix) (local.get $inW)))
        (local.set $x (i32.sub (local.get $pix) (i32.mul (local.get $y) (local.get $inW))))
        (local.set $ry0 (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $ry1 (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $cx0 (i32.load (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $cx1 (i32.load offset=4 (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $ops (f64.add (local.get $ops)
          (f64.mul
            (f64.convert_i32_u (i32.mul (i32.sub (local.get $ry1) (local.get $ry0)) (i32.sub (local.get $cx1) (local.get $cx0))))
            (f64.convert_i32_u (i32.mul (i32.sub (local.get $j) (local.get $i)) (local.get $cout))))))
        (local.set $eEnd (i32.add (local.get $ev) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $blk (i32.const 0))
        (block $blocksEnd
          (loop $blocks
            (br_if $blocksEnd (i32.ge_u (local.get $blk) (local.get $coutP)))
            (local.set $ry (local.get $ry0))
            (block $rowsEnd
              (loop $rows
                (br_if $rowsEnd (i32.ge_u (local.get $ry) (local.get $ry1)))
                (local.set $rowAcc (i32.mul (i32.load (i32.add (local.get $rowOut) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $outW)))
                (local.set $rowW (i32.mul (i32.load (i32.add (local.get $rowTap) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $kw)))
                (local.set $rx (local.get $cx0))
                (block $colsEnd
                  (loop $cols
                    (br_if $colsEnd (i32.ge_u (local.get $rx) (local.get $cx1)))
                    (local.set $accA (i32.add (local.get $acc) (i32.shl
                      (i32.add (i32.mul (i32.add (local.get $rowAcc) (i32.load (i32.add (local.get $colOut) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $coutP)) (local.get $blk))
                      (i32.const 2))))
                    (local.set $wTap (i32.add (local.get $w) (i32.shl
                      (i32.add (i32.mul (i32.mul (i32.add (local.get $rowW) (i32.load (i32.add (local.get $colTap) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $inC)) (local.get $coutP)) (local.get $blk))
                      (i32.const 1))))
                    (local.set $s0 (v128.load (local.get $accA)))
                    (local.set $s1 (v128.load offset=16 (local.get $accA)))
                    (local.set $s2 (v128.load offset=32 (local.get $accA)))
                    (local.set $s3 (v128.load offset=48 (local.get $accA)))
                    (local.set $e (i32.add (local.get $ev) (i32.shl (local.get $i) (i32.const 3))))
                    (loop $events
                      (local.set $wA (i32.add (local.get $wTap) (i32.mul (i32.sub (i32.load (local.get $e)) (local.get $pixBase)) (local.get $coutP2))))
                      (local.set $a (i32x4.splat (i32.load offset=4 (local.get $e))))
                      (local.set $s0 (i32x4.add (local.get $s0) (i32x4.mul (local.get $a) (v128.load16x4_s (local.get $wA)))))
                      (local.set $s1 (i32x4.add (local.get $s1) (i32x4.mul (local.get $a) (v128.load16x4_s offset=8 (local.get $wA)))))
                      (local.set $s2 (i32x4.add (local.get $s2) (i32x4.mul (local.get $a) (v128.load16x4_s offset=16 (local.get $wA)))))
                      (local.set $s3 (i32x4.add (local.get $s3) (i32x4.mul (local.get $a) (v128.load16x4_s offset=24 (local.get $wA)))))
                      (local.set $e (i32.add (local.get $e) (i32.const 8)))
                      (br_if $events (i32.lt_u (local.get $e) (local.get $eEnd))))
                    (v128.store (local.get $accA) (local.get $s0))
                    (v128.store offset=16 (local.get $accA) (local.get $s1))
                    (v128.store offset=32 (local.get $accA) (local.get $s2))
                    (v128.store offset=48 (local.get $accA) (local.get $s3))
                    (local.set $rx (i32.add (local.get $rx) (i32.const 1)))
                    (br $cols)))
                (local.set $ry (i32.add (local.get $ry) (i32.const 1)))
                (br $rows)))
            (local.set $blk (i32.add (local.get $blk) (i32.const 16)))
            (br $blocks)))
        (local.set $i (local.get $j))
        (br $pixels)))
    (local.get $ops))

  ;; The same scatter with int16 potentials (two registers per 16 channels,
  ;; eight lanes per instruction), for layers whose worst-case potential —
  ;; every partial sum included — fits int16 (runtime-plan.ts proves it).
  (func (export "conv16")
    (param $ev i32) (param $n i32) (param $inCS i32) (param $inW i32)
    (param $rowStart i32) (param $rowTap i32) (param $rowOut i32)
    (param $colStart i32) (param $colTap i32) (param $colOut i32)
    (param $kw i32) (param $inC i32) (param $outW i32) (param $coutP i32) (param $cout i32)
    (param $w i32) (param $acc i32)
    (result f64)
    (local $i i32) (local $j i32) (local $pix i32) (local $pixBase i32) (local $pixEnd i32)
    (local $y i32) (local $x i32) (local $ry i32) (local $ry0 i32) (local $ry1 i32)
    (local $rx i32) (local $cx0 i32) (local $cx1 i32) (local $blk i32)
    (local $rowAcc i32) (local $rowW i32) (local $accA i32) (local $wTap i32) (local $e i32) (local $eEnd i32)
    (local $wA i32) (local $coutP2 i32) (local $ops f64)
    (local $a v128) (local $s0 v128) (local $s1 v128)
    (local.set $coutP2 (i32.shl (local.get $coutP) (i32.const 1)))
    (block $end
      (loop $pixels
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pix (i32.div_u (i32.load (i32.add (local.get $ev) (i32.shl (local.get $i) (i32.const 3)))) (local.get $inCS)))
        (local.set $pixBase (i32.mul (local.get $pix) (local.get $inCS)))
        (local.set $pixEnd (i32.add (local.get $pixBase) (local.get $inCS)))
        ;; j: first event of the next pixel
        (local.set $j (i32.add (local.get $i) (i32.const 1)))
        (block $runEnd
          (loop $run
            (br_if $runEnd (i32.ge_u (local.get $j) (local.get $n)))
            (br_if $runEnd (i32.ge_u (i32.load (i32.add (local.get $ev) (i32.shl (local.get $j) (i32.const 3)))) (local.get $pixEnd)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $run)))
        (local.set $y (i32.div_u (local.get $pix) (local.get $inW)))
        (local.set $x (i32.sub (local.get $pix) (i32.mul (local.get $y) (local.get $inW))))
        (local.set $ry0 (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $ry1 (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $cx0 (i32.load (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $cx1 (i32.load offset=4 (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $ops (f64.add (local.get $ops)
          (f64.mul
            (f64.convert_i32_u (i32.mul (i32.sub (local.get $ry1) (local.get $ry0)) (i32.sub (local.get $cx1) (local.get $cx0))))
            (f64.convert_i32_u (i32.mul (i32.sub (local.get $j) (local.get $i)) (local.get $cout))))))
        (local.set $eEnd (i32.add (local.get $ev) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $blk (i32.const 0))
        (block $blocksEnd
          (loop $blocks
            (br_if $blocksEnd (i32.ge_u (local.get $blk) (local.get $coutP)))
            (local.set $ry (local.get $ry0))
            (block $rowsEnd
              (loop $rows
                (br_if $rowsEnd (i32.ge_u (local.get $ry) (local.get $ry1)))
                (local.set $rowAcc (i32.mul (i32.load (i32.add (local.get $rowOut) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $outW)))
                (local.set $rowW (i32.mul (i32.load (i32.add (local.get $rowTap) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $kw)))
                (local.set $rx (local.get $cx0))
                (block $colsEnd
                  (loop $cols
                    (br_if $colsEnd (i32.ge_u (local.get $rx) (local.get $cx1)))
                    (local.set $accA (i32.add (local.get $acc) (i32.shl
                      (i32.add (i32.mul (i32.add (local.get $rowAcc) (i32.load (i32.add (local.get $colOut) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $coutP)) (local.get $blk))
                      (i32.const 1))))
                    (local.set $wTap (i32.add (local.get $w) (i32.shl
                      (i32.add (i32.mul (i32.mul (i32.add (local.get $rowW) (i32.load (i32.add (local.get $colTap) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $inC)) (local.get $coutP)) (local.get $blk))
                      (i32.const 1))))
                    (local.set $s0 (v128.load (local.get $accA)))
                    (local.set $s1 (v128.load offset=16 (local.get $accA)))
                    (local.set $e (i32.add (local.get $ev) (i32.shl (local.get $i) (i32.const 3))))
                    (loop $events
                      (local.set $wA (i32.add (local.get $wTap) (i32.mul (i32.sub (i32.load (local.get $e)) (local.get $pixBase)) (local.get $coutP2))))
                      (local.set $a (i16x8.splat (i32.load offset=4 (local.get $e))))
                      (local.set $s0 (i16x8.add (local.get $s0) (i16x8.mul (local.get $a) (v128.load (local.get $wA)))))
                      (local.set $s1 (i16x8.add (local.get $s1) (i16x8.mul (local.get $a) (v128.load offset=16 (local.get $wA)))))
                      (local.set $e (i32.add (local.get $e) (i32.const 8)))
                      (br_if $events (i32.lt_u (local.get $e) (local.get $eEnd))))
                    (v128.store (local.get $accA) (local.get $s0))
                    (v128.store offset=16 (local.get $accA) (local.get $s1))
                    (local.set $rx (i32.add (local.get $rx) (i32.const 1)))
                    (br $cols)))
                (local.set $ry (i32.add (local.get $ry) (i32.const 1)))
                (br $rows)))
            (local.set $blk (i32.add (local.get $blk) (i32.const 16)))
            (br $blocks)))
        (local.set $i (local.get $j))
        (br $pixels)))
    (local.get $ops))

  ;; Adds value × W[index][0 … coutP) into acc for each of the n events
  ;; (weights int16 rows of coutP): the fully connected layer, and the
  ;; pointwise half of a separable layer.
  (func $rows (export "rows") (param $ev i32) (param $n i32) (param $coutP i32) (param $w i32) (param $acc i32)
    (local $blk i32) (local $accA i32) (local $e i32) (local $eEnd i32) (local $wA i32) (local $coutP2 i32)
    (local $a v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $coutP2 (i32.shl (local.get $coutP) (i32.const 1)))
    (local.set $eEnd (i32.add (local.get $ev) (i32.shl (local.get $n) (i32.const 3))))
    (block $blocksEnd
      (loop $blocks
        (br_if $blocksEnd (i32.ge_u (local.get $blk) (local.get $coutP)))
        (local.set $accA (i32.add (local.get $acc) (i32.shl (local.get $blk) (i32.const 2))))
        (local.set $s0 (v128.load (local.get $accA)))
        (local.set $s1 (v128.load offset=16 (local.get $accA)))
        (local.set $s2 (v128.load offset=32 (local.get $accA)))
        (local.set $s3 (v128.load offset=48 (local.get $accA)))
        (local.set $e (local.get $ev))
        (loop $events
          (local.set $wA (i32.add (i32.add (local.get $w) (i32.shl (local.get $blk) (i32.const 1))) (i32.mul (i32.load (local.get $e)) (local.get $coutP2))))
          (local.set $a (i32x4.splat (i32.load offset=4 (local.get $e))))
          (local.set $s0 (i32x4.add (local.get $s0) (i32x4.mul (local.get $a) (v128.load16x4_s (local.get $wA)))))
          (local.set $s1 (i32x4.add (local.get $s1) (i32x4.mul (local.get $a) (v128.load16x4_s offset=8 (local.get $wA)))))
          (local.set $s2 (i32x4.add (local.get $s2) (i32x4.mul (local.get $a) (v128.load16x4_s offset=16 (local.get $wA)))))
          (local.set $s3 (i32x4.add (local.get $s3) (i32x4.mul (local.get $a) (v128.load16x4_s offset=24 (local.get $wA)))))
          (local.set $e (i32.add (local.get $e) (i32.const 8)))
          (br_if $events (i32.lt_u (local.get $e) (local.get $eEnd))))
        (v128.store (local.get $accA) (local.get $s0))
        (v128.store offset=16 (local.get $accA) (local.get $s1))
        (v128.store offset=32 (local.get $accA) (local.get $s2))
        (v128.store offset=48 (local.get $accA) (local.get $s3))
        (local.set $blk (i32.add (local.get $blk) (i32.const 16)))
        (br $blocks))))

  ;; Separable convolution: the depthwise sums by events (dw: int32
  ;; [position][inCS], dwW: int32 [tap][inC]), then the pointwise rows of the
  ;; non-zero sums only (pw: int16 [inC][coutP]). list: scratch for inCS pairs.
  ;; Returns the operations executed.
  (func (export "separable")
    (param $ev i32) (param $n i32) (param $inCS i32) (param $inW i32)
    (param $rowStart i32) (param $rowTap i32) (param $rowOut i32)
    (param $colStart i32) (param $colTap i32) (param $colOut i32)
    (param $kw i32) (param $inC i32) (param $outW i32) (param $positions i32)
    (param $dw i32) (param $dwW i32) (param $coutP i32) (param $cout i32) (param $pw i32) (param $acc i32) (param $list i32)
    (result f64)
    (local $e i32) (local $eEnd i32) (local $idx i32) (local $a i32) (local $pix i32) (local $c i32) (local $y i32) (local $x i32)
    (local $ry i32) (local $ry0 i32) (local $ry1 i32) (local $rx i32) (local $cx0 i32) (local $cx1 i32)
    (local $rowAcc i32) (local $rowW i32) (local $addr i32) (local $pos i32) (local $m i32) (local $d i32) (local $ops f64)
    (local.set $e (local.get $ev))
    (local.set $eEnd (i32.add (local.get $ev) (i32.shl (local.get $n) (i32.const 3))))
    (block $eventsEnd
      (loop $events
        (br_if $eventsEnd (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $idx (i32.load (local.get $e)))
        (local.set $a (i32.load offset=4 (local.get $e)))
        (local.set $pix (i32.div_u (local.get $idx) (local.get $inCS)))
        (local.set $c (i32.sub (local.get $idx) (i32.mul (local.get $pix) (local.get $inCS))))
        (local.set $y (i32.div_u (local.get $pix) (local.get $inW)))
        (local.set $x (i32.sub (local.get $pix) (i32.mul (local.get $y) (local.get $inW))))
        (local.set $ry0 (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $ry1 (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $cx0 (i32.load (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $cx1 (i32.load offset=4 (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $ops (f64.add (local.get $ops) (f64.convert_i32_u (i32.mul (i32.sub (local.get $ry1) (local.get $ry0)) (i32.sub (local.get $cx1) (local.get $cx0))))))
        (local.set $ry (local.get $ry0))
        (block $rowsEnd
          (loop $rowsL
            (br_if $rowsEnd (i32.ge_u (local.get $ry) (local.get $ry1)))
            (local.set $rowAcc (i32.mul (i32.load (i32.add (local.get $rowOut) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $outW)))
            (local.set $rowW (i32.mul (i32.load (i32.add (local.get $rowTap) (i32.shl (local.get $ry) (i32.const 2)))) (local.get $kw)))
            (local.set $rx (local.get $cx0))
            (block $colsEnd
              (loop $cols
                (br_if $colsEnd (i32.ge_u (local.get $rx) (local.get $cx1)))
                (local.set $addr (i32.add (local.get $dw) (i32.shl
                  (i32.add (i32.mul (i32.add (local.get $rowAcc) (i32.load (i32.add (local.get $colOut) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $inCS)) (local.get $c))
                  (i32.const 2))))
                (i32.store (local.get $addr) (i32.add (i32.load (local.get $addr))
                  (i32.mul (local.get $a) (i32.load (i32.add (local.get $dwW) (i32.shl
                    (i32.add (i32.mul (i32.add (local.get $rowW) (i32.load (i32.add (local.get $colTap) (i32.shl (local.get $rx) (i32.const 2))))) (local.get $inC)) (local.get $c))
                    (i32.const 2)))))))
                (local.set $rx (i32.add (local.get $rx) (i32.const 1)))
                (br $cols)))
            (local.set $ry (i32.add (local.get $ry) (i32.const 1)))
            (br $rowsL)))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (br $events)))
    ;; pointwise over the non-zero depthwise sums of each position
    (block $posEnd
      (loop $positionsL
        (br_if $posEnd (i32.ge_u (local.get $pos) (local.get $positions)))
        (local.set $m (i32.const 0))
        (local.set $c (i32.const 0))
        (block $chEnd
          (loop $channels
            (br_if $chEnd (i32.ge_u (local.get $c) (local.get $inCS)))
            (local.set $d (i32.load (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul (local.get $pos) (local.get $inCS)) (local.get $c)) (i32.const 2)))))
            (if (local.get $d)
              (then
                (i32.store (i32.add (local.get $list) (i32.shl (local.get $m) (i32.const 3))) (local.get $c))
                (i32.store offset=4 (i32.add (local.get $list) (i32.shl (local.get $m) (i32.const 3))) (local.get $d))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $channels)))
        (local.set $ops (f64.add (local.get $ops) (f64.convert_i32_u (i32.mul (local.get $m) (local.get $cout)))))
        (call $rows (local.get $list) (local.get $m) (local.get $coutP) (local.get $pw)
          (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $pos) (local.get $coutP)) (i32.const 2))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (br $positionsL)))
    (local.get $ops))

  ;; Max pooling (VALID; size 1 = none) fused with the activation: the max
  ;; potential of each window, for 16 channels at a time, counted against the
  ;; channel's activation levels, narrowed to uint8 and stored. A window whose
  ;; potentials are all zero (no event reached it) takes the outputs of a zero
  ;; potential from $zero (coutP bytes; not all zero when a channel's threshold
  ;; is negative, i.e. a positive bias). Returns the number of non-zero outputs.
  (func (export "poolActivate")
    (param $acc i32) (param $mw i32) (param $CP i32) (param $oh i32) (param $ow i32) (param $size i32) (param $stride i32)
    (param $lv i32) (param $levels i32) (param $out i32) (param $zero i32)
    (result i32)
    (local $py i32) (local $px i32) (local $j i32) (local $base i32) (local $dy i32) (local $dx i32) (local $addr i32)
    (local $k i32) (local $la i32) (local $outA i32) (local $events i32) (local $rowStep i32) (local $levelStep i32)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $any v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $v v128)
    (local.set $levelStep (i32.shl (local.get $CP) (i32.const 2)))
    (block $pyEnd
      (loop $pyL
        (br_if $pyEnd (i32.ge_u (local.get $py) (local.get $oh)))
        (local.set $px (i32.const 0))
        (block $pxEnd
          (loop $pxL
            (br_if $pxEnd (i32.ge_u (local.get $px) (local.get $ow)))
            (local.set $base (i32.mul (i32.add (i32.mul (i32.mul (local.get $py) (local.get $stride)) (local.get $mw)) (i32.mul (local.get $px) (local.get $stride))) (local.get $CP)))
            (local.set $outA (i32.add (local.get $out) (i32.mul (i32.add (i32.mul (local.get $py) (local.get $ow)) (local.get $px)) (local.get $CP))))
            (local.set $j (i32.const 0))
            (block $jEnd
              (loop $jL
                (br_if $jEnd (i32.ge_u (local.get $j) (local.get $CP)))
                (local.set $addr (i32.add (local.get $acc) (i32.shl (i32.add (local.get $base) (local.get $j)) (i32.const 2))))
                (local.set $m0 (v128.load (local.get $addr)))
                (local.set $m1 (v128.load offset=16 (local.get $addr)))
                (local.set $m2 (v128.load offset=32 (local.get $addr)))
                (local.set $m3 (v128.load offset=48 (local.get $addr)))
                (local.set $any (v128.or (v128.or (local.get $m0) (local.get $m1)) (v128.or (local.get $m2) (local.get $m3))))
                (local.set $dy (i32.const 0))
                (loop $dyL
                  (local.set $dx (i32.const 0))
                  (loop $dxL
                    (local.set $addr (i32.add (local.get $acc) (i32.shl
                      (i32.add (i32.add (local.get $base) (local.get $j)) (i32.mul (i32.add (i32.mul (local.get $dy) (local.get $mw)) (local.get $dx)) (local.get $CP)))
                      (i32.const 2))))
                    (local.set $x (v128.load (local.get $addr)))
                    (local.set $m0 (i32x4.max_s (local.get $m0) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $x (v128.load offset=16 (local.get $addr)))
                    (local.set $m1 (i32x4.max_s (local.get $m1) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $x (v128.load offset=32 (local.get $addr)))
                    (local.set $m2 (i32x4.max_s (local.get $m2) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $x (v128.load offset=48 (local.get $addr)))
                    (local.set $m3 (i32x4.max_s (local.get $m3) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
                    (br_if $dxL (i32.lt_u (local.get $dx) (local.get $size))))
                  (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
                  (br_if $dyL (i32.lt_u (local.get $dy) (local.get $size))))
                (local.set $la (i32.add (local.get $lv) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $v (v128.const i32x4 0 0 0 0))
                (if (i32.eqz (v128.any_true (local.get $any)))
                  ;; untouched window: the outputs of a zero potential
                  (then (local.set $v (v128.load (i32.add (local.get $zero) (local.get $j)))))
                ;; most windows are silent: test the first level before counting the others
                (else (if (v128.any_true (v128.or
                      (v128.or (i32x4.ge_s (local.get $m0) (v128.load (local.get $la))) (i32x4.ge_s (local.get $m1) (v128.load offset=16 (local.get $la))))
                      (v128.or (i32x4.ge_s (local.get $m2) (v128.load offset=32 (local.get $la))) (i32x4.ge_s (local.get $m3) (v128.load offset=48 (local.get $la))))))
                  (then
                    (local.set $c0 (v128.const i32x4 0 0 0 0))
                    (local.set $c1 (v128.const i32x4 0 0 0 0))
                    (local.set $c2 (v128.const i32x4 0 0 0 0))
                    (local.set $c3 (v128.const i32x4 0 0 0 0))
                    (local.set $k (i32.const 0))
                    (loop $kL
                      (local.set $c0 (i32x4.sub (local.get $c0) (i32x4.ge_s (local.get $m0) (v128.load (local.get $la)))))
                      (local.set $c1 (i32x4.sub (local.get $c1) (i32x4.ge_s (local.get $m1) (v128.load offset=16 (local.get $la)))))
                      (local.set $c2 (i32x4.sub (local.get $c2) (i32x4.ge_s (local.get $m2) (v128.load offset=32 (local.get $la)))))
                      (local.set $c3 (i32x4.sub (local.get $c3) (i32x4.ge_s (local.get $m3) (v128.load offset=48 (local.get $la)))))
                      (local.set $la (i32.add (local.get $la) (local.get $levelStep)))
                      (local.set $k (i32.add (local.get $k) (i32.const 1)))
                      (br_if $kL (i32.lt_u (local.get $k) (local.get $levels))))
                    (local.set $v (i8x16.narrow_i16x8_u
                      (i16x8.narrow_i32x4_u (local.get $c0) (local.get $c1))
                      (i16x8.narrow_i32x4_u (local.get $c2) (local.get $c3))))))))
                (local.set $events (i32.add (local.get $events)
                  (i32.popcnt (i8x16.bitmask (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0))))))
                (v128.store (i32.add (local.get $outA) (local.get $j)) (local.get $v))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $jL)))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br $pxL)))
        (local.set $py (i32.add (local.get $py) (i32.const 1)))
        (br $pyL)))
    (local.get $events))

  ;; The same over int16 potentials, with int16 levels (clamped to the int16
  ;; range, beyond any potential of such a layer), and the same $zero outputs.
  (func (export "poolActivate16")
    (param $acc i32) (param $mw i32) (param $CP i32) (param $oh i32) (param $ow i32) (param $size i32) (param $stride i32)
    (param $lv i32) (param $levels i32) (param $out i32) (param $zero i32)
    (result i32)
    (local $py i32) (local $px i32) (local $j i32) (local $base i32) (local $dy i32) (local $dx i32) (local $addr i32)
    (local $k i32) (local $la i32) (local $outA i32) (local $events i32) (local $rowStep i32) (local $levelStep i32)
    (local $m0 v128) (local $m1 v128) (local $any v128) (local $x v128) (local $c0 v128) (local $c1 v128) (local $v v128)
    (local.set $levelStep (i32.shl (local.get $CP) (i32.const 1)))
    (block $pyEnd
      (loop $pyL
        (br_if $pyEnd (i32.ge_u (local.get $py) (local.get $oh)))
        (local.set $px (i32.const 0))
        (block $pxEnd
          (loop $pxL
            (br_if $pxEnd (i32.ge_u (local.get $px) (local.get $ow)))
            (local.set $base (i32.mul (i32.add (i32.mul (i32.mul (local.get $py) (local.get $stride)) (local.get $mw)) (i32.mul (local.get $px) (local.get $stride))) (local.get $CP)))
            (local.set $outA (i32.add (local.get $out) (i32.mul (i32.add (i32.mul (local.get $py) (local.get $ow)) (local.get $px)) (local.get $CP))))
            (local.set $j (i32.const 0))
            (block $jEnd
              (loop $jL
                (br_if $jEnd (i32.ge_u (local.get $j) (local.get $CP)))
                (local.set $addr (i32.add (local.get $acc) (i32.shl (i32.add (local.get $base) (local.get $j)) (i32.const 1))))
                (local.set $m0 (v128.load (local.get $addr)))
                (local.set $m1 (v128.load offset=16 (local.get $addr)))
                (local.set $any (v128.or (local.get $m0) (local.get $m1)))
                (local.set $dy (i32.const 0))
                (loop $dyL
                  (local.set $dx (i32.const 0))
                  (loop $dxL
                    (local.set $addr (i32.add (local.get $acc) (i32.shl
                      (i32.add (i32.add (local.get $base) (local.get $j)) (i32.mul (i32.add (i32.mul (local.get $dy) (local.get $mw)) (local.get $dx)) (local.get $CP)))
                      (i32.const 1))))
                    (local.set $x (v128.load (local.get $addr)))
                    (local.set $m0 (i16x8.max_s (local.get $m0) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $x (v128.load offset=16 (local.get $addr)))
                    (local.set $m1 (i16x8.max_s (local.get $m1) (local.get $x)))
                    (local.set $any (v128.or (local.get $any) (local.get $x)))
                    (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
                    (br_if $dxL (i32.lt_u (local.get $dx) (local.get $size))))
                  (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
                  (br_if $dyL (i32.lt_u (local.get $dy) (local.get $size))))
                (local.set $la (i32.add (local.get $lv) (i32.shl (local.get $j) (i32.const 1))))
                (local.set $v (v128.const i32x4 0 0 0 0))
                (if (i32.eqz (v128.any_true (local.get $any)))
                  ;; untouched window: the outputs of a zero potential
                  (then (local.set $v (v128.load (i32.add (local.get $zero) (local.get $j)))))
                ;; most windows are silent: test the first level before counting the others
                (else (if (v128.any_true (v128.or (i16x8.ge_s (local.get $m0) (v128.load (local.get $la))) (i16x8.ge_s (local.get $m1) (v128.load offset=16 (local.get $la)))))
                  (then
                    (local.set $c0 (v128.const i32x4 0 0 0 0))
                    (local.set $c1 (v128.const i32x4 0 0 0 0))
                    (local.set $k (i32.const 0))
                    (loop $kL
                      (local.set $c0 (i16x8.sub (local.get $c0) (i16x8.ge_s (local.get $m0) (v128.load (local.get $la)))))
                      (local.set $c1 (i16x8.sub (local.get $c1) (i16x8.ge_s (local.get $m1) (v128.load offset=16 (local.get $la)))))
                      (local.set $la (i32.add (local.get $la) (local.get $levelStep)))
                      (local.set $k (i32.add (local.get $k) (i32.const 1)))
                      (br_if $kL (i32.lt_u (local.get $k) (local.get $levels))))
                    (local.set $v (i8x16.narrow_i16x8_u (local.get $c0) (local.get $c1)))))))
                (local.set $events (i32.add (local.get $events)
                  (i32.popcnt (i8x16.bitmask (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0))))))
                (v128.store (i32.add (local.get $outA) (local.get $j)) (local.get $v))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $jL)))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br $pxL)))
        (local.set $py (i32.add (local.get $py) (i32.const 1)))
        (br $pyL)))
    (local.get $events))
)
`;
