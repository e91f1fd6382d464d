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
  /** Present when every value is −1, 0 or +1 (a ternary tensor before scaling). */
  trits?: { neg: number; zero: number; pos: number };
}

/** Statistics, plus trit counts when every value is −1, 0 or +1, in one pass. */
export function tensorStats(data: ArrayLike<number>): TensorStats {
  return data instanceof Float32Array ? statsF32(data) : statsAny(data);
}

// Two copies of one loop, so each stays monomorphic (a Float32Array on the debugger's hot path; arrays and other typed arrays otherwise).
function statsF32(data: Float32Array): TensorStats {
  const n = data.length;
  let min = Infinity, max = -Infinity, sum = 0, sq = 0, zeros = 0, neg = 0, pos = 0, other = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
    else if (v === 1) pos++;
    else if (v === -1) neg++;
    else other++;
  }
  return finishStats(n, min, max, sum, sq, zeros, neg, pos, other);
}

function statsAny(data: ArrayLike<number>): TensorStats {
  const n = data.length;
  let min = Infinity, max = -Infinity, sum = 0, sq = 0, zeros = 0, neg = 0, pos = 0, other = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
    else if (v === 1) pos++;
    else if (v === -1) neg++;
    else other++;
  }
  return finishStats(n, min, max, sum, sq, zeros, neg, pos, other);
}

function finishStats(n: number, min: number, max: number, sum: number, sq: number, zeros: number, neg: number, pos: number, other: number): TensorStats {
  const mean = n ? sum / n : 0;
  const out: TensorStats = { count: n, min: n ? min : 0, max: n ? max : 0, mean, std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0, zeros };
  if (n > 0 && other === 0) out.trits = { neg, zero: zeros, pos };
  return out;
}
