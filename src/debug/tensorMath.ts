/** Small numeric helpers of the debugger: tensor summaries, top-k agreement, view downsampling. */
import { tensorStats, type Tensor } from '../core/tensor';
import type { LayerView, ValueSummary } from './protocol';

export type { ValueSummary };

/** Statistics plus trit counts when every value is −1, 0 or +1. */
export function summarizeValues(data: ArrayLike<number>): ValueSummary {
  const stats = tensorStats(data);
  let neg = 0, pos = 0, ternary = data.length > 0;
  for (let i = 0; i < data.length && ternary; i++) {
    const v = data[i];
    if (v === 1) pos++;
    else if (v === -1) neg++;
    else if (v !== 0) ternary = false;
  }
  const out: ValueSummary = { count: stats.count, min: stats.min, max: stats.max, mean: stats.mean, std: stats.std, zeros: stats.zeros };
  if (ternary) out.trits = { neg, zero: stats.zeros, pos };
  return out;
}

function topIndices(data: ArrayLike<number>, k: number): Set<number> {
  const idx = Array.from({ length: data.length }, (_, i) => i);
  idx.sort((a, b) => data[b] - data[a] || a - b);
  return new Set(idx.slice(0, k));
}

/** |top-k(a) ∩ top-k(b)| / k with k = min(k, size): do the ternary and float outputs rank the same entries highest? */
export function topKAgreement(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const kk = Math.min(k, a.length, b.length);
  if (kk === 0) return 1;
  const ta = topIndices(a, kk), tb = topIndices(b, kk);
  let same = 0;
  for (const i of ta) if (tb.has(i)) same++;
  return same / kk;
}

/** Relative L2 ‖a − b‖₂ / ‖b‖₂ and cosine similarity (used when a stand-in or the float reference needs them). */
export function divergenceOf(a: ArrayLike<number>, b: ArrayLike<number>): { relL2: number; cosine: number } {
  let d = 0, nb = 0, na = 0, dot = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2; nb += b[i] * b[i]; na += a[i] * a[i]; dot += a[i] * b[i];
  }
  return { relL2: nb > 0 ? Math.sqrt(d / nb) : Math.sqrt(d), cosine: na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : na === nb ? 1 : 0 };
}

const MAX_CHANNELS = 64;
const MAX_SIDE = 32;
const MAX_BARS = 256;

/**
 * Reduces the first sample of an activation for the activation view:
 * NCHW → ≤ 64 channels of ≤ 32×32 (mean pooling), anything else → ≤ 256 bars
 * (each bar keeps the largest-magnitude value of its bin so spikes stay visible).
 */
export function downsampleView(t: Tensor): Omit<LayerView, 'index' | 'name' | 'label'> {
  const stats = tensorStats(t.data);
  if (t.shape.length === 4) {
    const [, c, h, w] = t.shape;
    const n = Math.min(c, MAX_CHANNELS);
    const fy = Math.ceil(h / MAX_SIDE), fx = Math.ceil(w / MAX_SIDE);
    const oh = Math.ceil(h / fy), ow = Math.ceil(w / fx);
    const channels = [];
    for (let ch = 0; ch < n; ch++) {
      const data: number[] = new Array(oh * ow).fill(0);
      const base = ch * h * w;
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) {
          let sum = 0, cnt = 0;
          for (let yy = y * fy; yy < Math.min(h, (y + 1) * fy); yy++)
            for (let xx = x * fx; xx < Math.min(w, (x + 1) * fx); xx++) { sum += t.data[base + yy * w + xx]; cnt++; }
          data[y * ow + x] = cnt ? sum / cnt : 0;
        }
      channels.push({ width: ow, height: oh, data });
    }
    return { shape: [...t.shape], kind: 'maps', min: stats.min, max: stats.max, channels, totalChannels: c };
  }
  const per = t.shape.length > 1 ? t.data.length / t.shape[0] : t.data.length;
  const bins = Math.min(per, MAX_BARS);
  const step = per / Math.max(1, bins);
  const data: number[] = [];
  for (let b = 0; b < bins; b++) {
    let best = 0;
    for (let i = Math.floor(b * step); i < Math.max(Math.floor((b + 1) * step), Math.floor(b * step) + 1); i++)
      if (Math.abs(t.data[i]) > Math.abs(best)) best = t.data[i];
    data.push(best);
  }
  return { shape: [...t.shape], kind: 'vector', min: stats.min, max: stats.max, channels: [{ width: bins, height: 1, data }], totalChannels: 1 };
}
