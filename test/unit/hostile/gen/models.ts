/** Small valid inputs that the hostile generators start from (each is then broken in one way). */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeNpy } from '../../../../src/core/data/index';
import { serializeTnn } from '../../../../src/core/format/index';
import type { FloatModel, Layer } from '../../../../src/core/graph/types';
import { exportOnnx } from '../../../../src/core/import/index';
import { quantizeModel } from '../../../../src/core/quant/index';
import type { Tensor } from '../../../../src/core/tensor';
import { mulberry32 } from '../../../../src/core/rng';
import { tinyCnn } from '../../quant/models';

/** The tiny CNN (input [1, 8, 8]) quantized with TWN: conv1/fc2 float, conv2/fc1 ternary. */
export async function tinyTnnBytes(): Promise<Uint8Array> {
  const model = await quantizeModel(tinyCnn(), { method: 'twn' });
  model.provenance.date = '2026-01-01T00:00:00.000Z';
  return serializeTnn(model);
}

export const tinyOnnxBytes = (): Uint8Array => exportOnnx(tinyCnn());

/** conv(3→4, 3×3, stride 2) → relu → flatten → dense(4·15·15 → 10): a CIFAR-shaped float model. */
export function cifarCnn(): FloatModel {
  const r = mulberry32(5);
  const t = (shape: number[]): Tensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5) });
  const layers: Layer[] = [
    { name: 'conv', op: 'conv2d', inputs: ['image'], outputs: ['c'], attrs: { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, weights: { weight: 'conv.weight', bias: 'conv.bias' } },
    { name: 'relu', op: 'relu', inputs: ['c'], outputs: ['r'], attrs: {}, weights: {} },
    { name: 'flatten', op: 'flatten', inputs: ['r'], outputs: ['f'], attrs: { axis: 1 }, weights: {} },
    { name: 'fc', op: 'dense', inputs: ['f'], outputs: ['logits'], attrs: {}, weights: { weight: 'fc.weight', bias: 'fc.bias' } },
  ];
  return {
    graph: { name: 'cifar-cnn', inputs: [{ name: 'image', shape: [3, 32, 32] }], outputs: ['logits'], layers },
    tensors: new Map([['conv.weight', t([4, 3, 3, 3])], ['conv.bias', t([4])], ['fc.weight', t([10, 900])], ['fc.bias', t([10])]]),
    source: { file: 'cifar-cnn.onnx', sha256: '00'.repeat(32), format: 'synthetic' },
  };
}

/** A folder holding a valid model of each kind the hostile data cases feed: tiny.onnx ([1,8,8]) and cifar.onnx ([3,32,32]). */
export function writeBaseModels(dir: string): { tiny: string; cifar: string; tfjs: string } {
  mkdirSync(dir, { recursive: true });
  const tiny = path.join(dir, 'tiny.onnx');
  writeFileSync(tiny, tinyOnnxBytes());
  const cifar = path.join(dir, 'cifar.onnx');
  writeFileSync(cifar, exportOnnx(cifarCnn()));
  const tfjsDir = path.join(dir, 'tfjs');
  mkdirSync(tfjsDir, { recursive: true });
  for (const f of ['model.json', 'weights.bin']) copyFileSync(path.resolve('test/fixtures/tfjs-cnn', f), path.join(tfjsDir, f));
  return { tiny, cifar, tfjs: path.join(tfjsDir, 'model.json') };
}

/** A valid npy pair for the tiny model: x [n,1,8,8] float32, y [n] int32. */
export function tinyNpy(dir: string, n = 8): { x: string; y: string } {
  const r = mulberry32(9);
  const x = path.join(dir, 'x.npy');
  const y = path.join(dir, 'y.npy');
  writeFileSync(x, encodeNpy({ dtype: '<f4', shape: [n, 1, 8, 8], data: Float32Array.from({ length: n * 64 }, () => r()) }));
  writeFileSync(y, encodeNpy({ dtype: '<i4', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % 4) }));
  return { x, y };
}
