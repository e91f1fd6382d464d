/**
 * The model `tritscope bench` times: samples/models/fashion-cnn.tnn when present,
 * else samples/models/fashion-cnn.onnx quantized in memory (weights only, the
 * CLI's default method), else a CNN of the same shape built in code (random ternary weights):
 * float conv1(8) → ternary conv2(16), conv3(32), dense1(64) → float dense2(10),
 * each conv followed by batchnorm, relu and 2×2 max-pooling.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packTrits, readTnnFile } from '../format/index';
import { importModel } from '../import/index';
import { quantizeModel } from '../quant/index';
import type { Layer, StoredTensor, TnnModel } from '../graph/types';
import { tensor } from '../tensor';
import { TOOL_VERSION } from '../version';
import { mulberry32 } from '../rng';

export function sampleCnnPath(ext = '.tnn'): string | undefined {
  const rel = path.join('samples', 'models', `fashion-cnn${ext}`);
  return [path.join(__dirname, '..', rel), path.join(process.cwd(), rel)].find((p) => existsSync(p));
}


export function buildComparableCnn(seed = 1): TnnModel {
  const r = mulberry32(seed);
  const tensors = new Map<string, StoredTensor>();
  const layers: Layer[] = [];
  const float = (name: string, shape: number[], lo: number, hi: number): string => {
    const t = tensor(shape);
    for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * r();
    tensors.set(name, t);
    return name;
  };
  let prev = 'input';
  const push = (l: Omit<Layer, 'inputs' | 'outputs'>): void => {
    layers.push({ ...l, inputs: [prev], outputs: [l.name] });
    prev = l.name;
  };
  const ternary = (name: string, shape: number[]): Pick<Layer, 'weightQuant'> => {
    const count = shape.reduce((a, b) => a * b, 1);
    const trits = new Int8Array(count).map(() => (r() < 0.33 ? 0 : r() < 0.5 ? 1 : -1));
    tensors.set(`${name}.trits`, { kind: 'trits', shape, count, bytes: packTrits(trits) });
    const s = 1 / Math.sqrt(count / shape[0]);
    return { weightQuant: { method: 'twn', thresholds: { pos: 0.05, neg: -0.05 }, scale: { pos: s, neg: s }, gamma: null, trits: `${name}.trits` } };
  };
  const block = (i: number, cin: number, cout: number, tern: boolean): void => {
    const shape = [cout, cin, 3, 3];
    const conv = `conv${i}`;
    push({ name: conv, op: 'conv2d', attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
      weights: tern ? {} : { weight: float(`${conv}.weight`, shape, -0.3, 0.3) }, ...(tern ? ternary(conv, shape) : {}) });
    push({ name: `bn${i}`, op: 'batchnorm', attrs: { epsilon: 1e-3 }, weights: {
      gamma: float(`bn${i}.gamma`, [cout], 0.5, 1.5), beta: float(`bn${i}.beta`, [cout], -0.1, 0.1),
      mean: float(`bn${i}.mean`, [cout], -0.1, 0.1), var: float(`bn${i}.var`, [cout], 0.5, 1.5) } });
    push({ name: `relu${i}`, op: 'relu', attrs: {}, weights: {} });
    push({ name: `pool${i}`, op: 'maxpool', attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, weights: {} });
  };
  block(1, 1, 8, false);
  block(2, 8, 16, true);
  block(3, 16, 32, true);
  push({ name: 'flatten', op: 'flatten', attrs: { axis: 1 }, weights: {} });
  push({ name: 'dense1', op: 'dense', attrs: {}, weights: { bias: float('dense1.bias', [64], -0.1, 0.1) }, ...ternary('dense1', [64, 288]) });
  push({ name: 'dense1_relu', op: 'relu', attrs: {}, weights: {} });
  push({ name: 'dense2', op: 'dense', attrs: {}, weights: { weight: float('dense2.weight', [10, 64], -0.3, 0.3), bias: float('dense2.bias', [10], -0.1, 0.1) } });
  push({ name: 'softmax', op: 'softmax', attrs: { axis: -1 }, weights: {} });
  return {
    graph: { name: 'comparable-fashion-cnn', inputs: [{ name: 'input', shape: [1, 28, 28] }], outputs: ['softmax'], layers },
    tensors,
    provenance: { toolVersion: TOOL_VERSION, date: new Date(0).toISOString(), method: 'random (bench stand-in)' },
  };
}

/** `file`: the .tnn the model was read from (absent when it was built or quantized in memory). */
export async function loadBenchModel(): Promise<{ model: TnnModel; source: string; file?: string }> {
  const p = sampleCnnPath();
  if (p) return { model: await readTnnFile(p), source: p, file: p };
  const onnx = sampleCnnPath('.onnx');
  if (onnx) {
    // 'asym-uniform' is the CLI's default quantizer (seed paper Eq. 9); first and last layers stay float.
    const model = await quantizeModel(await importModel(onnx), { method: 'asym-uniform' });
    return { model, source: `${onnx} quantized in memory (asym-uniform, weights only; samples/models/fashion-cnn.tnn not found)` };
  }
  return { model: buildComparableCnn(), source: 'built in code (samples/models/fashion-cnn.tnn not found)' };
}
