/**
 * The float reference on the engine's float kernels: conv2d and dense layers of
 * the reference executor's walk (ReferenceSteps) run as the engine's f64 GEMM
 * (im2col + `f64_gemm_cols`) instead of the executor's plain-JS loops, the other
 * layers as before. The debugger's float comparison runs one such layer per step
 * (a ResNet-50 conv: ~10–30 ms instead of 0.3–1.2 s).
 *
 * Rounding, the same as the reference executor's conv2d / dense (exec/ops/conv.ts):
 * each product of two float32 values is exact in float64, the products are summed
 * in float64 in the same (ic, ky, kx) order (taps in the zero padding add +0·w or
 * −0·w to an accumulator that is never −0, which leaves it unchanged), the bias is
 * added in float64, and the sum is rounded to float32 once when stored. So the
 * outputs are bit-identical to `runReference` (checked in test/unit/engine).
 *
 * Weights are copied to float64 into a memory of their own per call and released
 * after it (≤ 2.4 M weights, a few ms for ResNet-50's largest layer), so a model's
 * float weights never sit in engine memory twice.
 */
import type { Layer } from '../graph/types';
import { specOf } from '../ops/index';
import type { Tensor } from '../tensor';
import type { FloatLayerKernel } from '../exec/reference';
import { plainEpilogue } from './epilogue';
import { createKernels, type Kernels } from './kernels';
import { MatmulLayer } from './matmul';

/**
 * A FloatLayerKernel for ReferenceSteps: conv2d/dense (every op the engine lowers to a GEMM) on the
 * f64 GEMM kernel, bit-identical to the reference kernels; undefined for the other ops (the reference runs them).
 * `simd` false forces the TypeScript fallback kernels (the same arithmetic).
 */
export function exactFloatMatmul(simd?: boolean): FloatLayerKernel {
  let kernels: Kernels | undefined;
  return (layer: Layer, xs: Tensor[], outShape: number[], w: (role: string) => Tensor | undefined): Tensor | undefined => {
    const lowering = specOf(layer).engine;
    const weight = w('weight');
    if (lowering.kind !== 'matmul' || xs.length !== 1 || !weight) return undefined;
    kernels ??= createKernels(simd);
    const heap = kernels.heap;
    const base = heap.mark();
    try {
      // The float path of MatmulLayer (no trits) with `approximate` off: f64 weights and accumulation.
      const m = new MatmulLayer(kernels, layer, weight.shape, { float: weight.data, bias: w('bias')?.data }, lowering.geometry(layer), false);
      heap.sealPersistent();
      return m.run(xs[0], outShape, plainEpilogue(undefined));
    } finally {
      heap.release(base);
      heap.sealPersistent();
    }
  };
}
