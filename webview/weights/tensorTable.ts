/**
 * The weights-only viewer's tensor table, grouped by transformer block
 * (collapsible group rows with the block's totals). Built once from the header
 * view; rows fill in as statistics arrive (`update`), without re-rendering the
 * table. Keyboard: arrows move the selection over visible tensors, Enter or
 * Space on a group row opens or closes it.
 */
import type { TensorStatsView, WeightsTensorRow, WeightsView } from '../../src/shared/weightsView';
import { el } from '../parts';
import { fmt, fmtCount, fmtPercent, LOG2_3, tritFractions } from '../table';
import { aggregate, entropyOf, fmtBits, fmtShape, hasSpread, histogramHeights, isExpanded, matchesFilter, type ScaleRange } from './model';

export interface TensorTableOptions {
  onSelect(index: number): void;
  onToggle(label: string, expanded: boolean): void;
  onFilter(query: string): void;
}

// The role (attn_q, ffn_down, …) is in the tensor's name and in its details; the table keeps its width for numbers.
const COLUMNS = ['tensor', 'type', 'shape', 'trits −1 / 0 / +1', 'sparsity', 'entropy', 'scale min / mean / max', 'scales', 'bits / weight'];

function tritCell(t: { neg: number; zero: number; pos: number } | null): HTMLElement {
  const f = tritFractions(t);
  if (!t || !f) return el('td', {}, '–');
  const bar = el('span', { class: 'trit-bar', role: 'img' });
  const text = `−1 ${t.neg} (${fmtPercent(f[0])}), 0 ${t.zero} (${fmtPercent(f[1])}), +1 ${t.pos} (${fmtPercent(f[2])})`;
  bar.setAttribute('aria-label', text);
  (['neg', 'zero', 'pos'] as const).forEach((k, i) => {
    const s = el('span', { class: `trit-${k}` });
    s.style.width = `${(100 * f[i]).toFixed(2)}%`;
    bar.append(s);
  });
  return el('td', { class: 'trits', title: text, 'data-neg': String(t.neg), 'data-zero': String(t.zero), 'data-pos': String(t.pos) }, bar);
}

// Two significant digits keep the column narrow; the details show the exact values.
const scaleText = (s: ScaleRange | { min: number; mean: number; max: number } | null) => (s ? `${fmt(s.min, 2)} / ${fmt(s.mean, 2)} / ${fmt(s.max, 2)}` : '–');

/** A 32-bar sparkline of the stored scales (heights through CSSOM, which the CSP allows). */
function miniHistogram(counts: readonly number[] | undefined): HTMLElement {
  const box = el('span', { class: 'mini-hist', 'aria-hidden': 'true' });
  for (const h of histogramHeights(counts ?? [])) {
    const b = el('span', {});
    b.style.height = `${Math.max(h > 0 ? 8 : 0, 100 * h).toFixed(0)}%`;
    box.append(b);
  }
  return box;
}

function pendingCells(n: number): HTMLElement[] {
  return Array.from({ length: n }, () => el('td', { class: 'pending' }, '…'));
}

export class TensorTable {
  readonly element: HTMLElement;
  private readonly tbody = el('tbody', {});
  private readonly tensorRows = new Map<number, HTMLTableRowElement>();
  private readonly groupRows = new Map<string, HTMLTableRowElement>();
  private selected: number | null = null;

  constructor(
    private readonly view: WeightsView,
    private readonly stats: ReadonlyMap<number, TensorStatsView>,
    private readonly expanded: Record<string, boolean>,
    private filter: string,
    private readonly opts: TensorTableOptions,
  ) {
    const input = el('vscode-textfield', { id: 'tensor-filter', placeholder: 'filter: name, role or type (e.g. ffn_down, TQ1_0, ternary)', 'aria-label': 'filter tensors' }) as HTMLElement & { value: string };
    input.value = filter;
    input.addEventListener('input', () => {
      this.filter = input.value;
      this.opts.onFilter(this.filter);
      this.applyVisibility();
    });
    const buttons = (['Expand all', 'Collapse all'] as const).map((label) => {
      const b = el('vscode-button', { secondary: '', id: label === 'Expand all' ? 'expand-all' : 'collapse-all' }, label);
      b.addEventListener('click', () => this.view.groups.forEach((g) => this.setExpanded(g.label, label === 'Expand all')));
      return b;
    });
    const table = el('table', { class: 'layers tensors', id: 'tensor-table', tabindex: '0', 'aria-label': 'tensors grouped by block' },
      el('thead', {}, el('tr', {}, ...COLUMNS.map((c) => el('th', {}, c)))), this.tbody);
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.element = el('section', { class: 'tensor-table-box' },
      el('div', { class: 'table-tools' }, input, ...buttons, el('span', { class: 'row-count', id: 'tensor-count' }, `${view.rows.length} tensors in ${view.groups.length} groups`)),
      el('div', { class: 'table-scroll' }, table));
    for (const g of view.groups) {
      const gr = el('tr', { class: 'group', 'data-group': g.label, tabindex: '0' }) as HTMLTableRowElement;
      gr.addEventListener('click', () => this.setExpanded(g.label, !this.isOpen(g.label)));
      this.groupRows.set(g.label, gr);
      this.tbody.append(gr);
      for (const i of g.rows) {
        const tr = el('tr', { class: 'tensor', 'data-index': String(i), 'data-tensor': view.rows[i].name }) as HTMLTableRowElement;
        tr.addEventListener('click', () => this.select(i));
        this.tensorRows.set(i, tr);
        this.tbody.append(tr);
        this.fillTensor(i);
      }
      this.fillGroup(g.label);
    }
    this.applyVisibility();
  }

  private isOpen(label: string): boolean {
    return isExpanded(this.view, label, this.expanded);
  }

