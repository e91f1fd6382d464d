/** Small numeric helpers of the debugger: tensor summaries, top-k agreement, view downsampling. */
import { tensorStats, type Tensor } from '../core/tensor';
import type { LayerView, ValueSummary } from '../shared/engineProtocol';

export type { ValueSummary };

/** Statistics plus trit counts when every value is −1, 0 or +1, in one pass (core/tensor.ts). */
export const summarizeValues = (data: ArrayLike<number>): ValueSummary => tensorStats(data);

/** The same summary for unpacked trits, from their counts (one counting pass, no float scan). */
export function summarizeTrits(trits: Int8Array): ValueSummary {
  let neg = 0, pos = 0;
  for (let i = 0; i < trits.length; i++) {
    const v = trits[i];
    if (v > 0) pos++;
    else if (v < 0) neg++;
  }
  return summarizeTritCounts({ neg, zero: trits.length - neg - pos, pos });
}

/** A trit tensor's summary from its counts alone (packed trits are counted without unpacking them). */
export function summarizeTritCounts(c: { neg: number; zero: number; pos: number }): ValueSummary {
  const { neg, zero, pos } = c;
  const n = neg + zero + pos;
  if (!n) return { count: 0, min: 0, max: 0, mean: 0, std: 0, zeros: 0 };
  const mean = (pos - neg) / n;
  return {
    count: n, min: neg ? -1 : zero ? 0 : 1, max: pos ? 1 : zero ? 0 : -1, mean, std: Math.sqrt(Math.max(0, (pos + neg) / n - mean * mean)),
    zeros: zero, trits: { neg, zero, pos },
  };
}

/**
 * Indices of the k largest values (ties: lower index first), by selection into a sorted k-array:
 * O(n·k) at worst instead of sorting all n indices, which cost ~100 ms per call on a 56×56×112 activation.
 * Indices arrive in increasing order, so once k are held a value enters only when it is strictly above
 * the smallest held one (an equal value has a higher index): one float compare for almost every element.
 */
function topIndices(data: ArrayLike<number>, k: number): Set<number> {
  const best: number[] = [];
  let floor = -Infinity; // value of best[k - 1] once k are held
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (best.length === k ? !(v > floor) : v !== v) continue; // NaN never enters
    let p = best.length === k ? k - 1 : best.length;
    while (p > 0 && v > data[best[p - 1]]) { best[p] = best[p - 1]; p--; }
    best[p] = i;
    if (best.length > k) best.length = k;
    if (best.length === k) floor = data[best[k - 1]];
  }
  return new Set(best);
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

/**
 * Rounds display values to a step of at most scale/1000 (a power of ten, so each prints as a short
 * decimal): the heatmaps have 8-bit colours, and full doubles made a 64-channel view a megabyte of
 * JSON on its way adapter → workbench → extension host → webview (and into the webview's state).
 */
export function roundForDisplay(values: number[], scale: number): number[] {
  if (!(scale > 0) || !Number.isFinite(scale)) return values.map((v) => (Number.isFinite(v) ? 0 : v));
  const decimals = -Math.floor(Math.log10(scale / 1000));
  if (decimals >= 0) {
    const f = 10 ** Math.min(decimals, 20);
    return values.map((v) => Math.round(v * f) / f || 0);
  }
  const f = 10 ** -decimals;
  return values.map((v) => Math.round(v / f) * f || 0);
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
  const scale = Math.max(Math.abs(stats.min), Math.abs(stats.max));
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
      channels.push({ width: ow, height: oh, data: roundForDisplay(data, scale) });
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
  return { shape: [...t.shape], kind: 'vector', min: stats.min, max: stats.max, channels: [{ width: bins, height: 1, data: roundForDisplay(data, scale) }], totalChannels: 1 };
}
