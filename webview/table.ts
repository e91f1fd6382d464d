/** Pure helpers of the layer table: formatting, sorting, filtering, keyboard navigation, paging. */
import type { LayerRow } from '../src/shared/messages';

export const LOG2_3 = Math.log2(3);
export const PAGE_SIZE = 200;

export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

/** 1234567 → "1.23 M" (SI, for counts). */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['', ' k', ' M', ' G', ' T'];
  let i = 0, v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? String(Math.round(v)) : `${v.toPrecision(3)}${units[i]}`;
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

export function fmtPercent(f: number | null | undefined, digits = 1): string {
  return f === null || f === undefined ? '–' : `${(100 * f).toFixed(digits)} %`;
}

/** Energy in pJ with a readable unit. */
export function fmtEnergy(pj: number | null | undefined): string {
  if (pj === null || pj === undefined) return '–';
  if (pj === 0) return '0';
  const units: Array<[number, string]> = [[1e12, 'J'], [1e9, 'mJ'], [1e6, 'µJ'], [1e3, 'nJ']];
  for (const [s, u] of units) if (Math.abs(pj) >= s) return `${(pj / s).toPrecision(3)} ${u}`;
  return `${pj.toPrecision(3)} pJ`;
}

export type SortKey = 'index' | 'name' | 'op' | 'params' | 'deltaP' | 'deltaN' | 'alphaP' | 'gamma' | 'sparsity' | 'entropy' | 'relError' | 'cost';

export const SORT_KEYS: Record<SortKey, (r: LayerRow) => number | string | null> = {
  index: (r) => r.index,
  name: (r) => r.name,
  op: (r) => r.op,
  params: (r) => (r.shape.length ? r.shape.reduce((a, b) => a * b, 1) : null),
  deltaP: (r) => r.deltaP,
  deltaN: (r) => r.deltaN,
  alphaP: (r) => r.alphaP,
  gamma: (r) => r.gamma,
  sparsity: (r) => r.sparsity,
  entropy: (r) => r.entropyBits,
  relError: (r) => r.relError,
  cost: (r) => r.cost?.energyPj ?? null,
};

export function isSortKey(k: string): k is SortKey {
  return k in SORT_KEYS;
}

/** Stable sort; missing values (null) always last, whatever the direction. */
export function sortRows(rows: readonly LayerRow[], key: SortKey, dir: 1 | -1): LayerRow[] {
  const get = SORT_KEYS[key];
  return rows
    .map((r, i) => ({ r, i, v: get(r) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'string' || typeof b.v === 'string' ? String(a.v).localeCompare(String(b.v)) : a.v - (b.v as number);
      return c !== 0 ? c * dir : a.i - b.i;
    })
    .map((x) => x.r);
}

/**
 * Whitespace-separated terms, all must match (case-insensitive): a plain term
 * matches the name or op; `op:conv` the op; `ternary` / `float` the weight kind.
 */
export function filterRows(rows: readonly LayerRow[], query: string): LayerRow[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [...rows];
  return rows.filter((r) =>
    terms.every((t) => {
      if (t.startsWith('op:')) return r.op.toLowerCase().includes(t.slice(3));
      if (t === 'ternary') return r.ternary;
      if (t === 'float') return !r.ternary;
      return r.name.toLowerCase().includes(t) || r.op.toLowerCase().includes(t);
    }),
  );
}

/** Row index after a navigation key, or null when the key does not navigate. */
export function navigate(current: number, key: string, count: number, pageStep = 10): number | null {
  if (!count) return null;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'ArrowDown': return current < 0 ? 0 : clamp(current + 1);
    case 'ArrowUp': return current < 0 ? 0 : clamp(current - 1);
    case 'Home': return 0;
    case 'End': return count - 1;
    case 'PageDown': return clamp(current + pageStep);
    case 'PageUp': return clamp(current - pageStep);
    default: return null;
  }
}

export function pageCount(n: number, size = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(n / size));
}

export function pageOf<T>(rows: readonly T[], page: number, size = PAGE_SIZE): T[] {
  const p = Math.max(0, Math.min(page, pageCount(rows.length, size) - 1));
  return rows.slice(p * size, (p + 1) * size);
}

/** Fractions of −1 / 0 / +1 (sum 1), for the mini stacked bar. */
export function tritFractions(t: LayerRow['trits']): [number, number, number] | null {
  if (!t) return null;
  const n = t.neg + t.zero + t.pos;
  return n ? [t.neg / n, t.zero / n, t.pos / n] : null;
}

/**
 * A long layer name shortened for a table cell. PyTorch's ONNX names repeat the module
 * path at each level (`/features/features.1/features.1.0/block/block.0/…`): a segment that
 * the next one extends (`features` → `features.1`) is dropped, which keeps every name
 * distinct (`/features.1.0/block.0.0/Conv`); every row is treated alike, so the column
 * reads consistently. What is still longer than `max` loses its middle, keeping the first
 * segment and the tail. Other names stay as they are.
 */
export function shortLayerName(name: string, max = 48): string {
  const parts = name.split('/');
  const kept = parts.filter((p, i) => !(p && parts[i + 1]?.startsWith(`${p}.`)));
  const compact = kept.join('/');
  if (compact.length <= max) return compact;
  const second = compact.indexOf('/', 1);
  if (second > 0 && second < max / 3) {
    const head = compact.slice(0, second);
    let cut = compact.length - (max - head.length - 2);
    const slash = compact.indexOf('/', cut);
    if (slash >= 0 && slash < compact.length - 1) cut = slash;
    return `${head}/…${compact.slice(cut)}`;
  }
  const headLen = Math.ceil((max - 1) / 3);
  return `${compact.slice(0, headLen)}…${compact.slice(compact.length - (max - 1 - headLen))}`;
}

/**
 * Chart x labels for one bar per layer: the names while there are few and short,
 * else `#index` (the table's first column), the names staying in the tooltips.
 */
export function chartTickLabels(rows: readonly LayerRow[], maxNamed = 16, maxLength = 24): { ticks: string[]; compact: boolean } {
  const compact = rows.length > maxNamed || rows.some((r) => r.name.length > maxLength);
  return { ticks: rows.map((r) => (compact ? `#${r.index}` : r.name)), compact };
}
