/**
 * Exact summaries from count tables: trit counts from byte histograms (one
 * table lookup per byte value at the end, one increment per byte while
 * streaming), and min/mean/max/histogram of 16-bit floats from a 65536-entry
 * histogram of their bit patterns.
 */
import { bf16ToNumber, f16ToNumber } from './half';

export interface TritCounts {
  neg: number;
  zero: number;
  pos: number;
}

export interface ValueHistogram {
  /** Equal-width bins over [min, max]. */
  min: number;
  max: number;
  counts: number[];
}

/** Summary of a set of scales (or values): only finite ones enter min/mean/max and the histogram. */
export interface ValueSummary {
  count: number;
  nonFinite: number;
  min: number;
  mean: number;
  max: number;
  histogram: ValueHistogram;
}

export const HISTOGRAM_BINS = 32;

/** Adds, for every byte value b seen hist[b] times, the trits that `tritsOf(b)` lists (−1/0/+1; other values counted apart). */
export function tritsFromByteHistogram(hist: ArrayLike<number>, digitsOf: (b: number) => number[], into: TritCounts & { other: number }): void {
  for (let b = 0; b < 256; b++) {
    const n = hist[b];
    if (!n) continue;
    for (const t of digitsOf(b)) {
      if (t === -1) into.neg += n;
      else if (t === 0) into.zero += n;
      else if (t === 1) into.pos += n;
      else into.other += n;
    }
  }
}

/** Four 2-bit codes per byte, code − 1 (TQ2_0, I2_S, Hugging Face BitNet packing): code 3 → 2 (non-ternary). */
export const twoBitDigits = (b: number): number[] => [b & 3, (b >> 2) & 3, (b >> 4) & 3, (b >> 6) & 3].map((c) => c - 1);

/** Summary of values given as (value, count) pairs; NaN/±Inf counted apart. */
export function summarizeWeighted(pairs: Iterable<[number, number]>, bins = HISTOGRAM_BINS): ValueSummary {
  let count = 0, nonFinite = 0, sum = 0, min = Infinity, max = -Infinity;
  const finite: [number, number][] = [];
  for (const [v, n] of pairs) {
    if (!n) continue;
    if (!Number.isFinite(v)) {
      nonFinite += n;
      continue;
    }
    count += n;
    sum += v * n;
    if (v < min) min = v;
    if (v > max) max = v;
    finite.push([v, n]);
  }
  const counts = new Array<number>(count ? bins : 0).fill(0);
  const width = max - min;
  for (const [v, n] of finite) counts[width > 0 ? Math.min(bins - 1, Math.floor(((v - min) / width) * bins)) : 0] += n;
  return count
    ? { count, nonFinite, min, mean: sum / count, max, histogram: { min, max, counts } }
    : { count: 0, nonFinite, min: NaN, mean: NaN, max: NaN, histogram: { min: NaN, max: NaN, counts: [] } };
}

/** Pairs (value, count) of a 16-bit pattern histogram. */
export function* halfPairs(hist: ArrayLike<number>, kind: 'f16' | 'bf16'): Generator<[number, number]> {
  const decode = kind === 'f16' ? f16ToNumber : bf16ToNumber;
  for (let h = 0; h < 65536; h++) if (hist[h]) yield [decode(h), hist[h]];
}

/** Float-tensor facts from a 16-bit pattern histogram: ternary iff every nonzero value has one magnitude s. */
export function halfTernaryCheck(hist: ArrayLike<number>, kind: 'f16' | 'bf16'): { ternary: boolean; s: number; trits: TritCounts } {
  const decode = kind === 'f16' ? f16ToNumber : bf16ToNumber;
  let magnitude = -1;
  let ternary = true;
  const trits: TritCounts = { neg: 0, zero: hist[0] + hist[0x8000], pos: 0 };
  for (let h = 0; h < 65536; h++) {
    const n = hist[h];
    if (!n || (h & 0x7fff) === 0) continue;
    const m = h & 0x7fff;
    if (!Number.isFinite(decode(h))) ternary = false;
    if (magnitude < 0) magnitude = m;
    else if (m !== magnitude) ternary = false;
    if (h & 0x8000) trits.neg += n;
    else trits.pos += n;
  }
  return { ternary: ternary && magnitude > 0, s: magnitude > 0 ? decode(magnitude) : 0, trits };
}
