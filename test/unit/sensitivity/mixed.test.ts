/**
 * The mixed engine (src/core/engine/mixed.ts) is bit-identical to compiling each configuration
 * with the packed engine, on a ResNet-shaped float model (fused batchnorm/relu/maxpool epilogues,
 * a grouped conv, a strided 1×1 downsample, residual adds), for random keep-float sets; and a run
 * resumed at layer i from a run with the same configuration before i equals the full run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { loadMixedEngine } from '../../../src/core/engine/mixed';
import type { FloatModel } from '../../../src/core/graph/types';
import { quantizePieces } from '../../../src/core/sensitivity/index';
import type { Tensor } from '../../../src/core/tensor';
import { ModelBuilder, randomTensor, rng } from '../engine/random-model';

function resnetLikeFloat(): FloatModel {
  const r = rng(11);
  const b = new ModelBuilder(r, [3, 13, 11]);
  let x = b.op('relu', [b.conv('input', 3, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
  x = b.op('maxpool', [x], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let y = b.op('relu', [b.batchnorm(b.conv(x, 16, 16, 3, { pads: [1, 1, 1, 1], group: 2 }), 16)]);
  y = b.conv(y, 16, 16, 3, { pads: [1, 1, 1, 1] });
  x = b.op('relu', [b.op('add', [y, x])]);
  const down = b.conv(x, 16, 24, 1, { strides: [2, 2] });
  y = b.op('relu', [b.conv(x, 16, 24, 3, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
  y = b.conv(y, 24, 24, 3, { pads: [1, 1, 1, 1] });
  x = b.op('add', [down, y]);
  x = b.op('globalavgpool', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 24, 6);
  const m = b.build(x);
  return { graph: m.graph, tensors: m.tensors as Map<string, Tensor>, source: { file: 'resnet-like', sha256: '', format: 'synthetic' } };
}

test('mixed engine = packed engine compiled per configuration, bit for bit; prefix resume = full run', async () => {
  const float = resnetLikeFloat();
  const p = await quantizePieces(float, { method: 'asym-uniform' });
  const names = p.candidates.map((l) => l.name);
  assert.equal(names.length, 7);
  const mixed = await loadMixedEngine(p.assemble(new Set()), p.assemble(new Set(names)));
  const r = rng(5);
  const x = randomTensor(r, [3, 3, 13, 11]);
  const out = float.graph.outputs[0];
  const configs: Set<string>[] = [new Set(), new Set(names), ...names.map((n) => new Set([n])), ...names.map((n) => new Set(names.filter((m) => m !== n)))];
  for (let k = 0; k < 6; k++) configs.push(new Set(names.filter(() => r() < 0.5)));
  let differ = 0;
  const floatOut = mixed.run(x, () => false).get(out)!.data;
  for (const ternary of configs) {
    const idx = new Set([...ternary].map((n) => p.indexOf.get(n)!));
    const got = mixed.run(x, (i) => idx.has(i)).get(out)!;
    const want = (await loadPackedEngine(p.assemble(ternary))).run(x);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), Array.from(want.data), `ternary: ${[...ternary].join(',') || 'none'}`);
    if (ternary.size && got.data.some((v, i) => v !== floatOut[i])) differ++;
  }
  assert.ok(differ >= configs.length - 2, 'ternarizing layers changes the output');

  // Resume: "only layer i ternary" from the float run's values, "all but i" from the all-ternary run's.
  const all = new Set(names.map((n) => p.indexOf.get(n)!));
  const floatRun = mixed.run(x, () => false);
  const allRun = mixed.run(x, (i) => all.has(i));
  for (const n of names) {
    const i = p.indexOf.get(n)!;
    const only = mixed.run(x, (j) => j === i, { from: i, values: floatRun }).get(out)!;
    assert.deepEqual(Array.from(only.data), Array.from(mixed.run(x, (j) => j === i).get(out)!.data), `only ${n}`);
    const allBut = mixed.run(x, (j) => all.has(j) && j !== i, { from: i, values: allRun }).get(out)!;
    assert.deepEqual(Array.from(allBut.data), Array.from(mixed.run(x, (j) => all.has(j) && j !== i).get(out)!.data), `all but ${n}`);
  }
  assert.throws(() => mixed.run(x, () => false, { from: 99 }), /outside/);
});
