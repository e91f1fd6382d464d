/**
 * The op table: every IR op and the module holding all of its rules (shape,
 * reference kernel, cost, ONNX import/export, TF.js translation, engine
 * lowering, QAT mapping). Adding an op = one module + one line here
 * (docs/architecture.md, "Recipe: add an op"); OpType is derived from this
 * table, so nothing else lists op names.
 */
import type { Graph, Layer } from '../graph/types';
import { add } from './add';
import { failLayer } from './attrs';
import { avgpool } from './avgpool';
import { batchnorm } from './batchnorm';
import { clip } from './clip';
import { concat } from './concat';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { flatten } from './flatten';
import { globalavgpool } from './globalavgpool';
import { hardsigmoid } from './hardsigmoid';
import { hardswish } from './hardswish';
import { identity } from './identity';
import { leakyrelu } from './leakyrelu';
import { maxpool } from './maxpool';
import { mul } from './mul';
import { pad } from './pad';
import type { OnnxConverter } from './onnx-api';
import { prelu } from './prelu';
import { relu } from './relu';
import { reshape } from './reshape';
import { rprelu } from './rprelu';
import { sigmoid } from './sigmoid';
import { softmax } from './softmax';
import { transpose } from './transpose';
import type { OpSpec } from './types';

const SPECS = {
  conv2d,
  dense,
  batchnorm,
  relu,
  prelu,
  rprelu,
  leakyrelu,
  clip,
  maxpool,
  avgpool,
  globalavgpool,
  flatten,
  reshape,
  add,
  softmax,
  identity,
  concat,
  mul,
  sigmoid,
  hardsigmoid,
  hardswish,
  transpose,
  pad,
};

export type OpType = keyof typeof SPECS;
export const OPS: Readonly<Record<OpType, OpSpec>> = SPECS;
export const OP_TYPES = Object.keys(OPS) as readonly OpType[];

export function isOpType(op: unknown): op is OpType {
  return typeof op === 'string' && Object.hasOwn(OPS, op);
}

/** The spec of a layer's op; an op this version does not know is an OpCheckError naming the layer. */
export function specOf(layer: Layer): OpSpec {
  if (!isOpType(layer.op)) failLayer(layer, `unknown op '${String(layer.op)}' (known: ${OP_TYPES.join(', ')})`);
  return OPS[layer.op];
}

/** ONNX op type → converter, gathered from every spec; one ONNX op claimed by two specs is an error at load. */
export const ONNX_IMPORTERS: Readonly<Record<string, OnnxConverter>> = (() => {
  const out: Record<string, OnnxConverter> = {};
  const owner: Record<string, string> = {};
  for (const op of OP_TYPES) {
    for (const [onnxOp, convert] of Object.entries(OPS[op].onnx.import)) {
      if (owner[onnxOp]) throw new Error(`ONNX op '${onnxOp}' is converted by both '${owner[onnxOp]}' and '${op}'`);
      owner[onnxOp] = op;
      out[onnxOp] = convert;
    }
  }
  return out;
})();

/** The layer producing graph output 0 when its op outputs probabilities (a final softmax), else undefined. */
export function probabilityHead(graph: Graph): Layer | undefined {
  const out = graph.outputs[0];
  const producer = graph.layers.find((l) => l.outputs.includes(out));
  return producer && isOpType(producer.op) && OPS[producer.op].outputsProbabilities ? producer : undefined;
}
