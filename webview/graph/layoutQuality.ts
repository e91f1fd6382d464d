/**
 * Measures of a layout's readability, used by the unit tests and by the
 * layout benchmark that chose the library: edge crossings, edges drawn
 * through unrelated nodes, and nodes overlapping each other.
 */
import type { GraphLayout, NodeBox } from './layout';

type Pt = { x: number; y: number };

function cross(o: Pt, a: Pt, b: Pt): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/** Proper intersection of segments ab and cd (touching ends do not count). */
function segmentsCross(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function segments(points: Pt[]): Array<[Pt, Pt]> {
  const out: Array<[Pt, Pt]> = [];
  for (let i = 1; i < points.length; i++) out.push([points[i - 1], points[i]]);
  return out;
}

/** Pairs of edges whose polylines cross (edges sharing an endpoint node are skipped: they meet there anyway). */
export function edgeCrossings(l: Pick<GraphLayout, 'edges'>): number {
  const segs = l.edges.map((e) => segments(e.points));
  let n = 0;
  for (let i = 0; i < l.edges.length; i++)
    for (let j = i + 1; j < l.edges.length; j++) {
      const a = l.edges[i], b = l.edges[j];
      if (a.from === b.from || a.to === b.to || a.from === b.to || a.to === b.from) continue;
      if (segs[i].some(([p, q]) => segs[j].some(([r, s]) => segmentsCross(p, q, r, s)))) n++;
    }
  return n;
}

function segmentHitsBox(a: Pt, b: Pt, box: NodeBox, inset = 2): boolean {
  const x0 = box.x + inset, y0 = box.y + inset, x1 = box.x + box.width - inset, y1 = box.y + box.height - inset;
  const inside = (p: Pt) => p.x > x0 && p.x < x1 && p.y > y0 && p.y < y1;
  if (inside(a) || inside(b)) return true;
  const c = [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }];
  return c.some((p, i) => segmentsCross(a, b, p, c[(i + 1) % 4]));
}

/** Edges that pass through a node other than their own ends (a skip edge hidden behind a chain). */
export function edgesThroughNodes(l: Pick<GraphLayout, 'edges' | 'nodes'>): number {
  let n = 0;
  for (const e of l.edges) {
    const hit = l.nodes.some((box) => box.id !== e.from && box.id !== e.to && segments(e.points).some(([a, b]) => segmentHitsBox(a, b, box)));
    if (hit) n++;
  }
  return n;
}

export function overlappingNodes(l: Pick<GraphLayout, 'nodes'>): number {
  let n = 0;
  const b = l.nodes;
  for (let i = 0; i < b.length; i++)
    for (let j = i + 1; j < b.length; j++)
      if (b[i].x < b[j].x + b[j].width && b[j].x < b[i].x + b[i].width && b[i].y < b[j].y + b[j].height && b[j].y < b[i].y + b[i].height) n++;
  return n;
}
