/**
 * The debugger's float reference on the engine's f64 GEMM (engine/float-reference.ts) must give the
 * reference executor's conv2d / dense results bit for bit: every layer output is compared with
 * Object.is (so −0 against +0 and NaN placement count too), on the SIMD and the TypeScript kernels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactFloatMatmul } from '../../../src/core/engine/float-reference';
import { ReferenceSteps } from '../../../src/core/exec/reference';
import type { TnnModel } from '../../../src/core/graph/types';
import { act, ModelBuilder, randomTensor, rng } from './random-model';

/** Float convs of every geometry the executor supports (stride, asymmetric pads, dilation, groups, depthwise), dense with and without bias. */
function floatNet(r: () => number): { model: TnnModel; input: number[] } {
  const b = new ModelBuilder(r, [4, 13, 11]);
  let x = b.conv('input', 4, 6, 3, { pads: [1, 0, 2, 1], strides: [2, 1] });
  x = b.op('relu', [x]);
  x = b.conv(x, 6, 6, 3, { group: 3, dilations: [2, 1], pads: [2, 1, 2, 1] });
  x = b.conv(x, 6, 6, 3, { group: 6, pads: [1, 1, 1, 1] });
  x = b.batchnorm(x, 6);
  x = b.conv(x, 6, 5, 1);
  x = b.op('flatten', [x], { axis: 1 });
  const features = 5 * 7 * 10; // 13×11 → 7×10 after the first conv (stride 2 rows, pads 1/2 and 0/1)
  x = b.dense(x, features, 12);
  x = b.op('relu', [x]);
  x = b.matmul('dense', x, [7, 12], {}, undefined, false);
  return { model: b.build(x), input: [4, 13, 11] };
}

/** A ternary model (dequantized weights, W+A layers): the kernel also runs on what ReferenceSteps resolves for them. */
function ternaryNet(r: () => number): { model: TnnModel; input: number[] } {
  const b = new ModelBuilder(r, [8, 10, 10]);
  let x = b.conv('input', 8, 16, 3, { pads: [1, 1, 1, 1] });
  x = b.conv(x, 16, 16, 3, { pads: [1, 1, 1, 1], strides: [2, 2] }, { act: act(r) });
  x = b.conv(x, 16, 24, 1, {}, {});
  x = b.op('flatten', [x], { axis: 1 });
  x = b.dense(x, 24 * 25, 10, { sym: true });
  return { model: b.build(x), input: [8, 10, 10] };
}

function sameBits(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  return a.length === b.length ? diff : Math.max(a.length, b.length);
}

for (const simd of [true, false]) {
  test(`float reference on the engine's f64 GEMM (${simd ? 'SIMD' : 'TypeScript'} kernels) is bit-identical to the reference executor`, () => {
    for (const [seed, make] of [[3, floatNet], [4, ternaryNet]] as const) {
      const r = rng(seed);
      const { model, input } = make(r);
      const x = randomTensor(r, [2, ...input], -1, 1);
      // a few exact zeros and negative zeros in the input: zero products must not change a sum's sign
      for (let i = 0; i < x.data.length; i += 7) x.data[i] = i % 2 ? 0 : -0;
      const plain = new ReferenceSteps(model, x);
      let ran = 0;
      const kernel = exactFloatMatmul(simd);
      const fast = new ReferenceSteps(model, x, undefined, (l, xs, shape, w) => {
        const y = kernel(l, xs, shape, w);
        if (y) ran++;
        return y;
      });
      for (let i = 0; i < model.graph.layers.length; i++) {
        const layer = model.graph.layers[i];
        const a = plain.outputAt(i), b = fast.outputAt(i);
        assert.deepEqual(b.shape, a.shape, `${layer.name}: shape`);
        assert.equal(sameBits(a.data, b.data), 0, `${layer.name} (${layer.op}): outputs differ from the reference executor`);
      }
      const matmuls = model.graph.layers.filter((l) => l.op === 'conv2d' || l.op === 'dense').length;
      assert.equal(ran, matmuls, 'every conv2d/dense layer ran on the engine kernel');
    }
  });
}

test('the float reference kernel leaves other ops to the reference executor and repeats its bits call after call', () => {
  const r = rng(9);
  const { model, input } = floatNet(r);
  const x = randomTensor(r, [1, ...input], -1, 1);
  const kernel = exactFloatMatmul(false);
  const relu = model.graph.layers.find((l) => l.op === 'relu')!;
  assert.equal(kernel(relu, [x], x.shape, () => undefined), undefined);
  // Weights and scratch are released after each call: a second call lays them out again and gets the same bits.
  const conv = model.graph.layers[0];
  const w = (role: string) => {
    const t = model.tensors.get(conv.weights[role]);
    return t && 'data' in t ? t : undefined;
  };
  const shape = new ReferenceSteps(model, x).outputAt(0).shape;
  const y1 = kernel(conv, [x], shape, w)!;
  const y2 = kernel(conv, [x], shape, w)!;
  assert.equal(sameBits(y1.data, y2.data), 0);
});
