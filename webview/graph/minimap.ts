/**
 * Overview of a large graph (shown from MINIMAP_MIN_NODES nodes): every node as
 * a block in its metric colour, and a frame for the visible part. Clicking or
 * dragging in it moves the main view there. Very elongated graphs (a deep
 * network is 30× taller than wide) are stretched across, within limits, so the
 * overview stays wide enough to point into.
 */
import type { GraphLayout } from './layout';
import { svgEl } from './svgScene';

export const MINIMAP_MIN_NODES = 100;
const MAX_W = 180, MIN_W = 56, MAX_H = 280;

export class Minimap {
  readonly element: HTMLElement;
  private readonly svg = svgEl('svg', { class: 'minimap-svg', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  private readonly frame = svgEl('rect', { class: 'minimap-frame' });
  private readonly blocks = new Map<string, SVGRectElement>();
  private layout: GraphLayout | null = null;

  constructor(private readonly onJump: (lx: number, ly: number) => void) {
    this.element = document.createElement('div');
    this.element.className = 'graph-minimap';
    this.element.id = 'graph-minimap';
    this.element.title = 'Overview: click or drag to move the view';
    this.element.append(this.svg);
    let dragging = false;
    const jump = (e: PointerEvent) => {
      if (!this.layout) return;
      const r = this.svg.getBoundingClientRect();
      this.onJump(((e.clientX - r.left) / r.width) * this.layout.width, ((e.clientY - r.top) / r.height) * this.layout.height);
    };
    this.svg.addEventListener('pointerdown', (e) => { dragging = true; this.svg.setPointerCapture(e.pointerId); jump(e); });
    this.svg.addEventListener('pointermove', (e) => { if (dragging) jump(e); });
    this.svg.addEventListener('pointerup', () => { dragging = false; });
  }

  setLayout(layout: GraphLayout): void {
    this.layout = layout;
    const h = Math.min(MAX_H, Math.max(80, layout.height / 8));
    const w = Math.max(MIN_W, Math.min(MAX_W, (h * layout.width) / Math.max(1, layout.height)));
    this.svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    this.svg.setAttribute('width', String(Math.round(w)));
    this.svg.setAttribute('height', String(Math.round(h)));
    this.blocks.clear();
    const g = svgEl('g');
    for (const b of layout.nodes) {
      const r = svgEl('rect', { class: 'minimap-node', x: b.x, y: b.y, width: b.width, height: b.height });
      this.blocks.set(b.id, r);
      g.append(r);
    }
    this.svg.replaceChildren(g, this.frame);
  }

  /** Node fills (null: the default node colour from the theme). */
  setFills(fills: ReadonlyMap<string, string | null>): void {
    for (const [id, r] of this.blocks) r.style.fill = fills.get(id) ?? '';
  }

  setFrame(rect: { x: number; y: number; width: number; height: number }): void {
    this.frame.setAttribute('x', String(rect.x));
    this.frame.setAttribute('y', String(rect.y));
    this.frame.setAttribute('width', String(Math.max(0, rect.width)));
    this.frame.setAttribute('height', String(Math.max(0, rect.height)));
  }
}
