/** A dense float tensor in row-major order. Layouts: activations NCHW, conv weights OIHW, dense weights [out, in]. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: number[], data?: Float32Array): Tensor {
  const n = sizeOf(shape);
  if (data && data.length !== n) throw new RangeError(`tensor data length ${data.length} != product of shape [${shape}] = ${n}`);
  return { shape: [...shape], data: data ?? new Float32Array(n) };
}

export interface TensorStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  count: number;
}

export function tensorStats(data: ArrayLike<number>): TensorStats {
  const n = data.length;
  let min = Infinity, max = -Infinity, sum = 0, sq = 0, zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
  }
  const mean = n ? sum / n : 0;
  return { min: n ? min : 0, max: n ? max : 0, mean, std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0, zeros, count: n };
}
