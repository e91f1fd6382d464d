;; Tritscope: depthwise convolution with ternary weights (one input channel per
;; output channel, MobileNet/EfficientNet style) on float or trit-valued f32
;; activations, additions only. A depthwise layer as a grouped GEMM is one
;; weight row per group and pays im2col and table setup per channel; here each
;; output row is computed directly from the input planes, 4 outputs at a time.
;; Shares the engine memory (env.memory).

(module
  (import "env" "memory" (memory 1))

  ;; dw_conv: x: zero-padded f32 planes [n][c][ph][pw] (the conv's padding already
  ;; applied); weights: one plane row per channel as in ternary.wat ([plus: pb][minus: pb]
  ;; bytes, rowBytes apart, k = kh*kw <= 64 taps in (ky, kx) order); outputs
  ;; P = sum of the inputs under +1 taps and N under -1 taps, each accumulated in f32
  ;; from 0 in tap order, written channel-major [c][n][oh*ow]: mode 0: P to outP and N
  ;; to outN (f32); mode 1: f32(f32(sp*P) - f32(sn*N)) to outP; mode 2: the integer dot
  ;; P - N as i32 to outP (trit-valued inputs: P and N are exact small integers).
  ;; taps: 256 bytes of scratch for the per-channel tap offset lists.
  (func (export "dw_conv") (param $x i32) (param $n i32) (param $c i32) (param $ph i32) (param $pw i32)
    (param $w i32) (param $pb i32) (param $rowBytes i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $oh i32) (param $ow i32) (param $outP i32) (param $outN i32)
    (param $mode i32) (param $scaleP f32) (param $scaleN f32) (param $taps i32)
    (local $vsp v128) (local $vsn v128) (local $np i32) (local $nt i32) (local $i i32) (local $base i32) (local $rowBase i32)
    (local $b i32) (local $ch i32) (local $plane i32) (local $o i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32)
    (local $t i32) (local $a i32) (local $plus i64) (local $minus i64) (local $mask i64)
    (local $vp v128) (local $vn v128) (local $v v128) (local $sp f32) (local $sn f32) (local $wr i32)
    (local.set $vsp (f32x4.splat (local.get $scaleP)))
    (local.set $vsn (f32x4.splat (local.get $scaleN)))
    (local.set $mask (select (i64.const -1) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.mul (local.get $kh) (local.get $kw)))) (i64.const 1))
      (i32.ge_u (i32.mul (local.get $kh) (local.get $kw)) (i32.const 64))))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $ch (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u (local.get $ch) (local.get $c)))
        (local.set $plane (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (local.get $ch)) (i32.mul (local.get $ph) (local.get $pw))) (i32.const 2))))
        (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $ch) (local.get $rowBytes))))
        (local.set $plus (i64.and (i64.load (local.get $wr)) (local.get $mask)))
        (local.set $minus (i64.and (i64.load (i32.add (local.get $wr) (local.get $pb))) (local.get $mask)))
        (local.set $o (i32.shl (i32.mul (i32.add (i32.mul (local.get $ch) (local.get $n)) (local.get $b)) (i32.mul (local.get $oh) (local.get $ow))) (i32.const 2)))
        ;; byte offsets of this channel's taps from an output's top-left input: +1 taps first ($np of
        ;; them), then -1 taps (up to $nt), each list in tap order
        (local.set $np (i32.const 0))
        (local.set $t (i32.const 0))
        (local.set $ky (i32.const 0))
        (block $k1d (loop $k1l
          (br_if $k1d (i32.ge_u (local.get $ky) (local.get $kh)))
          (local.set $kx (i32.const 0))
          (block $k2d (loop $k2l
            (br_if $k2d (i32.ge_u (local.get $kx) (local.get $kw)))
            (if (i64.ne (i64.and (local.get $plus) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $t)))) (i64.const 0))
              (then
                (i32.store (i32.add (local.get $taps) (i32.shl (local.get $np) (i32.const 2)))
                  (i32.shl (i32.add (i32.mul (i32.mul (local.get $ky) (local.get $dh)) (local.get $pw)) (i32.mul (local.get $kx) (local.get $dw))) (i32.const 2)))
                (local.set $np (i32.add (local.get $np) (i32.const 1)))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
            (br $k2l)))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $k1l)))
        (local.set $nt (local.get $np))
        (local.set $t (i32.const 0))
        (local.set $ky (i32.const 0))
        (block $k3d (loop $k3l
          (br_if $k3d (i32.ge_u (local.get $ky) (local.get $kh)))
          (local.set $kx (i32.const 0))
          (block $k4d (loop $k4l
            (br_if $k4d (i32.ge_u (local.get $kx) (local.get $kw)))
            (if (i64.ne (i64.and (local.get $minus) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $t)))) (i64.const 0))
              (then
                (i32.store (i32.add (local.get $taps) (i32.shl (local.get $nt) (i32.const 2)))
                  (i32.shl (i32.add (i32.mul (i32.mul (local.get $ky) (local.get $dh)) (local.get $pw)) (i32.mul (local.get $kx) (local.get $dw))) (i32.const 2)))
                (local.set $nt (i32.add (local.get $nt) (i32.const 1)))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
            (br $k4l)))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $k3l)))
        (local.set $oy (i32.const 0))
        (block $yd (loop $yl
          (br_if $yd (i32.ge_u (local.get $oy) (local.get $oh)))
          (local.set $ox (i32.const 0))
          ;; 4 outputs at a time: the +1 taps' offsets, then the -1 taps', from the lists
          (local.set $rowBase (i32.add (local.get $plane) (i32.shl (i32.mul (i32.mul (local.get $oy) (local.get $sh)) (local.get $pw)) (i32.const 2))))
          (block $vd (loop $vl
            (br_if $vd (i32.or (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)) (i32.gt_u (local.get $sw) (i32.const 2))))
            (local.set $base (i32.add (local.get $rowBase) (i32.shl (i32.mul (local.get $ox) (local.get $sw)) (i32.const 2))))
            (local.set $vp (v128.const i32x4 0 0 0 0))
            (local.set $vn (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (if (i32.eq (local.get $sw) (i32.const 1))
              (then
                (block $pd (loop $pl
                  (br_if $pd (i32.ge_u (local.get $i) (local.get $np)))
                  (local.set $vp (f32x4.add (local.get $vp) (v128.load (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $pl))))
              (else
                (block $pd2 (loop $pl2
                  (br_if $pd2 (i32.ge_u (local.get $i) (local.get $np)))
                  (local.set $a (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))
                  (local.set $vp (f32x4.add (local.get $vp)
                    (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load (local.get $a)) (v128.load offset=16 (local.get $a)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $pl2)))))
            (if (i32.eq (local.get $sw) (i32.const 1))
              (then
                (block $nd (loop $nl
                  (br_if $nd (i32.ge_u (local.get $i) (local.get $nt)))
                  (local.set $vn (f32x4.add (local.get $vn) (v128.load (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $nl))))
              (else
                (block $nd2 (loop $nl2
                  (br_if $nd2 (i32.ge_u (local.get $i) (local.get $nt)))
                  (local.set $a (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))
                  (local.set $vn (f32x4.add (local.get $vn)
                    (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load (local.get $a)) (v128.load offset=16 (local.get $a)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $nl2)))))
            (local.set $a (i32.add (local.get $o) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ow)) (local.get $ox)) (i32.const 2))))
            (if (i32.eqz (local.get $mode))
              (then
                (v128.store (i32.add (local.get $outP) (local.get $a)) (local.get $vp))
                (v128.store (i32.add (local.get $outN) (local.get $a)) (local.get $vn)))
              (else (if (i32.eq (local.get $mode) (i32.const 1))
                (then (v128.store (i32.add (local.get $outP) (local.get $a))
                  (f32x4.sub (f32x4.mul (local.get $vsp) (local.get $vp)) (f32x4.mul (local.get $vsn) (local.get $vn)))))
                (else (v128.store (i32.add (local.get $outP) (local.get $a)) (i32x4.trunc_sat_f32x4_s (f32x4.sub (local.get $vp) (local.get $vn))))))))
            (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
            (br $vl)))
          ;; the last ow mod 4 outputs (all of them at other strides) one at a time, same lists and order
          (block $sd (loop $sl
            (br_if $sd (i32.ge_u (local.get $ox) (local.get $ow)))
            (local.set $base (i32.add (local.get $rowBase) (i32.shl (i32.mul (local.get $ox) (local.get $sw)) (i32.const 2))))
            (local.set $sp (f32.const 0))
            (local.set $sn (f32.const 0))
            (local.set $i (i32.const 0))
            (block $spd (loop $spl
              (br_if $spd (i32.ge_u (local.get $i) (local.get $np)))
              (local.set $sp (f32.add (local.get $sp) (f32.load (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $spl)))
            (block $snd (loop $snl
              (br_if $snd (i32.ge_u (local.get $i) (local.get $nt)))
              (local.set $sn (f32.add (local.get $sn) (f32.load (i32.add (local.get $base) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $i) (i32.const 2))))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $snl)))
            (local.set $a (i32.add (local.get $o) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ow)) (local.get $ox)) (i32.const 2))))
            (if (i32.eqz (local.get $mode))
              (then
                (f32.store (i32.add (local.get $outP) (local.get $a)) (local.get $sp))
                (f32.store (i32.add (local.get $outN) (local.get $a)) (local.get $sn)))
              (else (if (i32.eq (local.get $mode) (i32.const 1))
                (then (f32.store (i32.add (local.get $outP) (local.get $a))
                  (f32.sub (f32.mul (local.get $scaleP) (local.get $sp)) (f32.mul (local.get $scaleN) (local.get $sn)))))
                (else (i32.store (i32.add (local.get $outP) (local.get $a)) (i32.trunc_sat_f32_s (f32.sub (local.get $sp) (local.get $sn))))))))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $sl)))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (br $yl)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
