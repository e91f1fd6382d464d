/**
 * The graph tab of the model viewer (and each side of the compare view): the
 * layered DAG in SVG, coloured by a metric, with zoom/pan/fit, a minimap from
 * 100 nodes, keyboard navigation and selection shared with the layer table.
 * Layout runs in a Web Worker (layoutClient.ts); this file only handles the DOM.
 */
import type { GraphOverlay, LayerRow } from '../../src/shared/messages';
import { el } from '../parts';
import { BUILTIN_METRICS, formatValue, metricValues, position, rampColor, rgbCss, scaleOf, textOn } from './colors';
import type { NodeChange } from './diff';
import { adjacency, buildGraph, type GraphModel } from './graphModel';
import { nodeAriaLabel } from './labels';
import type { Direction, GraphLayout } from './layout';
import { LayoutClient } from './layoutClient';
import { kindLegend, metricLegend } from './legend';
import { Minimap, MINIMAP_MIN_NODES } from './minimap';
import { nextNode, type NavContext } from './navigation';
import { buildScene, svgEl, type Scene } from './svgScene';
import './graph.css';
import { centreOn, fitView, initialView, reveal, visibleRect, zoomAt, type View } from './viewport';

export interface GraphViewState { metric: string; direction: Direction; view: View | null }

export interface GraphViewEvents {
  onSelect(name: string): void;
  onStateChange(s: Partial<GraphViewState>): void;
  onRendered?(info: { nodes: number; edges: number; layoutMs: number; totalMs: number; layoutIn: 'worker' | 'main' }): void;
}

export interface GraphInput { layers: LayerRow[]; inputs?: string[]; outputs?: string[] }

const EMPTY_HINTS: Record<string, string> = {
  sensitivity: 'run the sensitivity analysis on this model',
  divergence: 'step through this model in the debugger',
  energy: 'pick a cost profile',
};

