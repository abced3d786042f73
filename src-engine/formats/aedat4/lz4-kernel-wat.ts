/**
 * WebAssembly source of the LZ4 block decoder (the AEDAT 4 hot path). Same
 * contract and results as `decodeLz4Block` in lz4-block.ts, which stays the
 * fallback where WebAssembly is unavailable: decode the block
 * [s, sEnd) to [d, …) writing nothing at or past dEnd, matches reaching back
 * no further than dMin; return the new output position or a negative code
 * (−1 input overrun, −2 output overrun, −3 bad offset). All positions are
 * byte addresses in the imported memory, below 2^31.
 *
 * `events` extracts AEDAT 4 event structs from the decoded payload into
 * column scratch (the same values and refusals as EventVectorReader.decode).
 *
 * Built into lz4-kernel-binary.ts with wabt's wat2wasm (npm `wabt`, dev
 * dependency); test/formats/aedat4-lz4-wasm.test.ts rebuilds it and fails if
 * the committed binary is stale (regenerate:
 * node --import tsx test/formats/aedat4-lz4-wasm.test.ts --write).
 *
 * Far from both ends (≥ 32 input bytes, ≥ 64 output bytes of room) literals
 * are copied 16 bytes at a time and matches 16 or 8 at a time (offset ≥ 16
 * or ≥ 8, so every byte read is already final), writing a little past the
 * sequence — later sequences overwrite it (the reference decoder's "wild
 * copy"). Near the ends every length is checked and copied exactly. Event
 * data is almost all sequences of 0–3 literals and a 4–16-byte match 16 or
 * more bytes back: `$fast` decodes runs of those with 8-byte copies.
 */
