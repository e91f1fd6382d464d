import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildListing, describeLayer, listingPathFor, listingUriFor, modelPathOfListing, positionOfLine } from '../../../src/debug/listing';
import { standInModel } from './standin';

const model = standInModel();
const shapeOf = (n: string) => model.tensors.get(n)?.shape;

test('one line per layer with its sub-steps indented below, and a result line', () => {
  const l = buildListing(model.graph, shapeOf, '/m/standin.tnn');
  const lines = l.text.split('\n');
  assert.equal(l.layers.length, 5);
  assert.match(lines[0], /^# standin \(standin\.tnn\) — 5 layers, input x \[1,4,4\]/);
  assert.match(lines[l.layers[0].line - 1], /^\s+0\s+conv1\s+conv2d 1→2 3×3\s+ternary W\+A$/);
  assert.deepEqual(l.layers[0].subSteps.map((s) => s.kind), ['quantize-input', 'ternary-matmul', 'scale', 'bias-bn']);
  assert.deepEqual(l.layers[0].subSteps.map((s) => s.line), [3, 4, 5, 6]);
  assert.match(lines[3], /^\s{6,}ternary matmul$/);
  assert.match(lines[l.layers[3].line - 1], /3\s+fc\s+dense 32→3\s+ternary W$/);
  assert.equal(l.resultLine, l.lineCount);
  assert.match(lines[l.resultLine - 1], /result.*argmax of probs over 3 classes/);
});

test('positionOfLine inverts the line map', () => {
  const l = buildListing(model.graph, shapeOf);
  assert.deepEqual(positionOfLine(l, l.layers[2].line), { kind: 'layer', layer: 2 });
  assert.deepEqual(positionOfLine(l, l.layers[0].subSteps[2].line), { kind: 'subStep', layer: 0, subStep: 2 });
  assert.deepEqual(positionOfLine(l, l.resultLine), { kind: 'result' });
  assert.deepEqual(positionOfLine(l, 1), { kind: 'none' });
  for (const layer of l.layers) assert.equal(positionOfLine(l, layer.line).kind, 'layer');
});

test('describeLayer covers grouped convs and float layers', () => {
  const conv = { ...model.graph.layers[0], attrs: { ...model.graph.layers[0].attrs, group: 2 }, weightQuant: undefined, actQuant: undefined };
  assert.equal(describeLayer(conv, () => [4, 1, 5, 5]), 'conv2d 2→4 5×5');
  assert.equal(describeLayer(model.graph.layers[1], shapeOf), 'relu');
});

test('listing paths round-trip to the model path', () => {
  assert.equal(listingPathFor('/a/b/m.tnn'), '/a/b/m.tnn.listing');
  assert.equal(listingUriFor('/a/b/m.tnn'), 'tritscope-listing:/a/b/m.tnn.listing');
  assert.equal(modelPathOfListing('tritscope-listing:/a/b/m.tnn.listing'), '/a/b/m.tnn');
  assert.equal(modelPathOfListing('/a/b/m.tnn.listing'), '/a/b/m.tnn');
  assert.equal(modelPathOfListing(listingPathFor('C:\\x\\m.tnn')), 'C:/x/m.tnn');
});

test('listing URIs as VS Code encodes them decode to the model path', () => {
  assert.equal(modelPathOfListing('tritscope-listing:/my%20models/c%3A.tnn.listing'), '/my models/c:.tnn.listing'.replace(/\.listing$/, ''));
  assert.equal(modelPathOfListing('tritscope-listing:/c%3A/x/m.tnn.listing'), 'c:/x/m.tnn');
});
