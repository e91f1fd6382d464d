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
import { inputToTf, tfLayerForward, tfParam, tfTranslation } from '../ops/index';
import { findWasmDir } from '../train/backend';
import { isPacked, type FloatModel, type Layer, type TnnModel } from '../graph/types';
import type { Tensor } from '../tensor';

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
 * A tfjs float forward pass of a TnnModel through each op's TF.js translation
 * (NCHW in; rank-4 activations NHWC inside, as tfjs needs; back to NCHW out).
 * Weights are dequantized and converted to TF layout once, up front.
 */
export function tfForward(tfx: Tf, model: TnnModel | FloatModel): (input: Tensor) => Float32Array {
  const graph = model.graph;
  const params = new Map<Layer, Map<string, tf.Tensor>>();
  for (const layer of graph.layers) {
    tfTranslation(layer); // refuses what TF.js cannot run before anything is built
    const p = new Map<string, tf.Tensor>();
    for (const role of Object.keys(layer.weights)) {
      const t = weightOf(model, layer, role);
      if (t) p.set(role, tf.keep(tfParam(tfx, layer, role, t)));
    }
    params.set(layer, p);
  }
  return (input: Tensor) => {
    const y = tfx.tidy(() => {
      const values = new Map<string, tf.Tensor>([[graph.inputs[0].name, inputToTf(tfx, input)]]);
      for (const layer of graph.layers) {
        const p = params.get(layer) as Map<string, tf.Tensor>;
        const xs = layer.inputs.map((n) => values.get(n) as tf.Tensor);
        const out = tfLayerForward(layer, { tf: tfx, param: (role) => p.get(role), training: false }, xs);
        for (const o of layer.outputs) values.set(o, out);
      }
      const out = values.get(graph.outputs[0]);
      if (!out) throw new ExecutionError(`bench: graph output '${graph.outputs[0]}' is not produced by any layer`);
      return out.rank === 4 ? tfx.transpose(out, [0, 3, 1, 2]) : out;
    });
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  };
}
