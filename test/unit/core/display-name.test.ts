/** An exporter's default graph name (torch_jit, main_graph, …) is shown as the file's name in the viewer, the listing and the debugger (issue #12). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayModelName, EXPORTER_DEFAULT_GRAPH_NAMES } from '../../../src/core/graph/display-name';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { buildListing } from '../../../src/debug/listing';
import { buildModelView } from '../../../src/workers/view/model-view';
import { buildResNet50Topology } from '../../fixtures/resnet50-topology';

test('displayModelName: the graph name unless empty or an exporter default, else the file stem', () => {
  assert.equal(displayModelName('my_net', '/m/resnet50.twn.tnn'), 'my_net');
  for (const d of [...EXPORTER_DEFAULT_GRAPH_NAMES, '', undefined]) assert.equal(displayModelName(d, '/m/resnet50.twn.tnn'), 'resnet50.twn');
  assert.equal(displayModelName('torch_jit', 'C:\\models\\net.onnx'), 'net');
});

test('a .tnn whose graph is called torch_jit shows its file name in the editor header and the debugger listing', () => {
  const model = buildResNet50Topology();
  model.graph.name = 'torch_jit';
  const view = buildModelView(model, summarizeTnn(model, 0), '/work/resnet50.twn.tnn', null, 0);
  assert.equal(view.header.modelName, 'resnet50.twn');
  const listing = buildListing(model.graph, (n) => model.tensors.get(n)?.shape, '/work/resnet50.twn.tnn');
  assert.match(listing.text.split('\n')[0], /^# resnet50\.twn \(resnet50\.twn\.tnn\)/);
});
