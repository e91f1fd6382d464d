/**
 * Reading model outputs, shared by the packed engine's stepper, `tritscope run`
 * and the debugger: how far an output is from its float reference, and the
 * class probabilities of the first sample.
 */
import type { Tensor } from './tensor';

export interface Divergence {
  /** ‖a − b‖₂ / ‖b‖₂ with b the float reference (‖a − b‖₂ when b is all zeros). */
  relL2: number;
  /** Cosine similarity; 1 when both are all zeros, 0 when only one is. */
  cosine: number;
}

/** Divergence of `a` from the reference `ref` (both of ref's length). */
export function divergence(a: ArrayLike<number>, ref: ArrayLike<number>): Divergence {
  let d2 = 0, a2 = 0, b2 = 0, ab = 0;
  for (let i = 0; i < ref.length; i++) {
    const x = a[i], y = ref[i];
    d2 += (x - y) * (x - y);
    a2 += x * x;
    b2 += y * y;
    ab += x * y;
  }
  const relL2 = b2 > 0 ? Math.sqrt(d2 / b2) : Math.sqrt(d2);
  const cosine = a2 > 0 && b2 > 0 ? ab / Math.sqrt(a2 * b2) : a2 === b2 ? 1 : 0;
  return { relL2, cosine };
}

/** Sample 0's raw output values (a view, not a copy). */
export function firstSampleRow(output: Tensor): Float32Array {
  const n = output.shape.length > 1 ? output.data.length / output.shape[0] : output.data.length;
  return output.data.subarray(0, n);
}

/**
 * Indices of the k largest values, ties to the lower index. Rank raw scores
 * (logits), never their float32 softmax: logits that differ by less than the
 * softmax's rounding become equal probabilities and would all tie to class 0.
 */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(0, k);
}

/**
 * Softmax of sample 0's output values (copied as they are when the output
 * already is a softmax). The max is found by a loop: `Math.max(...row)` throws
 * RangeError once the row has more elements than the stack has room for arguments.
 */
export function firstSampleProbabilities(output: Tensor, alreadySoftmax: boolean): Float32Array {
  const n = output.shape.length > 1 ? output.data.length / output.shape[0] : output.data.length;
  const row = output.data.subarray(0, n);
  if (alreadySoftmax) return Float32Array.from(row);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp(row[i] - max);
  for (let i = 0; i < n; i++) p[i] /= sum;
  return p;
}