export const LZ4_KERNEL_WAT = String.raw`
(module
  (import "env" "memory" (memory 1))
  ;; The hot loop for event data: while >= 32 input bytes and >= 64 output
  ;; bytes of room remain, sequences of at most 8 literals (one 8-byte copy)
  ;; and a match of 4..16 bytes at an offset of 16..(d - dMin) (two
  ;; overlapping 4- or 8-byte copies of exactly its length: every byte they
  ;; read is final). Returns (s, d) at the first other sequence, which
  ;; "block" then decodes (with its checks) before calling back. A function
  ;; of its own so that its few locals stay in registers. Why narrow, exact
  ;; copies: the next event's match 16 bytes back reads what this one just
  ;; stored, and the CPU forwards a store to a load only when one store holds
  ;; all the bytes loaded; wider copies running past the match measured
  ;; ~20 % slower.
  (func $fast (param $s i32) (param $d i32) (param $sSafe i32) (param $dSafe i32) (param $dMin i32) (result i32 i32)
    (local $token i32) (local $off i32) (local $e i32) (local $len i32)
    (block $out
      (loop $seq
        (br_if $out (i32.or (i32.ge_s (local.get $s) (local.get $sSafe)) (i32.ge_s (local.get $d) (local.get $dSafe))))
        (local.set $token (i32.load8_u (local.get $s)))
        (br_if $out (i32.or (i32.ge_u (local.get $token) (i32.const 0x90)) (i32.ge_u (i32.and (local.get $token) (i32.const 15)) (i32.const 13))))
        (local.set $e (i32.add (local.get $d) (i32.shr_u (local.get $token) (i32.const 4))))
        (local.set $off (i32.load16_u offset=1 (i32.add (local.get $s) (i32.shr_u (local.get $token) (i32.const 4)))))
        (br_if $out (i32.or (i32.lt_u (local.get $off) (i32.const 16)) (i32.gt_u (local.get $off) (i32.sub (local.get $e) (local.get $dMin)))))
        (i64.store (local.get $d) (i64.load offset=1 (local.get $s)))
        ;; $off becomes the match source
        (local.set $off (i32.sub (local.get $e) (local.get $off)))
        ;; exactly len bytes, as two overlapping words
        (local.set $len (i32.add (i32.and (local.get $token) (i32.const 15)) (i32.const 4)))
        (if (i32.le_u (local.get $len) (i32.const 8))
          (then
            (i32.store (local.get $e) (i32.load (local.get $off)))
            (i32.store offset=0 (i32.add (local.get $e) (i32.sub (local.get $len) (i32.const 4)))
              (i32.load (i32.add (local.get $off) (i32.sub (local.get $len) (i32.const 4))))))
          (else
            (i64.store (local.get $e) (i64.load (local.get $off)))
            (i64.store (i32.add (local.get $e) (i32.sub (local.get $len) (i32.const 8)))
              (i64.load (i32.add (local.get $off) (i32.sub (local.get $len) (i32.const 8)))))))
        (local.set $s (i32.add (local.get $s) (i32.add (i32.shr_u (local.get $token) (i32.const 4)) (i32.const 3))))
        (local.set $d (i32.add (local.get $e) (local.get $len)))
        (br $seq)))
    (local.get $s) (local.get $d))

  (func (export "block") (param $s i32) (param $sEnd i32) (param $d i32) (param $dEnd i32) (param $dMin i32) (result i32)
    (local $sPos i32) (local $token i32) (local $lit i32) (local $len i32) (local $off i32)
    (local $m i32) (local $e i32) (local $b i32) (local $sSafe i32) (local $dSafe i32)
    (local.set $sPos (local.get $s))
    (local.set $sSafe (i32.sub (local.get $sEnd) (i32.const 32)))
    (local.set $dSafe (i32.sub (local.get $dEnd) (i32.const 64)))
    (loop $seq
      (if (i32.and (i32.lt_s (local.get $s) (local.get $sSafe)) (i32.lt_s (local.get $d) (local.get $dSafe)))
        (then
          ;; as many common sequences as it can, then this one as below
          (call $fast (local.get $s) (local.get $d) (local.get $sSafe) (local.get $dSafe) (local.get $dMin))
          (local.set $d)
          (local.set $s)))
      (if (i32.ge_s (local.get $s) (local.get $sEnd))
        (then (return (select (local.get $d) (i32.const -1)
          (i32.and (i32.eq (local.get $s) (local.get $sEnd)) (i32.gt_s (local.get $s) (local.get $sPos)))))))
      (local.set $token (i32.load8_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $lit (i32.shr_u (local.get $token) (i32.const 4)))
      (if (i32.and (i32.and (i32.lt_u (local.get $lit) (i32.const 15)) (i32.lt_s (local.get $s) (local.get $sSafe)))
                   (i32.lt_s (local.get $d) (local.get $dSafe)))
        (then
          ;; fast path: 16-byte literal copy, keep lit of them
          (v128.store (local.get $d) (v128.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $lit)))
          (local.set $d (i32.add (local.get $d) (local.get $lit)))
          (local.set $off (i32.load16_u (local.get $s)))
          (local.set $s (i32.add (local.get $s) (i32.const 2)))
          (local.set $m (i32.sub (local.get $d) (local.get $off)))
          ;; 1 <= off <= d - dMin, as one unsigned comparison
          (if (i32.ge_u (i32.sub (local.get $off) (i32.const 1)) (i32.sub (local.get $d) (local.get $dMin)))
            (then (return (i32.const -3))))
          (local.set $len (i32.and (local.get $token) (i32.const 15)))
          ;; the common case in event data: a match of at most 16 bytes, offset >= 16: one 16-byte copy
          (if (i32.and (i32.lt_u (local.get $len) (i32.const 13)) (i32.ge_u (local.get $off) (i32.const 16)))
            (then
              (v128.store (local.get $d) (v128.load (local.get $m)))
              (local.set $d (i32.add (local.get $d) (i32.add (local.get $len) (i32.const 4))))
              (br $seq)))
          (if (i32.eq (local.get $len) (i32.const 15))
            (then
              (loop $more
                (if (i32.ge_s (local.get $s) (local.get $sEnd)) (then (return (i32.const -1))))
                (local.set $b (i32.load8_u (local.get $s)))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (local.set $len (i32.add (local.get $len) (local.get $b)))
                (br_if $more (i32.eq (local.get $b) (i32.const 255))))))
          (local.set $len (i32.add (local.get $len) (i32.const 4)))
          (local.set $e (i32.add (local.get $d) (local.get $len)))
          (if (i32.gt_s (local.get $len) (i32.sub (local.get $dSafe) (local.get $d)))
            (then
              (if (i32.gt_s (local.get $len) (i32.sub (local.get $dEnd) (local.get $d))) (then (return (i32.const -2))))
              (loop $bytes
                (i32.store8 (local.get $d) (i32.load8_u (local.get $m)))
                (local.set $d (i32.add (local.get $d) (i32.const 1)))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br_if $bytes (i32.lt_s (local.get $d) (local.get $e)))))
            (else
              (if (i32.ge_u (local.get $off) (i32.const 16))
                (then
                  ;; whole 16-byte copies read only final bytes when the offset is >= 16
                  (loop $wide
                    (v128.store (local.get $d) (v128.load (local.get $m)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $m (i32.add (local.get $m) (i32.const 16)))
                    (br_if $wide (i32.lt_s (local.get $d) (local.get $e)))))
                (else
                  (if (i32.ge_u (local.get $off) (i32.const 8))
                    (then
                      (loop $words
                        (i64.store (local.get $d) (i64.load (local.get $m)))
                        (local.set $d (i32.add (local.get $d) (i32.const 8)))
                        (local.set $m (i32.add (local.get $m) (i32.const 8)))
                        (br_if $words (i32.lt_s (local.get $d) (local.get $e)))))
                    (else
                      (loop $bytes2
                        (i32.store8 (local.get $d) (i32.load8_u (local.get $m)))
                        (local.set $d (i32.add (local.get $d) (i32.const 1)))
                        (local.set $m (i32.add (local.get $m) (i32.const 1)))
                        (br_if $bytes2 (i32.lt_s (local.get $d) (local.get $e))))))))))
          (local.set $d (local.get $e))
          (br $seq)))
      ;; careful path, near the ends or with long literal runs
      (if (i32.eq (local.get $lit) (i32.const 15))
        (then
          (loop $morelit
            (if (i32.ge_s (local.get $s) (local.get $sEnd)) (then (return (i32.const -1))))
            (local.set $b (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $lit (i32.add (local.get $lit) (local.get $b)))
            (br_if $morelit (i32.eq (local.get $b) (i32.const 255))))))
      (if (i32.gt_s (local.get $lit) (i32.sub (local.get $sEnd) (local.get $s))) (then (return (i32.const -1))))
      (if (i32.gt_s (local.get $lit) (i32.sub (local.get $dEnd) (local.get $d))) (then (return (i32.const -2))))
      (memory.copy (local.get $d) (local.get $s) (local.get $lit))
      (local.set $s (i32.add (local.get $s) (local.get $lit)))
      (local.set $d (i32.add (local.get $d) (local.get $lit)))
      (if (i32.eq (local.get $s) (local.get $sEnd)) (then (return (local.get $d))))
      (if (i32.lt_s (i32.sub (local.get $sEnd) (local.get $s)) (i32.const 2)) (then (return (i32.const -1))))
      (local.set $off (i32.load16_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 2)))
      (local.set $m (i32.sub (local.get $d) (local.get $off)))
      (if (i32.or (i32.eqz (local.get $off)) (i32.lt_s (local.get $m) (local.get $dMin)))
        (then (return (i32.const -3))))
      (local.set $len (i32.and (local.get $token) (i32.const 15)))
      (if (i32.eq (local.get $len) (i32.const 15))
        (then
          (loop $more2
            (if (i32.ge_s (local.get $s) (local.get $sEnd)) (then (return (i32.const -1))))
            (local.set $b (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $len (i32.add (local.get $len) (local.get $b)))
            (br_if $more2 (i32.eq (local.get $b) (i32.const 255))))))
      (local.set $len (i32.add (local.get $len) (i32.const 4)))
      (if (i32.gt_s (local.get $len) (i32.sub (local.get $dEnd) (local.get $d))) (then (return (i32.const -2))))
      (if (i32.ge_s (local.get $off) (local.get $len))
        (then (memory.copy (local.get $d) (local.get $m) (local.get $len)))
        (else
          (local.set $e (i32.add (local.get $d) (local.get $len)))
          (loop $bytes3
            (i32.store8 (local.get $d) (i32.load8_u (local.get $m)))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br_if $bytes3 (i32.lt_s (local.get $d) (local.get $e))))
          (local.set $d (i32.sub (local.get $d) (local.get $len)))))
      (local.set $d (i32.add (local.get $d) (local.get $len)))
      (br $seq))
    (unreachable))

  ;; AEDAT 4 event structs {t i64, x i16, y i16, on u8, 3 bytes padding} at src
  ;; into columns: t f64, x u16, y u16, p u8 (1 when on is non-zero). Returns
  ;; non-zero when some event cannot be represented: t outside [-2^53, 2^53)
  ;; (doubles hold integers exactly there) or a negative coordinate. Branch-free
  ;; checks, OR-ed over the whole range: t + 2^53 must stay below 2^54, x and y
  ;; must have clear sign bits. Four events a turn: t one by one (exact
  ;; i64 -> f64), x, y and p gathered with shuffles (the x/y word and the on
  ;; byte of each struct are its high 8 bytes); then the last n % 4 one by one.
  (func (export "events") (param $src i32) (param $n i32) (param $t i32) (param $x i32) (param $y i32) (param $p i32) (result i32)
    (local $end i32) (local $end4 i32) (local $ev i64) (local $xy i32) (local $badT i64) (local $badXY i32)
    (local $c01 v128) (local $c23 v128) (local $v v128) (local $badV v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 4))))
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 4))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $src) (local.get $end4)))
        (local.set $ev (i64.load offset=0 (local.get $src)))
        (local.set $badT (i64.or (local.get $badT) (i64.add (local.get $ev) (i64.const 0x20000000000000))))
        (f64.store offset=0 (local.get $t) (f64.convert_i64_s (local.get $ev)))
        (local.set $ev (i64.load offset=16 (local.get $src)))
        (local.set $badT (i64.or (local.get $badT) (i64.add (local.get $ev) (i64.const 0x20000000000000))))
        (f64.store offset=8 (local.get $t) (f64.convert_i64_s (local.get $ev)))
        (local.set $ev (i64.load offset=32 (local.get $src)))
        (local.set $badT (i64.or (local.get $badT) (i64.add (local.get $ev) (i64.const 0x20000000000000))))
        (f64.store offset=16 (local.get $t) (f64.convert_i64_s (local.get $ev)))
        (local.set $ev (i64.load offset=48 (local.get $src)))
        (local.set $badT (i64.or (local.get $badT) (i64.add (local.get $ev) (i64.const 0x20000000000000))))
        (f64.store offset=24 (local.get $t) (f64.convert_i64_s (local.get $ev)))
        ;; c01 = [xy0 on0 xy1 on1] (i32 lanes), c23 = [xy2 on2 xy3 on3]
        (local.set $c01 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
          (v128.load (local.get $src)) (v128.load offset=16 (local.get $src))))
        (local.set $c23 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
          (v128.load offset=32 (local.get $src)) (v128.load offset=48 (local.get $src))))
        ;; v = [xy0 xy1 xy2 xy3], then [x0 x1 x2 x3 | y0 y1 y2 y3] (u16 lanes)
        (local.set $v (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c01) (local.get $c23)))
        (local.set $badV (v128.or (local.get $badV) (local.get $v)))
        (local.set $v (i8x16.shuffle 0 1 4 5 8 9 12 13 2 3 6 7 10 11 14 15 (local.get $v) (local.get $v)))
        (v128.store64_lane 0 (local.get $x) (local.get $v))
        (v128.store64_lane 1 (local.get $y) (local.get $v))
        ;; the four on bytes, min(on, 1)
        (v128.store32_lane 0 (local.get $p)
          (i8x16.min_u (i8x16.shuffle 4 12 20 28 4 12 20 28 4 12 20 28 4 12 20 28 (local.get $c01) (local.get $c23))
                       (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $t (i32.add (local.get $t) (i32.const 32)))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $ev (i64.load (local.get $src)))
        (local.set $xy (i32.load offset=8 (local.get $src)))
        (local.set $badT (i64.or (local.get $badT) (i64.add (local.get $ev) (i64.const 0x20000000000000))))
        (local.set $badXY (i32.or (local.get $badXY) (local.get $xy)))
        (f64.store (local.get $t) (f64.convert_i64_s (local.get $ev)))
        (i32.store16 (local.get $x) (local.get $xy))
        (i32.store16 (local.get $y) (i32.shr_u (local.get $xy) (i32.const 16)))
        (i32.store8 (local.get $p) (i32.ne (i32.load8_u offset=12 (local.get $src)) (i32.const 0)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $t (i32.add (local.get $t) (i32.const 8)))
        (local.set $x (i32.add (local.get $x) (i32.const 2)))
        (local.set $y (i32.add (local.get $y) (i32.const 2)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one)))
    (i32.or
      (i32.or (i64.ne (i64.shr_u (local.get $badT) (i64.const 54)) (i64.const 0))
              (i32.ne (i32.and (local.get $badXY) (i32.const 0x80008000)) (i32.const 0)))
      (v128.any_true (v128.and (local.get $badV) (v128.const i32x4 0x80008000 0x80008000 0x80008000 0x80008000)))))
)
`;
