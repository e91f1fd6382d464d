/** Per-layer quality of a ternarization: trit counts, entropy and reconstruction error. */
import type { LayerQuantStats, WeightQuant } from '../graph/types';
import { QuantError } from './common';

/** Ŵ_i: +scale.pos for +1, −scale.neg for −1, 0 otherwise (WeightQuant's contract). */
export function dequantize(trits: Int8Array, scale: { pos: number; neg: number }): Float32Array {
  const out = new Float32Array(trits.length);
  for (let i = 0; i < trits.length; i++) out[i] = trits[i] > 0 ? scale.pos : trits[i] < 0 ? -scale.neg : 0;
  return out;
}

/** Shannon entropy (bits) of a discrete distribution given by counts; at most log2(3) for trits. */
export function entropyBits(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

export function quantStats(w: Float32Array, trits: Int8Array, quant: Pick<WeightQuant, 'scale'>): LayerQuantStats {
  if (w.length !== trits.length) throw new QuantError(`quantStats: ${w.length} weights but ${trits.length} trits, expected equal lengths`);
  let neg = 0, zero = 0, pos = 0;
  let errSq = 0, wSq = 0, qSq = 0, dot = 0;
  const { pos: ap, neg: an } = quant.scale;
  for (let i = 0; i < w.length; i++) {
    const t = trits[i];
    const q = t > 0 ? ap : t < 0 ? -an : 0;
    if (t > 0) pos++;
    else if (t < 0) neg++;
    else zero++;
    const v = w[i];
    errSq += (v - q) * (v - q);
    wSq += v * v;
    qSq += q * q;
    dot += v * q;
  }
  const n = w.length;
  return {
    trits: { neg, zero, pos },
    sparsity: n ? zero / n : 0,
    entropyBits: n ? entropyBits([neg, zero, pos]) : 0,
    // ‖W − Ŵ‖/‖W‖. For an all-zero W the ratio is undefined: 0 when Ŵ is zero too,
    // else 1 (kept finite so the value survives JSON).
    relError: wSq > 0 ? Math.sqrt(errSq / wSq) : qSq > 0 ? 1 : 0,
    // cos(W, Ŵ); 0 when either side is the zero vector (no direction to compare).
    cosine: wSq > 0 && qSq > 0 ? dot / Math.sqrt(wSq * qSq) : 0,
  };
}
