;; Tritscope packed ternary kernels (WebAssembly + SIMD128): ternary x ternary
;; (popcount) and the int8 activation packing; ternary x float kernels are in
;; ternary-float.wat.
;;
;; Why hand-written WAT rather than AssemblyScript: it needs no extra toolchain
;; (esbuild.mjs assembles it with wabt, already a dependency), it gives exact
;; control over which v128 ops run in the inner loops (i8x16.popcnt,
;; extadd_pairwise, bitmask), and the module stays a few kilobytes.
;;
;; Layouts (byte offsets into the engine memory, imported as env.memory and
;; shared with ternary-float.wat and float-ops.wat; 16-byte aligned):
;;  - a weight row of K trits is [plus plane: pb bytes][minus plane: pb bytes],
;;    pb = ceil(K/8) (no padding: 2 bits per weight); trit k is bit (k mod 8) of
;;    byte floor(k/8) of the plane that matches its sign. Kernels read whole
;;    16-byte chunks (chunks = ceil(K/128)), so bytes past a plane are read too:
;;    tt kernels cancel them with the activation's zero padding, lut_gemv with
;;    zero table groups (the heap keeps 16 readable bytes past every
;;    allocation); tf_lut_gemm reads whole plane bytes only.
;;  - an activation row (packed per call, scratch) is padded to Kpad = 128*chunks:
;;    [nonzero plane: chunks*16 bytes][negative plane: chunks*16 bytes].
;;  - float matrices are row-major f32.

