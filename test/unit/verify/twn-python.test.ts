/**
 * TWN (seed paper Eq. 2–3) as computed by `tritscope quantize --method twn` against
 * test/tools/onnx_twn.py: a stdlib-only Python ONNX decoder + TWN written from the
 * protobuf wire spec and the paper, sharing no code with src/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { exportOnnx } from '../../../src/core/import/index';
import { cli } from '../cli/cli-helpers';
import { aInt, f32, modelBytes, node, vi } from '../import/onnx-proto-builder';
import { tinyCnn } from '../quant/models';
import { runPythonTool, SAMPLES, type InspectJson, type PyTwnLayer } from './independent';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-verify-twn-'));

function closeRel(ours: number, theirs: number, what: string): void {
  assert.ok(Math.abs(ours - theirs) <= 1e-6 * Math.abs(theirs), `${what}: tritscope ${ours} vs python ${theirs}`);
}

/** Quantizes with the CLI, inspects with the CLI, and compares every ternary layer with Python's TWN. */
async function compareWithPython(onnx: string, tag: string, factor?: string): Promise<PyTwnLayer[]> {
  const out = path.join(dir, `${tag}.tnn`);
  const extra = factor ? ['--twn-factor', factor] : [];
  const q = await cli('quantize', onnx, '-o', out, '--method', 'twn', '--keep-float', 'none', '--force', ...extra);
  assert.equal(q.code, 0, q.stderr);
  const ins = await cli('inspect', out, '--json');
  assert.equal(ins.code, 0, ins.stderr);
  const layers = (JSON.parse(ins.stdout) as InspectJson).layers;
  const py = runPythonTool<{ layers: PyTwnLayer[] }>('onnx_twn.py', onnx, ...(factor ? ['--factor', factor] : [])).layers;
  const ternary = layers.filter((l) => l.ternary);
  assert.ok(py.length > 0, `${tag}: python found no weight layers`);
  assert.deepEqual(ternary.map((l) => l.name).sort(), py.map((l) => l.node).sort(), `${tag}: ternary layers vs python's Conv/Gemm/MatMul nodes`);
  for (const p of py) {
    const l = ternary.find((x) => x.name === p.node)!;
    closeRel(l.thresholds.pos, p.delta, `${tag} ${p.node} Δ (thresholds.pos)`);
    closeRel(-l.thresholds.neg, p.delta, `${tag} ${p.node} Δ (−thresholds.neg)`);
    closeRel(l.scale.pos, p.alpha, `${tag} ${p.node} α (scale.pos)`);
    closeRel(l.scale.neg, p.alpha, `${tag} ${p.node} α (scale.neg)`);
    assert.equal(l.trits.neg + l.trits.zero + l.trits.pos, p.count, `${tag} ${p.node}: trit total`);
    // A weight within 1e-6·Δ of Δ could fall either way if the two sides round Δ
    // differently; Python reports how many there are. With none, counts must be exact.
    for (const k of ['neg', 'zero', 'pos'] as const) {
      assert.ok(Math.abs(l.trits[k] - p[k]) <= p.near_ties, `${tag} ${p.node} ${k}: tritscope ${l.trits[k]} vs python ${p[k]} (${p.near_ties} near ties)`);
    }
  }
  return py;
}

test('sample fashion-cnn.onnx: Δ, α and trit counts per layer equal the independent Python TWN', async () => {
  const onnx = path.join(SAMPLES, 'fashion-cnn.onnx');
  assert.ok(existsSync(onnx), `${onnx} is missing (npm run sample)`);
  const py = await compareWithPython(onnx, 'cnn');
  assert.equal(py.length, 5);
  // Counts were compared exactly only if no weight lies at Δ within rounding.
  assert.deepEqual(py.map((l) => l.near_ties), [0, 0, 0, 0, 0]);
});

test('sample fashion-mlp.onnx: Δ, α and trit counts per layer equal the independent Python TWN', async () => {
  const onnx = path.join(SAMPLES, 'fashion-mlp.onnx');
  assert.ok(existsSync(onnx), `${onnx} is missing (npm run sample)`);
  const py = await compareWithPython(onnx, 'mlp');
  assert.equal(py.length, 3);
  assert.equal(py.reduce((s, l) => s + l.count, 0), 784 * 256 + 256 * 128 + 128 * 10);
});

test('exportOnnx of a random float model (raw_data initializers), with a non-default --twn-factor', async () => {
  const onnx = path.join(dir, 'tiny.onnx');
  writeFileSync(onnx, exportOnnx(tinyCnn(3)));
  const py = await compareWithPython(onnx, 'tiny', '0.55');
  assert.equal(py.length, 4);
});

test('exact ties |W| = Δ go to 0 on both sides (float_data initializers, Eq. 2 tie rule)', async () => {
  // mean|W| = 1 and factor 0.75 make Δ = 0.75 exactly in binary floating point,
  // so ±0.75 sit exactly on the threshold and must become 0 (|W| ≤ Δ → 0).
  const w = [0.75, -0.75, 1.25, -1.25, 1, -1, 1, -1];
  const graph = {
    name: 'ties', input: [vi('x', ['N', 4])], output: [vi('y', ['N', 2])],
    initializer: [f32('fc.weight', [2, 4], w), f32('fc.bias', [2], [0, 0])],
    node: [node('Gemm', ['x', 'fc.weight', 'fc.bias'], ['y'], [aInt('transB', 1)], 'fc')],
  };
  const onnx = path.join(dir, 'ties.onnx');
  writeFileSync(onnx, modelBytes(graph));
  const [p] = await compareWithPython(onnx, 'ties', '0.75');
  assert.equal(p.delta, 0.75);
  assert.equal(p.near_ties, 2);
  assert.deepEqual({ neg: p.neg, zero: p.zero, pos: p.pos }, { neg: 3, zero: 2, pos: 3 });
  closeRel(p.alpha, (1.25 * 2 + 4) / 6, 'python α over |W| > Δ');
  // With ties present the loose comparison above would allow ±2; pin the exact counts too.
  const ins = JSON.parse((await cli('inspect', path.join(dir, 'ties.tnn'), '--json')).stdout) as InspectJson;
  assert.deepEqual(ins.layers[0].trits, { neg: 3, zero: 2, pos: 3 });
});

test('onnx_twn.py rejects a truncated file with a message naming it', () => {
  const bad = path.join(dir, 'truncated.onnx');
  writeFileSync(bad, exportOnnx(tinyCnn(1)).subarray(0, 100));
  assert.throws(() => runPythonTool('onnx_twn.py', bad), (e: unknown) => e instanceof Error && e.message.includes('truncated.onnx') && /exited 1/.test(e.message));
});
