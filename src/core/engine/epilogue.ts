/**
 * Per-output-channel work after a matmul: bias, then (when fused at load for
 * run()) the following batchnorm and relu. The wasm `epilogue` kernel and the
 * traced TypeScript path round to float32 exactly where the reference executor
 * stores a layer output, and the batchnorm keeps the reference's operation
 * order with √(var+ε) precomputed per channel, so the fused result is
 * bit-identical to running the layers one by one (a plain scale·x+shift fold
 * differs by an ulp, which can flip a downstream activation trit at a threshold).
 */
import type { Tensor } from '../tensor';
import type { PoolWindow } from './pool';

export interface FusedBatchNorm {
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  /** √(var + ε) per channel. */
  sd: Float64Array;
}

export interface Epilogue {
  /** Added after the matmul (ternary layers; float layers add their bias inside the f64 GEMM). */
  bias?: Float32Array;
  bn?: FusedBatchNorm;
  relu: boolean;
  /** Clip (ReLU6) after relu, f32 bounds (compare the same as the reference's f64 ones against f32 values). */
  clip?: { lo: number; hi: number };
  /** run() only: the value added after relu (a residual connection), by name at compile time… */
  residualOf?: string;
  /** …and its tensor, set per call. */
  residual?: Tensor;
  /** relu after the residual add. */
  reluAfterAdd?: boolean;
  /**
   * Max pooling of a conv's epilogue output (run() only): the conv output
   * stays in engine memory and only the pooled tensor is copied out.
   */
  pool?: PoolWindow;
}

export const plainEpilogue = (bias?: Float32Array): Epilogue => ({ bias, relu: false });

/** Channel value o of per-channel parameter p (a scalar broadcasts, as in the reference). */
const perChannel = (p: ArrayLike<number>, o: number): number => (p.length === 1 ? p[0] : p[o]);

export function makeBatchNorm(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number, channels: number): FusedBatchNorm {
  const bn = { gamma: new Float64Array(channels), beta: new Float64Array(channels), mean: new Float64Array(channels), sd: new Float64Array(channels) };
  for (let o = 0; o < channels; o++) {
    bn.gamma[o] = perChannel(gamma, o);
    bn.beta[o] = perChannel(beta, o);
    bn.mean[o] = perChannel(mean, o);
    bn.sd[o] = Math.sqrt(perChannel(variance, o) + eps);
  }
  return bn;
}
