/**
 * Per-output-channel work after a ternary matmul: bias, then (when fused at
 * load) the following batchnorm and relu. Each stage rounds to float32 exactly
 * where the reference executor stores a layer output, and the batchnorm uses
 * the reference's operation order with √(var+ε) precomputed per channel, so the
 * fused result is bit-identical to running the layers one by one (a plain
 * scale·x+shift fold differs by an ulp, which can flip a downstream
 * activation trit at a threshold).
 */
export interface FusedBatchNorm {
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  /** √(var + ε) per channel. */
  sd: Float64Array;
}

export interface Epilogue {
  bias?: Float32Array;
  bn?: FusedBatchNorm;
  relu: boolean;
}

export const plainEpilogue = (bias?: Float32Array): Epilogue => ({ bias, relu: false });

/** Channel value o of per-channel parameter p (a scalar broadcasts, as in the reference). */
export const perChannel = (p: ArrayLike<number>, o: number): number => (p.length === 1 ? p[0] : p[o]);

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

/** The bias-added value of channel o, rounded as the layer output is stored. */
export function withBias(e: Epilogue, o: number, mm: number): number {
  return Math.fround(mm + (e.bias ? e.bias[o] : 0));
}

/** The remaining fused stages (batchnorm, relu) on a bias-added value. */
export function afterBias(e: Epilogue, o: number, v: number): number {
  const bn = e.bn;
  if (bn) v = Math.fround((bn.gamma[o] * (v - bn.mean[o])) / bn.sd[o] + bn.beta[o]);
  if (e.relu) v = v > 0 ? v : 0;
  return v;
}
