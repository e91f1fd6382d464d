/**
 * The model viewer for weights-only models (GGUF, safetensors checkpoints,
 * weights-only `.tnn`): header, cost per token, grouped tensor table, details
 * of the selected tensor and charts across depth. The header message arrives
 * first (read from the file's header alone); statistics then stream in and
 * fill the rows, the group totals, the charts and the progress bar.
 * webview/main.ts hands it every WeightsToWebview message.
 */
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './weights.css';
import { FromWebview, type EditorAction, type FromWebviewMessage } from '../../src/shared/messages';
import {
  WeightsToWebview,
  type TensorStatsView, type WeightsStatsDone, type WeightsToWebviewMessage, type WeightsView, type WeightsViewState,
} from '../../src/shared/weightsView';
import { Chart, themeColors } from '../charts';
import { el } from '../parts';
import { fmtBytes, fmtCount, fmtPercent, LOG2_3 } from '../table';
import { depthScaleConfig, depthTritConfig, summaryHistogramConfig } from './charts';
import { byTypeTable, renderCost, renderWeightsHeader } from './header';
import { depthPoints, fmtBits, fmtShape, hasSpread, parseBandwidth, progressFraction } from './model';
import { TensorTable } from './tensorTable';

export interface WeightsHost {
  post(m: FromWebviewMessage): void;
  state(): WeightsViewState;
  save(s: WeightsViewState): void;
}

/** Charts redraw at most this often while statistics stream in. */
const CHART_INTERVAL_MS = 400;

export class WeightsViewer {
  private view: WeightsView | null = null;
  private readonly stats = new Map<number, TensorStatsView>();
  private done: WeightsStatsDone | null = null;
  private settingBandwidth = 50;
  private table: TensorTable | null = null;
  private cost: ReturnType<typeof renderCost> | null = null;
  private readonly charts = new Map<string, Chart>();
  private chartTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly t0 = performance.now();
  private readonly observer: MutationObserver;

