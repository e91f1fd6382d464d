/**
 * The `.tnn` model viewer (custom editor webview). Receives a ModelView from the
 * extension host (src/shared/messages.ts) after a `ready` handshake and renders
 * header, toolbar, the layers as a table or a graph (one selection shared by
 * both), layer details and charts. View state survives hide/show through
 * getState/setState (retainContextWhenHidden is off).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './editor.css';
import {
  FromWebview, ToWebview,
  type EditorAction, type EditorViewState, type ErrorView, type FromWebviewMessage, type ModelView, type ProfileView, type ToWebviewMessage,
} from '../src/shared/messages';
import { renderHeader, renderDetails, el } from './parts';
import { LayerTable } from './layerTable';
import { Chart, costChartConfig, entropyChartConfig, histogramChartConfig, themeColors, tritChartConfig } from './charts';
import { GraphView } from './graph/graphView';
import { ViewTabs } from './viewTabs';
import { isWeightsMessage } from '../src/shared/weightsView';
import { WeightsViewer } from './weights/viewer';
import { renderSensitivity, sensitivityChartConfig } from './sensitivity';
import type { SensitivityView } from '../src/shared/sensitivityView';

interface VsCodeApi {
  postMessage(m: FromWebviewMessage): void;
  getState(): EditorViewState | undefined;
  setState(s: EditorViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const t0 = performance.now();

const state: EditorViewState = {
  selected: null, sortKey: 'index', sortDir: 1, filter: '', profileId: null, page: 0,
  tab: 'table', graphMetric: 'none', graphDirection: 'TB', graphView: null, ...vscode.getState(),
};
const saveState = () => vscode.setState(state);

let model: ModelView | null = null;
let diffWith: string | undefined;
let profiles: ProfileView[] = [];
let sensitivity: SensitivityView | null = null;
let nextId = 1;
const charts = new Map<string, Chart>();
const root = document.getElementById('root')!;
// Weights-only models (GGUF, safetensors checkpoints) have their own view (webview/weights/).
const weights = new WeightsViewer(root, {
  post: (m) => vscode.postMessage(m),
  state: () => (state.weights ??= { groups: {}, selected: null, bandwidthGBs: null, filter: '' }),
  save: (w) => {
    state.weights = w;
    saveState();
  },
});

function post(m: FromWebviewMessage): void {
  vscode.postMessage(m);
}

function action(label: string, a: EditorAction, title: string): HTMLElement {
  const b = el('vscode-button', { id: `action-${a}`, title }, label);
  if (a !== 'stepThrough') b.setAttribute('secondary', '');
  b.addEventListener('click', () => post({ type: FromWebview.RunAction, action: a }));
  return b;
}

function renderLoading(fileName: string): void {
  root.replaceChildren(el('p', { class: 'loading', role: 'status' }, `Reading ${fileName}…`));
}

function renderError(e: ErrorView): void {
  destroyCharts();
  const facts = el('dl', { class: 'facts' });
  for (const [k, v] of [['file', e.file], ['field', e.field], ['byte offset', e.offset?.toString()], ['error', e.kind]] as const)
    if (v) facts.append(el('dt', {}, k), el('dd', {}, v));
  root.replaceChildren(
    el('section', { class: 'load-error', id: 'load-error', role: 'alert' },
      el('h2', {}, 'This file cannot be shown as a ternary model'),
      el('p', { class: 'error-message', id: 'error-message' }, e.message),
      facts,
      action('Reopen with default editor', 'reopenDefault', 'Open the file with VS Code’s default text/binary editor'),
    ),
  );
}

const table = new LayerTable({
  onSelect: (name) => {
    state.selected = name;
    saveState();
    graph.select(name, { reveal: true });
    showDetails();
  },
  onViewChange: (v) => {
    Object.assign(state, v);
    saveState();
  },
});

const graph = new GraphView({
  onSelect: (name) => {
    state.selected = name;
    saveState();
    table.showSelected(name);
    graph.select(name);
    showDetails();
  },
  onStateChange: (s) => {
    if (s.metric !== undefined) state.graphMetric = s.metric;
    if (s.direction !== undefined) state.graphDirection = s.direction;
    if (s.view !== undefined) state.graphView = s.view;
    saveState();
  },
  onRendered: (info) => post({ type: FromWebview.GraphRendered, ...info }),
}, { metric: state.graphMetric ?? 'none', direction: state.graphDirection ?? 'TB', view: state.graphView ?? null });

const tablePanel = el('div', { id: 'panel-table', role: 'tabpanel', 'aria-labelledby': 'tab-table', class: 'view-panel' }, table.element);
const graphPanel = el('div', { id: 'panel-graph', role: 'tabpanel', 'aria-labelledby': 'tab-graph', class: 'view-panel' }, graph.element);
const tabs = new ViewTabs(state.tab ?? 'table', (t) => {
  state.tab = t;
  saveState();
  showTab();
});

function showTab(): void {
  const onGraph = tabs.value === 'graph';
  tablePanel.hidden = onGraph;
  graphPanel.hidden = !onGraph;
  graph.setVisible(onGraph);
  if (!onGraph) table.showSelected(state.selected);
}

function profileSelect(): HTMLElement {
  const sel = el('vscode-single-select', { id: 'profile-select', 'aria-label': 'cost profile' }) as HTMLElement & { value: string };
  for (const p of profiles) {
    const o = el('vscode-option', { value: p.id }, p.name);
    if (p.id === state.profileId) o.setAttribute('selected', '');
    sel.append(o);
  }
  sel.addEventListener('change', () => {
    if (sel.value && sel.value !== state.profileId) {
      state.profileId = sel.value;
      saveState();
      post({ type: FromWebview.SelectProfile, messageId: nextId++, profileId: sel.value });
    }
  });
  return sel;
}

function profileNote(): HTMLElement {
  const p = profiles.find((x) => x.id === state.profileId);
  const box = el('details', { class: 'profile-note', id: 'profile-note' }, el('summary', {}, p ? `Cost profile: ${p.name}` : 'No cost profile'));
  if (!p) return box;
  box.append(el('p', {}, p.description));
  const rows = Object.entries(p.ops).flatMap(([op, c]) =>
    (['transistors', 'energyPj'] as const).map((k) =>
      el('tr', {}, el('td', {}, op), el('td', {}, k === 'energyPj' ? 'energy (pJ)' : 'transistors'), el('td', { class: 'num' }, String(c[k].value)),
        el('td', {}, c[k].assumption ? el('span', { class: 'assumption' }, 'assumption') : 'sourced'), el('td', {}, c[k].source))));
  box.append(el('table', { class: 'profile-table' }, el('thead', {}, el('tr', {}, ...['op', 'quantity', 'value', 'kind', 'source'].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)));
  return box;
}

function destroyCharts(): void {
  for (const c of charts.values()) c.destroy();
  charts.clear();
}

function chartBox(id: string, title: string): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { id: `${id}-canvas`, role: 'img', 'aria-label': title }) as HTMLCanvasElement;
  return { box: el('figure', { class: 'chart', id }, el('figcaption', {}, title), el('div', { class: 'chart-body' }, canvas)), canvas };
}

/** Runs `fn` once the frame being prepared has been painted (rAF precedes the paint; a task queued there follows it). */
function afterPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}

