;; Tritscope ternary-weight x float-activation kernels (WebAssembly + SIMD128):
;; additions only, no multiplies by weights. Weight planes as described at the
;; top of ternary.wat (byte-granular [plus][minus] planes per row); the engine
;; memory is imported as env.memory and shared with ternary.wat and float-ops.wat.

(module
  (import "env" "memory" (memory 1))

  ;; lut_build: for each group j of 8 floats of x (groups = Kpad/8), the 256
  ;; subset sums T[j][m] = sum_{bit i of m set} x[8j+i] (additions only; feeds
  ;; lut_gemv). The 16 subset sums of x0..x3 (T[m], m < 16) and of x4..x7
  ;; (T[16h]) are built one element at a time, then every other entry is
  ;; T[16h + l] = T[16h] + T[l], four per f32x4 add.
  (func (export "lut_build") (param $x i32) (param $groups i32) (param $t i32)
    (local $j i32) (local $m i32) (local $row i32) (local $v v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (block $done
      (loop $gl
        (br_if $done (i32.ge_u (local.get $j) (local.get $groups)))
        (f32.store (local.get $t) (f32.const 0))
        (local.set $m (i32.const 1))
        (block $md
          (loop $ml
            (br_if $md (i32.ge_u (local.get $m) (i32.const 16)))
            ;; T[m] = T[m without its lowest bit] + x[lowest bit]
            (f32.store (i32.add (local.get $t) (i32.shl (local.get $m) (i32.const 2)))
              (f32.add
                (f32.load (i32.add (local.get $t) (i32.shl (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))) (i32.const 2))))
                (f32.load (i32.add (local.get $x) (i32.shl (i32.ctz (local.get $m)) (i32.const 2))))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $ml)))
        (local.set $m (i32.const 1))
        (block $hd
          (loop $hl
            (br_if $hd (i32.ge_u (local.get $m) (i32.const 16)))
            ;; T[16h] from T[16*(h without its lowest bit)] + x[4 + lowest bit]
            (f32.store (i32.add (local.get $t) (i32.shl (local.get $m) (i32.const 6)))
              (f32.add
                (f32.load (i32.add (local.get $t) (i32.shl (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))) (i32.const 6))))
                (f32.load offset=16 (i32.add (local.get $x) (i32.shl (i32.ctz (local.get $m)) (i32.const 2))))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $hl)))
        (local.set $l0 (v128.load (local.get $t)))
        (local.set $l1 (v128.load offset=16 (local.get $t)))
        (local.set $l2 (v128.load offset=32 (local.get $t)))
        (local.set $l3 (v128.load offset=48 (local.get $t)))
        (local.set $row (i32.add (local.get $t) (i32.const 64)))
        (block $rd
          (loop $rl
            (br_if $rd (i32.ge_u (local.get $row) (i32.add (local.get $t) (i32.const 1024))))
            (local.set $v (f32x4.splat (f32.load (local.get $row))))
            (v128.store (local.get $row) (f32x4.add (local.get $v) (local.get $l0)))
            (v128.store offset=16 (local.get $row) (f32x4.add (local.get $v) (local.get $l1)))
            (v128.store offset=32 (local.get $row) (f32x4.add (local.get $v) (local.get $l2)))
            (v128.store offset=48 (local.get $row) (f32x4.add (local.get $v) (local.get $l3)))
            (local.set $row (i32.add (local.get $row) (i32.const 64)))
            (br $rl)))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $t (i32.add (local.get $t) (i32.const 1024)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $gl))))

  ;; lut_gemv: ternary weight rows x one float vector with additions only:
  ;; each plane byte selects the precomputed sum of its 8 activations, so per 8
  ;; weights the inner loop does two table loads and two adds, no multiply.
  ;; The table (1 KB per 8 inputs) is walked in 48 KB slices for all rows, so
  ;; it stays (mostly) in L1; per-row partial sums (f64) live in `acc` (2 per
  ;; row). 48 KB measured a few % faster than 32 KB (fewer per-row flushes of the
  ;; partial sums), 96 KB 25% slower (L1 misses), on a 48 KB-L1 Zen 5. Where the
  ;; time goes: docs/engine-performance.md.
  ;; out[r] = sp*sum_{w=+1} x - sn*sum_{w=-1} x (the scales applied once per row).
  (func (export "lut_gemv") (param $w i32) (param $rows i32) (param $planeBytes i32) (param $t i32)
    (param $out i32) (param $sp f32) (param $sn f32) (param $acc i32)
    (local $plane i32) (local $r i32) (local $j i32) (local $jb i32) (local $jend i32) (local $tp i32) (local $wr i32) (local $wm i32) (local $a i32) (local $pf i32) (local $wEnd i32)
    (local $P0 f64) (local $P1 f64) (local $P2 f64) (local $P3 f64)
    (local $N0 f64) (local $N1 f64) (local $N2 f64) (local $N3 f64)
    ;; 4 plane bytes per step: up to 3 bytes past a plane are read, and they index table
    ;; groups past K, which the caller leaves zero (all subset sums of padding are 0)
    (local.set $plane (i32.and (i32.add (local.get $planeBytes) (i32.const 3)) (i32.const -4)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $rows) (i32.const 4)))
    (local.set $wEnd (i32.add (local.get $w) (i32.mul (local.get $rows) (i32.shl (local.get $planeBytes) (i32.const 1)))))
    (block $bd
      (loop $bl
        (br_if $bd (i32.ge_u (local.get $jb) (local.get $plane)))
        (local.set $jend (i32.add (local.get $jb) (i32.const 48)))
        (if (i32.gt_u (local.get $jend) (local.get $plane)) (then (local.set $jend (local.get $plane))))
        (local.set $r (i32.const 0))
        (block $done
          (loop $rl
            (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $P0 (f64.const 0)) (local.set $P1 (f64.const 0)) (local.set $P2 (f64.const 0)) (local.set $P3 (f64.const 0))
            (local.set $N0 (f64.const 0)) (local.set $N1 (f64.const 0)) (local.set $N2 (f64.const 0)) (local.set $N3 (f64.const 0))
            (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $r) (i32.shl (local.get $planeBytes) (i32.const 1)))))
            (local.set $wm (i32.add (local.get $wr) (local.get $planeBytes)))
            (local.set $tp (i32.add (local.get $t) (i32.shl (local.get $jb) (i32.const 10))))
            ;; software prefetch: touch this slice's bytes of row r+16, both planes (the
            ;; weights usually come from DRAM, and the hardware prefetchers do not follow
            ;; this row-strided walk), or row 0 past the end of the weights
            (local.set $pf (i32.add (i32.add (local.get $wr) (i32.shl (local.get $planeBytes) (i32.const 5))) (local.get $jb)))
            (drop (i32.load8_u (select (local.get $pf) (local.get $w) (i32.lt_u (local.get $pf) (local.get $wEnd)))))
            (local.set $pf (i32.add (local.get $pf) (local.get $planeBytes)))
            (drop (i32.load8_u (select (local.get $pf) (local.get $w) (i32.lt_u (local.get $pf) (local.get $wEnd)))))
            (local.set $j (local.get $jb))
            (block $jd
              (loop $jl
                (br_if $jd (i32.ge_u (local.get $j) (local.get $jend)))
                (local.set $P0 (f64.add (local.get $P0) (f64.promote_f32 (f32.load
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u (i32.add (local.get $wr) (local.get $j))) (i32.const 2)))))))
                (local.set $N0 (f64.add (local.get $N0) (f64.promote_f32 (f32.load
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u (i32.add (local.get $wm) (local.get $j))) (i32.const 2)))))))
                (local.set $P1 (f64.add (local.get $P1) (f64.promote_f32 (f32.load offset=1024
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=1 (i32.add (local.get $wr) (local.get $j))) (i32.const 2)))))))
                (local.set $N1 (f64.add (local.get $N1) (f64.promote_f32 (f32.load offset=1024
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=1 (i32.add (local.get $wm) (local.get $j))) (i32.const 2)))))))
                (local.set $P2 (f64.add (local.get $P2) (f64.promote_f32 (f32.load offset=2048
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=2 (i32.add (local.get $wr) (local.get $j))) (i32.const 2)))))))
                (local.set $N2 (f64.add (local.get $N2) (f64.promote_f32 (f32.load offset=2048
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=2 (i32.add (local.get $wm) (local.get $j))) (i32.const 2)))))))
                (local.set $P3 (f64.add (local.get $P3) (f64.promote_f32 (f32.load offset=3072
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=3 (i32.add (local.get $wr) (local.get $j))) (i32.const 2)))))))
                (local.set $N3 (f64.add (local.get $N3) (f64.promote_f32 (f32.load offset=3072
                  (i32.add (local.get $tp) (i32.shl (i32.load8_u offset=3 (i32.add (local.get $wm) (local.get $j))) (i32.const 2)))))))
                (local.set $tp (i32.add (local.get $tp) (i32.const 4096)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $jl)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $r) (i32.const 4))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
              (f64.add (f64.add (local.get $P0) (local.get $P1)) (f64.add (local.get $P2) (local.get $P3)))))
            (f64.store offset=8 (local.get $a) (f64.add (f64.load offset=8 (local.get $a))
              (f64.add (f64.add (local.get $N0) (local.get $N1)) (f64.add (local.get $N2) (local.get $N3)))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))
        (local.set $jb (local.get $jend))
        (br $bl)))
    (local.set $r (i32.const 0))
    (block $od
      (loop $ol
        (br_if $od (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $r) (i32.const 4))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (f64.sub
            (f64.mul (f64.promote_f32 (local.get $sp)) (f64.load (local.get $a)))
            (f64.mul (f64.promote_f32 (local.get $sn)) (f64.load offset=8 (local.get $a))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $ol))))

  ;; tf_gemm_cols: ternary weight rows x float activations laid out [K][M]
  ;; (layers of < 32 rows per group: too few rows to pay for tf_lut_gemm's tables)
  ;; (M a multiple of 16, e.g. im2col patches or batch columns). For every set
  ;; bit of a row's plus plane, 16 activations are added; for the minus plane,
  ;; subtracted (additions and subtractions only; zeros cost nothing).
  ;; out[r][m] = sp*P - sn*N, f32, row stride M.
  (func (export "tf_gemm_cols") (param $w i32) (param $rows i32) (param $k i32) (param $x i32)
    (param $m i32) (param $out i32) (param $sp f32) (param $sn f32)
    (local $plane i32) (local $words i32) (local $mb i32) (local $r i32) (local $wr i32) (local $q i32)
    (local $bits i32) (local $p i32) (local $rowStride i32)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local $vsp v128) (local $vsn v128) (local $o i32)
    (local $lastWord i32) (local $lastMask i32)
    (local.set $plane (i32.shr_u (i32.add (local.get $k) (i32.const 7)) (i32.const 3)))
    (local.set $words (i32.shr_u (i32.add (local.get $k) (i32.const 31)) (i32.const 5)))
    ;; planes are byte-granular: bits of the last 32-bit word past k belong to the next plane
    (local.set $lastWord (i32.sub (local.get $words) (i32.const 1)))
    (local.set $lastMask (select (i32.sub (i32.shl (i32.const 1) (i32.and (local.get $k) (i32.const 31))) (i32.const 1))
      (i32.const -1) (i32.and (local.get $k) (i32.const 31))))
    (local.set $rowStride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $vsp (f32x4.splat (local.get $sp)))
    (local.set $vsn (f32x4.splat (local.get $sn)))
    (block $mdone
      (loop $ml
        (br_if $mdone (i32.gt_u (i32.add (local.get $mb) (i32.const 16)) (local.get $m)))
        (local.set $r (i32.const 0))
        (local.set $wr (local.get $w))
        (block $rdone
          (loop $rl
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $p0 (v128.const i32x4 0 0 0 0)) (local.set $p1 (v128.const i32x4 0 0 0 0))
            (local.set $p2 (v128.const i32x4 0 0 0 0)) (local.set $p3 (v128.const i32x4 0 0 0 0))
            (local.set $n0 (v128.const i32x4 0 0 0 0)) (local.set $n1 (v128.const i32x4 0 0 0 0))
            (local.set $n2 (v128.const i32x4 0 0 0 0)) (local.set $n3 (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $qdone
              (loop $ql
                (br_if $qdone (i32.ge_u (local.get $q) (local.get $words)))
                ;; plus plane word q
                (local.set $bits (i32.and (i32.load (i32.add (local.get $wr) (i32.shl (local.get $q) (i32.const 2))))
                  (select (local.get $lastMask) (i32.const -1) (i32.eq (local.get $q) (local.get $lastWord)))))
                (block $pd
                  (loop $pl
                    (br_if $pd (i32.eqz (local.get $bits)))
                    (local.set $p (i32.add (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2)))
                      (i32.mul (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $bits))) (local.get $rowStride))))
                    (local.set $p0 (f32x4.add (local.get $p0) (v128.load (local.get $p))))
                    (local.set $p1 (f32x4.add (local.get $p1) (v128.load offset=16 (local.get $p))))
                    (local.set $p2 (f32x4.add (local.get $p2) (v128.load offset=32 (local.get $p))))
                    (local.set $p3 (f32x4.add (local.get $p3) (v128.load offset=48 (local.get $p))))
                    (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                    (br $pl)))
                ;; minus plane word q
                (local.set $bits (i32.and (i32.load (i32.add (i32.add (local.get $wr) (local.get $plane)) (i32.shl (local.get $q) (i32.const 2))))
                  (select (local.get $lastMask) (i32.const -1) (i32.eq (local.get $q) (local.get $lastWord)))))
                (block $nd
                  (loop $nl
                    (br_if $nd (i32.eqz (local.get $bits)))
                    (local.set $p (i32.add (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2)))
                      (i32.mul (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $bits))) (local.get $rowStride))))
                    (local.set $n0 (f32x4.add (local.get $n0) (v128.load (local.get $p))))
                    (local.set $n1 (f32x4.add (local.get $n1) (v128.load offset=16 (local.get $p))))
                    (local.set $n2 (f32x4.add (local.get $n2) (v128.load offset=32 (local.get $p))))
                    (local.set $n3 (f32x4.add (local.get $n3) (v128.load offset=48 (local.get $p))))
                    (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                    (br $nl)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $ql)))
            (local.set $o (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.shl (local.get $mb) (i32.const 2)))))
            (v128.store (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $p0)) (f32x4.mul (local.get $vsn) (local.get $n0))))
            (v128.store offset=16 (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $p1)) (f32x4.mul (local.get $vsn) (local.get $n1))))
            (v128.store offset=32 (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $p2)) (f32x4.mul (local.get $vsn) (local.get $n2))))
            (v128.store offset=48 (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $p3)) (f32x4.mul (local.get $vsn) (local.get $n3))))
            (local.set $wr (i32.add (local.get $wr) (i32.shl (local.get $plane) (i32.const 1))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))
        (local.set $mb (i32.add (local.get $mb) (i32.const 16)))
        (br $ml)))
    ;; the last M mod 16 columns, 4 at a time (M a multiple of 4)
    (block $tmdone
      (loop $tml
        (br_if $tmdone (i32.ge_u (local.get $mb) (local.get $m)))
        (local.set $r (i32.const 0))
        (local.set $wr (local.get $w))
        (block $trdone
          (loop $trl
            (br_if $trdone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $p0 (v128.const i32x4 0 0 0 0)) (local.set $n0 (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $tqdone
              (loop $tql
                (br_if $tqdone (i32.ge_u (local.get $q) (local.get $words)))
                ;; plus plane word q
                (local.set $bits (i32.and (i32.load (i32.add (local.get $wr) (i32.shl (local.get $q) (i32.const 2))))
                  (select (local.get $lastMask) (i32.const -1) (i32.eq (local.get $q) (local.get $lastWord)))))
                (block $tpd
                  (loop $tpl
                    (br_if $tpd (i32.eqz (local.get $bits)))
                    (local.set $p (i32.add (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2)))
                      (i32.mul (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $bits))) (local.get $rowStride))))
                    (local.set $p0 (f32x4.add (local.get $p0) (v128.load (local.get $p))))
                    (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                    (br $tpl)))
                ;; minus plane word q
                (local.set $bits (i32.and (i32.load (i32.add (i32.add (local.get $wr) (local.get $plane)) (i32.shl (local.get $q) (i32.const 2))))
                  (select (local.get $lastMask) (i32.const -1) (i32.eq (local.get $q) (local.get $lastWord)))))
                (block $tnd
                  (loop $tnl
                    (br_if $tnd (i32.eqz (local.get $bits)))
                    (local.set $p (i32.add (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2)))
                      (i32.mul (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $bits))) (local.get $rowStride))))
                    (local.set $n0 (f32x4.add (local.get $n0) (v128.load (local.get $p))))
                    (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                    (br $tnl)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $tql)))
            (local.set $o (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.shl (local.get $mb) (i32.const 2)))))
            (v128.store (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $p0)) (f32x4.mul (local.get $vsn) (local.get $n0))))
            (local.set $wr (i32.add (local.get $wr) (i32.shl (local.get $plane) (i32.const 1))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $trl)))
        (local.set $mb (i32.add (local.get $mb) (i32.const 4)))
        (br $tml))))

  ;; tf_lut_gemm: ternary weight rows x float activations [K][M] (M a multiple of 8),
  ;; T-MAC style: for every 4 activations and 8 columns, a table of the 16 subset sums
  ;; (T[s] = T[s without its lowest bit] + x[lowest bit], two f32x4 per entry), and
  ;; each nibble of a weight plane reads one entry: per plane byte 4 table reads and
  ;; 8 f32x4 adds do 8 weights x 8 columns of both signs, zeros included, against
  ;; the 4 adds per set bit and 16 columns of tf_gemm_cols (measured 1.5-2.5x
  ;; slower from 64 rows; faster below 32, docs/engine-performance.md). Groups go in slices of 64
  ;; (32 KB of tables, L1-resident) for all rows; per row and slice the plus/minus
  ;; sums of the even and odd groups accumulate separately (4 x 2 f32x4), then into
  ;; acc (rows x 16 f32: P then N; the first slice stores, later ones add).
  ;; out[r][m] = sp*P - sn*N. x must hold 8*planeBytes rows (zeros past K);
  ;; t: 32 KB scratch; acc: rows*64 bytes scratch.
  (func (export "tf_lut_gemm") (param $w i32) (param $rows i32) (param $pb i32) (param $x i32) (param $m i32)
    (param $out i32) (param $sp f32) (param $sn f32) (param $t i32) (param $acc i32)
    (local $rowStride i32) (local $mb i32) (local $qb i32) (local $qe i32) (local $g i32) (local $ge i32) (local $tg i32) (local $xr i32)
    (local $r i32) (local $wp i32) (local $wm i32) (local $q i32) (local $tp i32) (local $b i32) (local $a i32) (local $ap i32)
    (local $x0a v128) (local $x0b v128) (local $x1a v128) (local $x1b v128) (local $x2a v128) (local $x2b v128) (local $x3a v128) (local $x3b v128)
    (local $pl0 v128) (local $pl1 v128) (local $ph0 v128) (local $ph1 v128) (local $nl0 v128) (local $nl1 v128) (local $nh0 v128) (local $nh1 v128)
    (local $vsp v128) (local $vsn v128) (local $o i32)
    (local.set $rowStride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $vsp (f32x4.splat (local.get $sp)))
    (local.set $vsn (f32x4.splat (local.get $sn)))
    (block $mdone (loop $ml
      (br_if $mdone (i32.ge_u (local.get $mb) (local.get $m)))
      (local.set $qb (i32.const 0))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_u (local.get $qb) (local.get $pb)))
        (local.set $qe (i32.add (local.get $qb) (i32.const 32)))
        (if (i32.gt_u (local.get $qe) (local.get $pb)) (then (local.set $qe (local.get $pb))))
        ;; tables of groups 2qb .. 2qe-1
        (local.set $g (i32.shl (local.get $qb) (i32.const 1)))
        (local.set $ge (i32.shl (local.get $qe) (i32.const 1)))
        (local.set $tg (local.get $t))
        (block $gdone (loop $gl
          (br_if $gdone (i32.ge_u (local.get $g) (local.get $ge)))
          (local.set $xr (i32.add (i32.add (local.get $x) (i32.mul (i32.shl (local.get $g) (i32.const 2)) (local.get $rowStride))) (i32.shl (local.get $mb) (i32.const 2))))
          (local.set $x0a (v128.load (local.get $xr))) (local.set $x0b (v128.load offset=16 (local.get $xr)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStride)))
          (local.set $x1a (v128.load (local.get $xr))) (local.set $x1b (v128.load offset=16 (local.get $xr)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStride)))
          (local.set $x2a (v128.load (local.get $xr))) (local.set $x2b (v128.load offset=16 (local.get $xr)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStride)))
          (local.set $x3a (v128.load (local.get $xr))) (local.set $x3b (v128.load offset=16 (local.get $xr)))
                (v128.store (local.get $tg) (v128.const i32x4 0 0 0 0))
                (v128.store offset=16 (local.get $tg) (v128.const i32x4 0 0 0 0))
                (v128.store offset=32 (local.get $tg) (local.get $x0a))
                (v128.store offset=48 (local.get $tg) (local.get $x0b))
                (v128.store offset=64 (local.get $tg) (local.get $x1a))
                (v128.store offset=80 (local.get $tg) (local.get $x1b))
                (v128.store offset=96 (local.get $tg) (f32x4.add (v128.load offset=64 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=112 (local.get $tg) (f32x4.add (v128.load offset=80 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=128 (local.get $tg) (local.get $x2a))
                (v128.store offset=144 (local.get $tg) (local.get $x2b))
                (v128.store offset=160 (local.get $tg) (f32x4.add (v128.load offset=128 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=176 (local.get $tg) (f32x4.add (v128.load offset=144 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=192 (local.get $tg) (f32x4.add (v128.load offset=128 (local.get $tg)) (local.get $x1a)))
                (v128.store offset=208 (local.get $tg) (f32x4.add (v128.load offset=144 (local.get $tg)) (local.get $x1b)))
                (v128.store offset=224 (local.get $tg) (f32x4.add (v128.load offset=192 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=240 (local.get $tg) (f32x4.add (v128.load offset=208 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=256 (local.get $tg) (local.get $x3a))
                (v128.store offset=272 (local.get $tg) (local.get $x3b))
                (v128.store offset=288 (local.get $tg) (f32x4.add (v128.load offset=256 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=304 (local.get $tg) (f32x4.add (v128.load offset=272 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=320 (local.get $tg) (f32x4.add (v128.load offset=256 (local.get $tg)) (local.get $x1a)))
                (v128.store offset=336 (local.get $tg) (f32x4.add (v128.load offset=272 (local.get $tg)) (local.get $x1b)))
                (v128.store offset=352 (local.get $tg) (f32x4.add (v128.load offset=320 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=368 (local.get $tg) (f32x4.add (v128.load offset=336 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=384 (local.get $tg) (f32x4.add (v128.load offset=256 (local.get $tg)) (local.get $x2a)))
                (v128.store offset=400 (local.get $tg) (f32x4.add (v128.load offset=272 (local.get $tg)) (local.get $x2b)))
                (v128.store offset=416 (local.get $tg) (f32x4.add (v128.load offset=384 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=432 (local.get $tg) (f32x4.add (v128.load offset=400 (local.get $tg)) (local.get $x0b)))
                (v128.store offset=448 (local.get $tg) (f32x4.add (v128.load offset=384 (local.get $tg)) (local.get $x1a)))
                (v128.store offset=464 (local.get $tg) (f32x4.add (v128.load offset=400 (local.get $tg)) (local.get $x1b)))
                (v128.store offset=480 (local.get $tg) (f32x4.add (v128.load offset=448 (local.get $tg)) (local.get $x0a)))
                (v128.store offset=496 (local.get $tg) (f32x4.add (v128.load offset=464 (local.get $tg)) (local.get $x0b)))
          (local.set $tg (i32.add (local.get $tg) (i32.const 512)))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $gl)))
        ;; every row against this slice's tables
        (local.set $r (i32.const 0))
        (block $rdone (loop $rl
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $r) (i32.shl (local.get $pb) (i32.const 1)))))
          (local.set $wm (i32.add (local.get $wp) (local.get $pb)))
          (local.set $pl0 (v128.const i32x4 0 0 0 0)) (local.set $pl1 (v128.const i32x4 0 0 0 0))
          (local.set $ph0 (v128.const i32x4 0 0 0 0)) (local.set $ph1 (v128.const i32x4 0 0 0 0))
          (local.set $nl0 (v128.const i32x4 0 0 0 0)) (local.set $nl1 (v128.const i32x4 0 0 0 0))
          (local.set $nh0 (v128.const i32x4 0 0 0 0)) (local.set $nh1 (v128.const i32x4 0 0 0 0))
          (local.set $tp (local.get $t))
          (local.set $q (local.get $qb))
          (block $qdone (loop $ql
            (br_if $qdone (i32.ge_u (local.get $q) (local.get $qe)))
            (local.set $b (i32.load8_u (i32.add (local.get $wp) (local.get $q))))
            (local.set $a (i32.add (local.get $tp) (i32.shl (i32.and (local.get $b) (i32.const 15)) (i32.const 5))))
            (local.set $pl0 (f32x4.add (local.get $pl0) (v128.load (local.get $a))))
            (local.set $pl1 (f32x4.add (local.get $pl1) (v128.load offset=16 (local.get $a))))
            (local.set $a (i32.add (local.get $tp) (i32.shl (i32.shr_u (local.get $b) (i32.const 4)) (i32.const 5))))
            (local.set $ph0 (f32x4.add (local.get $ph0) (v128.load offset=512 (local.get $a))))
            (local.set $ph1 (f32x4.add (local.get $ph1) (v128.load offset=528 (local.get $a))))
            (local.set $b (i32.load8_u (i32.add (local.get $wm) (local.get $q))))
            (local.set $a (i32.add (local.get $tp) (i32.shl (i32.and (local.get $b) (i32.const 15)) (i32.const 5))))
            (local.set $nl0 (f32x4.add (local.get $nl0) (v128.load (local.get $a))))
            (local.set $nl1 (f32x4.add (local.get $nl1) (v128.load offset=16 (local.get $a))))
            (local.set $a (i32.add (local.get $tp) (i32.shl (i32.shr_u (local.get $b) (i32.const 4)) (i32.const 5))))
            (local.set $nh0 (f32x4.add (local.get $nh0) (v128.load offset=512 (local.get $a))))
            (local.set $nh1 (f32x4.add (local.get $nh1) (v128.load offset=528 (local.get $a))))
            (local.set $tp (i32.add (local.get $tp) (i32.const 1024)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $ql)))
          (local.set $pl0 (f32x4.add (local.get $pl0) (local.get $ph0)))
          (local.set $pl1 (f32x4.add (local.get $pl1) (local.get $ph1)))
          (local.set $nl0 (f32x4.add (local.get $nl0) (local.get $nh0)))
          (local.set $nl1 (f32x4.add (local.get $nl1) (local.get $nh1)))
          (local.set $ap (i32.add (local.get $acc) (i32.shl (local.get $r) (i32.const 6))))
          (if (local.get $qb)
            (then
              (local.set $pl0 (f32x4.add (v128.load (local.get $ap)) (local.get $pl0)))
              (local.set $pl1 (f32x4.add (v128.load offset=16 (local.get $ap)) (local.get $pl1)))
              (local.set $nl0 (f32x4.add (v128.load offset=32 (local.get $ap)) (local.get $nl0)))
              (local.set $nl1 (f32x4.add (v128.load offset=48 (local.get $ap)) (local.get $nl1)))))
          (v128.store (local.get $ap) (local.get $pl0))
          (v128.store offset=16 (local.get $ap) (local.get $pl1))
          (v128.store offset=32 (local.get $ap) (local.get $nl0))
          (v128.store offset=48 (local.get $ap) (local.get $nl1))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rl)))
        (local.set $qb (local.get $qe))
        (br $sl)))
      ;; out = sp*P - sn*N for this block of 8 columns
      (local.set $r (i32.const 0))
      (block $odone (loop $ol
        (br_if $odone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $ap (i32.add (local.get $acc) (i32.shl (local.get $r) (i32.const 6))))
        (local.set $o (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $rowStride))) (i32.shl (local.get $mb) (i32.const 2))))
        (v128.store (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (v128.load (local.get $ap))) (f32x4.mul (local.get $vsn) (v128.load offset=32 (local.get $ap)))))
        (v128.store offset=16 (local.get $o) (f32x4.sub (f32x4.mul (local.get $vsp) (v128.load offset=16 (local.get $ap))) (f32x4.mul (local.get $vsn) (v128.load offset=48 (local.get $ap)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $ol)))
      (local.set $mb (i32.add (local.get $mb) (i32.const 8)))
      (br $ml))))
)
