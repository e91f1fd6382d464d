import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { jobToArgs, lastErrorLine, methodPickItems, methodTaskSchema, validateJob, JobError } from '../../../src/extension/quantize/jobArgs';
import { qatMethods, QUANTIZERS, QUANTIZER_IDS } from '../../../src/core/quant/index';

test('validateJob accepts a tasks.json definition and fills defaults', () => {
  const j = validateJob({ type: 'tritscope', model: 'm.onnx', output: 'm.tnn' });
  assert.equal(j.method, 'asym-uniform');
  assert.equal(j.qat, false);
});

test('validateJob names the bad field', () => {
  assert.throws(() => validateJob({ output: 'm.tnn' }), (e: Error) => e instanceof JobError && /"model"/.test(e.message));
  assert.throws(() => validateJob({ model: 'm.onnx', output: 5 }), (e: Error) => e instanceof JobError && /"output"/.test(e.message));
  assert.throws(() => validateJob({ model: 'a', output: 'b', method: 'xnor' }), /"method" must be one of/);
  assert.throws(() => validateJob({ model: 'a', output: 'b', epochs: 'three' }), /"epochs" must be a number/);
  assert.throws(() => validateJob({ model: 'a', output: 'b', activations: 'int8' }), /"activations"/);
});

test('jobToArgs builds the CLI call with JSON progress; QAT options only with --qat', () => {
  const ptq = jobToArgs(validateJob({ model: 'a.onnx', output: 'a.tnn', method: 'twn', epochs: 4 }));
  assert.deepEqual(ptq, ['quantize', 'a.onnx', '-o', 'a.tnn', '--method', 'twn', '--progress', 'json']);
  const qat = jobToArgs(validateJob({ model: 'a.onnx', output: 'a.tnn', qat: true, data: 'fashion-mnist:train', epochs: 2, kd: true, twoStage: true, lambda: 0.9, limit: 256, activations: 'ternary' }));
  assert.deepEqual(qat, ['quantize', 'a.onnx', '-o', 'a.tnn', '--method', 'asym-uniform', '--progress', 'json', '--activations', 'ternary', '--data', 'fashion-mnist:train', '--qat', '--epochs', '2', '--kd', '--two-stage', '--lambda', '0.9', '--limit', '256']);
  assert.throws(() => jobToArgs(validateJob({ model: 'a', output: 'b', qat: true })), /needs a data set/);
});

test('jobToArgs passes --resume only for QAT jobs', () => {
  const qat = jobToArgs(validateJob({ model: 'a.onnx', output: 'a.tnn', qat: true, data: 'fashion-mnist:train', resume: true }));
  assert.equal(qat.at(-1), '--resume');
  assert.ok(!jobToArgs(validateJob({ model: 'a.onnx', output: 'a.tnn', resume: true })).includes('--resume'));
  assert.equal(validateJob({ model: 'a', output: 'b', resume: 'yes' }).resume, false, 'only a boolean true resumes');
});

test('lastErrorLine takes the CLI message from the end of stderr', () => {
  assert.equal(lastErrorLine('warming up\ntritscope: m.onnx: model not found (ENOENT)\n'), 'm.onnx: model not found (ENOENT)');
  assert.equal(lastErrorLine('tritscope: first\nsome trace line\n'), 'first');
  assert.equal(lastErrorLine('plain failure\n\n'), 'plain failure');
  assert.equal(lastErrorLine(''), undefined);
});

test('validateJob: output defaults beside the source; boolean activations from old tasks.json files', () => {
  assert.equal(validateJob({ model: path.join('m', 'cnn.onnx'), method: 'twn' }).output, path.join('m', 'cnn.twn.tnn'));
  assert.equal(validateJob({ model: path.join('m', 'cnn', 'model.json'), qat: true }).output, path.join('m', 'cnn.asym-uniform.qat.tnn'));
  assert.equal(validateJob({ model: 'a', activations: true }).activations, 'ternary');
  assert.equal(validateJob({ model: 'a', activations: false }).activations, 'float');
});

test("every QuantizeJob field is declared in package.json's tritscope taskDefinition (VS Code drops undeclared ones)", () => {
  const pkg = JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as {
    contributes: { taskDefinitions: Array<{ type: string; properties: Record<string, { type: string; enum?: string[] }> }> };
  };
  const def = pkg.contributes.taskDefinitions.find((d) => d.type === 'tritscope');
  assert.ok(def, 'a tritscope taskDefinition');
  const fields = Object.keys(validateJob({ model: 'a.onnx', output: 'a.tnn' })).filter((k) => k !== 'type');
  assert.ok(fields.length >= 15);
  assert.deepEqual(fields.filter((k) => !(k in def.properties)), [], 'undeclared job fields');
  // Derived from the quantizer registry (node scripts/sync-package-json.mjs rewrites it).
  assert.deepEqual(def.properties.method, methodTaskSchema(), 'package.json is out of date: run node scripts/sync-package-json.mjs');
  assert.deepEqual(def.properties.method.enum, [...QUANTIZER_IDS]);
  assert.deepEqual(def.properties.activations.enum, ['float', 'ternary']);
});

test('the guided flow offers every registered quantizer, and QAT only for those with a QAT strategy', () => {
  const items = methodPickItems();
  assert.deepEqual(items.map((i) => i.value), [...QUANTIZER_IDS]);
  assert.deepEqual(items.filter((i) => i.trainable).map((i) => i.value), qatMethods());
  for (const [i, q] of items.map((x, k) => [x, QUANTIZERS[k]] as const)) assert.ok(i.detail.startsWith(q.summary), i.value);
  const ptqOnly = items.find((i) => !i.trainable)!;
  assert.throws(() => validateJob({ model: 'a', output: 'b', method: ptqOnly.value, qat: true }), /"qat" needs a method with quantization-aware training/);
  assert.equal(validateJob({ model: 'a', output: 'b', method: ptqOnly.value }).method, ptqOnly.value);
});
