/**
 * Charts of the weights-only viewer: trit distribution and stored scale across
 * depth (one point per transformer block), and a selected tensor's histogram of
 * scales or values. Chart.js with the editor's theme colours (../charts.ts).
 */
import type { ChartConfiguration } from 'chart.js';
import type { ValueSummary } from '../../src/shared/weightsView';
import { themeColors } from '../charts';
import { fmt } from '../table';
import type { DepthPointView } from './model';

type Colors = ReturnType<typeof themeColors>;

const base = (c: Colors) => ({
  animation: false as const,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { labels: { color: c.fg } } },
});

function scales(c: Colors, stacked: boolean, yTitle: string, xTitle: string) {
  return {
    x: { stacked, ticks: { color: c.fg, autoSkip: true, maxRotation: 0 }, grid: { color: c.grid }, title: { display: true, text: xTitle, color: c.fg } },
    y: { stacked, beginAtZero: true, ticks: { color: c.fg }, grid: { color: c.grid }, title: { display: true, text: yTitle, color: c.fg } },
  };
}

const share = (p: DepthPointView, k: 'neg' | 'zero' | 'pos') => {
  const n = p.trits.neg + p.trits.zero + p.trits.pos;
  return n ? (100 * p.trits[k]) / n : 0;
};

/** Stacked −1 / 0 / +1 shares per block. */
export function depthTritConfig(points: DepthPointView[], c: Colors): ChartConfiguration<'bar'> {
  const s = scales(c, true, '% of trits', 'block');
  return {
    type: 'bar',
    data: {
      labels: points.map((p) => String(p.block)),
      datasets: [
        { label: '−1', data: points.map((p) => share(p, 'neg')), backgroundColor: c.neg },
        { label: '0', data: points.map((p) => share(p, 'zero')), backgroundColor: c.zero },
        { label: '+1', data: points.map((p) => share(p, 'pos')), backgroundColor: c.pos },
      ],
    },
    options: { ...base(c), scales: { ...s, y: { ...s.y, max: 100 } } },
  };
}

/** Minimum, mean and maximum stored scale per block (the magnitude of a ±1 trit). */
export function depthScaleConfig(points: DepthPointView[], c: Colors): ChartConfiguration<'line'> {
  const withScale = points.filter((p) => p.scale);
  const line = (label: string, data: number[], color: string, dashed: boolean) => ({
    label, data, borderColor: color, backgroundColor: color, pointRadius: 2, borderWidth: dashed ? 1 : 2, ...(dashed ? { borderDash: [5, 4] } : {}),
  });
  return {
    type: 'line',
    data: {
      labels: withScale.map((p) => String(p.block)),
      datasets: [
        line('max', withScale.map((p) => p.scale!.max), c.neg, true),
        line('mean', withScale.map((p) => p.scale!.mean), c.line, false),
        line('min', withScale.map((p) => p.scale!.min), c.pos, true),
      ],
    },
    options: { ...base(c), scales: { ...scales(c, false, 'scale of a ±1 trit', 'block'), y: { ...scales(c, false, 'scale of a ±1 trit', 'block').y, beginAtZero: false } } },
  };
}

/** The 32-bin histogram of a ValueSummary (stored scales of a ternary tensor, or a float tensor's values). */
export function summaryHistogramConfig(v: ValueSummary, label: string, c: Colors): ChartConfiguration<'bar'> {
  const { min, max, counts } = v.histogram;
  const w = counts.length ? (max - min) / counts.length : 0;
  return {
    type: 'bar',
    data: {
      labels: counts.map((_, i) => fmt(min + (i + 0.5) * w, 3)),
      datasets: [{ label, data: counts, backgroundColor: c.bar, barPercentage: 1, categoryPercentage: 1 }],
    },
    options: {
      ...base(c),
      plugins: { legend: { display: false } },
      scales: { ...scales(c, false, 'count', label), x: { ...scales(c, false, 'count', label).x, ticks: { color: c.fg, maxTicksLimit: 6, maxRotation: 0 } } },
    },
  };
}