  constructor(private readonly root: HTMLElement, private readonly host: WeightsHost) {
    // Canvas colours come from CSS variables: redraw when VS Code switches theme (body class).
    this.observer = new MutationObserver(() => {
      if (!this.view) return;
      this.drawDepthCharts();
      this.showDetails();
    });
    this.observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  get active(): boolean {
    return this.view !== null;
  }

  private get state(): WeightsViewState {
    return this.host.state();
  }

  private bandwidth(): number {
    return this.state.bandwidthGBs ?? this.settingBandwidth;
  }

  handle(m: WeightsToWebviewMessage): void {
    switch (m.type) {
      case WeightsToWebview.Weights:
        this.view = m.view;
        this.settingBandwidth = m.bandwidthGBs;
        this.stats.clear();
        for (const r of (m.stats.done?.rows ?? m.stats.rows)) this.stats.set(r.index, r);
        this.done = m.stats.done;
        this.render();
        this.setProgress(m.stats.progress, m.stats.done);
        if (m.stats.error) this.showFailure(m.stats.error.message);
        requestAnimationFrame(() => this.host.post({ type: FromWebview.Rendered, rows: m.view.rows.length, ms: performance.now() - this.t0 }));
        break;
      case WeightsToWebview.Progress:
        if (!this.view) break;
        for (const r of m.progress.rows) this.stats.set(r.index, r);
        this.table?.update(m.progress.rows.map((r) => r.index));
        this.setProgress(m.progress, null);
        if (m.progress.rows.some((r) => r.index === this.state.selected)) this.showDetails();
        this.scheduleCharts();
        break;
      case WeightsToWebview.Done: {
        if (!this.view) break;
        this.done = m.done;
        // Streamed rows are final; only rows not seen yet, or whose scales were linked at the end (.tnn), change.
        const changed = m.done.rows.filter((r) => {
          const before = this.stats.get(r.index);
          return !before || (before.scales === null) !== (r.scales === null);
        });
        for (const r of m.done.rows) this.stats.set(r.index, r);
        this.table?.update(changed.map((r) => r.index));
        this.setProgress({ bytesDone: m.done.bytesRead, bytesTotal: m.done.bytesRead, tensor: '' }, m.done);
        this.cost?.update(m.done.cost, this.bandwidth());
        document.getElementById('weights-by-type')?.replaceWith(byTypeTable(m.done.byType));
        this.drawDepthCharts();
        this.showDetails();
        break;
      }
      case WeightsToWebview.Failed:
        this.showFailure(m.error.message);
        break;
      case WeightsToWebview.Bandwidth:
        this.settingBandwidth = m.bandwidthGBs;
        this.refreshBandwidth();
        break;
    }
  }

  dispose(): void {
    this.view = null;
    this.destroyCharts();
    if (this.chartTimer) clearTimeout(this.chartTimer);
  }

  private action(label: string, a: EditorAction, title: string): HTMLElement {
    const b = el('vscode-button', { id: `action-${a}`, title, secondary: '' }, label);
    b.addEventListener('click', () => this.host.post({ type: FromWebview.RunAction, action: a }));
    return b;
  }

  private bandwidthInput(): HTMLElement {
    // Validated here (a positive number), not by the element: its numeric `step` cannot say "any".
    const input = el('vscode-textfield', { id: 'bandwidth-input', 'aria-label': 'memory bandwidth in GB/s', inputmode: 'decimal' }) as HTMLElement & { value: string };
    input.value = String(this.bandwidth());
    input.addEventListener('input', () => {
      const v = parseBandwidth(input.value);
      input.toggleAttribute('invalid', v === null);
      if (v === null) return;
      this.host.save({ ...this.state, bandwidthGBs: v === this.settingBandwidth ? null : v });
      this.refreshBandwidth(false);
    });
    return input;
  }

  private refreshBandwidth(resetInput = true): void {
    if (!this.view) return;
    const input = document.getElementById('bandwidth-input') as (HTMLElement & { value: string }) | null;
    if (resetInput && input && this.state.bandwidthGBs === null) input.value = String(this.settingBandwidth);
    this.cost?.update(this.done?.cost ?? this.view.cost, this.bandwidth());
  }

  private render(): void {
    const view = this.view!;
    this.destroyCharts();
    const state = this.state;
    this.cost = renderCost(this.bandwidthInput());
    this.table = new TensorTable(view, this.stats, { ...state.groups }, state.filter, {
      onSelect: (i) => {
        this.host.save({ ...this.state, selected: i });
        this.showDetails();
      },
      onToggle: (label, open) => this.host.save({ ...this.state, groups: { ...this.state.groups, [label]: open } }),
      onFilter: (filter) => this.host.save({ ...this.state, filter }),
    });
    const progress = el('section', { class: 'stats-progress', id: 'weights-progress', role: 'status' },
      el('vscode-progress-bar', { id: 'progress-bar', max: '1', 'aria-label': 'statistics progress' }),
      el('span', { id: 'progress-text' }, 'Statistics: starting…'));
    this.root.replaceChildren(
      renderWeightsHeader(view.header),
      el('div', { class: 'actions', role: 'toolbar' },
        this.action('Open as JSON', 'openAsJson', 'The tritscope inspect --json object (after the statistics)'),
        this.action('Reopen with default editor', 'reopenDefault', 'Open the file with VS Code’s default editor')),
      progress,
      el('p', { class: 'notice error', id: 'weights-failure', role: 'alert', hidden: '' }),
      this.cost.section,
      el('section', { class: 'main-grid' }, this.table.element, el('aside', { id: 'details', class: 'details', 'aria-live': 'polite' })),
      el('section', { id: 'weights-charts', class: 'charts' }),
    );
    this.cost.update(this.done?.cost ?? view.cost, this.bandwidth());
    if (state.selected !== null && view.rows[state.selected]) this.table.select(state.selected);
    this.showDetails();
    // Charts measure the laid-out page: draw them after the header and table have been painted.
    requestAnimationFrame(() => setTimeout(() => this.drawDepthCharts(), 0));
  }

  private setProgress(p: { bytesDone: number; bytesTotal: number; tensor: string } | null, done: WeightsStatsDone | null): void {
    const box = document.getElementById('weights-progress');
    const bar = document.getElementById('progress-bar') as (HTMLElement & { value?: number }) | null;
    const text = document.getElementById('progress-text');
    if (!box || !bar || !text || !this.view) return;
    const f = done ? 1 : progressFraction(p);
    bar.value = f;
    if (done) {
      box.dataset.done = 'true';
      bar.hidden = true;
      const counted = done.rows.length;
      text.textContent = `Statistics of ${counted} tensors: ${fmtBytes(done.bytesRead)} read in ${(done.elapsedMs / 1000).toFixed(2)} s; ${fmtCount(done.trits)} ternary weights at ${fmtBits(done.bitsPerTrit)} bits each.`;
    } else {
      text.textContent = `Statistics: ${fmtPercent(f, 0)} (${fmtBytes(p?.bytesDone ?? 0)} of ${fmtBytes(p?.bytesTotal ?? this.view.statsBytes)})${p?.tensor ? `, reading ${p.tensor}` : ''}…`;
    }
  }

  private showFailure(message: string): void {
    const n = document.getElementById('weights-failure');
    if (!n) return;
    n.hidden = false;
    n.textContent = `Statistics stopped: ${message}. The table keeps the tensors counted so far.`;
    document.getElementById('progress-bar')?.setAttribute('hidden', '');
  }

  private scheduleCharts(): void {
    if (this.chartTimer) return;
    this.chartTimer = setTimeout(() => {
      this.chartTimer = null;
      this.drawDepthCharts();
    }, CHART_INTERVAL_MS);
  }

  private destroyCharts(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
  }

  private drawDepthCharts(): void {
    const host = document.getElementById('weights-charts');
    if (!host || !this.view) return;
    const points = depthPoints(this.view, this.stats);
    const c = themeColors();
    for (const [id, title, config] of [
      ['depth-trits', 'Trit distribution by block', depthTritConfig(points, c)],
      ['depth-scale', 'Scale of a ±1 trit by block (min / mean / max of the stored scales)', depthScaleConfig(points, c)],
    ] as const) {
      const existing = this.charts.get(id);
      if (existing) {
        // Same chart, new numbers and colours: update in place (no flicker while streaming).
        existing.data = config.data as never;
        existing.options = config.options as never;
        existing.update('none');
        continue;
      }
      const canvas = el('canvas', { id: `${id}-canvas`, role: 'img', 'aria-label': title }) as HTMLCanvasElement;
      host.append(el('figure', { class: 'chart', id }, el('figcaption', {}, title), el('div', { class: 'chart-body' }, canvas)));
      this.charts.set(id, new Chart(canvas, config as never));
    }
    host.toggleAttribute('data-empty', points.length === 0);
  }

  private showDetails(): void {
    const box = document.getElementById('details');
    if (!box || !this.view) return;
    this.charts.get('histogram')?.destroy();
    this.charts.delete('histogram');
    const i = this.state.selected;
    const r = i === null ? undefined : this.view.rows[i];
    if (!r || i === null) {
      box.replaceChildren(el('p', { class: 'hint' }, 'Select a tensor (click, or arrow keys in the table) to see its statistics and the histogram of its scales.'));
      box.classList.add('no-chart');
      return;
    }
    const s = this.stats.get(i);
    const f = (label: string, value: string) => [el('dt', {}, label), el('dd', {}, value)];
    const t = s?.trits;
    const facts = el('dl', { class: 'facts', id: 'details-facts' },
      ...f('role', `${r.role}${r.block !== null ? ` in block ${r.block}` : ''}${r.matmul ? ' (matrix multiply)' : ''}`),
      ...f('stored type', r.dtype),
      ...f('shape', `${fmtShape(r.shape)}${r.storedShape ? ` (stored ${fmtShape(r.storedShape)})` : ''}`),
      ...f('size', `${fmtBytes(r.bytes)} at byte ${r.offset}, ${fmtBits(r.bitsPerWeight)} bits/weight`),
      ...(r.scaleText ? f('scale', r.scaleText) : []),
      ...(r.undecoded ? f('not decoded', r.undecoded) : []),
      ...(!r.undecoded && !s ? f('statistics', 'not counted yet') : []),
      ...(t ? f('trits −1 / 0 / +1', `${t.neg} / ${t.zero} / ${t.pos}`) : []),
      ...(s?.sparsity !== null && s?.sparsity !== undefined ? f('sparsity', fmtPercent(s.sparsity, 2)) : []),
      ...(s?.entropyBits !== null && s?.entropyBits !== undefined ? f('entropy', `${s.entropyBits.toFixed(4)} of ${LOG2_3.toFixed(3)} bits`) : []),
      ...(s?.nonTernary ? f('non-ternary codes', String(s.nonTernary)) : []),
      ...(s?.scales ? f('scales min / mean / max', `${[s.scales.min, s.scales.mean, s.scales.max].map((v) => Number(v.toPrecision(6))).join(' / ')} (${s.scales.count} scale${s.scales.count === 1 ? '' : 's'})`) : []),
      ...(s && !s.ternary && s.values && s.values.count ? f('values min / mean / max', `${s.values.min.toPrecision(4)} / ${s.values.mean.toPrecision(4)} / ${s.values.max.toPrecision(4)}`) : []),
      ...(s?.note ? f('note', s.note) : []),
    );
    const hist = hasSpread(s?.scales) ? { v: s!.scales!, label: 'stored scale' } : s && !s.ternary && s.values?.histogram.counts.length && hasSpread(s.values) ? { v: s.values, label: 'value' } : null;
    const out: HTMLElement[] = [el('h2', { id: 'details-title' }, r.name), facts];
    let canvas: HTMLCanvasElement | null = null;
    if (hist) {
      canvas = el('canvas', { id: 'histogram-canvas', role: 'img', 'aria-label': `histogram of the ${hist.label}s of ${r.name}` }) as HTMLCanvasElement;
      out.push(el('figure', { class: 'chart histogram', id: 'chart-histogram' }, el('figcaption', {}, `Histogram of the ${hist.label}s`), el('div', { class: 'chart-body' }, canvas)));
    }
    box.replaceChildren(...out);
    box.classList.toggle('no-chart', !canvas);
    if (canvas && hist) this.charts.set('histogram', new Chart(canvas, summaryHistogramConfig(hist.v, hist.label, themeColors()) as never));
  }
}