export class GraphView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly legendHost = el('div', { class: 'graph-legend-host' });
  private readonly status = el('span', { class: 'graph-status', id: 'graph-status', role: 'status' });
  private readonly metricSelect: HTMLElement & { value: string };
  private readonly minimap: Minimap;
  private readonly layouts = new LayoutClient();
  private readonly overlays = new Map<string, GraphOverlay>();
  private input: GraphInput = { layers: [] };
  private graph: GraphModel | null = null;
  private layout: GraphLayout | null = null;
  private scene: Scene | null = null;
  private nav: NavContext | null = null;
  private marks: ReadonlyMap<string, NodeChange> | null = null;
  private selected: string | null = null;
  private focused: string | null = null;
  private visible = false;
  private generation = 0;
  private pendingT0: number | null = null;
  private layoutInfo = { ms: 0, where: 'worker' as 'worker' | 'main' };

  constructor(private readonly events: GraphViewEvents, private state: GraphViewState, opts: { metrics?: boolean; id?: string } = {}) {
    const id = opts.id ?? 'graph';
    this.metricSelect = el('vscode-single-select', { id: `${id}-metric`, 'aria-label': 'colour nodes by' }) as HTMLElement & { value: string };
    this.metricSelect.addEventListener('change', () => this.setMetric(this.metricSelect.value));
    const button = (bid: string, label: string, title: string, fn: () => void) => {
      const b = el('vscode-button', { id: `${id}-${bid}`, secondary: '', title, 'aria-label': title }, label);
      b.addEventListener('click', fn);
      return b;
    };
    const toolbar = el('div', { class: 'graph-toolbar', role: 'toolbar', 'aria-label': 'graph view' },
      opts.metrics === false ? null : el('label', { class: 'graph-metric-label' }, 'Colour by ', this.metricSelect),
      button('zoom-in', '+', 'Zoom in (+)', () => this.zoomBy(1.25)),
      button('zoom-out', '−', 'Zoom out (−)', () => this.zoomBy(0.8)),
      button('fit', 'Fit', 'Fit the whole graph (0)', () => this.fit()),
      button('direction', '⇅ / ⇄', 'Lay out top-to-bottom or left-to-right', () => this.setDirection(this.state.direction === 'TB' ? 'LR' : 'TB')),
      this.status);
    this.canvas = el('div', {
      class: 'graph-canvas', id: `${id}-canvas`, role: 'group',
      'aria-label': 'model graph. Arrow keys move along edges and across branches, Enter selects, plus and minus zoom, 0 fits.',
    });
    this.minimap = new Minimap((x, y) => this.applyView(centreOn(this.view(), x, y, this.viewportSize())));
    // Legend above the canvas: below it, a tall canvas pushes it out of sight.
    this.element = el('section', { class: 'graph-view', id: `${id}-view` }, toolbar, this.legendHost, el('div', { class: 'graph-body' }, this.canvas));
    this.bindPointer();
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    // The canvas size is cached: reading clientWidth after DOM changes forces a layout of the whole page.
    new ResizeObserver((entries) => {
      const r = entries[0]?.contentRect;
      if (r && r.width > 0) this.size = { width: r.width, height: r.height };
      if (this.scene) this.applyView(this.view(), !this.state.view);
    }).observe(this.canvas);
    this.fillMetricPicker();
  }

  /** A new model (or re-sent one): rebuild the graph and lay it out off-thread. */
  setModel(input: GraphInput): void {
    this.input = input;
    this.graph = buildGraph(input.layers, input.inputs ?? [], input.outputs ?? []);
    // Timed from here when the graph shows; a hidden graph is timed from when its tab opens.
    this.pendingT0 = this.visible ? performance.now() : null;
    void this.relayout();
  }

  /** Rows changed in place (a new cost profile): recolour only. */
  refreshValues(layers: LayerRow[]): void {
    this.input = { ...this.input, layers };
    this.recolor();
  }

  setOverlay(o: GraphOverlay): void {
    this.overlays.set(o.metric, o);
    this.fillMetricPicker();
    if (o.metric === this.state.metric) this.recolor();
  }

  setMarks(marks: ReadonlyMap<string, NodeChange>): void {
    this.marks = marks;
    this.applyMarks();
  }

  /** Shown (tab opened) or hidden: the SVG is built when first visible, where its size is known. */
  setVisible(v: boolean): void {
    this.visible = v;
    if (v && !this.scene) {
      this.pendingT0 ??= performance.now();
      if (this.layout) this.draw();
    }
  }

  select(name: string | null, opts: { reveal?: boolean } = {}): void {
    this.selected = name;
    if (!this.scene || !this.graph) return;
    const id = name ? this.graph.byName.get(name) : undefined;
    for (const [nid, g] of this.scene.nodes) {
      const on = nid === id;
      g.classList.toggle('selected', on);
      if (on) g.setAttribute('aria-current', 'true');
      else g.removeAttribute('aria-current');
    }
    if (id) {
      this.setFocusable(id);
      if (opts.reveal) this.revealNode(id);
    }
  }

  dispose(): void {
    this.layouts.dispose();
  }

  private async relayout(): Promise<void> {
    if (!this.graph) return;
    const gen = ++this.generation;
    this.status.textContent = `laying out ${this.graph.nodes.length} nodes…`;
    let r;
    try {
      r = await this.layouts.layout(this.graph, this.state.direction);
    } catch (err) {
      if (gen === this.generation) this.status.textContent = `layout failed: ${(err as Error).message}`;
      return;
    }
    if (gen !== this.generation) return; // a newer model or direction arrived meanwhile
    this.layout = r.layout;
    this.layoutInfo = { ms: r.ms, where: r.where };
    this.scene = null;
    if (this.visible) this.draw();
  }

  private draw(): void {
    if (!this.graph || !this.layout) return;
    const scene = (this.scene = buildScene(this.graph, this.layout));
    const { succ, pred } = adjacency(this.graph);
    this.nav = { boxes: scene.boxes, succ, pred, direction: this.layout.direction, order: this.graph.nodes.map((n) => n.id) };
    for (const [id, g] of scene.nodes) g.addEventListener('focus', () => { this.focused = id; });
    const big = this.graph.nodes.length >= MINIMAP_MIN_NODES;
    if (big) this.minimap.setLayout(this.layout);
    this.canvas.replaceChildren(scene.svg, ...(big ? [this.minimap.element] : []));
    this.recolor();
    this.applyMarks();
    this.select(this.selected);
    if (!this.focused || !scene.nodes.has(this.focused)) this.setFocusable(this.graph.byName.get(this.selected ?? '') ?? this.graph.nodes[0]?.id);
    const saved = this.state.view;
    this.applyView(saved ?? initialView(this.layout, this.viewportSize(), this.layout.direction), !saved);
    this.status.textContent = `${this.input.layers.length} layers · ${this.graph.edges.length} edges`;
    const t0 = this.pendingT0;
    this.pendingT0 = null;
    if (t0 !== null) {
      const { nodes, edges } = this.graph;
      const status = this.status.textContent;
      // rAF runs before the frame is painted; the timeout after it runs once the frame is out.
      requestAnimationFrame(() => setTimeout(() => {
        const totalMs = performance.now() - t0;
        this.status.textContent = `${status} · drawn in ${Math.round(totalMs)} ms`;
        this.canvas.dataset.renderMs = totalMs.toFixed(1);
        this.canvas.dataset.layoutMs = this.layoutInfo.ms.toFixed(1);
        this.canvas.dataset.layoutIn = this.layoutInfo.where;
        this.events.onRendered?.({ nodes: nodes.length, edges: edges.length, layoutMs: this.layoutInfo.ms, totalMs, layoutIn: this.layoutInfo.where });
      }, 0));
    }
  }

  private fillMetricPicker(): void {
    const known = new Set(BUILTIN_METRICS.map((m) => m.id));
    const options = [...BUILTIN_METRICS.map((m) => ({ id: m.id, label: this.overlays.get(m.id)?.label ?? m.label })),
      ...[...this.overlays.values()].filter((o) => !known.has(o.metric)).map((o) => ({ id: o.metric, label: o.label ?? o.metric }))];
    this.metricSelect.replaceChildren(...options.map((o) => {
      const opt = el('vscode-option', { value: o.id }, o.label);
      if (o.id === this.state.metric) opt.setAttribute('selected', '');
      return opt;
    }));
  }

  private setMetric(metric: string): void {
    if (!metric || metric === this.state.metric) return;
    this.state.metric = metric;
    this.events.onStateChange({ metric });
    this.recolor();
  }

  private setDirection(direction: Direction): void {
    this.state.direction = direction;
    this.state.view = null;
    this.events.onStateChange({ direction, view: null });
    void this.relayout();
  }

  private recolor(): void {
    if (!this.graph) return;
    const metric = this.state.metric;
    const def = BUILTIN_METRICS.find((m) => m.id === metric);
    const overlay = this.overlays.get(metric);
    const label = overlay?.label ?? def?.label ?? metric;
    const unit = def?.unit ?? '';
    const values = metric === 'none' ? new Map<string, number>() : metricValues(metric, this.input.layers, this.overlays);
    const scale = scaleOf(values.values());
    const fills = new Map<string, string | null>();
    const inkOf = new Map<string, string>();
    for (const n of this.graph.nodes) {
      const g = this.scene?.nodes.get(n.id);
      const v = n.kind === 'layer' ? values.get(n.name) : undefined;
      const fill = scale && v !== undefined ? rampColor(position(v, scale)) : null;
      const css = fill ? rgbCss(fill) : '';
      fills.set(n.id, css || null);
      if (!g) continue;
      const box = g.querySelector<SVGRectElement>('rect.box');
      if (box) box.style.fill = css;
      let ink = inkOf.get(css);
      if (ink === undefined) inkOf.set(css, (ink = fill ? rgbCss(textOn(fill)) : ''));
      for (const t of g.querySelectorAll<SVGTextElement>('text')) t.style.fill = ink;
      g.classList.toggle('colored', !!fill);
      g.classList.toggle('no-value', metric !== 'none' && n.kind === 'layer' && !fill);
      g.setAttribute('aria-label', nodeAriaLabel(n, metric === 'none' ? null : { label, text: v === undefined ? null : formatValue(v, unit) }));
    }
    this.minimap.setFills(fills);
    const layerCount = this.input.layers.length;
    this.legendHost.replaceChildren(metric === 'none' ? kindLegend() : metricLegend({
      metricLabel: label, unit, scale, counted: values.size, total: layerCount, source: overlay?.source, emptyHint: EMPTY_HINTS[metric],
    }));
  }

  private applyMarks(): void {
    if (!this.scene || !this.graph) return;
    for (const n of this.graph.nodes) {
      const g = this.scene.nodes.get(n.id);
      if (!g || n.kind !== 'layer') continue;
      const c = this.marks?.get(n.name);
      for (const k of ['changed', 'added', 'removed']) g.classList.toggle(`change-${k}`, c?.kind === k);
      g.querySelector('.change-badge')?.remove();
      if (c && c.kind !== 'same') {
        const w = Number(g.querySelector('rect.box')?.getAttribute('width') ?? 0);
        const badge = svgEl('g', { class: 'change-badge', transform: `translate(${w - 8},8)` },
          svgEl('circle', { r: 8 }), svgEl('text', { y: 4, 'text-anchor': 'middle' }, c.kind === 'changed' ? 'Δ' : c.kind === 'added' ? '+' : '−'));
        g.append(badge);
        g.dataset.change = c.kind === 'changed' ? `changed: ${c.reasons.join(', ')}` : c.kind;
      }
    }
  }

  // ---- view transform -------------------------------------------------------

  private size: { width: number; height: number } | null = null;

  private viewportSize() {
    this.size ??= this.canvas.clientWidth ? { width: this.canvas.clientWidth, height: this.canvas.clientHeight } : null;
    return this.size ?? { width: 800, height: 600 };
  }

  private view(): View {
    return this.state.view ?? (this.layout ? initialView(this.layout, this.viewportSize(), this.layout.direction) : { x: 0, y: 0, k: 1 });
  }

  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  private applyView(v: View, transient = false): void {
    if (!this.scene || !this.layout) return;
    this.scene.viewport.setAttribute('transform', `translate(${v.x},${v.y}) scale(${v.k})`);
    this.minimap.setFrame(visibleRect(v, this.viewportSize()));
    this.canvas.dataset.zoom = v.k.toFixed(3);
    if (transient) return; // the computed first view is not a user choice: do not persist it
    this.state.view = v;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.events.onStateChange({ view: v }), 150);
  }

  private zoomBy(f: number): void {
    if (!this.layout) return;
    const s = this.viewportSize();
    this.applyView(zoomAt(this.view(), f, s.width / 2, s.height / 2, this.layout, s));
  }

  private fit(): void {
    if (this.layout) this.applyView(fitView(this.layout, this.viewportSize()));
  }

  private revealNode(id: string): void {
    const b = this.scene?.boxes.get(id);
    if (b) this.applyView(reveal(this.view(), b, this.viewportSize()));
  }

  // ---- input -----------------------------------------------------------------

  private setFocusable(id: string | undefined): void {
    if (!this.scene || !id) return;
    for (const [nid, g] of this.scene.nodes) g.setAttribute('tabindex', nid === id ? '0' : '-1');
    this.focused = id;
  }

  private nodeName(id: string): string | null {
    const n = this.graph?.nodes.find((x) => x.id === id);
    return n && n.kind === 'layer' ? n.name : null;
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.nav || !this.layout) return;
    const s = this.viewportSize();
    if (e.key === '+' || e.key === '=') this.zoomBy(1.25);
    else if (e.key === '-' || e.key === '_') this.zoomBy(0.8);
    else if (e.key === '0') this.fit();
    else if ((e.key === 'Enter' || e.key === ' ') && this.focused) {
      const name = this.nodeName(this.focused);
      if (name) this.events.onSelect(name);
    } else {
      const next = nextNode(this.focused, e.key, this.nav);
      if (!next) return;
      this.setFocusable(next);
      this.scene?.nodes.get(next)?.focus({ preventScroll: true });
      this.applyView(reveal(this.view(), this.nav.boxes.get(next)!, s));
    }
    e.preventDefault();
  }

  private bindPointer(): void {
    let drag: { x: number; y: number; v: View; moved: boolean } | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || (e.target as Element).closest('.graph-minimap')) return;
      drag = { x: e.clientX, y: e.clientY, v: this.view(), moved: false };
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return; // a click, not a pan
      if (!drag.moved) this.canvas.setPointerCapture(e.pointerId);
      drag.moved = true;
      this.canvas.classList.add('panning');
      this.applyView({ ...drag.v, x: drag.v.x + dx, y: drag.v.y + dy });
    });
    const end = (e: PointerEvent) => {
      const d = drag;
      drag = null;
      this.canvas.classList.remove('panning');
      if (!d || d.moved || e.type !== 'pointerup') return;
      const node = (e.target as Element).closest<SVGGElement>('.node');
      const id = node?.dataset.id;
      if (!id) return;
      this.setFocusable(id);
      node.focus({ preventScroll: true });
      const name = this.nodeName(id);
      if (name) this.events.onSelect(name);
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
    // Wheel pans (a deep network is read by scrolling); Ctrl/⌘ + wheel and pinch zoom at the pointer.
    this.canvas.addEventListener('wheel', (e) => {
      if (!this.layout) return;
      e.preventDefault();
      const v = this.view();
      if (e.ctrlKey || e.metaKey) {
        const r = this.canvas.getBoundingClientRect();
        this.applyView(zoomAt(v, Math.exp(-e.deltaY * 0.002), e.clientX - r.left, e.clientY - r.top, this.layout, this.viewportSize()));
      } else {
        this.applyView({ ...v, x: v.x - (e.shiftKey ? e.deltaY : e.deltaX), y: v.y - (e.shiftKey ? 0 : e.deltaY) });
      }
    }, { passive: false });
  }
}
