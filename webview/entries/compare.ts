/**
 * Script of the compare view: the static per-layer delta table comes in the
 * page (src/extension/editor/compareView.ts); this adds the two models' graphs
 * side by side with changed, added and removed nodes marked (webview/graph/diff.ts
 * defines "changed"). Selecting a node selects the same layer in the other
 * graph and its row in the table.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '../editor.css';
import type { CompareViewState, FromCompareView, ToCompareView } from '../../src/shared/compareMessages';
import { el } from '../parts';
import { changeSummary, diffLayers, type NodeChange } from '../graph/diff';
import { GraphView } from '../graph/graphView';

interface VsCodeApi {
  postMessage(m: FromCompareView): void;
  getState(): CompareViewState | undefined;
  setState(s: CompareViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const state: CompareViewState = { selected: null, ...vscode.getState() };
document.body.classList.add('compare-page');

const root = document.getElementById('root')!;
// Graphs first: with ResNet-size models the table is long.
document.querySelector('.compare-meta')?.after(root);

function selectRow(name: string | null): void {
  for (const tr of document.querySelectorAll<HTMLTableRowElement>('#compare-table tbody tr')) {
    const on = tr.dataset.layer === name;
    tr.setAttribute('aria-selected', String(on));
  }
}

function legend(marks: ReadonlyMap<string, NodeChange>): HTMLElement {
  const s = changeSummary(marks);
  const item = (cls: string, text: string) => el('span', { class: 'legend-item' }, el('span', { class: `legend-swatch ${cls}` }), text);
  return el('div', { class: 'graph-legend', id: 'compare-legend', role: 'note' },
    item('change-changed', `Δ changed (${s.changed}): op, shape, quantization or trit statistics differ`),
    item('change-added', `+ only in the second (${s.added})`),
    item('change-removed', `− only in the first (${s.removed})`),
    el('span', { class: 'legend-note' }, `${s.same} unchanged`));
}

function render(m: ToCompareView): void {
  const marks = diffLayers(m.a.layers, m.b.layers);
  const views: GraphView[] = [];
  const select = (name: string) => {
    state.selected = name;
    vscode.setState(state);
    for (const v of views) v.select(name, { reveal: true });
    selectRow(name);
  };
  const side = (id: string, model: ToCompareView['a']) => {
    const v = new GraphView({ onSelect: select, onStateChange: () => undefined }, { metric: 'none', direction: 'TB', view: null }, { metrics: false, id });
    v.setModel({ layers: model.layers, inputs: model.inputs, outputs: model.outputs });
    v.setMarks(marks);
    v.select(state.selected);
    views.push(v);
    return el('figure', { class: 'compare-side', id: `${id}-side` }, el('figcaption', {}, model.header.fileName), v.element);
  };
  root.replaceChildren(el('section', { class: 'compare-graphs', 'aria-label': 'graphs of both models' }, legend(marks),
    el('div', { class: 'compare-sides' }, side('graph-a', m.a), side('graph-b', m.b))));
  for (const v of views) v.setVisible(true);
  selectRow(state.selected);
  for (const tr of document.querySelectorAll<HTMLTableRowElement>('#compare-table tbody tr'))
    tr.addEventListener('click', () => { if (tr.dataset.layer) select(tr.dataset.layer); });
}

window.addEventListener('message', (e: MessageEvent<ToCompareView>) => {
  if (e.data?.type === 'models') render(e.data);
});
vscode.postMessage({ type: 'ready' });