  setExpanded(label: string, open: boolean): void {
    this.expanded[label] = open;
    this.opts.onToggle(label, open);
    this.fillGroup(label);
    this.applyVisibility();
  }

  private fillGroup(label: string): void {
    const g = this.view.groups.find((x) => x.label === label)!;
    const a = aggregate(g.rows, this.view.rows, this.stats);
    const tr = this.groupRows.get(label)!;
    const open = this.isOpen(label);
    tr.setAttribute('aria-expanded', String(open));
    const n = a.trits ? a.trits.neg + a.trits.zero + a.trits.pos : 0;
    tr.replaceChildren(
      el('td', { class: 'group-name' }, el('span', { class: 'twisty' }, open ? '▾ ' : '▸ '), label, el('span', { class: 'hint' }, ` ${a.tensors} tensors${a.done < a.decodable ? ` · ${a.done}/${a.decodable} counted` : ''}`)),
      el('td', {}), el('td', { class: 'num', title: 'parameters' }, fmtCount(a.elements)),
      tritCell(a.trits),
      el('td', { class: 'num' }, a.trits && n ? fmtPercent(a.trits.zero / n) : '–'),
      el('td', { class: 'num' }, a.trits && n ? entropyOf(a.trits).toFixed(3) : '–'),
      el('td', { class: 'num' }, scaleText(a.scale)),
      el('td', {}),
      el('td', { class: 'num bits' }, fmtBits(a.elements ? (8 * a.bytes) / a.elements : null)),
    );
  }

  private fillTensor(i: number): void {
    const r: WeightsTensorRow = this.view.rows[i];
    const s = this.stats.get(i);
    const tr = this.tensorRows.get(i)!;
    const ternary = s ? s.ternary : r.ternary;
    tr.className = `tensor${ternary ? ' ternary' : ' float'}${r.undecoded ? ' undecoded' : ''}${s ? '' : ' waiting'}`;
    const name = r.block !== null ? r.name.replace(/^(.*?\.\d+\.)/, '') : r.name;
    const type = el('td', { class: 'dtype' }, r.dtype);
    let cells: HTMLElement[];
    if (r.undecoded) {
      cells = [el('td', { class: 'undecoded-reason', colspan: '5', title: r.undecoded }, el('span', { class: 'badge-undecoded' }, 'not decoded'), ` ${r.undecoded}`)];
    } else if (!s) {
      cells = pendingCells(5);
    } else {
      cells = [
        tritCell(s.ternary ? s.trits : null),
        el('td', { class: 'num' }, fmtPercent(s.sparsity)),
        el('td', { class: 'num', title: `of ${LOG2_3.toFixed(3)} bits` }, s.entropyBits === null ? '–' : s.entropyBits.toFixed(3)),
        el('td', { class: 'num' }, scaleText(s.scales)),
        el('td', {}, hasSpread(s.scales) ? miniHistogram(s.scales!.histogram.counts) : s.scales ? el('span', { class: 'hint' }, s.scales.count === 1 ? 'one scale' : 'one value') : ''),
      ];
    }
    tr.replaceChildren(
      el('td', { class: 'tensor-name', title: `${r.name} (${r.role})` }, name),
      type,
      el('td', { class: 'num' }, fmtShape(r.shape)),
      ...cells,
      el('td', { class: 'num bits' }, fmtBits(r.bitsPerWeight)),
    );
    tr.setAttribute('aria-selected', String(this.selected === i));
  }

  /** New statistics for these tensors: refresh their rows and their groups' totals. */
  update(indices: readonly number[]): void {
    const groups = new Set<string>();
    for (const i of indices) {
      if (!this.tensorRows.has(i)) continue;
      this.fillTensor(i);
      const g = this.view.groups.find((x) => x.rows.includes(i));
      if (g) groups.add(g.label);
    }
    groups.forEach((l) => this.fillGroup(l));
    if (this.filter.trim()) this.applyVisibility();
  }

  select(i: number | null): void {
    const before = this.selected;
    this.selected = i;
    if (before !== null) this.tensorRows.get(before)?.setAttribute('aria-selected', 'false');
    if (i !== null) {
      const tr = this.tensorRows.get(i);
      tr?.setAttribute('aria-selected', 'true');
      tr?.scrollIntoView({ block: 'nearest' });
    }
    if (i !== null && i !== before) this.opts.onSelect(i);
  }

  private applyVisibility(): void {
    const q = this.filter.trim();
    for (const g of this.view.groups) {
      const open = this.isOpen(g.label) || q !== '';
      let shown = 0;
      for (const i of g.rows) {
        const s = this.stats.get(i);
        const match = matchesFilter(this.view.rows[i], q, s ? s.ternary : this.view.rows[i].ternary);
        if (match) shown++;
        this.tensorRows.get(i)!.hidden = !open || !match;
      }
      this.groupRows.get(g.label)!.hidden = q !== '' && shown === 0;
    }
  }

  private visibleTensors(): number[] {
    return [...this.tensorRows.entries()].filter(([, tr]) => !tr.hidden).map(([i]) => i);
  }

  private onKey(e: KeyboardEvent): void {
    const group = (e.target as HTMLElement).closest?.('tr.group') as HTMLElement | null;
    if (group && (e.key === 'Enter' || e.key === ' ')) {
      const label = group.dataset.group!;
      this.setExpanded(label, !this.isOpen(label));
      e.preventDefault();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const rows = this.visibleTensors();
    if (!rows.length) return;
    const at = this.selected === null ? -1 : rows.indexOf(this.selected);
    const next = e.key === 'ArrowDown' ? rows[Math.min(rows.length - 1, at + 1)] : rows[Math.max(0, at - 1)];
    this.select(next);
    e.preventDefault();
  }
}
