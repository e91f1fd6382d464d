/**
 * A `.tnn` written by `tritscope quantize` from the ONNX sample, read back by the
 * independent Python reader (test/tools/read_tnn.py, written from docs/tnn-format.md):
 * per-tensor trit counts equal `tritscope inspect --json`, and the packed size gives
 * the real model's bits per trit.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { cli } from '../cli/cli-helpers';
import { rawTnnGraph, runPythonTool, SAMPLES, type InspectJson, type PyTnnReport, type PyTwnLayer } from './independent';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-verify-tnn-'));
const ONNX = path.join(SAMPLES, 'fashion-cnn.onnx');

async function quantizeAndRead(t: TestContext, tag: string, ...opts: string[]) {
  assert.ok(existsSync(ONNX), `${ONNX} is missing (npm run sample)`);
  const file = path.join(dir, `${tag}.tnn`);
  const q = await cli('quantize', ONNX, '-o', file, ...opts);
  assert.equal(q.code, 0, q.stderr);
  const ins = await cli('inspect', file, '--json');
  assert.equal(ins.code, 0, ins.stderr);
  const inspect = JSON.parse(ins.stdout) as InspectJson;
  const py = runPythonTool<PyTnnReport>('read_tnn.py', file);
  assert.equal(py.checksum_ok, true, `${tag}: python reader checksum`);
  // Layer → packed tensor name from the raw header, not from our parser.
  const tritsOf = new Map(rawTnnGraph(file).layers.filter((l) => l.weightQuant).map((l) => [l.name, l.weightQuant!.trits]));
  const ternary = inspect.layers.filter((l) => l.ternary);
  assert.deepEqual(ternary.map((l) => l.name).sort(), [...tritsOf.keys()].sort());
  let trits = 0, packedBytes = 0;
  for (const l of ternary) {
    const tensor = py.tensors[tritsOf.get(l.name)!];
    assert.ok(tensor?.trits, `${tag} ${l.name}: python reader sees no packed tensor '${tritsOf.get(l.name)}'`);
    assert.deepEqual(tensor.trits, l.trits, `${tag} ${l.name}: python trit counts vs inspect`);
    assert.deepEqual(tensor.shape, l.shape, `${tag} ${l.name}: logical shape`);
  }
  // Every packed tensor in the file belongs to a ternary layer, so this is the model's total.
  for (const [name, tensor] of Object.entries(py.tensors)) {
    if (!tensor.trits) continue;
    assert.ok([...tritsOf.values()].includes(name), `${tag}: packed tensor '${name}' belongs to no ternary layer`);
    trits += tensor.trits.neg + tensor.trits.zero + tensor.trits.pos;
    packedBytes += tensor.stored_shape[0];
  }
  const bitsPerTrit = (packedBytes * 8) / trits;
  assert.equal(inspect.totals.trits, trits, `${tag}: totals.trits`);
  assert.ok(Math.abs(inspect.totals.bitsPerTrit - bitsPerTrit) <= 1e-12, `${tag}: totals.bitsPerTrit ${inspect.totals.bitsPerTrit} vs python ${bitsPerTrit}`);
  // 5 trits per byte (log2(3) ≈ 1.585 is the entropy bound); at most one padding byte per tensor above 1.6.
  assert.ok(bitsPerTrit >= 1.6 && bitsPerTrit <= 1.6 + (8 * ternary.length) / trits, `${tag}: ${bitsPerTrit} bits per trit`);
  t.diagnostic(`${tag}: ${ternary.length} ternary layers, ${trits} trits in ${packedBytes} packed bytes = ${bitsPerTrit.toFixed(5)} bits/trit; file ${inspect.totals.bytes} bytes`);
  return { py, inspect, tritsOf };
}

test('TWN, all layers ternary: python reader trit counts equal inspect and the python TWN of the ONNX', async (t) => {
  const { py, tritsOf } = await quantizeAndRead(t, 'twn-all', '--method', 'twn', '--keep-float', 'none');
  // Close the loop ONNX → Python TWN → .tnn bytes → Python reader, with no TypeScript reading in between.
  const twn = runPythonTool<{ layers: PyTwnLayer[] }>('onnx_twn.py', ONNX).layers;
  assert.equal(twn.length, tritsOf.size);
  for (const l of twn) assert.deepEqual(py.tensors[tritsOf.get(l.node)!]?.trits, { neg: l.neg, zero: l.zero, pos: l.pos }, l.node);
});

test('default method (asym-uniform), first and last layers kept float, no latent weights', async (t) => {
  const { inspect, py } = await quantizeAndRead(t, 'asym-default', '--no-latent');
  assert.deepEqual(inspect.layers.filter((l) => l.ternary).map((l) => l.name), ['/conv2/Conv', '/conv3/Conv', '/dense1/Gemm']);
  assert.ok(Object.values(py.tensors).every((x) => !x.latent), 'no latent tensors with --no-latent');
});