let chartsPending = false;
/**
 * Charts are drawn after the table's first paint: Chart.js takes ~100–150 ms for ResNet-50's three per-layer
 * charts, which would otherwise delay the table. `onDrawn` follows the charts' own paint.
 */
function scheduleCharts(onDrawn?: () => void): void {
  if (chartsPending && !onDrawn) return;
  chartsPending = true;
  afterPaint(() => {
    chartsPending = false;
    renderCharts();
    if (onDrawn) afterPaint(onDrawn);
  });
}

/** The per-layer charts (the details panel's histogram is separate: it may arrive before them and must survive them). */
const LAYER_CHARTS = ['trits', 'entropy', 'cost'] as const;

function renderCharts(): void {
  if (!model) return;
  for (const k of LAYER_CHARTS) {
    charts.get(k)?.destroy();
    charts.delete(k);
  }
  const c = themeColors();
  const host = document.getElementById('charts');
  if (!host) return;
  const trit = chartBox('chart-trits', 'Trit distribution per layer');
  const ent = chartBox('chart-entropy', 'Entropy per layer (max log2 3 ≈ 1.585 bits)');
  const cost = chartBox('chart-cost', 'Energy per layer by operation');
  host.replaceChildren(trit.box, ent.box, cost.box);
  const ternary = model.layers.filter((r) => r.trits);
  if (ternary.length) {
    charts.set('trits', new Chart(trit.canvas, tritChartConfig(model.layers, c)));
    charts.set('entropy', new Chart(ent.canvas, entropyChartConfig(model.layers, c) as never));
  }
  if (model.layers.some((r) => r.cost)) charts.set('cost', new Chart(cost.canvas, costChartConfig(model.layers, profiles.find((p) => p.id === state.profileId), c)));
  host.dataset.drawn = String(LAYER_CHARTS.filter((k) => charts.has(k)).length); // tests and benchmarks wait for this
  renderSensitivityChart(c);
}

/** The sensitivity section's chart (its own canvas, redrawn when a sweep arrives or the theme changes). */
function renderSensitivityChart(c = themeColors()): void {
  charts.get('sensitivity')?.destroy();
  charts.delete('sensitivity');
  const sens = document.getElementById('chart-sensitivity-canvas') as HTMLCanvasElement | null;
  if (sens && sensitivity) charts.set('sensitivity', new Chart(sens, sensitivityChartConfig(sensitivity, c) as never));
}

function sensitivitySection(): HTMLElement {
  return renderSensitivity(sensitivity,
    (keepFloat) => post({ type: FromWebview.RequantizeWith, keepFloat }),
    () => post({ type: FromWebview.RunAction, action: 'analyseSensitivity' }));
}

function showSensitivity(): void {
  document.getElementById('sensitivity')?.replaceWith(sensitivitySection());
  renderSensitivityChart();
}

