/**
 * What a configuration is scored by: top-1 on the labels (counted exactly as
 * `tritscope eval` counts it, ranking the model's outputs) and the mean KL
 * divergence KL(P_float ‖ P_config) = Σ_c p_c (log p_c − log q_c) in nats, from
 * log-softmax of the logits in float64. With a softmax head the logits are its
 * input: the float32 probabilities underflow to 0 for confident samples, which
 * would make log q infinite.
 */
import { DataError } from '../errors';
import { rankOfLabel } from '../quant/evaluate';
import type { Score } from './schema';

/** log-softmax of `count` rows of `classes` scores, in float64. */
export function logSoftmaxRows(x: Float32Array, count: number, classes: number): Float64Array {
  const out = new Float64Array(count * classes);
  for (let r = 0; r < count; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (x[o + c] > max) max = x[o + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(x[o + c] - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < classes; c++) out[o + c] = x[o + c] - lse;
  }
  return out;
}

/** Σ over rows of KL(p ‖ q) for log-probabilities lp (reference) and lq. */
export function klSum(lp: Float64Array, lq: Float64Array, count: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < count; r++) {
    let kl = 0;
    for (let c = r * classes; c < (r + 1) * classes; c++) {
      const p = Math.exp(lp[c]);
      if (p > 0) kl += p * (lp[c] - lq[c]);
    }
    // Rounding can leave a tiny negative value for identical rows; KL is ≥ 0.
    total += Math.max(0, kl);
  }
  return total;
}

/** Correct top-1 predictions among `count` rows (ties count against the label, as in evaluateAccuracy). */
export function top1Count(outputs: Float32Array, labels: Int32Array, count: number, dataName: string, start: number): number {
  const classes = outputs.length / count;
  if (!Number.isInteger(classes) || classes < 1) throw new DataError(`model output of ${outputs.length} values is not one score vector per sample (${count} samples)`);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (label < 0 || label >= classes) throw new DataError(`${dataName}: label ${label} of sample ${start + i} is outside the model's ${classes} classes`);
    if (rankOfLabel(outputs, i * classes, classes, label) === 0) correct++;
  }
  return correct;
}

/** Running totals of one configuration over the batches. */
export class ScoreSum {
  correct = 0;
  kl = 0;
  n = 0;

  add(correct: number, klSumOfBatch: number, count: number): void {
    this.correct += correct;
    this.kl += klSumOfBatch;
    this.n += count;
  }

  score(): Score {
    return { top1: this.correct / this.n, top1Count: this.correct, kl: this.kl / this.n };
  }
}
