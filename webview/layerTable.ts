/**
 * The sortable, filterable, keyboard-navigable layer table. Rows are paged
 * (PAGE_SIZE per page) so a model with thousands of layers renders at once.
 */
import type { EditorViewState, LayerRow } from '../src/shared/messages';
import { el, tritBar } from './parts';
import { filterRows, fmt, fmtEnergy, fmtPercent, isSortKey, navigate, PAGE_SIZE, pageCount, pageOf, shortLayerName, sortRows, type SortKey } from './table';

const COLUMNS: Array<{ key: SortKey | null; title: string; cell: (r: LayerRow) => Node | string; num?: boolean }> = [
  { key: 'index', title: '#', cell: (r) => String(r.index), num: true },
  // Long names (PyTorch's module paths) are shortened in the middle; the full name is the cell's tooltip.
  { key: 'name', title: 'layer', cell: (r) => el('span', { title: r.name }, shortLayerName(r.name)) },
  { key: 'op', title: 'op', cell: (r) => r.op },
  { key: 'params', title: 'shape', cell: (r) => r.shape.join('×') },
  { key: 'deltaP', title: 'Δp', cell: (r) => fmt(r.deltaP), num: true },
  { key: 'deltaN', title: 'Δn', cell: (r) => fmt(r.deltaN), num: true },
  { key: 'alphaP', title: 'αp / αn', cell: (r) => (r.alphaP === null ? '–' : `${fmt(r.alphaP)} / ${fmt(r.alphaN)}`), num: true },
  { key: 'gamma', title: 'γ', cell: (r) => fmt(r.gamma), num: true },
  { key: 'sparsity', title: 'sparsity', cell: (r) => fmtPercent(r.sparsity), num: true },
  { key: null, title: '−1 / 0 / +1', cell: (r) => tritBar(r) },
  { key: 'entropy', title: 'entropy', cell: (r) => (r.entropyBits === null ? '–' : r.entropyBits.toFixed(3)), num: true },
  { key: 'relError', title: 'rel. error', cell: (r) => fmt(r.relError), num: true },
  { key: 'cost', title: 'energy', cell: (r) => (r.cost ? fmtEnergy(r.cost.energyPj) : '–'), num: true },
];

type View = Pick<EditorViewState, 'sortKey' | 'sortDir' | 'filter' | 'page' | 'selected'>;

export class LayerTable {
  readonly element: HTMLElement;
  private rows: LayerRow[] = [];
  private shown: LayerRow[] = [];
  private view: View = { sortKey: 'index', sortDir: 1, filter: '', page: 0, selected: null };
  private readonly tbody = el('tbody');
  private readonly thead = el('thead');
  private readonly pager = el('div', { class: 'pager', id: 'pager' });
  private readonly count = el('span', { class: 'row-count', id: 'row-count' });
  private readonly filterBox: HTMLElement & { value: string };

  constructor(private readonly events: { onSelect: (name: string) => void; onViewChange: (v: Partial<View>) => void }) {
    this.filterBox = el('vscode-textfield', { id: 'layer-filter', placeholder: 'Filter layers: name, op:conv, ternary, float', 'aria-label': 'filter layers' }) as HTMLElement & { value: string };
    this.filterBox.addEventListener('input', () => {
      this.view.filter = this.filterBox.value ?? '';
      this.view.page = 0;
      this.events.onViewChange({ filter: this.view.filter, page: 0 });
      this.refresh();
    });
    const table = el('table', { class: 'layers', id: 'layer-table', tabindex: '0', role: 'grid', 'aria-label': 'layers' }, this.thead, this.tbody);
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.element = el('section', { class: 'table-section' }, el('div', { class: 'table-tools' }, this.filterBox, this.count), el('div', { class: 'table-scroll' }, table), this.pager);
  }

