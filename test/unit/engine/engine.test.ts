import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { topK } from '../../../src/core/engine/stepper';
import { divergence } from '../../../src/core/output-math';
import { DataError, ExecutionError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import type { TnnModel } from '../../../src/core/graph/types';
import type { Tensor } from '../../../src/core/tensor';
import { act, ModelBuilder, randomTensor, rng } from './random-model';

type Make = (r: () => number) => { model: TnnModel; input: number[] };

/** conv(float)+relu → ternary conv+bn+relu (stride 2) → maxpool → flatten → ternary dense → relu → float dense → softmax */
const cnn = (wa: boolean, sym: boolean): Make => (r) => {
  const b = new ModelBuilder(r, [2, 12, 12]);
  let x = b.conv('input', 2, 6, 3, { pads: [1, 1, 1, 1] });
  x = b.op('relu', [x]);
  x = b.conv(x, 6, 10, 3, { strides: [2, 2], pads: [1, 1, 1, 1] }, { sym, act: wa ? act(r) : undefined });
  x = b.batchnorm(x, 10);
  x = b.op('relu', [x]);
  x = b.op('maxpool', [x], { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] });
  x = b.op('flatten', [x], { axis: 1 });
  x = b.dense(x, 90, 40, { sym, act: wa ? act(r) : undefined });
  x = b.op('relu', [x]);
  x = b.dense(x, 40, 10);
  x = b.op('softmax', [x], { axis: -1 });
  return { model: b.build(x), input: [2, 12, 12] };
};

/** grouped + depthwise (dilated) ternary convs, asymmetric pads, avgpool with padding, prelu/rprelu/leakyrelu/clip. */
const grouped: Make = (r) => {
  const b = new ModelBuilder(r, [4, 11, 9]);
  let x = b.conv('input', 4, 8, 3, { group: 2, pads: [1, 0, 2, 1] }, {});
  x = b.perChannel('prelu', x, 8);
  x = b.conv(x, 8, 8, 3, { group: 8, dilations: [2, 2], pads: [2, 2, 2, 2] }, { act: act(r) });
  x = b.perChannel('rprelu', x, 8);
  x = b.op('avgpool', [x], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: 0 });
  x = b.op('leakyrelu', [x], { alpha: 0.1 });
  x = b.op('clip', [x], { min: -1, max: 1.5 });
  x = b.op('reshape', [x], { shape: [-1] });
  x = b.dense(x, 8 * 6 * 4, 7, { sym: true });
  return { model: b.build(x), input: [4, 11, 9] };
};

/** residual block: conv+bn+relu, ternary W+A conv, add, globalavgpool, dense. */
const residual: Make = (r) => {
  const b = new ModelBuilder(r, [3, 8, 8]);
  const stem = b.op('relu', [b.batchnorm(b.conv('input', 3, 8, 3, { pads: [1, 1, 1, 1] }), 8)]);
  let y = b.conv(stem, 8, 8, 3, { pads: [1, 1, 1, 1] }, { sym: true, act: act(r) });
  y = b.batchnorm(y, 8);
  let x = b.op('add', [y, stem]);
  x = b.op('relu', [x]);
  x = b.conv(x, 8, 16, 1, {}, { act: act(r) });
  x = b.op('globalavgpool', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 16, 5);
  return { model: b.build(x), input: [3, 8, 8] };
};