function showDetails(): void {
  const host = document.getElementById('details');
  if (!host || !model) return;
  charts.get('histogram')?.destroy();
  charts.delete('histogram');
  const row = model.layers.find((r) => r.name === state.selected);
  host.replaceChildren(...(row ? renderDetails(row) : [el('p', { class: 'hint' }, 'Select a layer (click, or arrow keys in the table) to see its details.')]));
  if (row?.hasLatent) post({ type: FromWebview.RequestHistogram, messageId: nextId++, layer: row.name });
}

function renderModel(onCharts?: () => void): void {
  if (!model) return;
  const actions = el('div', { class: 'actions', role: 'toolbar' },
    action('Step Through Inference', 'stepThrough', 'Debug this model layer by layer'),
    action('Re-quantize…', 'requantize', 'Quantize the source float model again'),
    action('Export summary', 'exportSummary', 'Save the layer table as Markdown or CSV'),
    action('Open as JSON', 'openAsJson', 'The tritscope inspect --json object'),
    action('Compare…', 'compare', 'Per-layer deltas against another .tnn'),
    action('Analyse Sensitivity…', 'analyseSensitivity', 'Per-layer sensitivity to ternarization and a keep-float proposal (runs in the background)'),
    el('label', { class: 'profile-label' }, 'Cost profile ', profileSelect()),
  );
  root.replaceChildren(
    renderHeader(model.header, model.totals),
    actions,
    el('div', { id: 'notice', role: 'status' }),
    diffWith ? el('p', { class: 'diff-banner', id: 'diff-banner' }, `Opened in a diff view with ${diffWith}. `, action('Show per-layer deltas', 'compare', `Compare with ${diffWith}`)) : '',
    profileNote(),
    tabs.element,
    el('section', { class: 'main-grid' }, el('div', { class: 'view-panels' }, tablePanel, graphPanel), el('aside', { id: 'details', class: 'details', 'aria-live': 'polite' })),
    sensitivitySection(),
    el('section', { id: 'charts', class: 'charts' }),
  );
  table.setRows(model.layers, state);
  showTab();
  showDetails();
  scheduleCharts(onCharts);
}

window.addEventListener('message', (ev: MessageEvent<ToWebviewMessage>) => {
  const m = ev.data;
  if (isWeightsMessage(m)) {
    model = null;
    destroyCharts();
    weights.handle(m);
    return;
  }
  if (m.type === ToWebview.Model || m.type === ToWebview.LoadError) weights.dispose();
  switch (m.type) {
    case ToWebview.Loading:
      if (!model && !weights.active) renderLoading(m.fileName);
      break;
    case ToWebview.Model: {
      const modelAt = performance.now();
      model = m.model;
      profiles = m.profiles;
      diffWith = m.diffWith;
      if (!state.profileId || !profiles.some((p) => p.id === state.profileId)) state.profileId = m.profileId;
      saveState();
      graph.setVisible(tabs.value === 'graph'); // before setModel, so the render time counts from this message
      graph.setModel({ layers: model.layers, inputs: model.inputs, outputs: model.outputs });
      graph.select(state.selected);
      renderModel(() => {
        const now = performance.now();
        post({ type: FromWebview.ChartsRendered, charts: LAYER_CHARTS.filter((k) => charts.has(k)).length, ms: now - t0, sinceModelMs: now - modelAt });
      });
      if (m.profileError) notice(m.profileError, 'error');
      // A restored profile choice differs from the host's default: ask for its cost.
      if (state.profileId !== m.profileId) post({ type: FromWebview.SelectProfile, messageId: nextId++, profileId: state.profileId });
      requestAnimationFrame(() => {
        const now = performance.now();
        post({ type: FromWebview.Rendered, rows: model?.layers.length ?? 0, ms: now - t0, sinceModelMs: now - modelAt });
      });
      break;
    }
    case ToWebview.LoadError:
      model = null;
      renderError(m.error);
      break;
    case ToWebview.Cost:
      if (!model || m.profileId !== state.profileId) break;
      model.layers.forEach((r, i) => { r.cost = m.layers[i] ?? null; });
      model.totals = m.totals;
      graph.refreshValues(model.layers);
      renderModel();
      break;
    case ToWebview.Histogram: {
      if (m.layer !== state.selected) break;
      const canvas = document.getElementById('histogram-canvas') as HTMLCanvasElement | null;
      if (!canvas) break;
      charts.get('histogram')?.destroy();
      charts.set('histogram', new Chart(canvas, histogramChartConfig(new Float64Array(m.counts), m.min, m.max, m.deltaN, m.deltaP, themeColors())));
      break;
    }
    case ToWebview.Notice:
      notice(m.text, m.level);
      break;
    case ToWebview.Overlay:
      graph.setOverlay(m.overlay);
      break;
    case ToWebview.Sensitivity:
      sensitivity = m.view;
      if (model) showSensitivity();
      break;
  }
});

function notice(text: string, level: 'info' | 'error'): void {
  const n = document.getElementById('notice');
  if (n) n.replaceChildren(el('p', { class: `notice ${level}` }, text));
}

// Redraw charts with the new palette when VS Code switches theme (body class changes).
new MutationObserver(() => {
  renderCharts();
  if (state.selected) showDetails();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: FromWebview.Ready });
