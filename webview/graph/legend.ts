/** The graph view's colour legend: the ramp with its scale, or the node kinds, or "no data yet". */
import { el } from '../parts';
import { formatValue, position, rampColor, rgbCss, ticks, type Scale } from './colors';

export interface LegendInput {
  metricLabel: string;
  unit: string;
  /** null: the metric has no values (yet). */
  scale: Scale | null;
  /** Layers that have a value / all layers. */
  counted: number;
  total: number;
  /** Where overlay values come from (an overlay's `source`). */
  source?: string;
  /** Hint shown with "no data yet" (how to produce the values). */
  emptyHint?: string;
}

function swatch(cls: string, text: string): HTMLElement {
  return el('span', { class: 'legend-item' }, el('span', { class: `legend-swatch ${cls}` }), text);
}

export function kindLegend(): HTMLElement {
  return el('div', { class: 'graph-legend', id: 'graph-legend', role: 'note', 'aria-label': 'legend' },
    swatch('kind-ternary', 'ternary weights'), swatch('kind-float', 'float weights'), swatch('kind-io', 'graph input / output'));
}

export function metricLegend(l: LegendInput): HTMLElement {
  const box = el('div', { class: 'graph-legend', id: 'graph-legend', role: 'note', 'aria-label': `legend: ${l.metricLabel}` });
  box.append(el('span', { class: 'legend-title' }, l.metricLabel));
  if (!l.scale) {
    box.append(el('span', { class: 'legend-empty', id: 'graph-no-data' }, `no data yet${l.emptyHint ? ` — ${l.emptyHint}` : ''}`));
    return box;
  }
  const s = l.scale;
  const bar = el('span', { class: 'legend-ramp', role: 'img', 'aria-label': `colour scale from ${formatValue(s.min, l.unit)} to ${formatValue(s.max, l.unit)}${s.log ? ', logarithmic' : ''}` });
  bar.style.background = `linear-gradient(to right, ${Array.from({ length: 10 }, (_, i) => rgbCss(rampColor(i / 9))).join(', ')})`;
  const scale = el('span', { class: 'legend-scale' });
  for (const v of ticks(s, s.max === s.min ? 1 : 3)) {
    const t = el('span', { class: 'legend-tick' }, formatValue(v, l.unit));
    t.style.left = `${(100 * position(v, s)).toFixed(1)}%`;
    scale.append(t);
  }
  box.append(el('span', { class: 'legend-ramp-wrap' }, bar, scale));
  if (s.log) box.append(el('span', { class: 'legend-note' }, 'log scale'));
  if (l.counted < l.total) box.append(swatch('no-value', `no value (${l.total - l.counted} layers)`));
  if (l.source) box.append(el('span', { class: 'legend-note' }, l.source));
  return box;
}
