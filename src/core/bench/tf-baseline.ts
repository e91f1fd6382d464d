/**
 * The float32 baseline of `tritscope bench`: @tensorflow/tfjs on the WebAssembly
 * backend (XNNPACK, SIMD, single thread), wasm binaries loaded from disk
 * beside the bundle. A TnnModel is rebuilt as a tfjs float forward pass from
 * its dequantized weights, so both sides compute the same network.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { ExecutionError } from '../errors';
import { dequantizeTrits } from '../exec/reference';
import { listAttr, numAttr } from '../exec/shapes';
import { findWasmDir } from '../train/backend';
import { isPacked, type FloatModel, type Layer, type TnnModel } from '../graph/types';
import type { Tensor } from '../tensor';
import { tfGraphOp, type TfOp } from './tf-graph-ops';

export type Tf = typeof tf;

let ready: Promise<Tf> | undefined;

/** tfjs with the wasm backend, threads off (one core each side keeps the comparison fair on a shared machine). */
export function initTfWasm(): Promise<Tf> {
  ready ??= (async () => {
    const dir = findWasmDir();
    if (!dir) throw new ExecutionError('bench: tfjs-backend-wasm binaries (tfjs-backend-wasm*.wasm) not found beside the bundle or in node_modules; run node esbuild.mjs');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new ExecutionError(`bench: the tfjs wasm backend failed to initialise from ${dir}`);
    return tf;
  })();
  return ready;
}

function weightOf(model: TnnModel | FloatModel, layer: Layer, role: string): Tensor | undefined {
  if (role === 'weight' && layer.weightQuant) {
    const t = model.tensors.get(layer.weightQuant.trits);
    if (!t || !isPacked(t)) throw new ExecutionError(`bench: layer '${layer.name}': trits tensor '${layer.weightQuant.trits}' missing`);
    return dequantizeTrits(t, layer.weightQuant);
  }
  const name = layer.weights[role];
  const t = name === undefined ? undefined : model.tensors.get(name);
  if (t && isPacked(t)) throw new ExecutionError(`bench: layer '${layer.name}': '${role}' is packed`);
  return t as Tensor | undefined;
}

/**
 * A tfjs float forward pass of a TnnModel, or of a FloatModel such as its float original
 * (NCHW in, activations NHWC inside as tfjs needs, back to NCHW before flatten so dense
 * weights line up). Layers run in graph order on named values, so residual graphs work;
 * ops beyond the sequential set (add, global pooling, padded pooling, depthwise conv) are
 * in tf-graph-ops.ts.
 */
export function tfForward(tfx: Tf, model: TnnModel | FloatModel): (input: Tensor) => Float32Array {
  const ops: TfOp[] = [];
  const steps: { layer: Layer; op?: TfOp }[] = [];
  let nhwc = true;
  for (const layer of model.graph.layers) {
    const w = (role: string): Tensor | undefined => weightOf(model, layer, role);
    const before = ops.length;
    const keep = (t: Tensor | undefined, shape?: number[]): tf.Tensor | undefined => (t ? tf.keep(tfx.tensor(t.data, shape ?? t.shape)) : undefined);
    const perC = (t: Tensor | undefined): tf.Tensor | undefined => keep(t, [t ? t.data.length : 0]);
    const graphOp = tfGraphOp(tfx, layer, w);
    if (graphOp) ops.push(graphOp);
    else switch (layer.op) {
      case 'conv2d': {
        if (numAttr(layer, 'group', 1) !== 1) throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': grouped conv is not supported`);
        const wt = w('weight') as Tensor;
        const filt = tf.keep(tfx.transpose(tfx.tensor4d(wt.data, wt.shape as [number, number, number, number]), [2, 3, 1, 0]));
        const bias = perC(w('bias'));
        const [pt, pl, pb, pr] = listAttr(layer, 'pads', [0, 0, 0, 0]);
        const strides = listAttr(layer, 'strides', [1, 1]) as [number, number];
        const dil = listAttr(layer, 'dilations', [1, 1]) as [number, number];
        ops.push((x) => {
          const y = tfx.conv2d(x as tf.Tensor4D, filt as tf.Tensor4D, strides, [[0, 0], [pt, pb], [pl, pr], [0, 0]], 'NHWC', dil);
          return bias ? tfx.add(y, bias) : y;
        });
        break;
      }
      case 'dense': {
        const wt = w('weight') as Tensor;
        const mat = tf.keep(tfx.tensor2d(wt.data, wt.shape as [number, number]));
        const bias = perC(w('bias'));
        ops.push((x) => {
          const y = tfx.matMul(x as tf.Tensor2D, mat as tf.Tensor2D, false, true);
          return bias ? tfx.add(y, bias) : y;
        });
        break;
      }
      case 'batchnorm': {
        const [g, b, m, v] = ['gamma', 'beta', 'mean', 'var'].map((r) => perC(w(r)) as tf.Tensor);
        const eps = numAttr(layer, 'epsilon', 1e-5);
        ops.push((x) => tfx.batchNorm(x, m as tf.Tensor1D, v as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, eps));
        break;
      }
      case 'relu':
        ops.push((x) => tfx.relu(x));
        break;
      case 'maxpool':
      case 'avgpool': {
        const k = listAttr(layer, 'kernel', []) as [number, number];
        const s = listAttr(layer, 'strides', k) as [number, number];
        const pads = listAttr(layer, 'pads', [0, 0, 0, 0]);
        if (pads.some((p) => p !== 0)) throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': padded pooling is not supported`);
        ops.push((x) => (layer.op === 'maxpool' ? tfx.maxPool(x as tf.Tensor4D, k, s, 'valid') : tfx.avgPool(x as tf.Tensor4D, k, s, 'valid')));
        break;
      }
      case 'flatten':
      case 'reshape': {
        const fromNhwc = nhwc;
        ops.push((x) => {
          const nchw = fromNhwc && x.rank === 4 ? tfx.transpose(x, [0, 3, 1, 2]) : x;
          return tfx.reshape(nchw, [x.shape[0], -1]);
        });
        nhwc = false;
        break;
      }
      case 'softmax':
        ops.push((x) => tfx.softmax(x));
        break;
      case 'identity':
        break;
      default:
        throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': op '${layer.op}' is not supported`);
    }
    steps.push({ layer, op: ops.length > before ? ops[ops.length - 1] : undefined });
  }
  const endsNhwc = nhwc;
  const graph = model.graph;
  return (input: Tensor) => {
    const y = tfx.tidy(() => {
      let x: tf.Tensor = tfx.tensor(input.data, input.shape);
      if (x.rank === 4) x = tfx.transpose(x, [0, 2, 3, 1]);
      const values = new Map<string, tf.Tensor>([[graph.inputs[0].name, x]]);
      for (const { layer, op } of steps) {
        const xs = layer.inputs.map((n) => {
          const v = values.get(n);
          if (!v) throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': input '${n}' is not produced by an earlier layer`);
          return v;
        });
        const out = op ? op(xs[0], xs) : xs[0];
        for (const o of layer.outputs) values.set(o, out);
      }
      x = values.get(graph.outputs[0]) as tf.Tensor;
      return x.rank === 4 && endsNhwc ? tfx.transpose(x, [0, 3, 1, 2]) : x;
    });
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  };
}
