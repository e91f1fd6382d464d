;; Tritscope float-side kernels of the packed engine (WebAssembly + SIMD128):
;; the float GEMM of first/last layers, the matmul epilogue (bias, batchnorm,
;; relu), im2col and max pooling. They share the engine's memory with
;; ternary.wat (imported as env.memory). Each reproduces the reference
;; executor's arithmetic and order, so results are bit-identical to it.
;; Hand-written WAT for the reasons given at the top of ternary.wat.

(module
  (import "env" "memory" (memory 1))

  ;; f64_gemm_cols: float layers (first/last, not ternarized) as im2col GEMM:
  ;; out[r][m] = f32(sum_k w[r][k] * x[k][m] + bias[r]) with w, bias f64 and x
  ;; f32 laid out [K][M], M a multiple of 8. Products of two f32 are exact in
  ;; f64 and the sum runs in k order like the reference executor's loop, so the
  ;; result is bit-identical to it (padding cells contribute exact zeros). Per block
  ;; of 8 columns the activations are promoted once into `panel` (K x 64 bytes of
  ;; scratch) and two weight rows share each panel load (8 accumulators).
  (func (export "f64_gemm_cols") (param $w i32) (param $rows i32) (param $k i32) (param $x i32)
    (param $m i32) (param $bias i32) (param $out i32) (param $panel i32)
    (local $q i32) (local $mb i32) (local $r i32) (local $kk i32) (local $p i32) (local $wr i32) (local $wr2 i32) (local $rowStride i32) (local $kBytes i32)
    (local $wv v128) (local $wv2 v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b v128) (local $o i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $rowStride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 3)))
    (block $mdone
      (loop $ml
        (br_if $mdone (i32.ge_u (local.get $mb) (local.get $m)))
        ;; this block's 8 columns of every k, promoted to f64 once for all rows: panel [K][8] f64
        (local.set $p (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2))))
        (local.set $q (local.get $panel))
        (local.set $kk (i32.const 0))
        (block $cvd (loop $cvl
          (br_if $cvd (i32.ge_u (local.get $kk) (local.get $k)))
          (v128.store (local.get $q) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
          (v128.store offset=16 (local.get $q) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))))
          (v128.store offset=32 (local.get $q) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $p))))
          (v128.store offset=48 (local.get $q) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowStride)))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $cvl)))
        (local.set $r (i32.const 0))
        ;; two rows at a time share each promoted activation (8 accumulators)
        (block $rdone
          (loop $rl
            (br_if $rdone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows)))
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $kBytes))))
            (local.set $wr2 (i32.add (local.get $wr) (local.get $kBytes)))
            (local.set $p (local.get $panel))
            (local.set $kk (i32.const 0))
            (block $kdone
              (loop $kl
                (br_if $kdone (i32.ge_u (local.get $kk) (local.get $kBytes)))
                (local.set $wv (f64x2.splat (f64.load (i32.add (local.get $wr) (local.get $kk)))))
                (local.set $wv2 (f64x2.splat (f64.load (i32.add (local.get $wr2) (local.get $kk)))))
                (local.set $x0 (v128.load (local.get $p)))
                (local.set $x1 (v128.load offset=16 (local.get $p)))
                (local.set $x2 (v128.load offset=32 (local.get $p)))
                (local.set $x3 (v128.load offset=48 (local.get $p)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $wv) (local.get $x0))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $wv) (local.get $x1))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $wv) (local.get $x2))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $wv) (local.get $x3))))
                (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $wv2) (local.get $x0))))
                (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $wv2) (local.get $x1))))
                (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $wv2) (local.get $x2))))
                (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $wv2) (local.get $x3))))
                (local.set $p (i32.add (local.get $p) (i32.const 64)))
                (local.set $kk (i32.add (local.get $kk) (i32.const 8)))
                (br $kl)))
            (local.set $b (f64x2.splat (f64.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 3))))))
            (local.set $o (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.shl (local.get $mb) (i32.const 2)))))
            (v128.store64_lane 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a0) (local.get $b))))
            (v128.store64_lane offset=8 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a1) (local.get $b))))
            (v128.store64_lane offset=16 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a2) (local.get $b))))
            (v128.store64_lane offset=24 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a3) (local.get $b))))
            (local.set $b (f64x2.splat (f64.load offset=8 (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 3))))))
            (local.set $o (i32.add (local.get $o) (local.get $rowStride)))
            (v128.store64_lane 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $c0) (local.get $b))))
            (v128.store64_lane offset=8 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $c1) (local.get $b))))
            (v128.store64_lane offset=16 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $c2) (local.get $b))))
            (v128.store64_lane offset=24 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $c3) (local.get $b))))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $rl)))
        ;; an odd last row alone
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $kBytes))))
            (local.set $p (local.get $panel))
            (local.set $kk (i32.const 0))
            (block $kdone1
              (loop $kl1
                (br_if $kdone1 (i32.ge_u (local.get $kk) (local.get $kBytes)))
                (local.set $wv (f64x2.splat (f64.load (i32.add (local.get $wr) (local.get $kk)))))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $wv) (v128.load (local.get $p)))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $wv) (v128.load offset=16 (local.get $p)))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $wv) (v128.load offset=32 (local.get $p)))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $wv) (v128.load offset=48 (local.get $p)))))
                (local.set $p (i32.add (local.get $p) (i32.const 64)))
                (local.set $kk (i32.add (local.get $kk) (i32.const 8)))
                (br $kl1)))
            (local.set $b (f64x2.splat (f64.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 3))))))
            (local.set $o (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.shl (local.get $mb) (i32.const 2)))))
            (v128.store64_lane 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a0) (local.get $b))))
            (v128.store64_lane offset=8 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a1) (local.get $b))))
            (v128.store64_lane offset=16 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a2) (local.get $b))))
            (v128.store64_lane offset=24 0 (local.get $o) (f32x4.demote_f64x2_zero (f64x2.add (local.get $a3) (local.get $b))))))
        (local.set $mb (i32.add (local.get $mb) (i32.const 8)))
        (br $ml))))

  ;; f32_gemm_cols: the float GEMM of models without ternarized activations
  ;; (tolerance, not bit-identity, applies there): out[r][m] = sum_k w[r][k]*x[k][m]
  ;; + bias[r] with w, bias, x f32, 4 lanes per op instead of f64's 2; M a multiple of 16.
  ;; Per 16-column block the activations are copied into `panel` (K x 64 bytes of scratch)
  ;; and two weight rows share each panel load.
  (func (export "f32_gemm_cols") (param $w i32) (param $rows i32) (param $k i32) (param $x i32)
    (param $m i32) (param $bias i32) (param $out i32) (param $panel i32)
    (local $mb i32) (local $r i32) (local $kk i32) (local $p i32) (local $q i32) (local $wr i32) (local $wr2 i32) (local $rowStride i32) (local $kBytes i32)
    (local $wv v128) (local $wv2 v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $b v128) (local $o i32)
    (local.set $rowStride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (block $mdone
      (loop $ml
        (br_if $mdone (i32.ge_u (local.get $mb) (local.get $m)))
        ;; this block's 16 columns of every k, contiguous: panel [K][16] (rows of x are M apart,
        ;; which for large maps puts every k in the same few L1 sets)
        (local.set $p (i32.add (local.get $x) (i32.shl (local.get $mb) (i32.const 2))))
        (local.set $q (local.get $panel))
        (local.set $kk (i32.const 0))
        (block $cvd (loop $cvl
          (br_if $cvd (i32.ge_u (local.get $kk) (local.get $k)))
          (v128.store (local.get $q) (v128.load (local.get $p)))
          (v128.store offset=16 (local.get $q) (v128.load offset=16 (local.get $p)))
          (v128.store offset=32 (local.get $q) (v128.load offset=32 (local.get $p)))
          (v128.store offset=48 (local.get $q) (v128.load offset=48 (local.get $p)))
          (local.set $p (i32.add (local.get $p) (local.get $rowStride)))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $cvl)))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $rl
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
            ;; two rows share each panel load; an odd last row pairs with itself (results written once)
            (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $kBytes))))
            (local.set $wr2 (select (i32.add (local.get $wr) (local.get $kBytes)) (local.get $wr)
              (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))))
            (local.set $b (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
            (local.set $a0 (local.get $b)) (local.set $a1 (local.get $b)) (local.set $a2 (local.get $b)) (local.set $a3 (local.get $b))
            (local.set $b (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl
              (select (i32.add (local.get $r) (i32.const 1)) (local.get $r) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))) (i32.const 2))))))
            (local.set $c0 (local.get $b)) (local.set $c1 (local.get $b)) (local.set $c2 (local.get $b)) (local.set $c3 (local.get $b))
            (local.set $p (local.get $panel))
            (local.set $kk (i32.const 0))
            (block $kdone
              (loop $kl
                (br_if $kdone (i32.ge_u (local.get $kk) (local.get $kBytes)))
                (local.set $wv (f32x4.splat (f32.load (i32.add (local.get $wr) (local.get $kk)))))
                (local.set $wv2 (f32x4.splat (f32.load (i32.add (local.get $wr2) (local.get $kk)))))
                (local.set $x0 (v128.load (local.get $p)))
                (local.set $x1 (v128.load offset=16 (local.get $p)))
                (local.set $x2 (v128.load offset=32 (local.get $p)))
                (local.set $x3 (v128.load offset=48 (local.get $p)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $wv) (local.get $x0))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $wv) (local.get $x1))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $wv) (local.get $x2))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $wv) (local.get $x3))))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $wv2) (local.get $x0))))
                (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $wv2) (local.get $x1))))
                (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $wv2) (local.get $x2))))
                (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $wv2) (local.get $x3))))
                (local.set $p (i32.add (local.get $p) (i32.const 64)))
                (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
                (br $kl)))
            (local.set $o (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.shl (local.get $mb) (i32.const 2)))))
            (v128.store (local.get $o) (local.get $a0))
            (v128.store offset=16 (local.get $o) (local.get $a1))
            (v128.store offset=32 (local.get $o) (local.get $a2))
            (v128.store offset=48 (local.get $o) (local.get $a3))
            (if (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))
              (then
                (local.set $o (i32.add (local.get $o) (local.get $rowStride)))
                (v128.store (local.get $o) (local.get $c0))
                (v128.store offset=16 (local.get $o) (local.get $c1))
                (v128.store offset=32 (local.get $o) (local.get $c2))
                (v128.store offset=48 (local.get $o) (local.get $c3))))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $rl)))
        (local.set $mb (i32.add (local.get $mb) (i32.const 16)))
        (br $ml))))

  ;; epilogue: per output channel, value = src*mul + bias rounded to f32, then
  ;; (flags bit 0) batchnorm (gamma*(v-mean))/sd + beta rounded to f32, then
  ;; (flags bit 1) relu, (bit 4) clip to [lo, hi], then (bit 2) + the residual res (f32, laid out as out: the
  ;; reference's add, one f32 rounding) and (bit 3) relu again -- the reference
  ;; executor's arithmetic, in its order.
  ;; src kind: 0 f32, 1 i32, 2 f64; src[(r*rowStride + b*M + m)];
  ;; params: 6 f64 per row (mul, bias, gamma, mean, sd, beta);
  ;; out: f32 NCHW, out[((b*O + o0 + r)*M + m)].
  (func (export "epilogue") (param $src i32) (param $kind i32) (param $rowStride i32) (param $rows i32)
    (param $n i32) (param $M i32) (param $O i32) (param $o0 i32) (param $params i32) (param $flags i32) (param $out i32) (param $res i32) (param $clo f32) (param $chi f32)
    (local $r i32) (local $b i32) (local $m i32) (local $s i32) (local $d i32) (local $pp i32) (local $esz i32) (local $vlo v128) (local $vhi v128)
    (local $mul f64) (local $bias f64) (local $gamma f64) (local $mean f64) (local $sd f64) (local $beta f64)
    (local $x f64) (local $v f32)
    (local $xv v128) (local $lo v128) (local $hi v128) (local $vmul v128) (local $vbias v128)
    (local $vg v128) (local $vmean v128) (local $vsd v128) (local $vbeta v128)
    (local.set $esz (select (i32.const 8) (i32.const 4) (i32.eq (local.get $kind) (i32.const 2))))
    (local.set $vlo (f32x4.splat (local.get $clo)))
    (local.set $vhi (f32x4.splat (local.get $chi)))
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $pp (i32.add (local.get $params) (i32.mul (local.get $r) (i32.const 48))))
        (local.set $mul (f64.load (local.get $pp)))
        (local.set $bias (f64.load offset=8 (local.get $pp)))
        (local.set $gamma (f64.load offset=16 (local.get $pp)))
        (local.set $mean (f64.load offset=24 (local.get $pp)))
        (local.set $sd (f64.load offset=32 (local.get $pp)))
        (local.set $beta (f64.load offset=40 (local.get $pp)))
        (local.set $vmul (f64x2.splat (local.get $mul))) (local.set $vbias (f64x2.splat (local.get $bias)))
        (local.set $vg (f64x2.splat (local.get $gamma))) (local.set $vmean (f64x2.splat (local.get $mean)))
        (local.set $vsd (f64x2.splat (local.get $sd))) (local.set $vbeta (f64x2.splat (local.get $beta)))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $bl
            (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
            (local.set $s (i32.add (local.get $src) (i32.mul (local.get $esz)
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.mul (local.get $b) (local.get $M))))))
            (local.set $d (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $O))
              (i32.add (local.get $o0) (local.get $r))) (local.get $M)) (i32.const 2))))
            (local.set $m (i32.const 0))
            ;; 4 values at a time (f32 / i32 sources): the same f64 arithmetic in two f64x2 halves.
            (if (i32.ne (local.get $kind) (i32.const 2))
              (then
                (block $vdone
                  (loop $vl
                    (br_if $vdone (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $M)))
                    (local.set $xv (v128.load (local.get $s)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xv) (local.get $xv)))
                    (if (i32.eqz (local.get $kind))
                      (then
                        (local.set $lo (f64x2.promote_low_f32x4 (local.get $xv)))
                        (local.set $hi (f64x2.promote_low_f32x4 (local.get $hi))))
                      (else
                        (local.set $lo (f64x2.convert_low_i32x4_s (local.get $xv)))
                        (local.set $hi (f64x2.convert_low_i32x4_s (local.get $hi)))))
                    (local.set $lo (f64x2.add (f64x2.mul (local.get $lo) (local.get $vmul)) (local.get $vbias)))
                    (local.set $hi (f64x2.add (f64x2.mul (local.get $hi) (local.get $vmul)) (local.get $vbias)))
                    (local.set $xv (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                      (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
                    (if (i32.and (local.get $flags) (i32.const 1))
                      (then
                        (local.set $lo (f64x2.promote_low_f32x4 (local.get $xv)))
                        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xv) (local.get $xv))))
                        (local.set $lo (f64x2.add (f64x2.div (f64x2.mul (local.get $vg) (f64x2.sub (local.get $lo) (local.get $vmean))) (local.get $vsd)) (local.get $vbeta)))
                        (local.set $hi (f64x2.add (f64x2.div (f64x2.mul (local.get $vg) (f64x2.sub (local.get $hi) (local.get $vmean))) (local.get $vsd)) (local.get $vbeta)))
                        (local.set $xv (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                          (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))))
                    ;; relu as pmax(0, v) = 0 < v ? v : 0, the reference's v > 0 ? v : 0 (NaN and -0 give 0 too)
                    (if (i32.and (local.get $flags) (i32.const 2))
                      (then (local.set $xv (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $xv)))))
                    ;; clip: v < lo ? lo : (v > hi ? hi : v), NaN kept, as the reference
                    (if (i32.and (local.get $flags) (i32.const 16))
                      (then (local.set $xv (v128.bitselect (local.get $vlo) (v128.bitselect (local.get $vhi) (local.get $xv) (f32x4.gt (local.get $xv) (local.get $vhi)))
                        (f32x4.lt (local.get $xv) (local.get $vlo))))))
                    (if (i32.and (local.get $flags) (i32.const 4))
                      (then (local.set $xv (f32x4.add (local.get $xv) (v128.load (i32.add (local.get $res) (i32.sub (local.get $d) (local.get $out))))))))
                    (if (i32.and (local.get $flags) (i32.const 8))
                      (then (local.set $xv (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $xv)))))
                    (v128.store (local.get $d) (local.get $xv))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $m (i32.add (local.get $m) (i32.const 4)))
                    (br $vl)))))
            (block $mdone
              (loop $ml
                (br_if $mdone (i32.ge_u (local.get $m) (local.get $M)))
                (if (i32.eqz (local.get $kind))
                  (then (local.set $x (f64.promote_f32 (f32.load (local.get $s)))))
                  (else (if (i32.eq (local.get $kind) (i32.const 1))
                    (then (local.set $x (f64.convert_i32_s (i32.load (local.get $s)))))
                    (else (local.set $x (f64.load (local.get $s)))))))
                (local.set $v (f32.demote_f64 (f64.add (f64.mul (local.get $x) (local.get $mul)) (local.get $bias))))
                (if (i32.and (local.get $flags) (i32.const 1))
                  (then (local.set $v (f32.demote_f64 (f64.add
                    (f64.div (f64.mul (local.get $gamma) (f64.sub (f64.promote_f32 (local.get $v)) (local.get $mean))) (local.get $sd))
                    (local.get $beta))))))
                (if (i32.and (local.get $flags) (i32.const 2))
                  (then (local.set $v (select (local.get $v) (f32.const 0) (f32.gt (local.get $v) (f32.const 0))))))
                (if (i32.and (local.get $flags) (i32.const 16))
                  (then (local.set $v (select (local.get $clo) (select (local.get $chi) (local.get $v) (f32.gt (local.get $v) (local.get $chi)))
                    (f32.lt (local.get $v) (local.get $clo))))))
                (if (i32.and (local.get $flags) (i32.const 4))
                  (then (local.set $v (f32.add (local.get $v) (f32.load (i32.add (local.get $res) (i32.sub (local.get $d) (local.get $out))))))))
                (if (i32.and (local.get $flags) (i32.const 8))
                  (then (local.set $v (select (local.get $v) (f32.const 0) (f32.gt (local.get $v) (f32.const 0))))))
                (f32.store (local.get $d) (local.get $v))
                (local.set $s (i32.add (local.get $s) (local.get $esz)))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br $ml)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; epilogue_affine: the fast epilogue of models without ternarized activations
  ;; (no downstream threshold can amplify an ulp): bias and batchnorm folded into
  ;; one f32 affine map per channel, v = a*src + b, then flags as in epilogue:
  ;; (bit 1) relu, (bit 2) + residual res, (bit 3) relu.
  ;; src f32 at src[r*rowStride + b*M + m]; params: 2 f32 per row (a, b);
  ;; out f32 NCHW at out[((b*O + o0 + r)*M + m)].
  (func (export "epilogue_affine") (param $src i32) (param $rowStride i32) (param $rows i32)
    (param $n i32) (param $M i32) (param $O i32) (param $o0 i32) (param $params i32) (param $flags i32) (param $out i32) (param $res i32) (param $clo f32) (param $chi f32)
    (local $r i32) (local $b i32) (local $m i32) (local $s i32) (local $d i32) (local $vlo v128) (local $vhi v128)
    (local $a f32) (local $c f32) (local $va v128) (local $vc v128) (local $v v128) (local $x f32)
    (local.set $vlo (f32x4.splat (local.get $clo)))
    (local.set $vhi (f32x4.splat (local.get $chi)))
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (f32.load (i32.add (local.get $params) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $c (f32.load offset=4 (i32.add (local.get $params) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $va (f32x4.splat (local.get $a)))
        (local.set $vc (f32x4.splat (local.get $c)))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $bl
            (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
            (local.set $s (i32.add (local.get $src) (i32.shl
              (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (i32.mul (local.get $b) (local.get $M))) (i32.const 2))))
            (local.set $d (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $O))
              (i32.add (local.get $o0) (local.get $r))) (local.get $M)) (i32.const 2))))
            (local.set $m (i32.const 0))
            (block $vdone
              (loop $vl
                (br_if $vdone (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $M)))
                (local.set $v (f32x4.add (f32x4.mul (v128.load (local.get $s)) (local.get $va)) (local.get $vc)))
                ;; relu as pmax(0, v) = 0 < v ? v : 0, the reference's v > 0 ? v : 0
                (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $v (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v)))))
                (if (i32.and (local.get $flags) (i32.const 16))
                  (then (local.set $v (v128.bitselect (local.get $vlo) (v128.bitselect (local.get $vhi) (local.get $v) (f32x4.gt (local.get $v) (local.get $vhi)))
                    (f32x4.lt (local.get $v) (local.get $vlo))))))
                (if (i32.and (local.get $flags) (i32.const 4))
                  (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $res) (i32.sub (local.get $d) (local.get $out))))))))
                (if (i32.and (local.get $flags) (i32.const 8)) (then (local.set $v (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v)))))
                (v128.store (local.get $d) (local.get $v))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (local.set $m (i32.add (local.get $m) (i32.const 4)))
                (br $vl)))
            (block $mdone
              (loop $ml
                (br_if $mdone (i32.ge_u (local.get $m) (local.get $M)))
                (local.set $x (f32.add (f32.mul (f32.load (local.get $s)) (local.get $a)) (local.get $c)))
                (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $x (select (local.get $x) (f32.const 0) (f32.gt (local.get $x) (f32.const 0))))))
                (if (i32.and (local.get $flags) (i32.const 16))
                  (then (local.set $x (select (local.get $clo) (select (local.get $chi) (local.get $x) (f32.gt (local.get $x) (local.get $chi)))
                    (f32.lt (local.get $x) (local.get $clo))))))
                (if (i32.and (local.get $flags) (i32.const 4))
                  (then (local.set $x (f32.add (local.get $x) (f32.load (i32.add (local.get $res) (i32.sub (local.get $d) (local.get $out))))))))
                (if (i32.and (local.get $flags) (i32.const 8)) (then (local.set $x (select (local.get $x) (f32.const 0) (f32.gt (local.get $x) (f32.const 0))))))
                (f32.store (local.get $d) (local.get $x))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br $ml)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; im2col_f32: columns of a conv's float input for tf_lut_gemm/f32_gemm_cols/f64_gemm_cols.
  ;; x: f32 [n][c][h][w]; channels ic0 .. ic0+ig-1 (one group); dst: f32 [K][colsPad]
  ;; with K = ig*kh*kw in (ic, ky, kx) order and column b*oh*ow + oy*ow + ox.
  ;; Cells outside the image are left as they are (the caller zero-fills dst).
  (func (export "im2col_f32") (param $x i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
    (param $ic0 i32) (param $ig i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $pt i32) (param $pl i32) (param $dh i32) (param $dw i32) (param $oh i32) (param $ow i32)
    (param $colsPad i32) (param $dst i32)
    (local $ic i32) (local $ky i32) (local $kx i32) (local $b i32) (local $oy i32) (local $ox i32)
    (local $iy i32) (local $ix i32) (local $row i32) (local $src i32) (local $d i32) (local $plane i32) (local $M i32)
    (local $ox0 i32) (local $ox1 i32)
    (local.set $plane (i32.mul (local.get $h) (local.get $w)))
    (local.set $M (i32.mul (local.get $oh) (local.get $ow)))
    (local.set $row (local.get $dst))
    (block $icd (loop $icl
      (br_if $icd (i32.ge_u (local.get $ic) (local.get $ig)))
      (local.set $ky (i32.const 0))
      (block $kyd (loop $kyl
        (br_if $kyd (i32.ge_u (local.get $ky) (local.get $kh)))
        (local.set $kx (i32.const 0))
        (block $kxd (loop $kxl
          (br_if $kxd (i32.ge_u (local.get $kx) (local.get $kw)))
          (local.set $b (i32.const 0))
          ;; stride 1, no dilation, output as wide as the input ("same" convs): the
          ;; valid rows of this (ic, ky, kx) for one sample are the input plane shifted
          ;; by (ky-pt, kx-pl), one contiguous copy; the columns it wraps around an
          ;; edge are zeroed after. Skips the per-row loop below (b = n).
          (if (i32.and (i32.and (i32.eq (local.get $sw) (i32.const 1)) (i32.eq (local.get $sh) (i32.const 1)))
                (i32.and (i32.and (i32.eq (local.get $dw) (i32.const 1)) (i32.eq (local.get $dh) (i32.const 1)))
                  (i32.eq (local.get $ow) (local.get $w))))
            (then
              ;; valid output rows [oy0, oy1): 0 <= oy + ky - pt < h
              (local.set $ox0 (i32.sub (local.get $pt) (local.get $ky)))
              (if (i32.lt_s (local.get $ox0) (i32.const 0)) (then (local.set $ox0 (i32.const 0))))
              (local.set $ox1 (i32.sub (i32.add (local.get $h) (local.get $pt)) (local.get $ky)))
              (if (i32.gt_s (local.get $ox1) (local.get $oh)) (then (local.set $ox1 (local.get $oh))))
              (local.set $ix (i32.sub (local.get $kx) (local.get $pl)))
              (block $fd (loop $fl
                (br_if $fd (i32.ge_u (local.get $b) (local.get $n)))
                (if (i32.lt_s (local.get $ox0) (local.get $ox1))
                  (then
                    (local.set $d (i32.add (local.get $row) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $M))
                      (i32.mul (local.get $ox0) (local.get $ow))) (i32.const 2))))
                    ;; source from iy0*w + (kx - pl): up to pl floats before the plane, all in
                    ;; engine memory and all landing in wrapped cells zeroed below
                    ;; inline copy, 16 bytes then 4 at a time: memory.copy is a call out of
                    ;; wasm, and these runs are short (a few hundred bytes)
                    (local.set $src (i32.add (local.get $x) (i32.shl (i32.add
                      (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (i32.add (local.get $ic0) (local.get $ic))) (local.get $plane))
                      (i32.add (i32.mul (i32.sub (i32.add (local.get $ox0) (local.get $ky)) (local.get $pt)) (local.get $w)) (local.get $ix)))
                      (i32.const 2))))
                    (local.set $iy (i32.shl (i32.mul (i32.sub (local.get $ox1) (local.get $ox0)) (local.get $ow)) (i32.const 2)))
                    (local.set $ox (i32.const 0))
                    (block $cd (loop $cl
                      (br_if $cd (i32.gt_s (i32.add (local.get $ox) (i32.const 16)) (local.get $iy)))
                      (v128.store (i32.add (local.get $d) (local.get $ox)) (v128.load (i32.add (local.get $src) (local.get $ox))))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 16)))
                      (br $cl)))
                    (block $ctd (loop $ctl
                      (br_if $ctd (i32.ge_s (local.get $ox) (local.get $iy)))
                      (f32.store (i32.add (local.get $d) (local.get $ox)) (f32.load (i32.add (local.get $src) (local.get $ox))))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                      (br $ctl)))
                    ;; columns ox with ox + kx - pl outside [0, w) got wrapped values: zero them,
                    ;; one column at a time down the rows (the range is the same in every row)
                    (local.set $ox (select (i32.const 0) (i32.sub (local.get $w) (local.get $ix)) (i32.lt_s (local.get $ix) (i32.const 0))))
                    (local.set $iy (select (i32.sub (i32.const 0) (local.get $ix)) (local.get $w) (i32.lt_s (local.get $ix) (i32.const 0))))
                    (if (i32.lt_s (local.get $ox) (i32.const 0)) (then (local.set $ox (i32.const 0))))
                    (if (i32.gt_s (local.get $iy) (local.get $w)) (then (local.set $iy (local.get $w))))
                    (block $zd (loop $zl
                      (br_if $zd (i32.ge_s (local.get $ox) (local.get $iy)))
                      (local.set $src (i32.add (local.get $d) (i32.shl (local.get $ox) (i32.const 2))))
                      (local.set $oy (local.get $ox0))
                      (block $wd (loop $wl
                        (br_if $wd (i32.ge_s (local.get $oy) (local.get $ox1)))
                        (f32.store (local.get $src) (f32.const 0))
                        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $ow) (i32.const 2))))
                        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
                        (br $wl)))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                      (br $zl)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $fl)))))
          (block $bd (loop $bl
            (br_if $bd (i32.ge_u (local.get $b) (local.get $n)))
            (local.set $oy (i32.const 0))
            (block $oyd (loop $oyl
              (br_if $oyd (i32.ge_u (local.get $oy) (local.get $oh)))
              (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $pt)) (i32.mul (local.get $ky) (local.get $dh))))
              (if (i32.lt_u (local.get $iy) (local.get $h)) ;; unsigned: negative rows fail too
                (then
                  (local.set $src (i32.add (local.get $x) (i32.shl (i32.add
                    (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (i32.add (local.get $ic0) (local.get $ic))) (local.get $plane))
                    (i32.mul (local.get $iy) (local.get $w))) (i32.const 2))))
                  (local.set $d (i32.add (local.get $row) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $M)) (i32.mul (local.get $oy) (local.get $ow))) (i32.const 2))))
                  (local.set $ix (i32.sub (i32.mul (local.get $kx) (local.get $dw)) (local.get $pl)))
                  (local.set $ox (i32.const 0))
                  (if (i32.eq (local.get $sw) (i32.const 1))
                    (then
                      ;; stride 1: in-image columns are one contiguous run [ox0, ox1): copy it 4 floats at a time
                      (local.set $ox0 (select (i32.sub (i32.const 0) (local.get $ix)) (i32.const 0) (i32.lt_s (local.get $ix) (i32.const 0))))
                      (local.set $ox1 (i32.sub (local.get $w) (local.get $ix)))
                      (if (i32.gt_s (local.get $ox1) (local.get $ow)) (then (local.set $ox1 (local.get $ow))))
                      (local.set $ox (local.get $ox0))
                      (block $vd (loop $vl
                        (br_if $vd (i32.gt_s (i32.add (local.get $ox) (i32.const 4)) (local.get $ox1)))
                        (v128.store (i32.add (local.get $d) (i32.shl (local.get $ox) (i32.const 2)))
                          (v128.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $ix) (local.get $ox)) (i32.const 2)))))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                        (br $vl)))
                      (block $td (loop $tl
                        (br_if $td (i32.ge_s (local.get $ox) (local.get $ox1)))
                        (f32.store (i32.add (local.get $d) (i32.shl (local.get $ox) (i32.const 2)))
                          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $ix) (local.get $ox)) (i32.const 2)))))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                        (br $tl)))
                      (local.set $ox (local.get $ow))))
                  (block $oxd (loop $oxl
                    (br_if $oxd (i32.ge_u (local.get $ox) (local.get $ow)))
                    (if (i32.lt_u (local.get $ix) (local.get $w))
                      (then (f32.store (local.get $d) (f32.load (i32.add (local.get $src) (i32.shl (local.get $ix) (i32.const 2)))))))
                    (local.set $ix (i32.add (local.get $ix) (local.get $sw)))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $oxl)))))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $oyl)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bl)))
          (local.set $row (i32.add (local.get $row) (i32.shl (local.get $colsPad) (i32.const 2))))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $kxl)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $kyl)))
      (local.set $ic (i32.add (local.get $ic) (i32.const 1)))
      (br $icl))))

  ;; maxpool_f32: unpadded max pooling over planes of [h][w] f32 (stride-2 loads
  ;; read up to 4 floats past a row; the heap keeps 16 bytes readable), with the
  ;; reference's comparison acc = v > acc ? v : acc from -inf in row-major
  ;; window order, so results (NaN handling included) are identical.
  (func (export "maxpool_f32") (param $x i32) (param $planes i32) (param $h i32) (param $w i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $oh i32) (param $ow i32) (param $out i32)
    (local $p i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $base i32) (local $row i32)
    (local $acc f32) (local $v f32) (local $rowBytes i32) (local $two i32)
    (local $r0a v128) (local $r0b v128) (local $r1a v128) (local $r1b v128) (local $vacc v128)
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (local.set $two (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 2)) (i32.eq (local.get $kw) (i32.const 2)))
                     (i32.and (i32.eq (local.get $sh) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2)))))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $base (i32.add (local.get $x) (i32.mul (local.get $p) (i32.mul (local.get $h) (local.get $rowBytes)))))
      (local.set $oy (i32.const 0))
      (block $oyd (loop $oyl
        (br_if $oyd (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        ;; 2x2 stride 2: 4 outputs at a time. f32x4.pmax(acc, v) = acc < v ? v : acc is exactly the
        ;; reference's v > acc ? v : acc, applied in the same window order, so results stay identical.
        (if (local.get $two)
          (then
            (local.set $row (i32.add (local.get $base) (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $rowBytes))))
            (block $vd (loop $vl
              (br_if $vd (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
              (local.set $r0a (v128.load (i32.add (local.get $row) (i32.shl (local.get $ox) (i32.const 3)))))
              (local.set $r0b (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $ox) (i32.const 3)))))
              (local.set $r1a (v128.load (i32.add (i32.add (local.get $row) (local.get $rowBytes)) (i32.shl (local.get $ox) (i32.const 3)))))
              (local.set $r1b (v128.load offset=16 (i32.add (i32.add (local.get $row) (local.get $rowBytes)) (i32.shl (local.get $ox) (i32.const 3)))))
              (local.set $vacc (f32x4.pmax (v128.const f32x4 -inf -inf -inf -inf)
                (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r0a) (local.get $r0b))))
              (local.set $vacc (f32x4.pmax (local.get $vacc)
                (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r0a) (local.get $r0b))))
              (local.set $vacc (f32x4.pmax (local.get $vacc)
                (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r1a) (local.get $r1b))))
              (local.set $vacc (f32x4.pmax (local.get $vacc)
                (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r1a) (local.get $r1b))))
              (v128.store (local.get $out) (local.get $vacc))
              (local.set $out (i32.add (local.get $out) (i32.const 16)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
              (br $vl)))))
        ;; 2x2 stride 2, the outputs left over (ow mod 4): the same comparisons unrolled
        ;; (small planes such as 7x7 or 3x3 outputs are mostly leftovers)
        (if (local.get $two)
          (then
            (block $sd (loop $sl
              (br_if $sd (i32.ge_u (local.get $ox) (local.get $ow)))
              (local.set $row (i32.add (i32.add (local.get $base) (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $rowBytes)))
                (i32.shl (local.get $ox) (i32.const 3))))
              (local.set $acc (f32.const -inf))
              (local.set $v (f32.load (local.get $row)))
              (local.set $acc (select (local.get $v) (local.get $acc) (f32.gt (local.get $v) (local.get $acc))))
              (local.set $v (f32.load offset=4 (local.get $row)))
              (local.set $acc (select (local.get $v) (local.get $acc) (f32.gt (local.get $v) (local.get $acc))))
              (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
              (local.set $v (f32.load (local.get $row)))
              (local.set $acc (select (local.get $v) (local.get $acc) (f32.gt (local.get $v) (local.get $acc))))
              (local.set $v (f32.load offset=4 (local.get $row)))
              (local.set $acc (select (local.get $v) (local.get $acc) (f32.gt (local.get $v) (local.get $acc))))
              (f32.store (local.get $out) (local.get $acc))
              (local.set $out (i32.add (local.get $out) (i32.const 4)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
              (br $sl)))))
        ;; any other window with stride 1 or 2: 4 outputs at a time, the same comparisons in the same
        ;; window order as pmax(acc, v) = acc < v ? v : acc (stride 2 takes the even floats of 8)
        (if (i32.and (i32.eqz (local.get $two)) (i32.le_u (local.get $sw) (i32.const 2)))
          (then
            (block $gd (loop $gl
              (br_if $gd (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
              (local.set $vacc (v128.const f32x4 -inf -inf -inf -inf))
              (local.set $ky (i32.const 0))
              (block $gkyd (loop $gkyl
                (br_if $gkyd (i32.ge_u (local.get $ky) (local.get $kh)))
                (local.set $row (i32.add (local.get $base) (i32.add
                  (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $rowBytes))
                  (i32.shl (i32.mul (local.get $ox) (local.get $sw)) (i32.const 2)))))
                (local.set $kx (i32.const 0))
                (block $gkxd (loop $gkxl
                  (br_if $gkxd (i32.ge_u (local.get $kx) (local.get $kw)))
                  (local.set $r0a (v128.load (i32.add (local.get $row) (i32.shl (local.get $kx) (i32.const 2)))))
                  (if (i32.eq (local.get $sw) (i32.const 2))
                    (then (local.set $r0a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r0a)
                      (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $kx) (i32.const 2))))))))
                  (local.set $vacc (f32x4.pmax (local.get $vacc) (local.get $r0a)))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $gkxl)))
                (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                (br $gkyl)))
              (v128.store (local.get $out) (local.get $vacc))
              (local.set $out (i32.add (local.get $out) (i32.const 16)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
              (br $gl)))))
        (block $oxd (loop $oxl
          (br_if $oxd (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $acc (f32.const -inf))
          (local.set $ky (i32.const 0))
          (block $kyd (loop $kyl
            (br_if $kyd (i32.ge_u (local.get $ky) (local.get $kh)))
            (local.set $row (i32.add (local.get $base) (i32.add
              (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $rowBytes))
              (i32.shl (i32.mul (local.get $ox) (local.get $sw)) (i32.const 2)))))
            (local.set $kx (i32.const 0))
            (block $kxd (loop $kxl
              (br_if $kxd (i32.ge_u (local.get $kx) (local.get $kw)))
              (local.set $v (f32.load (i32.add (local.get $row) (i32.shl (local.get $kx) (i32.const 2)))))
              (local.set $acc (select (local.get $v) (local.get $acc) (f32.gt (local.get $v) (local.get $acc))))
              (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
              (br $kxl)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyl)))
          (f32.store (local.get $out) (local.get $acc))
          (local.set $out (i32.add (local.get $out) (i32.const 4)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyl)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; ternarize: the reference executor's activation rule (ternarizeActivation):
  ;; trit = +1 if x > pos, -1 if x < neg, else 0 (ties and NaN give 0), with the
  ;; f32 activation compared against the thresholds the caller passes (the
  ;; reference rounds them to f32; the engine passes them rounded the same way).
  ;; x: f32 [count] -> dst: int8 [count].
  ;; Thresholds that are f32 values (the engine's always are) compare the same in f32, so 16 values
  ;; at a time: trit = gt ? 1 : (lt ? -1 : 0) by bitselect, narrowed i32 -> i16 -> i8.
  (func (export "ternarize") (param $x i32) (param $count i32) (param $pos f64) (param $neg f64) (param $dst i32)
    (local $i i32) (local $v f64) (local $vp v128) (local $vn v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $p i32)
    (if (i32.and (f64.eq (f64.promote_f32 (f32.demote_f64 (local.get $pos))) (local.get $pos))
                 (f64.eq (f64.promote_f32 (f32.demote_f64 (local.get $neg))) (local.get $neg)))
      (then
        (local.set $vp (f32x4.splat (f32.demote_f64 (local.get $pos))))
        (local.set $vn (f32x4.splat (f32.demote_f64 (local.get $neg))))
        (block $vd (loop $vl
          (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $count)))
          (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $a (v128.load (local.get $p)))
          (local.set $a (v128.bitselect (v128.const i32x4 1 1 1 1) (f32x4.lt (local.get $a) (local.get $vn)) (f32x4.gt (local.get $a) (local.get $vp))))
          (local.set $b (v128.load offset=16 (local.get $p)))
          (local.set $b (v128.bitselect (v128.const i32x4 1 1 1 1) (f32x4.lt (local.get $b) (local.get $vn)) (f32x4.gt (local.get $b) (local.get $vp))))
          (local.set $c (v128.load offset=32 (local.get $p)))
          (local.set $c (v128.bitselect (v128.const i32x4 1 1 1 1) (f32x4.lt (local.get $c) (local.get $vn)) (f32x4.gt (local.get $c) (local.get $vp))))
          (local.set $d (v128.load offset=48 (local.get $p)))
          (local.set $d (v128.bitselect (v128.const i32x4 1 1 1 1) (f32x4.lt (local.get $d) (local.get $vn)) (f32x4.gt (local.get $d) (local.get $vp))))
          (v128.store (i32.add (local.get $dst) (local.get $i))
            (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $a) (local.get $b)) (i16x8.narrow_i32x4_s (local.get $c) (local.get $d))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $vl)))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $v (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
      (i32.store8 (i32.add (local.get $dst) (local.get $i))
        (select (i32.const 1)
          (select (i32.const -1) (i32.const 0) (f64.lt (local.get $v) (local.get $neg)))
          (f64.gt (local.get $v) (local.get $pos))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; pad_planes: planes [h][w] (f32, or int8 trits when $i8) into [h+pt+pb][w+pl+pr] f32 planes
  ;; bordered with $fill (pooling pads with -inf, convolutions with 0). Rows copy 4 values
  ;; at a time (int8: 4 bytes sign-extended to i32 and converted), the rest one by one.
  (func (export "pad_planes") (param $src i32) (param $i8 i32) (param $planes i32) (param $h i32) (param $w i32)
    (param $pt i32) (param $pl i32) (param $pb i32) (param $pr i32) (param $fill f32) (param $dst i32)
    (local $p i32) (local $y i32) (local $x i32) (local $ph i32) (local $pw i32) (local $d i32) (local $s i32) (local $n i32) (local $vf v128)
    (local.set $ph (i32.add (local.get $h) (i32.add (local.get $pt) (local.get $pb))))
    (local.set $pw (i32.add (local.get $w) (i32.add (local.get $pl) (local.get $pr))))
    (local.set $vf (f32x4.splat (local.get $fill)))
    ;; border fill: every cell first (cheap next to the copy), unless there is no border
    (if (i32.or (i32.or (local.get $pt) (local.get $pb)) (i32.or (local.get $pl) (local.get $pr)))
      (then
        (local.set $n (i32.shl (i32.mul (local.get $planes) (i32.mul (local.get $ph) (local.get $pw))) (i32.const 2)))
        (local.set $d (local.get $dst))
        (block $fd (loop $fl
          (br_if $fd (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $n)))
          (v128.store (i32.add (local.get $d) (local.get $x)) (local.get $vf))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $fl)))
        (block $gd (loop $gl
          (br_if $gd (i32.ge_u (local.get $x) (local.get $n)))
          (f32.store (i32.add (local.get $d) (local.get $x)) (local.get $fill))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (br $gl)))))
    (block $pd (loop $plp
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $y (i32.const 0))
      (block $yd (loop $yl
        (br_if $yd (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $p) (local.get $ph)) (i32.add (local.get $y) (local.get $pt))) (local.get $pw)) (local.get $pl)) (i32.const 2))))
        (local.set $s (i32.mul (i32.add (i32.mul (local.get $p) (local.get $h)) (local.get $y)) (local.get $w)))
        (local.set $x (i32.const 0))
        (if (local.get $i8)
          (then
            (local.set $s (i32.add (local.get $src) (local.get $s)))
            (block $vd (loop $vl
              (br_if $vd (i32.gt_u (i32.add (local.get $x) (i32.const 4)) (local.get $w)))
              (v128.store (i32.add (local.get $d) (i32.shl (local.get $x) (i32.const 2)))
                (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (v128.load32_zero (i32.add (local.get $s) (local.get $x)))))))
              (local.set $x (i32.add (local.get $x) (i32.const 4)))
              (br $vl)))
            (block $td (loop $tl
              (br_if $td (i32.ge_u (local.get $x) (local.get $w)))
              (f32.store (i32.add (local.get $d) (i32.shl (local.get $x) (i32.const 2))) (f32.convert_i32_s (i32.load8_s (i32.add (local.get $s) (local.get $x)))))
              (local.set $x (i32.add (local.get $x) (i32.const 1)))
              (br $tl))))
          (else
            (local.set $s (i32.add (local.get $src) (i32.shl (local.get $s) (i32.const 2))))
            (block $vd2 (loop $vl2
              (br_if $vd2 (i32.gt_u (i32.add (local.get $x) (i32.const 4)) (local.get $w)))
              (v128.store (i32.add (local.get $d) (i32.shl (local.get $x) (i32.const 2))) (v128.load (i32.add (local.get $s) (i32.shl (local.get $x) (i32.const 2)))))
              (local.set $x (i32.add (local.get $x) (i32.const 4)))
              (br $vl2)))
            (block $td2 (loop $tl2
              (br_if $td2 (i32.ge_u (local.get $x) (local.get $w)))
              (f32.store (i32.add (local.get $d) (i32.shl (local.get $x) (i32.const 2))) (f32.load (i32.add (local.get $s) (i32.shl (local.get $x) (i32.const 2)))))
              (local.set $x (i32.add (local.get $x) (i32.const 1)))
              (br $tl2)))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yl)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $plp))))
)
