/**
 * The viewer's "Layer sensitivity" section: the sweep of `<model>.sensitivity.json`
 * as a chart (top-1 with only this layer ternary and with all but this layer
 * ternary, float and all-ternary as reference lines; KL in the tooltips) and the
 * keep-float proposals, each with "Re-quantize with this set".
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { KeepFloatPlanView, SensitivityView } from '../src/shared/sensitivityView';
import type { themeColors } from './charts';
import { el } from './parts';

type Colors = ReturnType<typeof themeColors>;

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const kl = (v: number) => (v < 1e-3 ? v.toExponential(1) : v.toFixed(3));

export function sensitivityChartConfig(v: SensitivityView, c: Colors): ChartConfiguration<'bar' | 'line'> {
  const compact = v.layers.length > 16 || v.layers.some((l) => l.name.length > 24);
  const labels = v.layers.map((l, i) => (compact ? `#${i + 1}` : l.name));
  const line = (label: string, value: number, color: string, dash: number[]) =>
    ({ type: 'line' as const, label, data: v.layers.map(() => 100 * value), borderColor: color, backgroundColor: color, pointRadius: 0, borderDash: dash });
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { type: 'bar', label: 'only this layer ternary', data: v.layers.map((l) => 100 * l.onlyThis.top1), backgroundColor: c.pos },
        { type: 'bar', label: 'all but this layer ternary', data: v.layers.map((l) => 100 * l.allButThis.top1), backgroundColor: c.line },
        line(`float ${pct(v.float.top1)}`, v.float.top1, c.green, []),
        line(`all ternary ${pct(v.allTernary.top1)}`, v.allTernary.top1, c.neg, [6, 4]),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { labels: { color: c.fg } },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'bar' | 'line'>[]) => v.layers[items[0]?.dataIndex ?? 0]?.name ?? '',
            label: (item: TooltipItem<'bar' | 'line'>) => {
              const l = v.layers[item.dataIndex];
              if (item.datasetIndex === 0) return `only this ternary: top-1 ${pct(l.onlyThis.top1)}, KL ${kl(l.onlyThis.kl)}`;
              if (item.datasetIndex === 1) return `all but this ternary: top-1 ${pct(l.allButThis.top1)}, KL ${kl(l.allButThis.kl)}`;
              return item.dataset.label ?? '';
            },
          },
        },
      },
      scales: {
        x: { ticks: { color: c.fg, autoSkip: true, maxRotation: compact ? 0 : 60 }, grid: { color: c.grid } },
        y: { beginAtZero: true, max: 100, ticks: { color: c.fg }, grid: { color: c.grid }, title: { display: true, text: `top-1 % on ${v.n} samples`, color: c.fg } },
      },
    },
  };
}

function planCells(p: KeepFloatPlanView): HTMLElement[] {
  return [
    el('td', { class: 'keep' }, p.keepFloat.length ? p.keepFloat.join(', ') : 'none'),
    el('td', { class: 'num' }, `${(100 * p.floatWeightShare).toFixed(2)} % · ${p.bitsPerWeight.toFixed(2)} b/w`),
    el('td', { class: 'num' }, pct(p.predictedTop1)),
    el('td', { class: 'num measured' }, `${pct(p.measuredTop1)} (KL ${kl(p.measuredKl)})`),
  ];
}

/** The section; `onRequantize` runs the quantize task keeping the given layers float. */
export function renderSensitivity(v: SensitivityView | null, onRequantize: (keepFloat: string[]) => void, onAnalyse: () => void): HTMLElement {
  const section = el('section', { id: 'sensitivity', class: 'sensitivity', 'aria-label': 'layer sensitivity' });
  if (!v) {
    const b = el('vscode-button', { id: 'action-analyseSensitivity-empty', secondary: '' }, 'Analyse Layer Sensitivity…');
    b.addEventListener('click', onAnalyse);
    section.append(el('p', { class: 'hint' }, 'No sensitivity analysis beside this model. ', b));
    return section;
  }
  const canvas = el('canvas', { id: 'chart-sensitivity-canvas', role: 'img', 'aria-label': 'top-1 per layer with only that layer ternary and with all but that layer ternary' });
  section.append(
    el('h2', {}, 'Layer sensitivity'),
    el('p', { class: 'sensitivity-summary' },
      `${v.file}: ${v.layers.length} weight layers of ${v.model} on ${v.n} samples of ${v.data} (${v.method}, ${v.engine} engine, sweep ${v.sweepSeconds.toFixed(1)} s). `,
      `Float top-1 ${pct(v.float.top1)}, all ternary ${pct(v.allTernary.top1)} (KL ${kl(v.allTernary.kl)}). The graph's "sensitivity" colouring is the KL with only that layer ternary.`),
    el('figure', { class: 'chart sensitivity-chart', id: 'chart-sensitivity' }, el('figcaption', {}, 'Top-1 per layer: only this layer ternary / all but this layer ternary'), el('div', { class: 'chart-body' }, canvas)),
  );
  if (v.proposals.length) {
    const head = el('tr', {}, ...['budget', 'set', 'keep float', 'cost', 'predicted top-1', 'measured top-1', ''].map((h) => el('th', {}, h)));
    const rows = v.proposals.flatMap((p, i) => {
      const b = el('vscode-button', { id: `requantize-proposal-${i}`, 'data-keep-float': p.proposal.keepFloat.join(',') }, 'Re-quantize with this set');
      b.addEventListener('click', () => onRequantize(p.proposal.keepFloat));
      return [
        el('tr', { class: 'proposal' }, el('td', { rowspan: '2' }, p.budget), el('td', {}, 'proposal'), ...planCells(p.proposal), el('td', {}, b)),
        el('tr', { class: 'default-rule' }, el('td', {}, `first + last${p.defaultRule.fits ? '' : ' (over budget)'}`), ...planCells(p.defaultRule), el('td', {})),
      ];
    });
    section.append(el('table', { class: 'proposals', id: 'sensitivity-proposals' }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }
  return section;
}