(module
  (import "env" "memory" (memory 1))

  ;; pack_i8_acts: int8 trits [rows][kpad] -> [nonzero plane][negative plane]
  ;; rows for tt_gemm/tt_gemv (i8x16.bitmask of v != 0, and of the sign bit).
  (func (export "pack_i8_acts") (param $src i32) (param $rows i32) (param $kpad i32) (param $dst i32)
    (local $r i32) (local $k i32) (local $v v128) (local $plane i32) (local $out i32)
    (local.set $plane (i32.shr_u (local.get $kpad) (i32.const 3)))
    (block $done
      (loop $rowl
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $k (i32.const 0))
        (local.set $out (local.get $dst))
        (block $kd
          (loop $kl
            (br_if $kd (i32.ge_u (local.get $k) (local.get $kpad)))
            (local.set $v (v128.load (local.get $src)))
            (i32.store16 (local.get $out) (i8x16.bitmask (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0))))
            (i32.store16 (i32.add (local.get $out) (local.get $plane)) (i8x16.bitmask (local.get $v)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 2)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $kl)))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $plane) (i32.const 1))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowl))))

  ;; tt_gemm: integer dot products of ternary weight rows (+/- planes) with
  ;; ternary activation rows (trits as in seed paper Eqs. 6 and 8), by bit logic
  ;; and popcount (FATNN-style). The four-term form
  ;;   dot = popc(w+ & a+) + popc(w- & a-) - popc(w+ & a-) - popc(w- & a+)
  ;; is evaluated with fewer ops on activations packed as [nonzero][negative]
  ;; planes (pack_i8_acts): with wz = w+|w-, products are nonzero on
  ;; nz = wz & anz, negative on neg = nz & x with x = w- xor aneg, positive on
  ;; pos = nz & ~x, so dot = popc(pos) - popc(neg): 4 logic ops and 2
  ;; i8x16.popcnt per 128 trits, one i8 counter per column (|d| <= 120 over 15
  ;; chunks), widened to i32 per 15 chunks. i8x16.popcnt dominates (V8 lowers it
  ;; to a pshufb sequence); carry-save (Harley-Seal) trees that popcount less
  ;; often measured slower here (more logic ops, register spills). One weight row
  ;; is held against 4 activation rows, so each weight chunk is loaded once per 4
  ;; dot products; the reductions are inlined (V8 does not inline wasm calls).
  ;; abs != 0: absolute mode, sum |w|*a (the minus plane only widens wz).
  ;; out[r*rs + c*cs] (i32) for r < rows, c < cols; the activation buffer must
  ;; hold a multiple of 4 rows (extra results are dropped). Weight rows are
  ;; wRow bytes apart with the minus plane wPlane bytes after the plus plane.
  (func (export "tt_gemm")
    (param $w i32) (param $rows i32) (param $chunks i32) (param $wRow i32) (param $wPlane i32)
    (param $a i32) (param $cols i32) (param $out i32) (param $rs i32) (param $cs i32) (param $abs i32)
    (local $keep v128) (local $aPlane i32) (local $aRow i32) (local $c i32) (local $r i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $wr i32) (local $k i32) (local $kend i32) (local $off i32) (local $o i32)
    (local $wm v128) (local $wz v128) (local $nz v128) (local $x v128) (local $u v128) (local $v v128)
    (local $s0 v128) (local $t0 v128) (local $s1 v128) (local $t1 v128) (local $s2 v128) (local $t2 v128) (local $s3 v128) (local $t3 v128)
    (local.set $aPlane (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $aRow (i32.shl (local.get $aPlane) (i32.const 1)))
    (local.set $keep (i8x16.splat (select (i32.const 0) (i32.const -1) (local.get $abs))))
    (block $cdone
      (loop $cl
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $c) (local.get $aRow))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $aRow)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $aRow)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $aRow)))
        (local.set $r (i32.const 0))
        (local.set $wr (local.get $w))
        (block $rdone
          (loop $rl
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $t0 (v128.const i32x4 0 0 0 0)) (local.set $t1 (v128.const i32x4 0 0 0 0)) (local.set $t2 (v128.const i32x4 0 0 0 0)) (local.set $t3 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $kl
                (br_if $kdone (i32.ge_u (local.get $k) (local.get $chunks)))
                ;; an i8 counter moves by at most 8 per chunk: 15 chunks stay within ±120
                (local.set $kend (i32.add (local.get $k) (i32.const 15)))
                (if (i32.gt_u (local.get $kend) (local.get $chunks)) (then (local.set $kend (local.get $chunks))))
                (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0)) (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
                (block $idone
                  (loop $il
                    (br_if $idone (i32.ge_u (local.get $k) (local.get $kend)))
                    (local.set $off (i32.shl (local.get $k) (i32.const 4)))
                    (local.set $wm (v128.load (i32.add (i32.add (local.get $wr) (local.get $wPlane)) (local.get $off))))
                    (local.set $wz (v128.or (v128.load (i32.add (local.get $wr) (local.get $off))) (local.get $wm)))
                    (local.set $wm (v128.and (local.get $wm) (local.get $keep)))
                    ;; column 0
                    (local.set $nz (v128.and (local.get $wz) (v128.load (i32.add (local.get $a0) (local.get $off)))))
                    (local.set $x (v128.xor (local.get $wm) (v128.load (i32.add (i32.add (local.get $a0) (local.get $aPlane)) (local.get $off)))))
                    (local.set $s0 (i8x16.sub (i8x16.add (local.get $s0) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                      (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                    ;; column 1
                    (local.set $nz (v128.and (local.get $wz) (v128.load (i32.add (local.get $a1) (local.get $off)))))
                    (local.set $x (v128.xor (local.get $wm) (v128.load (i32.add (i32.add (local.get $a1) (local.get $aPlane)) (local.get $off)))))
                    (local.set $s1 (i8x16.sub (i8x16.add (local.get $s1) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                      (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                    ;; column 2
                    (local.set $nz (v128.and (local.get $wz) (v128.load (i32.add (local.get $a2) (local.get $off)))))
                    (local.set $x (v128.xor (local.get $wm) (v128.load (i32.add (i32.add (local.get $a2) (local.get $aPlane)) (local.get $off)))))
                    (local.set $s2 (i8x16.sub (i8x16.add (local.get $s2) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                      (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                    ;; column 3
                    (local.set $nz (v128.and (local.get $wz) (v128.load (i32.add (local.get $a3) (local.get $off)))))
                    (local.set $x (v128.xor (local.get $wm) (v128.load (i32.add (i32.add (local.get $a3) (local.get $aPlane)) (local.get $off)))))
                    (local.set $s3 (i8x16.sub (i8x16.add (local.get $s3) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                      (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $il)))
                (local.set $t0 (i32x4.add (local.get $t0) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s0)))))
                (local.set $t1 (i32x4.add (local.get $t1) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s1)))))
                (local.set $t2 (i32x4.add (local.get $t2) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s2)))))
                (local.set $t3 (i32x4.add (local.get $t3) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s3)))))
                (br $kl)))
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $c) (local.get $cs))) (i32.const 2))))
            (local.set $u (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $t0) (local.get $t1)) (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $t0) (local.get $t1))))
            (local.set $v (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $t2) (local.get $t3)) (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $t2) (local.get $t3))))
            (local.set $u (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u) (local.get $v)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u) (local.get $v))))
            (i32.store (i32.add (local.get $o) (i32.mul (local.get $cs) (i32.const 0))) (i32x4.extract_lane 0 (local.get $u)))
            (if (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $cols)) (then (i32.store (i32.add (local.get $o) (i32.mul (local.get $cs) (i32.const 4))) (i32x4.extract_lane 1 (local.get $u)))))
            (if (i32.lt_u (i32.add (local.get $c) (i32.const 2)) (local.get $cols)) (then (i32.store (i32.add (local.get $o) (i32.mul (local.get $cs) (i32.const 8))) (i32x4.extract_lane 2 (local.get $u)))))
            (if (i32.lt_u (i32.add (local.get $c) (i32.const 3)) (local.get $cols)) (then (i32.store (i32.add (local.get $o) (i32.mul (local.get $cs) (i32.const 12))) (i32x4.extract_lane 3 (local.get $u)))))
            (local.set $wr (i32.add (local.get $wr) (local.get $wRow)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl))))

  ;; tt_gemv: the one-column case of tt_gemm (a batch-1 dense layer), no work
  ;; spent on padding columns. Four weight rows per pass share each activation
  ;; chunk load and run four independent popcount chains. A large layer's
  ;; weights come from DRAM (the baseline's matMul streams its own 16x larger
  ;; weights through the caches between our calls), and the hardware
  ;; prefetchers, which stop at 4 KB pages, left this loop stalling on misses
  ;; (0.59 ms cold vs 0.22 ms hot for 4096x4096): so each pass also loads one
  ;; word per cache line of the next 4 rows, 2.3x faster cold, the same hot.
  ;; Leftover rows run one at a time. out[r*rs] (i32).
  (func (export "tt_gemv")
    (param $w i32) (param $rows i32) (param $chunks i32) (param $wRow i32) (param $wPlane i32)
    (param $a i32) (param $out i32) (param $rs i32) (param $abs i32)
    (local $keep v128) (local $plane i32) (local $r i32) (local $k i32) (local $kend i32) (local $off i32)
    (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $an v128) (local $ag v128)
    (local $wm v128) (local $nz v128) (local $x v128) (local $s v128) (local $t v128)
    (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $pf i32) (local $w0 i32) (local $wEnd i32)
    (local.set $w0 (local.get $w))
    (local.set $wEnd (i32.add (local.get $w) (i32.mul (local.get $rows) (local.get $wRow))))
    (local.set $plane (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $keep (i8x16.splat (select (i32.const 0) (i32.const -1) (local.get $abs))))
    (block $qdone
      (loop $ql
        (br_if $qdone (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $w1 (i32.add (local.get $w) (local.get $wRow)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $wRow)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $wRow)))
        (local.set $pf (i32.add (local.get $w3) (local.get $wRow)))
        (local.set $t (v128.const i32x4 0 0 0 0)) (local.set $t1 (v128.const i32x4 0 0 0 0))
        (local.set $t2 (v128.const i32x4 0 0 0 0)) (local.set $t3 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kl
            (br_if $kdone (i32.ge_u (local.get $k) (local.get $chunks)))
            (local.set $kend (i32.add (local.get $k) (i32.const 15)))
            (if (i32.gt_u (local.get $kend) (local.get $chunks)) (then (local.set $kend (local.get $chunks))))
            (local.set $s (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
            (block $idone
              (loop $il
                (br_if $idone (i32.ge_u (local.get $k) (local.get $kend)))
                (local.set $off (i32.shl (local.get $k) (i32.const 4)))
                ;; software prefetch (wasm has no prefetch op): touch the two cache lines of the
                ;; next 4 rows that are 32 chunks ahead, or row 0 past the end of the weights
                (drop (i32.load (select (local.get $pf) (local.get $w0) (i32.le_u (i32.add (local.get $pf) (i32.const 4)) (local.get $wEnd)))))
                (drop (i32.load (select (i32.add (local.get $pf) (i32.const 64)) (local.get $w0) (i32.le_u (i32.add (local.get $pf) (i32.const 68)) (local.get $wEnd)))))
                (local.set $pf (i32.add (local.get $pf) (i32.const 128)))
                (local.set $an (v128.load (i32.add (local.get $a) (local.get $off))))
                (local.set $ag (v128.load (i32.add (i32.add (local.get $a) (local.get $plane)) (local.get $off))))
                ;; row 0
                (local.set $wm (v128.load (i32.add (i32.add (local.get $w) (local.get $wPlane)) (local.get $off))))
                (local.set $nz (v128.and (v128.or (v128.load (i32.add (local.get $w) (local.get $off))) (local.get $wm)) (local.get $an)))
                (local.set $x (v128.xor (v128.and (local.get $wm) (local.get $keep)) (local.get $ag)))
                (local.set $s (i8x16.sub (i8x16.add (local.get $s) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                  (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                ;; row 1
                (local.set $wm (v128.load (i32.add (i32.add (local.get $w1) (local.get $wPlane)) (local.get $off))))
                (local.set $nz (v128.and (v128.or (v128.load (i32.add (local.get $w1) (local.get $off))) (local.get $wm)) (local.get $an)))
                (local.set $x (v128.xor (v128.and (local.get $wm) (local.get $keep)) (local.get $ag)))
                (local.set $s1 (i8x16.sub (i8x16.add (local.get $s1) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                  (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                ;; row 2
                (local.set $wm (v128.load (i32.add (i32.add (local.get $w2) (local.get $wPlane)) (local.get $off))))
                (local.set $nz (v128.and (v128.or (v128.load (i32.add (local.get $w2) (local.get $off))) (local.get $wm)) (local.get $an)))
                (local.set $x (v128.xor (v128.and (local.get $wm) (local.get $keep)) (local.get $ag)))
                (local.set $s2 (i8x16.sub (i8x16.add (local.get $s2) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                  (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                ;; row 3
                (local.set $wm (v128.load (i32.add (i32.add (local.get $w3) (local.get $wPlane)) (local.get $off))))
                (local.set $nz (v128.and (v128.or (v128.load (i32.add (local.get $w3) (local.get $off))) (local.get $wm)) (local.get $an)))
                (local.set $x (v128.xor (v128.and (local.get $wm) (local.get $keep)) (local.get $ag)))
                (local.set $s3 (i8x16.sub (i8x16.add (local.get $s3) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                  (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $il)))
            (local.set $t (i32x4.add (local.get $t) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s)))))
            (local.set $t1 (i32x4.add (local.get $t1) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s1)))))
            (local.set $t2 (i32x4.add (local.get $t2) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s2)))))
            (local.set $t3 (i32x4.add (local.get $t3) (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s3)))))
            (br $kl)))
        ;; horizontal sums of the four rows: lane i of $t = row i's total
        (local.set $t (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $t) (local.get $t1)) (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $t) (local.get $t1))))
        (local.set $t1 (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $t2) (local.get $t3)) (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $t2) (local.get $t3))))
        (local.set $t (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $t1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $t1))))
        (local.set $off (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $rs)) (i32.const 2))))
        (i32.store (local.get $off) (i32x4.extract_lane 0 (local.get $t)))
        (i32.store (i32.add (local.get $off) (i32.shl (local.get $rs) (i32.const 2))) (i32x4.extract_lane 1 (local.get $t)))
        (i32.store (i32.add (local.get $off) (i32.shl (local.get $rs) (i32.const 3))) (i32x4.extract_lane 2 (local.get $t)))
        (i32.store (i32.add (local.get $off) (i32.mul (local.get $rs) (i32.const 12))) (i32x4.extract_lane 3 (local.get $t)))
        (local.set $w (i32.add (local.get $w3) (local.get $wRow)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $ql)))
    ;; the last rows mod 4, one at a time
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $t (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kl
            (br_if $kdone (i32.ge_u (local.get $k) (local.get $chunks)))
            (local.set $kend (i32.add (local.get $k) (i32.const 15)))
            (if (i32.gt_u (local.get $kend) (local.get $chunks)) (then (local.set $kend (local.get $chunks))))
            (local.set $s (v128.const i32x4 0 0 0 0))
            (block $idone
              (loop $il
                (br_if $idone (i32.ge_u (local.get $k) (local.get $kend)))
                (local.set $off (i32.shl (local.get $k) (i32.const 4)))
                (local.set $wm (v128.load (i32.add (i32.add (local.get $w) (local.get $wPlane)) (local.get $off))))
                (local.set $nz (v128.and (v128.or (v128.load (i32.add (local.get $w) (local.get $off))) (local.get $wm))
                  (v128.load (i32.add (local.get $a) (local.get $off)))))
                (local.set $x (v128.xor (v128.and (local.get $wm) (local.get $keep))
                  (v128.load (i32.add (i32.add (local.get $a) (local.get $plane)) (local.get $off)))))
                (local.set $s (i8x16.sub (i8x16.add (local.get $s) (i8x16.popcnt (v128.andnot (local.get $nz) (local.get $x))))
                  (i8x16.popcnt (v128.and (local.get $nz) (local.get $x)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $il)))
            (local.set $t (i32x4.add (local.get $t)
              (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s)))))
            (br $kl)))
        (local.set $t (i32x4.add (local.get $t) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))))
        (i32.store (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $rs)) (i32.const 2)))
          (i32.add (i32x4.extract_lane 0 (local.get $t)) (i32x4.extract_lane 1 (local.get $t))))
        (local.set $w (i32.add (local.get $w) (local.get $wRow)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; im2col_i8: patches of a conv's ternarized input as int8 rows for
  ;; pack_i8_acts. x: int8 trits [n][c][h][w]; channels ic0 .. ic0+ig-1 (one
  ;; group); dst: [n*oh*ow][kpad], row = b*oh*ow + oy*ow + ox, k = (ic, ky, kx)
  ;; order as the weight rows. Out-of-image cells are left 0 (dst pre-zeroed).
  (func (export "im2col_i8") (param $x i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
    (param $ic0 i32) (param $ig i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $pt i32) (param $pl i32) (param $dh i32) (param $dw i32) (param $oh i32) (param $ow i32)
    (param $kpad i32) (param $dst i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ic i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $d i32) (local $row i32) (local $plane i32) (local $src i32)
    (local.set $plane (i32.mul (local.get $h) (local.get $w)))
    (local.set $row (local.get $dst))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $oyd (loop $oyl
        (br_if $oyd (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxd (loop $oxl
          (br_if $oxd (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $d (local.get $row))
          (local.set $ic (i32.const 0))
          (block $icd (loop $icl
            (br_if $icd (i32.ge_u (local.get $ic) (local.get $ig)))
            (local.set $src (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c))
              (i32.add (local.get $ic0) (local.get $ic))) (local.get $plane))))
            (local.set $ky (i32.const 0))
            (block $kyd (loop $kyl
              (br_if $kyd (i32.ge_u (local.get $ky) (local.get $kh)))
              (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $pt)) (i32.mul (local.get $ky) (local.get $dh))))
              (local.set $ix (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $pl)))
              (local.set $kx (i32.const 0))
              (block $kxd (loop $kxl
                (br_if $kxd (i32.ge_u (local.get $kx) (local.get $kw)))
                ;; unsigned compares reject negative coordinates too
                (if (i32.and (i32.lt_u (local.get $iy) (local.get $h)) (i32.lt_u (local.get $ix) (local.get $w)))
                  (then (i32.store8 (local.get $d)
                    (i32.load8_u (i32.add (local.get $src) (i32.add (i32.mul (local.get $iy) (local.get $w)) (local.get $ix)))))))
                (local.set $d (i32.add (local.get $d) (i32.const 1)))
                (local.set $ix (i32.add (local.get $ix) (local.get $dw)))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $kxl)))
              (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
              (br $kyl)))
            (local.set $ic (i32.add (local.get $ic) (i32.const 1)))
            (br $icl)))
          (local.set $row (i32.add (local.get $row) (local.get $kpad)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