  setRows(rows: LayerRow[], view: View): void {
    this.rows = rows;
    this.view = { sortKey: view.sortKey, sortDir: view.sortDir, filter: view.filter, page: view.page, selected: view.selected };
    this.filterBox.value = this.view.filter;
    this.refresh();
  }

  private onKey(e: KeyboardEvent): void {
    const cur = this.shown.findIndex((r) => r.name === this.view.selected);
    const next = navigate(cur, e.key, this.shown.length);
    if (next === null) return;
    e.preventDefault();
    this.select(this.shown[next].name);
  }

  private select(name: string): void {
    this.showSelected(name);
    this.events.onSelect(name);
  }

  /** Highlights a row selected elsewhere (the graph view), turning to its page, without echoing onSelect. */
  showSelected(name: string | null): void {
    this.view.selected = name;
    if (name === null) {
      for (const tr of this.tbody.querySelectorAll('tr')) tr.setAttribute('aria-selected', 'false');
      return;
    }
    const idx = this.shown.findIndex((r) => r.name === name);
    const page = Math.floor(idx / PAGE_SIZE);
    if (idx >= 0 && page !== this.view.page) {
      this.view.page = page;
      this.events.onViewChange({ page });
      this.refresh();
    } else {
      for (const tr of this.tbody.querySelectorAll('tr')) tr.setAttribute('aria-selected', String(tr.dataset.layer === name));
    }
    // Only scroll a visible table: scrolling a hidden one would jump the page.
    if (this.element.offsetParent) this.tbody.querySelector('tr[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  private sortBy(key: SortKey): void {
    this.view.sortDir = this.view.sortKey === key ? (-this.view.sortDir as 1 | -1) : 1;
    this.view.sortKey = key;
    this.events.onViewChange({ sortKey: key, sortDir: this.view.sortDir });
    this.refresh();
  }

  private refresh(): void {
    const key = isSortKey(this.view.sortKey) ? this.view.sortKey : 'index';
    this.shown = sortRows(filterRows(this.rows, this.view.filter), key, this.view.sortDir);
    this.thead.replaceChildren(el('tr', {}, ...COLUMNS.map((c) => {
      const th = el('th', { scope: 'col', class: c.num ? 'num' : '' }, c.title);
      if (c.key) {
        const k = c.key;
        th.tabIndex = 0;
        th.classList.add('sortable');
        th.dataset.sort = k;
        th.setAttribute('aria-sort', k === key ? (this.view.sortDir === 1 ? 'ascending' : 'descending') : 'none');
        th.addEventListener('click', () => this.sortBy(k));
        th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.sortBy(k); } });
      }
      return th;
    })));
    const pages = pageCount(this.shown.length);
    this.view.page = Math.min(this.view.page, pages - 1);
    const frag = document.createDocumentFragment();
    for (const r of pageOf(this.shown, this.view.page)) {
      const tr = el('tr', { 'data-layer': r.name, 'aria-selected': String(r.name === this.view.selected), class: r.ternary ? 'ternary' : 'float' });
      for (const c of COLUMNS) tr.append(el('td', c.num ? { class: 'num' } : {}, c.cell(r)));
      tr.addEventListener('click', () => this.select(r.name));
      frag.append(tr);
    }
    this.tbody.replaceChildren(frag);
    this.count.textContent = `${this.shown.length} of ${this.rows.length} layers`;
    this.pager.replaceChildren();
    if (pages > 1) {
      const go = (p: number) => { this.view.page = p; this.events.onViewChange({ page: p }); this.refresh(); };
      const prev = el('vscode-button', { secondary: '', id: 'page-prev' }, '‹ Previous');
      const next = el('vscode-button', { secondary: '', id: 'page-next' }, 'Next ›');
      prev.addEventListener('click', () => go(Math.max(0, this.view.page - 1)));
      next.addEventListener('click', () => go(Math.min(pages - 1, this.view.page + 1)));
      this.pager.append(prev, el('span', {}, `page ${this.view.page + 1} of ${pages}`), next);
    }
  }
}
