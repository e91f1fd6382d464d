/**
 * Layered (Sugiyama) layout of the model's DAG with dagre. Pure and synchronous:
 * the webview runs it in a Web Worker (layoutWorker.ts) so the UI thread stays
 * free, and unit tests run it directly. Why dagre over elkjs: docs/graph-view.md.
 */
import dagre from '@dagrejs/dagre';
import type { GraphModel, GraphNode } from './graphModel';

export type Direction = 'TB' | 'LR';

export interface NodeBox {
  id: string;
  /** Top-left corner in layout units (CSS pixels at zoom 1). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeRoute {
  from: string;
  to: string;
  points: Array<{ x: number; y: number }>;
}

export interface GraphLayout {
  nodes: NodeBox[];
  edges: EdgeRoute[];
  width: number;
  height: number;
  direction: Direction;
}

/** Fixed box sizes: equal widths keep a chain on one straight column, so branches stand out. */
export const NODE_SIZE = { layer: { width: 176, height: 46 }, io: { width: 132, height: 28 } } as const;

export const sizeOf = (n: Pick<GraphNode, 'kind'>) => (n.kind === 'layer' ? NODE_SIZE.layer : NODE_SIZE.io);

export function layoutGraph(g: Pick<GraphModel, 'nodes' | 'edges'>, direction: Direction = 'TB'): GraphLayout {
  const dg = new dagre.graphlib.Graph({ multigraph: false });
  // network-simplex ranking keeps residual skip edges short; ranksep leaves room for their bends.
  dg.setGraph({ rankdir: direction, nodesep: 28, edgesep: 14, ranksep: 34, marginx: 16, marginy: 16, ranker: 'network-simplex' });
  dg.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) dg.setNode(n.id, { ...sizeOf(n) });
  for (const e of g.edges) dg.setEdge(e.from, e.to);
  dagre.layout(dg);
  const nodes: NodeBox[] = g.nodes.map((n) => {
    const p = dg.node(n.id) as { x: number; y: number; width: number; height: number };
    return { id: n.id, x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height };
  });
  const edges: EdgeRoute[] = g.edges.map((e) => ({
    from: e.from,
    to: e.to,
    points: ((dg.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }> } | undefined)?.points ?? []).map((p) => ({ x: p.x, y: p.y })),
  }));
  const gl = dg.graph() as { width?: number; height?: number };
  return { nodes, edges, width: gl.width ?? 0, height: gl.height ?? 0, direction };
}
