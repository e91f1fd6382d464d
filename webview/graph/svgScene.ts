/**
 * The SVG of a laid-out graph: one <g> per node (data-layer, accessible label,
 * roving tabindex) and one path per edge. SVG is fast enough here: ResNet-50's
 * ~180 nodes are ~1 000 elements. Colours are CSS classes bound to the theme's
 * variables (editor.css); only metric fills are set per node, through CSSOM,
 * which the CSP allows (no inline style attributes).
 */
import type { GraphModel, GraphNode } from './graphModel';
import type { GraphLayout, NodeBox } from './layout';
import { charsFor, shortLabel } from './labels';

const NS = 'http://www.w3.org/2000/svg';
const FONT_PX = 11;

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

export interface Scene {
  svg: SVGSVGElement;
  /** The group the zoom/pan transform applies to. */
  viewport: SVGGElement;
  nodes: Map<string, SVGGElement>;
  boxes: Map<string, NodeBox>;
}

let sceneCount = 0;

function pathOf(points: Array<{ x: number; y: number }>): string {
  if (points.length < 2) return '';
  // Straight first/last segments, smooth (quadratic through midpoints) in between: dagre's bends read as curves.
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mx = (points[i].x + points[i + 1].x) / 2, my = (points[i].y + points[i + 1].y) / 2;
    d += i === points.length - 2 ? ` Q${points[i].x},${points[i].y} ${points[i + 1].x},${points[i + 1].y}` : ` Q${points[i].x},${points[i].y} ${mx},${my}`;
  }
  if (points.length === 2) d += ` L${points[1].x},${points[1].y}`;
  return d;
}

function nodeElement(n: GraphNode, b: NodeBox): SVGGElement {
  const g = svgEl('g', {
    class: `node kind-${n.kind}${n.ternary ? ' ternary' : ''}`,
    transform: `translate(${b.x},${b.y})`,
    tabindex: -1,
    role: 'button',
    'data-id': n.id,
  });
  g.setAttribute(n.kind === 'layer' ? 'data-layer' : 'data-io', n.name);
  g.append(svgEl('rect', { class: 'focus-ring', x: -5, y: -5, width: b.width + 10, height: b.height + 10, rx: 9 }));
  if (n.kind === 'layer') {
    g.append(svgEl('rect', { class: 'box', width: b.width, height: b.height, rx: 4 }));
    if (n.ternary || /conv|dense/.test(n.op)) g.append(svgEl('rect', { class: 'stripe', x: 0, y: 0, width: 5, height: b.height, rx: 2 }));
    const op = svgEl('text', { class: 'op', x: 12, y: 18 }, n.op);
    if (n.detail) op.append(svgEl('tspan', { class: 'detail', dx: 6 }, shortLabel(n.detail, Math.max(4, charsFor(b.width - 24, FONT_PX) - n.op.length - 1))));
    g.append(op, svgEl('text', { class: 'name', x: 12, y: 35 }, shortLabel(n.name, charsFor(b.width - 18, FONT_PX))));
  } else {
    g.append(svgEl('rect', { class: 'box', width: b.width, height: b.height, rx: b.height / 2 }));
    g.append(svgEl('text', { class: 'io-label', x: b.width / 2, y: b.height / 2 + 4, 'text-anchor': 'middle' }, shortLabel(n.name, charsFor(b.width - 16, FONT_PX))));
  }
  g.append(svgEl('title', {}, n.kind === 'layer' ? `${n.name}\n${n.op}${n.detail ? ` → ${n.detail}` : ''}` : `${n.kind}: ${n.name}`));
  return g;
}

export function buildScene(g: GraphModel, layout: GraphLayout): Scene {
  const id = `arrow-${++sceneCount}`;
  const svg = svgEl('svg', { class: 'graph-svg', width: '100%', height: '100%', focusable: 'false' });
  const defs = svgEl('defs', {}, svgEl('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svgEl('path', { class: 'arrow', d: 'M0,0 L10,5 L0,10 z' })));
  const viewport = svgEl('g', { class: 'viewport' });
  const edges = svgEl('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const e of layout.edges) edges.append(svgEl('path', { class: 'edge', d: pathOf(e.points), 'marker-end': `url(#${id})`, 'data-from': e.from, 'data-to': e.to }));
  const nodeLayer = svgEl('g', { class: 'nodes' });
  const boxes = new Map(layout.nodes.map((b) => [b.id, b]));
  const nodes = new Map<string, SVGGElement>();
  for (const n of g.nodes) {
    const b = boxes.get(n.id);
    if (!b) continue;
    const el = nodeElement(n, b);
    nodes.set(n.id, el);
    nodeLayer.append(el);
  }
  viewport.append(edges, nodeLayer);
  svg.append(defs, viewport);
  return { svg, viewport, nodes, boxes };
}
