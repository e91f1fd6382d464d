/**
 * Metric → node colour for the graph view. Pure (no DOM).
 *
 * The ramp is viridis (perceptually uniform, readable by the common colour
 * vision deficiencies, monotonic in lightness) and deliberately does *not*
 * follow the theme: a colour means the same value in light, dark and high
 * contrast themes. Node text takes black or white by contrast with its fill,
 * and node borders, edges and the canvas use the theme's CSS variables, so the
 * ramp stays legible on every background.
 */
import type { LayerRow } from '../../src/shared/messages';
import { fmtEnergy } from '../table';

/** Built-in metrics read from the layer rows; overlay metrics come by message (GraphOverlay). */
export interface MetricDef {
  id: string;
  label: string;
  /** Unit suffix for the legend. */
  unit: string;
  /** Values from the rows; null when the metric is fed by an overlay message. */
  fromRow: ((r: LayerRow) => number | null) | null;
}

export const BUILTIN_METRICS: MetricDef[] = [
  { id: 'none', label: 'None (by kind)', unit: '', fromRow: () => null },
  { id: 'sparsity', label: 'Sparsity (share of zero trits)', unit: '%', fromRow: (r) => r.sparsity },
  { id: 'entropy', label: 'Trit entropy', unit: 'bits', fromRow: (r) => r.entropyBits },
  { id: 'relError', label: 'Relative error', unit: '', fromRow: (r) => r.relError },
  { id: 'energy', label: 'Energy per sample', unit: 'pJ', fromRow: (r) => r.cost?.energyPj ?? null },
  { id: 'sensitivity', label: 'Sensitivity', unit: '', fromRow: null },
  { id: 'divergence', label: 'Divergence (last debug run)', unit: '', fromRow: null },
];

// viridis at 9 evenly spaced stops (matplotlib's table, rounded to 8-bit).
const VIRIDIS: Array<[number, number, number]> = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

export function rampColor(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(VIRIDIS[i][k] + (VIRIDIS[i + 1][k] - VIRIDIS[i][k]) * f)) as [number, number, number];
}

export const rgbCss = ([r, g, b]: [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: [number, number, number], b: [number, number, number]): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

/** Black or white, whichever reads better on `fill`. */
export function textOn(fill: [number, number, number]): [number, number, number] {
  return contrastRatio(fill, [0, 0, 0]) >= contrastRatio(fill, [255, 255, 255]) ? [0, 0, 0] : [255, 255, 255];
}

export interface Scale {
  min: number;
  max: number;
  /** Log scale when all values are positive and span more than two decades (energy does). */
  log: boolean;
}

/** The scale of the finite values, or null when there are none ("no data yet"). */
export function scaleOf(values: Iterable<number>): Scale | null {
  let min = Infinity, max = -Infinity, n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!n) return null;
  return { min, max, log: min > 0 && max / min > 100 };
}

/** Position of v on the scale in [0, 1]; a constant metric maps to the middle. */
export function position(v: number, s: Scale): number {
  if (s.max === s.min) return 0.5;
  if (s.log) return (Math.log(v) - Math.log(s.min)) / (Math.log(s.max) - Math.log(s.min));
  return (v - s.min) / (s.max - s.min);
}

/** Values at `count` evenly spaced legend ticks (geometric on a log scale). */
export function ticks(s: Scale, count = 5): number[] {
  if (s.max === s.min) return [s.min];
  return Array.from({ length: count }, (_, i) => {
    const t = i / (count - 1);
    return s.log ? Math.exp(Math.log(s.min) + t * (Math.log(s.max) - Math.log(s.min))) : s.min + t * (s.max - s.min);
  });
}

/** Metric values per layer name: from the rows for built-ins, else from the overlay (absent → empty). */
export function metricValues(metric: string, rows: readonly LayerRow[], overlays: ReadonlyMap<string, { values: Record<string, number> }>): Map<string, number> {
  const out = new Map<string, number>();
  const def = BUILTIN_METRICS.find((m) => m.id === metric);
  if (def?.fromRow) {
    for (const r of rows) {
      const v = def.fromRow(r);
      if (v !== null && Number.isFinite(v)) out.set(r.name, v);
    }
    return out;
  }
  const o = overlays.get(metric);
  if (o) for (const [k, v] of Object.entries(o.values)) if (typeof v === 'number' && Number.isFinite(v)) out.set(k, v);
  return out;
}

/** Legend text of a value: percentages for sparsity, energy units for pJ, 3 significant digits otherwise. */
export function formatValue(v: number, unit: string): string {
  if (unit === '%') return `${(100 * v).toFixed(1)} %`;
  if (unit === 'pJ') return fmtEnergy(v);
  const a = Math.abs(v);
  const num = a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
  return unit ? `${num} ${unit}` : num;
}
