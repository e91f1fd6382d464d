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
)
