/**
 * Keeps the op recipe true (docs/architecture.md, "Recipe: add an op"): every
 * op in the table has a complete spec, and its example (examples.ts) gives the
 * same numbers on every path — the reference kernel, onnxruntime-web on the
 * exported ONNX, the re-imported ONNX, TF.js (the bench baseline and QAT), and
 * the packed engine — or the path refuses it with a stated reason.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tfForward } from '../../../src/core/bench/tf-baseline';
import { builtinProfiles, modelCost } from '../../../src/core/cost';
import { mulberry32 } from '../../../src/core/rng';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { runReference } from '../../../src/core/exec/reference';
import type { FloatModel, TnnModel } from '../../../src/core/graph/types';
import { exportOnnx, importOnnxBytes, SUPPORTED_ONNX_OPS } from '../../../src/core/import/index';
import { inferShapes, inputToTf, OP_TYPES, OPS } from '../../../src/core/ops/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { QatNet } from '../../../src/core/train/qat/qat-net';
import { relDiff, runOrt } from '../import/ort-helper';
import { OP_EXAMPLES } from './examples';

const asTnn = (m: FloatModel): TnnModel => ({ graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 'test', date: '2026-01-01' } });
const opOf = (m: FloatModel) => m.graph.layers[m.graph.layers.length - 1].op;

function inputFor(m: FloatModel, seed: number): Tensor {
  const r = mulberry32(seed);
  const shape = [2, ...m.graph.inputs[0].shape];
  return tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
}

const close = (what: string, a: Tensor, ref: Tensor, tol = 1e-4): void => {
  assert.deepEqual(a.shape, ref.shape, `${what}: shape`);
  const d = relDiff(a.data, ref.data);
  assert.ok(d <= tol, `${what}: relative difference ${d}`);
};

test('every op has a complete spec: attributes, shape, kernel, cost, ONNX, TF.js, engine and QAT', () => {
  for (const op of OP_TYPES) {
    const s = OPS[op];
    assert.ok(s.summary.length > 10, `${op}: summary`);
    for (const [name, a] of Object.entries(s.attrs)) assert.ok(a.help.length > 0, `${op}.${name}: help`);
    assert.ok(s.inputs.min >= 1 && s.inputs.max >= s.inputs.min, `${op}: inputs`);
    assert.equal(typeof s.shape, 'function');
    assert.equal(typeof s.run, 'function');
    if ('notCounted' in s.cost) assert.ok(s.cost.notCounted.length > 5, `${op}: say why its cost is not counted`);
    else assert.equal(typeof s.cost.count, 'function');
    if ('notExported' in s.onnx.export) assert.ok(s.onnx.export.notExported.length > 5, `${op}: say why it has no ONNX export`);
    else assert.match(s.onnx.export.opType, /^[A-Z][A-Za-z]+$/);
    if ('unsupported' in s.tf) assert.ok(s.tf.unsupported.length > 5, `${op}: say why TF.js cannot run it`);
    assert.ok(s.engine.kind === 'matmul' || s.engine.kind === 'reference', `${op}: engine lowering`);
    for (const role of s.qat.trainable) assert.ok(role in s.weights, `${op}: trainable role '${role}' is not a weight role`);
    if (s.qat.ternary) assert.ok(s.engine.kind === 'matmul' && s.weights.weight === 'required', `${op}: ternary weights need a matmul lowering and a 'weight'`);
    if (s.qat.passThrough) assert.deepEqual(Object.keys(s.weights), [], `${op}: a pass-through op has no weights`);
    if (s.biasAxis) assert.equal(s.weights.bias, 'optional', `${op}: biasAxis without an optional bias`);
  }
});

test('every ONNX converter is listed as supported, and the importers doc names every supported ONNX op', () => {
  const doc = readFileSync('docs/importers.md', 'utf8');
  for (const op of OP_TYPES) for (const onnxOp of Object.keys(OPS[op].onnx.import)) assert.ok(SUPPORTED_ONNX_OPS.includes(onnxOp), `${op}: ${onnxOp}`);
  for (const onnxOp of SUPPORTED_ONNX_OPS) assert.match(doc, new RegExp(`\\b${onnxOp}\\b`), `docs/importers.md does not mention ${onnxOp}`);
});

test('docs/architecture.md gives the op recipe, naming the registry and an existing op module', () => {
  const doc = readFileSync('docs/architecture.md', 'utf8');
  const recipe = doc.slice(doc.indexOf('## Recipe: add an op'));
  assert.ok(recipe.length > 200, 'the recipe section is missing');
  assert.match(recipe, /src\/core\/ops\/registry\.ts/);
  assert.match(recipe, /src\/core\/ops\/types\.ts/);
  for (const op of OP_TYPES) assert.ok(readFileSync(`src/core/ops/${op}.ts`, 'utf8').includes(`export const ${op}: OpSpec`), `src/core/ops/${op}.ts`);
});

for (const op of OP_TYPES) {
  test(`${op}: reference, cost, ONNX (onnxruntime-web and re-import), TF.js, packed engine and QAT agree`, async () => {
    const model = OP_EXAMPLES[op]();
    assert.equal(opOf(model), op);
    const spec = OPS[op];
    const x = inputFor(model, op.length);
    const ref = runReference(model, x);
    const inferred = inferShapes(model.graph, (l, role) => model.tensors.get(l.weights[role])?.shape, 2).get(model.graph.outputs[0]);
    assert.deepEqual(ref.shape, inferred, 'reference output vs inferred shape');
    assert.ok(ref.data.every(Number.isFinite));

    const cost = modelCost(asTnn(model), builtinProfiles()[0]).layers.at(-1)!;
    if (!('notCounted' in spec.cost)) assert.ok(cost.macs.total + cost.additions > 0, 'a counted op costs something');
    else assert.equal(cost.macs.total + cost.additions, 0);

    if (!('notExported' in spec.onnx.export)) {
      const bytes = exportOnnx(model);
      close('onnxruntime-web', await runOrt(bytes, x), ref);
      const back = importOnnxBytes(bytes, `${op}.onnx`);
      // An op whose ONNX op the importer folds away (Identity) comes back as nothing: the numbers still match.
      if (Object.hasOwn(spec.onnx.import, spec.onnx.export.opType)) assert.equal(opOf(back), op, 're-imported op');
      close('re-imported', runReference(back, x), ref, 1e-6);
    }

    if (!('unsupported' in spec.tf) && !spec.tf.check?.(model.graph.layers.at(-1)!)) {
      await tf.setBackend('cpu');
      const out = tfForward(tf, asTnn(model))(x);
      close('TF.js', { shape: ref.shape, data: out }, ref);
      if (!spec.outputsProbabilities) {
        const net = new QatNet(tf, model, { quant: { method: 'twn', uniform: false, asymmetric: false }, rprelu: false, keepFloat: model.graph.layers.map((l) => l.name) });
        try {
          const y = tf.tidy(() => {
            const t = net.forward(inputToTf(tf, x), false);
            return t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t;
          });
          close('QAT forward', { shape: [...y.shape], data: y.dataSync() as Float32Array }, ref);
          y.dispose();
        } finally {
          net.dispose();
        }
      }
    }

    const engine = await loadPackedEngine(asTnn(model));
    close('packed engine', engine.run(x), ref);
  });
}