/** feature maps large enough that a batch is processed in several sample slices (im2col ≥ 128 KB per sample). */
const large = (wa: boolean): Make => (r) => {
  const b = new ModelBuilder(r, [4, 32, 32]);
  let x = b.conv('input', 4, 6, 3, { pads: [1, 1, 1, 1] }, { act: wa ? act(r) : undefined });
  x = b.op('maxpool', [x], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  x = b.op('relu', [x]);
  x = b.conv(x, 6, 4, 3, { strides: [2, 2] }, { sym: true, act: wa ? act(r) : undefined });
  x = b.op('globalavgpool', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 4, 3);
  return { model: b.build(x), input: [4, 32, 32] };
};

/**
 * ResNet-shaped: stem conv+relu+padded maxpool (fused), blocks whose ternary convs have 8/16/24 channels per group
 * (pixel bit-plane columns, channel padding to 16), a 2-group conv (group offset), a strided 1×1 downsample,
 * residual add + relu (fused into the conv epilogue) and a residual read by two consumers.
 */
const resnetLike = (wa: boolean): Make => (r) => {
  const b = new ModelBuilder(r, [3, 13, 11]);
  const t = (sym = false) => ({ sym, act: wa ? act(r) : undefined });
  let x = b.op('relu', [b.conv('input', 3, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
  x = b.op('maxpool', [x], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let y = b.op('relu', [b.batchnorm(b.conv(x, 16, 16, 3, { pads: [1, 1, 1, 1], group: 2 }, t()), 16)]);
  y = b.conv(y, 16, 16, 3, { pads: [1, 1, 1, 1] }, t(true));
  x = b.op('relu', [b.op('add', [y, x])]);
  const down = b.conv(x, 16, 24, 1, { strides: [2, 2] }, t());
  y = b.op('relu', [b.conv(x, 16, 24, 3, { strides: [2, 2], pads: [1, 1, 1, 1] }, t())]);
  y = b.conv(y, 24, 24, 3, { pads: [0, 1, 2, 1] }, t());
  x = b.op('add', [down, y]);
  x = b.op('add', [x, b.op('relu', [x])]);
  x = b.op('globalavgpool', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 24, 6);
  return { model: b.build(x), input: [3, 13, 11] };
};

/** MobileNet-shaped: pointwise → depthwise 3×3 (stride 1 and 2) and 5×5 → ReLU6 (clip, fused), inverted residual add. */
const mobilenetLike = (wa: boolean, sym: boolean): Make => (r) => {
  const b = new ModelBuilder(r, [3, 15, 13]);
  const t = () => ({ sym, act: wa ? act(r) : undefined });
  const relu6 = (x: string) => b.op('clip', [x], { min: 0, max: 6 });
  let x = relu6(b.batchnorm(b.conv('input', 3, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] }), 16));
  let y = relu6(b.conv(x, 16, 16, 3, { group: 16, pads: [1, 1, 1, 1] }, t()));
  x = b.op('add', [b.conv(y, 16, 16, 1, {}, t()), x]);
  y = relu6(b.conv(x, 16, 24, 1, {}, t()));
  y = relu6(b.conv(y, 24, 24, 3, { group: 24, strides: [2, 2], pads: [1, 1, 1, 1] }, t()));
  y = relu6(b.conv(y, 24, 24, 5, { group: 24, pads: [2, 2, 2, 2] }, t()));
  y = b.conv(y, 24, 8, 1, {}, t());
  x = b.op('globalavgpool', [y]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 8, 5);
  return { model: b.build(x), input: [3, 15, 13] };
};

/** W-only convs with ≥ 96 output channels (base-3 weights, tf81Gemm), 48 (tfLutGemm) and 24 (tfGemmCols). */
const wide: Make = (r) => {
  const b = new ModelBuilder(r, [3, 9, 7]);
  let x = b.op('relu', [b.conv('input', 3, 16, 3, { pads: [1, 1, 1, 1] })]);
  x = b.op('relu', [b.batchnorm(b.conv(x, 16, 128, 3, { pads: [1, 1, 1, 1], strides: [2, 2] }, {}), 128)]);
  x = b.op('relu', [b.conv(x, 128, 96, 1, {}, { sym: true })]);
  x = b.op('relu', [b.conv(x, 96, 48, 1, {}, {})]);
  x = b.conv(x, 48, 24, 3, { pads: [1, 1, 1, 1] }, {});
  x = b.op('globalavgpool', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 24, 5);
  return { model: b.build(x), input: [3, 9, 7] };
};

const cases: [string, Make][] = [
  ['W-only convs of 128/96, 48 and 24 rows (81-entry tables, 16-entry tables, column adds)', wide],
  ['MobileNet-like, W-only (depthwise kernel, fused ReLU6)', mobilenetLike(false, false)],
  ['MobileNet-like, W+A symmetric (depthwise integer dots)', mobilenetLike(true, true)],
  ['MobileNet-like, W+A asymmetric (depthwise sign sums)', mobilenetLike(true, false)],
  ['ResNet-like blocks, W-only (fused residual adds, padded pooling)', resnetLike(false)],
  ['ResNet-like blocks, W+A (bit-plane columns, fused residual adds)', resnetLike(true)],
  ['large maps in sample slices, W-only, padded maxpool', large(false)],
  ['large maps in sample slices, W+A', large(true)],
  ['W-only CNN, symmetric scales', cnn(false, true)],
  ['W-only CNN, asymmetric scales', cnn(false, false)],
  ['W+A CNN, symmetric scales', cnn(true, true)],
  ['W+A CNN, asymmetric scales', cnn(true, false)],
  ['grouped/depthwise/dilated convs with float activations ops', grouped],
  ['residual block with W+A ternary convs', residual],
];

function relL2(a: Tensor, b: Tensor): number {
  return divergence(a.data, b.data).relL2;
}

for (const [name, make] of cases) {
  for (const simd of [true, false]) {
    test(`${name}: packed engine (simd=${simd}) agrees with runReference`, async () => {
      for (let seed = 1; seed <= 3; seed++) {
        const r = rng(seed * 7919 + name.length);
        const { model, input } = make(r);
        const batch = 6;
        const x = randomTensor(r, [batch, ...input], -0.5, 1);
        const engine = await loadPackedEngine(model, { simd });
        assert.equal(engine.simd, simd);
        const ours = engine.run(x);
        const ref = runReference(model, x);
        assert.deepEqual(ours.shape, ref.shape);
        assert.ok(relL2(ours, ref) <= 1e-5, `seed ${seed}: relL2 ${relL2(ours, ref)}`);
        const classes = ref.shape[1];
        for (let s = 0; s < batch; s++) {
          const row = (t: Tensor): Float32Array => t.data.subarray(s * classes, (s + 1) * classes);
          assert.equal(topK(row(ours), 1)[0], topK(row(ref), 1)[0], `seed ${seed} sample ${s}: predicted class`);
        }
      }
    });
  }
}

test('W+A layers really exercise the popcount path: nonzero trits and integer accumulators equal to a naive dot', async () => {
  const r = rng(42);
  const { model, input } = cnn(true, true)(r);
  const x = randomTensor(r, [1, ...input], -0.5, 1);
  const engine = await loadPackedEngine(model);
  const st = engine.steps(x, { subSteps: true, compareFloat: true });
  const dense = st.stateAt(7); // ternary dense with actQuant
  assert.equal(dense.layer.op, 'dense');
  const q = dense.subSteps!.find((s) => s.kind === 'quantize-input')!;
  const acc = dense.subSteps!.find((s) => s.kind === 'ternary-matmul')!;
  assert.ok(q.ternary && q.output.data.some((v) => v !== 0) && q.output.data.some((v) => v === 0));
  assert.ok(acc.output.data.every((v) => Number.isInteger(v)));
  // naive integer dot of the quantized input with the layer's trits
  const { unpackTrits } = await import('../../../src/core/format/index');
  const wt = model.tensors.get(dense.layer.weightQuant!.trits) as { bytes: Uint8Array; count: number };
  const w = unpackTrits(wt.bytes, wt.count);
  for (let o = 0; o < 40; o++) {
    let s = 0;
    for (let k = 0; k < 90; k++) s += w[o * 90 + k] * q.output.data[k];
    assert.equal(acc.output.data[o], s, `output ${o}`);
  }
  assert.ok(dense.float && dense.float.divergence.relL2 < 1e-6 && dense.float.divergence.cosine > 0.999999);
});

test('stepper: one state per graph layer, back/stateAt/final, matches reference layer outputs', async () => {
  const r = rng(5);
  const { model, input } = residual(r);
  const x = randomTensor(r, [1, ...input], -0.5, 1);
  const engine = await loadPackedEngine(model);
  const refs: Tensor[] = [];
  runReference(model, x, (_l, y, i) => { refs[i] = y; });
  const st = engine.steps(x, { compareFloat: true });
  assert.equal(st.position, 0);
  assert.equal(st.back(), undefined);
  const s0 = st.step()!;
  const s1 = st.step()!;
  assert.equal(st.position, 2);
  assert.equal(st.back(), s0);
  assert.equal(st.position, 1);
  assert.equal(st.step(), s1, 'cached state returned when stepping forward again');
  for (let i = 0; i < model.graph.layers.length; i++) {
    const s = st.stateAt(i);
    assert.equal(s.layer, model.graph.layers[i]);
    assert.ok(relL2(s.output, refs[i]) <= 1e-6, `layer ${i} ${s.layer.op}`);
    assert.ok(s.float!.divergence.relL2 <= 1e-6);
  }
  const f = st.final();
  assert.equal(f.agree, true);
  assert.equal(f.topKAgreement, 1);
  assert.equal(f.probabilities.length, 5);
  assert.ok(Math.abs(f.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.throws(() => st.stateAt(99), ExecutionError);
});

test('stepper on the new kernel paths (bit-plane columns, depthwise, base-3 weights): each layer with sub-steps matches the reference', async () => {
  for (const make of [resnetLike(true), mobilenetLike(true, false), mobilenetLike(false, true), wide]) {
    const r = rng(11);
    const { model, input } = make(r);
    const x = randomTensor(r, [2, ...input], -0.5, 1);
    const refs: Tensor[] = [];
    runReference(model, x, (_l, y, i) => { refs[i] = y; });
    const st = (await loadPackedEngine(model)).steps(x, { subSteps: true });
    for (let i = 0; i < model.graph.layers.length; i++) {
      const s = st.stateAt(i);
      assert.ok(relL2(s.output, refs[i]) <= 1e-5, `${model.graph.layers[i].name}: relL2 ${relL2(s.output, refs[i])}`);
      if (s.layer.weightQuant) assert.ok(s.subSteps && s.subSteps.length >= 2, `${s.layer.name}: sub-steps`);
    }
  }
});

test('layer shapes pick their kernels: rows per group decide the W-only conv kernel, channels per group the W+A columns', async () => {
  const calls = async (make: Make): Promise<Record<string, number>> => {
    const r = rng(3);
    const { model, input } = make(r);
    const engine = await loadPackedEngine(model, { countKernels: true });
    engine.run(randomTensor(r, [1, ...input]));
    return engine.kernelCalls();
  };
  const w = await calls(wide);
  assert.deepEqual([w.tf81Gemm, w.tfLutGemm, w.tfGemmCols], [2, 1, 1], JSON.stringify(w));
  const wa = await calls(resnetLike(true));
  assert.ok(wa.im2colBits >= 5 && wa.packPixels >= 5 && !wa.im2colI8, JSON.stringify(wa));
  const mb = await calls(mobilenetLike(true, false));
  assert.equal(mb.dwConv, 3, JSON.stringify(mb));
});

test('the source model is not modified by loading or running', async () => {
  const r = rng(11);
  const { model, input } = cnn(true, false)(r);
  const snapshot = JSON.stringify(model.graph);
  const bytes = [...model.tensors.values()].map((t) => ('bytes' in t ? Array.from(t.bytes) : Array.from(t.data)));
  const engine = await loadPackedEngine(model);
  engine.run(randomTensor(r, [2, ...input]));
  assert.equal(JSON.stringify(model.graph), snapshot);
  assert.deepEqual([...model.tensors.values()].map((t) => ('bytes' in t ? Array.from(t.bytes) : Array.from(t.data))), bytes);
});

test('runtime weights: two bit-planes per row, 1/16 of float32 when rows are multiples of 128', async () => {
  const b = new ModelBuilder(rng(3), [256]);
  const y = b.dense('input', 256, 64, { sym: true });
  const engine = await loadPackedEngine(b.build(y));
  assert.equal(engine.fp32WeightBytes, 256 * 64 * 4);
  assert.equal(engine.runtimeWeightBytes, (256 * 64 * 4) / 16);
});

test('runtime weights stay at 2 bits per trit for short rows (K = 72) and asymmetric W+A scales', async () => {
  const r = rng(4);
  const b = new ModelBuilder(r, [8, 6, 6]);
  const y = b.conv('input', 8, 16, 3, { pads: [1, 1, 1, 1] }, { act: act(r) }); // asymmetric: needs Σ|w|·a as well
  const model = b.build(y);
  const engine = await loadPackedEngine(model);
  assert.equal(engine.fp32WeightBytes, 16 * 72 * 4);
  assert.equal(engine.runtimeWeightBytes, (16 * 72 * 4) / 16);
  const x = randomTensor(r, [3, 8, 6, 6]);
  assert.deepEqual(Array.from(engine.run(x).data), Array.from(runReference(model, x).data));
});

test('bad input and unsupported graphs raise errors that name what was expected', async () => {
  const r = rng(8);
  const { model } = cnn(false, true)(r);
  const engine = await loadPackedEngine(model);
  assert.throws(() => engine.run(randomTensor(r, [1, 3, 12, 12])), (e: Error) => e instanceof ExecutionError && /expected shape \[N,2,12,12\]/.test(e.message));
  assert.throws(() => engine.run({ shape: [1, 2, 12, 12], data: new Float64Array(288) as unknown as Float32Array }), DataError);
  const bad = { ...model, graph: { ...model.graph, layers: model.graph.layers.map((l, i) => (i === 1 ? { ...l, op: 'lstm' as never } : l)) } };
  await assert.rejects(loadPackedEngine(bad), (e: Error) => e instanceof ExecutionError && /lstm/.test(e.message) && /relu0|relu1/.test(e.message));
  const tern = model.graph.layers.find((l) => l.weightQuant)!;
  const missing = { ...model, tensors: new Map([...model.tensors].filter(([k]) => k !== tern.weightQuant!.trits)) };
  await assert.rejects(loadPackedEngine(missing), (e: Error) => e instanceof ExecutionError && e.message.includes(tern.weightQuant!.trits));
});

test('W+A models: run() (fused epilogues, SIMD) is bit-identical to runReference', async () => {
  for (const make of [cnn(true, true), cnn(true, false), residual, large(true), resnetLike(true), mobilenetLike(true, true), mobilenetLike(true, false)]) {
    const r = rng(1234);
    const { model, input } = make(r);
    const x = randomTensor(r, [5, ...input], -0.5, 1);
    for (const simd of [true, false]) {
      const ours = (await loadPackedEngine(model, { simd })).run(x);
      assert.deepEqual(Array.from(ours.data), Array.from(runReference(model, x).data), `simd=${simd}`);
    }
  }
});
