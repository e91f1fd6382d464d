/**
 * The editor's charts (Chart.js, only the pieces used are registered). Colors
 * come from VS Code theme variables; a canvas cannot read CSS variables, so they
 * are resolved with getComputedStyle and re-applied when the theme class changes.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type Plugin,
} from 'chart.js';
import type { CostView, LayerRow, ProfileView } from '../src/shared/messages';
import { chartTickLabels, fmtEnergy, LOG2_3 } from './table';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const cssVar = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

export function themeColors() {
  return {
    fg: cssVar('--vscode-foreground', '#333'),
    grid: cssVar('--vscode-editorWidget-border', '#8884'),
    neg: cssVar('--vscode-charts-red', '#e51400'),
    zero: cssVar('--vscode-descriptionForeground', '#888'),
    pos: cssVar('--vscode-charts-blue', '#1a85ff'),
    line: cssVar('--vscode-charts-orange', '#d18616'),
    bar: cssVar('--vscode-charts-purple', '#652d90'),
    green: cssVar('--vscode-charts-green', '#388a34'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
  };
}

type Colors = ReturnType<typeof themeColors>;

/** Axes of a per-layer bar chart; `ticks` (chartTickLabels) are `#index` once names would not fit, the names staying in the tooltips. */
function axes(c: Colors, stacked: boolean, yTitle: string, ticks?: { ticks: string[]; compact: boolean }) {
  const x = ticks?.compact
    ? { stacked, ticks: { color: c.fg, autoSkip: true, maxRotation: 0, callback: (v: string | number) => ticks.ticks[Number(v)] }, grid: { color: c.grid }, title: { display: true, text: 'layer # (the table\'s first column; hover a bar for its name)', color: c.fg } }
    : { stacked, ticks: { color: c.fg, autoSkip: true, maxRotation: 60 }, grid: { color: c.grid } };
  return {
    x,
    y: { stacked, beginAtZero: true, ticks: { color: c.fg }, grid: { color: c.grid }, title: { display: true, text: yTitle, color: c.fg } },
  };
}

const base = (c: Colors) => ({
  animation: false as const,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { labels: { color: c.fg } } },
});

export function tritChartConfig(rows: LayerRow[], c: Colors): ChartConfiguration<'bar'> {
  const t = rows.filter((r) => r.trits);
  const frac = (r: LayerRow, k: 'neg' | 'zero' | 'pos') => {
    const n = r.trits!.neg + r.trits!.zero + r.trits!.pos;
    return n ? (100 * r.trits![k]) / n : 0;
  };
  return {
    type: 'bar',
    data: {
      labels: t.map((r) => r.name),
      datasets: [
        { label: '−1', data: t.map((r) => frac(r, 'neg')), backgroundColor: c.neg },
        { label: '0', data: t.map((r) => frac(r, 'zero')), backgroundColor: c.zero },
        { label: '+1', data: t.map((r) => frac(r, 'pos')), backgroundColor: c.pos },
      ],
    },
    options: { ...base(c), scales: { ...axes(c, true, '% of trits', chartTickLabels(t)), y: { ...axes(c, true, '% of trits').y, max: 100 } } },
  };
}

export function entropyChartConfig(rows: LayerRow[], c: Colors): ChartConfiguration<'bar' | 'line'> {
  const t = rows.filter((r) => r.entropyBits !== null);
  return {
    type: 'bar',
    data: {
      labels: t.map((r) => r.name),
      datasets: [
        { type: 'bar', label: 'entropy (bits)', data: t.map((r) => r.entropyBits!), backgroundColor: c.bar },
        { type: 'line', label: 'log2 3 (equal thirds)', data: t.map(() => LOG2_3), borderColor: c.line, backgroundColor: c.line, pointRadius: 0, borderDash: [6, 4] },
      ],
    },
    options: { ...base(c), scales: { ...axes(c, false, 'bits', chartTickLabels(t)), y: { ...axes(c, false, 'bits').y, max: 1.7 } } },
  };
}

/** Energy per layer split by operation kind, from MAC counts × the profile's per-op energy. */
export function costChartConfig(rows: LayerRow[], profile: ProfileView | undefined, c: Colors): ChartConfiguration<'bar'> {
  const t = rows.filter((r) => r.cost && r.cost.energyPj > 0);
  // Split by kind needs the profile's per-op energies; without them everything shows as one total.
  const e = (cost: CostView, k: 'tt' | 'tf' | 'ff') => cost.macs[k] * (profile?.ops[k === 'tt' ? 'macTT' : k === 'tf' ? 'macTF' : 'macFF'].energyPj.value ?? 0);
  const adds = (cost: CostView) => Math.max(0, cost.energyPj - e(cost, 'tt') - e(cost, 'tf') - e(cost, 'ff'));
  return {
    type: 'bar',
    data: {
      labels: t.map((r) => r.name),
      datasets: [
        { label: 'ternary×ternary MACs', data: t.map((r) => e(r.cost!, 'tt')), backgroundColor: c.pos },
        { label: 'ternary×float MACs', data: t.map((r) => e(r.cost!, 'tf')), backgroundColor: c.green },
        { label: 'float×float MACs', data: t.map((r) => e(r.cost!, 'ff')), backgroundColor: c.neg },
        { label: profile ? 'additions' : 'total (no profile)', data: t.map((r) => adds(r.cost!)), backgroundColor: c.yellow },
      ],
    },
    options: {
      ...base(c),
      scales: { ...axes(c, true, 'energy per sample', chartTickLabels(t)), y: { ...axes(c, true, 'energy per sample').y, ticks: { color: c.fg, callback: (v: string | number) => fmtEnergy(Number(v)) } } },
    },
  };
}

/** Vertical Δn / Δp lines over the histogram (bins are category indices). */
function thresholdLines(min: number, max: number, bins: number, lines: Array<{ at: number | null; label: string }>, color: () => string): Plugin<'bar'> {
  return {
    id: 'thresholdLines',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x;
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      const width = (max - min) / bins || 1;
      ctx.save();
      ctx.strokeStyle = color();
      ctx.fillStyle = color();
      ctx.lineWidth = 2;
      ctx.font = '12px sans-serif';
      for (const l of lines) {
        if (l.at === null) continue;
        const px = x.getPixelForValue((l.at - min) / width - 0.5);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, bottom);
        ctx.stroke();
        ctx.fillText(l.label, px + 3, top - 2);
      }
      ctx.restore();
    },
  };
}

export function histogramChartConfig(counts: Float64Array, min: number, max: number, deltaN: number | null, deltaP: number | null, c: Colors): ChartConfiguration<'bar'> {
  const bins = counts.length;
  const w = (max - min) / bins;
  return {
    type: 'bar',
    data: {
      labels: Array.from({ length: bins }, (_, i) => Number((min + (i + 0.5) * w).toPrecision(3)).toString()),
      datasets: [{ label: 'latent float weights', data: Array.from(counts), backgroundColor: c.bar, barPercentage: 1, categoryPercentage: 1 }],
    },
    options: {
      ...base(c),
      scales: { ...axes(c, false, 'count'), x: { ...axes(c, false, 'count').x, ticks: { color: c.fg, maxTicksLimit: 7, maxRotation: 0 } } },
      layout: { padding: { top: 14 } },
    },
    plugins: [thresholdLines(min, max, bins, [{ at: deltaN, label: 'Δn' }, { at: deltaP, label: 'Δp' }], () => themeColors().line)],
  };
}

export { Chart };
