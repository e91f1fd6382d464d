import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initTf } from '../../../src/core/train/backend';
import { mulberry32 } from '../../../src/core/rng';
import { conv2dBackpropFilterByTaps } from '../../../src/core/train/wasm-grad-kernels';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const CASES: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: Pad }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [3, 8, 6, 2], f: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [2, 9, 9, 4], f: [2, 3, 4, 3], stride: 1, pad: 'valid' },
  { x: [1, 10, 9, 2], f: [3, 3, 2, 2], stride: 3, pad: 'valid' },
  { x: [2, 6, 6, 1], f: [3, 3, 1, 2], stride: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

function rand(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => r() * 2 - 1), shape);
}

/** dW of conv2d(x, W) · G (G a fixed random cotangent), computed on the current backend through the gradient tape. */
function filterGrad(c: (typeof CASES)[number], seed: number): Float32Array {
  const x = rand(c.x, seed), w = rand(c.f, seed + 1);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
  const cot = rand(y.shape, seed + 2);
  const g = tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, wv as tf.Tensor4D, c.stride, c.pad), cot)))(w);
  return g.dataSync() as Float32Array;
}

test('the wasm backend registers Conv2DBackpropFilter (it ships none in 4.22)', async () => {
  const h = await initTf({ prefer: 'wasm' });
  assert.equal(h.backend, 'wasm');
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
  for (const k of ['AvgPoolGrad', 'Conv2DBackpropInput', 'FusedBatchNorm']) assert.ok(tf.getKernel(k, 'wasm'), `${k} present on wasm`);
});

test('wasm Conv2DBackpropFilter equals the cpu kernel (same/valid/explicit pads, strides 1–3)', async () => {
  for (const [i, c] of CASES.entries()) {
    await initTf({ prefer: 'cpu' });
    const ref = filterGrad(c, 10 * i);
    await initTf({ prefer: 'wasm' });
    const got = filterGrad(c, 10 * i);
    assert.equal(got.length, ref.length);
    let maxErr = 0;
    for (let k = 0; k < ref.length; k++) maxErr = Math.max(maxErr, Math.abs(got[k] - ref[k]));
    assert.ok(maxErr < 1e-4, `case ${i}: max |wasm − cpu| = ${maxErr}`);
    assert.ok(ref.some((v) => Math.abs(v) > 1e-3), 'non-trivial gradient');
  }
});

test('the per-tap form agrees with the cpu kernel too', async () => {
  await initTf({ prefer: 'cpu' });
  const c = CASES[1];
  const x = rand(c.x, 5) as tf.Tensor4D;
  const w = rand(c.f, 6) as tf.Tensor4D;
  const dy = rand(tf.conv2d(x, w, c.stride, c.pad).shape, 7) as tf.Tensor4D;
  const ref = tf.conv2d(x, w, c.stride, c.pad); ref.dispose();
  const expect = tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wv as tf.Tensor4D, c.stride, c.pad), dy)))(w).dataSync();
  const got = conv2dBackpropFilterByTaps(tf, x, dy, c.f, c.stride, c.pad as 'same').dataSync();
  for (let k = 0; k < expect.length; k++) assert.ok(Math.abs(got[k] - expect[k]) < 1e-4, `tap form element ${k}`);
});

test('wasm MaxPoolGrad (replaced: 4.22 drops windows) equals the cpu kernel, incl. all-negative windows and overlap', async () => {
  const cases: { x: number[]; k: number; s: number; pad: 'valid' | 'same' }[] = [
    { x: [2, 4, 4, 1], k: 2, s: 2, pad: 'valid' },
    { x: [3, 8, 8, 3], k: 2, s: 2, pad: 'valid' },
    { x: [2, 7, 7, 2], k: 3, s: 2, pad: 'same' },
    { x: [1, 6, 5, 2], k: 3, s: 1, pad: 'valid' },
  ];
  for (const [i, c] of cases.entries()) {
    const grad = () => {
      const x = rand(c.x, 40 + i);
      const y = tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad);
      const dy = rand(y.shape, 50 + i);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, c.k, c.s, c.pad), dy)))(x).dataSync() as Float32Array;
    };
    await initTf({ prefer: 'cpu' });
    const ref = grad();
    await initTf({ prefer: 'wasm' });
    const got = grad();
    for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(got[k] - ref[k]) < 1e-6, `case ${i} element ${k}: ${got[k]} vs ${ref[k]}`);
  }
});

test('wasm Conv2DBackpropInput equals the cpu kernel', async () => {
  const grad = () => {
    const x = rand([2, 7, 7, 3], 60), w = rand([3, 3, 3, 4], 61);
    const dy = rand(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').shape, 62);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), dy)))(x).dataSync() as Float32Array;
  };
  await initTf({ prefer: 'cpu' });
  const ref = grad();
  await initTf({ prefer: 'wasm' });
  const got = grad();
  for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(got[k] - ref[k]) < 1e-4, `element ${k}: ${got[k]} vs ${ref[k]}`);
});

test('a conv + maxpool + batchnorm training step gives the same gradients on wasm and cpu', async () => {
  const run = () => {
    const x = rand([4, 8, 8, 2], 1) as tf.Tensor4D;
    const w = rand([3, 3, 2, 3], 2);
    const g = tf.grad((wv: tf.Tensor) => {
      // leakyRelu, not relu: ReLU zeros make max-pool ties, which the two backends may break differently.
      const y = tf.leakyRelu(tf.conv2d(x, wv as tf.Tensor4D, 1, 'same'), 0.1);
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      const p = tf.maxPool(tf.batchNorm(y, mean, variance, tf.zeros([3]), tf.ones([3]), 1e-3) as tf.Tensor4D, 2, 2, 'valid');
      return tf.sum(tf.mul(p, rand(p.shape, 3)));
    })(w);
    return g.dataSync() as Float32Array;
  };
  await initTf({ prefer: 'cpu' });
  const ref = run();
  await initTf({ prefer: 'wasm' });
  const got = run();
  for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(got[k] - ref[k]) < 1e-3 * Math.max(1, Math.abs(ref[k])), `element ${k}: ${got[k]} vs ${ref[k]}`);
});
