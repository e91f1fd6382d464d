/**
 * Depthwise convolutions with ternary weights (group = channels, one input channel per output,
 * MobileNet's 3×3 and EfficientNet's 5×5 layers) on the dw_conv kernel instead of one GEMM per
 * channel: the input planes are zero-padded once, then every output sums its taps directly.
 * The result goes through MatmulLayer's epilogue like a one-group GEMM of `c` rows whose
 * columns are [n][oh·ow].
 */
import type { Kernels } from './kernels';
import type { PlaneMatrix } from './planes';
import { padPlanes, type PlaneSource } from './pool';

export interface DepthwiseGeometry {
  n: number; c: number; h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pads: number[];
}

/** What the epilogue reads: the source buffer and kind (0 f32, 1 i32, 2 f64), the multiplier, and integer dots for a trace. */
export interface DepthwiseOut { src: number; kind: number; mul: number; dots?: number }

/** Taps of a depthwise layer the kernel handles (the tap bits of one channel are read as one 64-bit word). */
export const depthwiseFits = (kh: number, kw: number): boolean => kh * kw <= 64;

/**
 * One sample slice. Float input (`trits` absent): f32(sp·P) − f32(sn·N). Ternarized input: the exact
 * integer dot P − N, or for asymmetric scales actScale·(sp·P − sn·N) in f64 as the popcount path computes it.
 */
export function depthwise(kernels: Kernels, w: PlaneMatrix, g: DepthwiseGeometry, input: PlaneSource, scales: { sp: number; sn: number; actScale: number; asymmetric: boolean; ternaryInput: boolean }): DepthwiseOut {
  const heap = kernels.heap;
  const padded = padPlanes(kernels, input, g.n * g.c, g.h, g.w, g.pads, 0);
  const size = g.n * g.c * g.oh * g.ow;
  const outP = heap.alloc(size * 4, false);
  const run = (mode: number, outN: number): void =>
    kernels.dwConv(padded.at, g.n, g.c, padded.h, padded.w, w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.oh, g.ow, outP, outN, mode, scales.sp, scales.sn);
  if (!scales.ternaryInput) {
    run(1, 0);
    return { src: outP, kind: 0, mul: 1 };
  }
  if (!scales.asymmetric) {
    run(2, 0);
    return { src: outP, kind: 1, mul: scales.actScale * scales.sp, dots: outP };
  }
  const outN = heap.alloc(size * 4, false);
  run(0, outN);
  const mm = heap.alloc(size * 8, false), dots = heap.alloc(size * 4, false);
  const f32 = heap.f32, f64 = heap.f64, i32 = heap.i32, { sp, sn, actScale } = scales;
  for (let i = 0; i < size; i++) {
    const P = f32[(outP >>> 2) + i], N = f32[(outN >>> 2) + i];
    i32[(dots >>> 2) + i] = P - N;
    // P and N are the two sign sums of the popcount path's (t ± dot)/2 (seed paper Eq. 4)
    f64[(mm >>> 3) + i] = actScale * (sp * P - sn * N);
  }
  return { src: mm, kind: 2, mul: 1, dots };
}
