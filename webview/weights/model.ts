/**
 * Pure view-model helpers of the weights-only viewer (no DOM): group
 * aggregates and the series across depth from the statistics received so far,
 * the tokens/s bound, which groups start expanded, filtering and formatting.
 * Aggregates follow src/core/weights/grouping.ts depthSeries (count-weighted
 * mean of the stored scales); a unit test checks they agree.
 */
import type { TensorStatsView, TritCounts, WeightsTensorRow, WeightsView } from '../../src/shared/weightsView';

export interface ScaleRange {
  min: number;
  mean: number;
  max: number;
  /** Scales behind the mean (per-block scales of TQ1_0/TQ2_0, one per tensor otherwise). */
  count: number;
}

export interface GroupAggregate {
  tensors: number;
  elements: number;
  bytes: number;
  /** Sum over the group's ternary tensors counted so far; null before any. */
  trits: TritCounts | null;
  scale: ScaleRange | null;
  /** Tensors with statistics / tensors that will get them (undecoded types never do). */
  done: number;
  decodable: number;
}

export function addTrits(into: TritCounts, t: TritCounts): void {
  into.neg += t.neg;
  into.zero += t.zero;
  into.pos += t.pos;
}

/** Merges a tensor's scale summary into a running range (weights the mean by the number of scales). */
export function mergeScale(into: ScaleRange | null, s: { min: number; mean: number; max: number; count: number } | null): ScaleRange | null {
  if (!s || !s.count) return into;
  if (!into) return { min: s.min, mean: s.mean, max: s.max, count: s.count };
  const count = into.count + s.count;
  return { min: Math.min(into.min, s.min), max: Math.max(into.max, s.max), mean: (into.mean * into.count + s.mean * s.count) / count, count };
}

export function aggregate(rowIndices: readonly number[], rows: readonly WeightsTensorRow[], stats: ReadonlyMap<number, TensorStatsView>): GroupAggregate {
  const a: GroupAggregate = { tensors: rowIndices.length, elements: 0, bytes: 0, trits: null, scale: null, done: 0, decodable: 0 };
  for (const i of rowIndices) {
    const r = rows[i];
    a.elements += r.elements;
    a.bytes += r.bytes;
    if (!r.undecoded) a.decodable++;
    const s = stats.get(i);
    if (!s) continue;
    a.done++;
    if (!s.ternary || !s.trits) continue;
    a.trits ??= { neg: 0, zero: 0, pos: 0 };
    addTrits(a.trits, s.trits);
    a.scale = mergeScale(a.scale, s.scales);
  }
  return a;
}

export interface DepthPointView {
  block: number;
  trits: TritCounts;
  scale: { min: number; mean: number; max: number } | null;
}

/** Trit distribution and scale by block, over the tensors counted so far (blocks without ternary tensors are left out). */
export function depthPoints(view: WeightsView, stats: ReadonlyMap<number, TensorStatsView>): DepthPointView[] {
  return view.groups
    .filter((g) => g.block !== null)
    .map((g) => ({ block: g.block!, agg: aggregate(g.rows, view.rows, stats) }))
    .filter((p) => p.agg.trits)
    .sort((a, b) => a.block - b.block)
    .map(({ block, agg }) => ({ block, trits: agg.trits!, scale: agg.scale ? { min: agg.scale.min, mean: agg.scale.mean, max: agg.scale.max } : null }));
}

/** Upper bound on generated tokens per second: bandwidth ÷ bytes read per token. */
export function tokensPerSecond(bytesPerToken: number, bandwidthGBs: number): number {
  return bytesPerToken > 0 && bandwidthGBs > 0 ? (bandwidthGBs * 1e9) / bytesPerToken : Infinity;
}

/** A GB/s value typed by the user, or null when it is not a positive finite number. */
export function parseBandwidth(text: string): number | null {
  const v = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(v) && v > 0 ? v : null;
}

/** Small models show every group open; large ones the first block and the tensors outside blocks, so the table fits. */
export function expandedByDefault(view: WeightsView, label: string): boolean {
  if (view.rows.length <= 60) return true;
  const first = view.groups.find((g) => g.block !== null);
  return label === first?.label || view.groups.find((g) => g.label === label)?.block === null;
}

export function isExpanded(view: WeightsView, label: string, overrides: Readonly<Record<string, boolean>>): boolean {
  return overrides[label] ?? expandedByDefault(view, label);
}

/** Whitespace-separated terms, all must match the name, role or type (case-insensitive); `ternary` / `float` match the kind. */
export function matchesFilter(r: WeightsTensorRow, query: string, ternary = r.ternary): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return terms.every((t) => (t === 'ternary' ? ternary : t === 'float' ? !ternary && !r.undecoded : `${r.name} ${r.role} ${r.dtype}`.toLowerCase().includes(t)));
}

/** Shannon entropy of a trit distribution in bits (max log2 3). */
export function entropyOf(t: TritCounts): number {
  const n = t.neg + t.zero + t.pos;
  let h = 0;
  for (const k of [t.neg, t.zero, t.pos]) if (k) h -= (k / n) * Math.log2(k / n);
  return h;
}

export const fmtShape = (shape: readonly number[]): string => (shape.length ? shape.join('×') : 'scalar');

/** Bits per weight: exact block-type values (1.6875, 2.0625) print in full, others to 3 decimals. */
export function fmtBits(b: number | null): string {
  if (b === null || !Number.isFinite(b)) return '–';
  const exact = Number(b.toFixed(4));
  return Math.abs(exact - b) < 1e-9 ? String(exact) : b.toFixed(3);
}

/** Decimal bytes (GB as memory bandwidth is quoted): 1.10 GB, 440 MB. */
export function fmtDecimalBytes(n: number): string {
  const units: Array<[number, string]> = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [s, u] of units) if (n >= s) return `${(n / s).toPrecision(3)} ${u}`;
  return `${n} B`;
}

export function fmtRate(tps: number): string {
  if (!Number.isFinite(tps)) return '∞';
  return tps >= 100 ? tps.toFixed(0) : tps >= 10 ? tps.toFixed(1) : tps.toPrecision(2);
}

/** A histogram says something only over at least two distinct values (one scale per tensor has none). */
export function hasSpread(v: { count: number; min: number; max: number } | null | undefined): boolean {
  return !!v && v.count > 1 && v.max > v.min;
}

/** Bar heights in [0, 1] for a mini histogram (largest bin = 1). */
export function histogramHeights(counts: readonly number[]): number[] {
  const max = counts.reduce((m, c) => Math.max(m, c), 0);
  return counts.map((c) => (max ? c / max : 0));
}

export function progressFraction(p: { bytesDone: number; bytesTotal: number } | null): number {
  if (!p) return 0;
  return p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
}
