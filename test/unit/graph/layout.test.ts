import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjacency, buildGraph } from '../../../webview/graph/graphModel';
import { layoutGraph, NODE_SIZE } from '../../../webview/graph/layout';
import { edgeCrossings, edgesThroughNodes, overlappingNodes } from '../../../webview/graph/layoutQuality';
import { buildModelView } from '../../../src/workers/view/model-view';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { buildResNet50Topology } from '../../fixtures/resnet50-topology';
import { residualRows } from './rows';

test('layoutQuality detects what it claims to (crossing, edge through a node, overlap)', () => {
  const box = (id: string, x: number, y: number) => ({ id, x, y, width: 10, height: 10 });
  const crossing = { edges: [
    { from: 'a', to: 'b', points: [{ x: 0, y: 0 }, { x: 10, y: 10 }] },
    { from: 'c', to: 'd', points: [{ x: 10, y: 0 }, { x: 0, y: 10 }] },
  ] };
  assert.equal(edgeCrossings(crossing), 1);
  assert.equal(edgeCrossings({ edges: [crossing.edges[0], { from: 'a', to: 'd', points: [{ x: 10, y: 0 }, { x: 0, y: 10 }] }] }), 0, 'edges sharing a node');
  assert.equal(edgesThroughNodes({ nodes: [box('m', 0, 45)], edges: [{ from: 'a', to: 'b', points: [{ x: 5, y: 0 }, { x: 5, y: 100 }] }] }), 1);
  assert.equal(edgesThroughNodes({ nodes: [box('m', 20, 45)], edges: [{ from: 'a', to: 'b', points: [{ x: 5, y: 0 }, { x: 5, y: 100 }] }] }), 0);
  assert.equal(overlappingNodes({ nodes: [box('a', 0, 0), box('b', 5, 5), box('c', 30, 0)] }), 1);
});

test('a residual block: every node placed, flow top to bottom, the skip edge beside the main path', () => {
  const g = buildGraph(residualRows(), ['input'], ['fc:0']);
  const l = layoutGraph(g, 'TB');
  assert.equal(l.nodes.length, g.nodes.length);
  assert.equal(l.edges.length, g.edges.length);
  const y = new Map(l.nodes.map((b) => [b.id, b.y]));
  for (const e of g.edges) assert.ok(y.get(e.to)! > y.get(e.from)!, `${e.from} above ${e.to}`);
  for (const e of l.edges) assert.ok(e.points.length >= 2, 'edge has a route');
  assert.equal(overlappingNodes(l), 0);
  assert.equal(edgesThroughNodes(l), 0);
  assert.equal(edgeCrossings(l), 0);
  const lr = layoutGraph(g, 'LR');
  const x = new Map(lr.nodes.map((b) => [b.id, b.x]));
  for (const e of g.edges) assert.ok(x.get(e.to)! > x.get(e.from)!, `LR: ${e.from} left of ${e.to}`);
});

test('ResNet-50 (175 layers): no overlaps, no crossings, no edge hidden behind a node, both inputs of every add visible side by side', () => {
  const model = buildResNet50Topology({ widthDivisor: 32, inputSize: 32 });
  const view = buildModelView(model, summarizeTnn(model, 0), '/tmp/r50.tnn', null, 0);
  const g = buildGraph(view.layers, view.inputs, view.outputs);
  const l = layoutGraph(g, 'TB');
  assert.equal(l.nodes.length, 177);
  assert.equal(overlappingNodes(l), 0);
  assert.equal(edgeCrossings(l), 0);
  assert.equal(edgesThroughNodes(l), 0, 'every residual shortcut is visible, not drawn through the blocks it skips');
  // The structure shows: each add's two inputs arrive side by side (apart across the flow), not along one line.
  const { pred } = adjacency(g);
  for (const add of g.nodes.filter((n) => n.op === 'add')) {
    const routes = l.edges.filter((e) => e.to === add.id);
    assert.equal(routes.length, 2);
    const [a, b] = routes.map((r) => r.points[r.points.length - 2].x);
    assert.ok(Math.abs(a - b) > NODE_SIZE.layer.width / 4, `${add.name}: inputs ${pred.get(add.id)} arrive apart (${a.toFixed(0)} vs ${b.toFixed(0)})`);
  }
  assert.ok(l.height > l.width, 'a deep network lays out tall in TB');
});
