import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjacency, buildGraph, layerId } from '../../../webview/graph/graphModel';
import { buildResNet50Topology } from '../../fixtures/resnet50-topology';
import { buildModelView } from '../../../src/workers/view/model-view';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { residualRows, row } from './rows';

const edgeSet = (g: ReturnType<typeof buildGraph>) => new Set(g.edges.map((e) => `${e.from}>${e.to}`));

test('buildGraph: one node per layer plus input/output nodes, edges from producer to consumers', () => {
  const g = buildGraph(residualRows(), ['input'], ['fc:0']);
  assert.equal(g.nodes.length, 6 + 2);
  assert.deepEqual(g.nodes.map((n) => n.kind), ['input', 'layer', 'layer', 'layer', 'layer', 'layer', 'layer', 'output']);
  assert.deepEqual([...edgeSet(g)].sort(), ['L0>L1', 'L1>L2', 'L1>L4', 'L2>L3', 'L3>L4', 'L4>L5', 'L5>out:fc:0', 'in:input>L0'].sort());
  assert.equal(g.byName.get('add'), layerId(4));
  assert.equal(g.nodes.find((n) => n.name === 'conv1')?.detail, '8×16×16', 'output shape shown');
});

test('buildGraph: a value read twice draws one edge; values nobody produces draw none', () => {
  const g = buildGraph([row(0, 'a', 'relu', ['x']), row(1, 'sq', 'add', ['a:0', 'a:0', 'const.w'])], ['x'], []);
  assert.deepEqual([...edgeSet(g)].sort(), ['L0>L1', 'in:x>L0']);
});

test('buildGraph: rows without wiring (older views) are chained in order', () => {
  const rows = residualRows().map(({ inputs: _i, outputs: _o, ...r }) => r);
  const g = buildGraph(rows, ['input'], ['out']);
  assert.deepEqual([...edgeSet(g)], ['L0>L1', 'L1>L2', 'L2>L3', 'L3>L4', 'L4>L5', 'in:input>L0', 'L5>out:out']);
});

test('adjacency lists successors and predecessors in edge order', () => {
  const { succ, pred } = adjacency(buildGraph(residualRows(), ['input'], []));
  assert.deepEqual(succ.get('L1'), ['L2', 'L4']);
  assert.deepEqual(pred.get('L4'), ['L3', 'L1']);
  assert.deepEqual(pred.get('in:input'), []);
});

test('the model view carries wiring: ResNet-50 topology has 16 residual adds and 4 downsample branches', () => {
  const model = buildResNet50Topology({ widthDivisor: 32, inputSize: 32 });
  const view = buildModelView(model, summarizeTnn(model, 0), '/tmp/r50.tnn', null, 0);
  assert.deepEqual(view.inputs, ['input']);
  assert.deepEqual(view.outputs, ['logits']);
  assert.equal(view.layers.length, 175, 'torchvision ResNet-50 with batchnorm kept');
  const g = buildGraph(view.layers, view.inputs, view.outputs);
  const { pred, succ } = adjacency(g);
  const adds = g.nodes.filter((n) => n.op === 'add');
  assert.equal(adds.length, 16);
  for (const a of adds) assert.equal(pred.get(a.id)?.length, 2, `${a.name} joins two branches`);
  const forks = g.nodes.filter((n) => (succ.get(n.id)?.length ?? 0) === 2);
  assert.equal(forks.length, 16, 'every block input feeds the main path and the shortcut');
  assert.equal(g.nodes.filter((n) => n.name.includes('downsample.0')).length, 4);
  assert.equal(g.edges.length, 175 - 1 + 16 + 1 + 1, 'chain edges + one shortcut per block + input and output edges');
});
