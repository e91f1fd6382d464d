/**
 * The model's DAG as the graph view draws it, built from the editor's ModelView
 * rows. Pure (no DOM): unit-tested in Node and run inside the layout worker.
 *
 * One node per layer, plus one source node per graph input and one sink node
 * per graph output, so a reader sees where data enters and leaves. An edge runs
 * from the layer that produces a value to every layer that consumes it; values
 * nobody produces (weights folded into inputs, constants) draw no edge.
 */
import type { LayerRow } from '../../src/shared/messages';

export type NodeKind = 'layer' | 'input' | 'output';

export interface GraphNode {
  /** Unique, stable id: `L<index>` for layers, `in:<value>` / `out:<value>` for graph inputs and outputs. */
  id: string;
  kind: NodeKind;
  /** Layer name (the table row's key) or the value name of an input/output. */
  name: string;
  /** Op of a layer; 'input' / 'output' otherwise. */
  op: string;
  /** Row index of a layer, -1 for inputs/outputs. */
  index: number;
  /** Short second line: output shape, else weight shape. */
  detail: string;
  ternary: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The value carried (a tensor name), for the tooltip. */
  value: string;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Layer name → node id, for selection from the table. */
  byName: Map<string, string>;
}

export const layerId = (index: number) => `L${index}`;

function detailOf(r: LayerRow): string {
  const s = r.outputShape ?? r.shape;
  return s.length ? s.join('×') : '';
}

/**
 * Builds the graph. When the rows carry no `inputs`/`outputs` (a view from an
 * older builder), layers are chained in row order: still a correct picture of
 * every sequential model, and a visible hint that branches are missing.
 */
export function buildGraph(layers: readonly LayerRow[], graphInputs: readonly string[] = [], graphOutputs: readonly string[] = []): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const byName = new Map<string, string>();
  const producer = new Map<string, string>();
  const hasWiring = layers.some((r) => r.inputs?.length || r.outputs?.length);

  for (const v of graphInputs) {
    const id = `in:${v}`;
    nodes.push({ id, kind: 'input', name: v, op: 'input', index: -1, detail: '', ternary: false });
    producer.set(v, id);
  }
  for (const r of layers) {
    const id = layerId(r.index);
    nodes.push({ id, kind: 'layer', name: r.name, op: r.op, index: r.index, detail: detailOf(r), ternary: r.ternary });
    if (!byName.has(r.name)) byName.set(r.name, id);
    for (const v of r.outputs ?? []) producer.set(v, id);
  }

  const seen = new Set<string>();
  const link = (from: string | undefined, to: string, value: string) => {
    if (!from || from === to) return;
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return; // a layer reading one value twice (x + x) draws one edge
    seen.add(key);
    edges.push({ from, to, value });
  };

  if (hasWiring) {
    for (const r of layers) for (const v of r.inputs ?? []) link(producer.get(v), layerId(r.index), v);
  } else {
    for (let i = 1; i < layers.length; i++) link(layerId(layers[i - 1].index), layerId(layers[i].index), '');
    if (layers.length && graphInputs.length) link(`in:${graphInputs[0]}`, layerId(layers[0].index), graphInputs[0]);
  }

  for (const v of graphOutputs) {
    const id = `out:${v}`;
    nodes.push({ id, kind: 'output', name: v, op: 'output', index: -1, detail: '', ternary: false });
    const from = hasWiring ? producer.get(v) : layers.length ? layerId(layers[layers.length - 1].index) : undefined;
    link(from, id, v);
  }
  return { nodes, edges, byName };
}

/** Successor and predecessor lists per node id (edges in graph order). */
export function adjacency(g: Pick<GraphModel, 'nodes' | 'edges'>): { succ: Map<string, string[]>; pred: Map<string, string[]> } {
  const succ = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  const pred = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  for (const e of g.edges) {
    succ.get(e.from)?.push(e.to);
    pred.get(e.to)?.push(e.from);
  }
  return { succ, pred };
}
