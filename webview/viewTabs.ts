/** The Table / Graph switch of the model viewer: an ARIA tablist (←/→ move between tabs, as in VS Code). */
import { el } from './parts';

export type ViewTab = 'table' | 'graph';

export class ViewTabs {
  readonly element: HTMLElement;
  private readonly tabs: Record<ViewTab, HTMLElement>;

  constructor(private current: ViewTab, private readonly onChange: (t: ViewTab) => void) {
    const tab = (id: ViewTab, label: string) => {
      const b = el('button', { role: 'tab', id: `tab-${id}`, class: 'view-tab', 'aria-controls': `panel-${id}`, type: 'button' }, label);
      b.addEventListener('click', () => this.set(id, true));
      return b;
    };
    this.tabs = { table: tab('table', 'Table'), graph: tab('graph', 'Graph') };
    this.element = el('div', { class: 'view-tabs', role: 'tablist', 'aria-label': 'layer views' }, this.tabs.table, this.tabs.graph);
    this.element.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next: ViewTab = this.current === 'table' ? 'graph' : 'table';
      this.set(next, true);
      this.tabs[next].focus();
    });
    this.paint();
  }

  get value(): ViewTab {
    return this.current;
  }

  set(t: ViewTab, notify = false): void {
    if (t === this.current && !notify) return;
    const changed = t !== this.current;
    this.current = t;
    this.paint();
    if (notify && changed) this.onChange(t);
  }

  private paint(): void {
    for (const [id, b] of Object.entries(this.tabs)) {
      const on = id === this.current;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }
}
