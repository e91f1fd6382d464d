/**
 * FloatModel → ONNX bytes, laid out the way PyTorch's exporter does (opset 17,
 * ir_version 8, Conv with bias, BatchNormalization, Gemm transB=1, initializers
 * named like `conv1.weight`, nodes like `/conv1/Conv`, reshape targets from
 * Constant nodes). producer_name is honestly "tritscope". Used to build ONNX
 * fixtures offline and to export the sample model.
 */
import { ImportError } from '../../errors';
import { inferShapes, listAttr, numAttr } from '../../exec/shapes';
import type { FloatModel, Layer } from '../../graph/types';
import type { Tensor } from '../../tensor';
import { TOOL_VERSION } from '../../version';
import { AT, DT, onnxType } from './schema';

type Attr = { name: string; type: number; i?: number; f?: number; ints?: number[] };
type Node = { name: string; op_type: string; input: string[]; output: string[]; attribute: Attr[] };
type Init = { name: string; dims: number[]; data_type: number; raw_data: Uint8Array };

const int = (name: string, i: number): Attr => ({ name, type: AT.INT, i });
const ints = (name: string, v: number[]): Attr => ({ name, type: AT.INTS, ints: v });
const float = (name: string, f: number): Attr => ({ name, type: AT.FLOAT, f });

function floatInit(name: string, dims: number[], data: Float32Array): Init {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, data_type: DT.FLOAT, raw_data: raw };
}

function int64Init(name: string, values: number[]): Init {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: DT.INT64, raw_data: raw };
}

const ONNX_OP: Record<string, string> = {
  conv2d: 'Conv', dense: 'Gemm', batchnorm: 'BatchNormalization', relu: 'Relu', prelu: 'PRelu', leakyrelu: 'LeakyRelu',
  clip: 'Clip', maxpool: 'MaxPool', avgpool: 'AveragePool', globalavgpool: 'GlobalAveragePool', flatten: 'Flatten',
  reshape: 'Reshape', add: 'Add', softmax: 'Softmax', identity: 'Identity',
};

export function exportOnnx(model: FloatModel): Uint8Array {
  const g = model.graph;
  const fail = (layer: Layer, detail: string): never => {
    throw new ImportError(`export of '${g.name}' to ONNX: layer '${layer.name}' (${layer.op}): ${detail}`);
  };
  const shapes = inferShapes(g, (layer, role) => {
    const n = layer.weights[role];
    return n === undefined ? undefined : model.tensors.get(n)?.shape;
  });
  const nodes: Node[] = [];
  const inits: Init[] = [];
  const written = new Set<string>();
  const weight = (layer: Layer, role: string, reshape?: number[]): string => {
    const name = layer.weights[role];
    const t: Tensor | undefined = name === undefined ? undefined : model.tensors.get(name);
    if (!t || name === undefined) return fail(layer, `weight '${role}' is missing`);
    if (!written.has(name)) {
      inits.push(floatInit(name, reshape ?? t.shape, t.data));
      written.add(name);
    }
    return name;
  };
  // PyTorch names intermediate values /<module>/<Op>_output_0; graph input and outputs keep their names.
  const finalOutputs = new Set(g.outputs);
  const rename = new Map<string, string>([[g.inputs[0].name, g.inputs[0].name]]);
  const valueName = (v: string): string => rename.get(v) ?? v;

  for (const layer of g.layers) {
    const opType = ONNX_OP[layer.op];
    if (!opType) fail(layer, 'has no ONNX equivalent');
    if (layer.weightQuant || layer.actQuant) fail(layer, 'is ternary; export the float model instead');
    const base = `/${layer.name}`;
    const out = layer.outputs[0];
    const outName = finalOutputs.has(out) ? out : `${base}/${opType}_output_0`;
    rename.set(out, outName);
    const inShape = shapes.get(layer.inputs[0]) as number[];
    const input = [valueName(layer.inputs[0])];
    const attribute: Attr[] = [];
    switch (layer.op) {
      case 'conv2d': {
        const w = model.tensors.get(layer.weights.weight);
        attribute.push(int('group', numAttr(layer, 'group', 1)), ints('dilations', listAttr(layer, 'dilations', [1, 1])));
        if (w) attribute.push(ints('kernel_shape', w.shape.slice(2)));
        attribute.push(ints('pads', listAttr(layer, 'pads', [0, 0, 0, 0])), ints('strides', listAttr(layer, 'strides', [1, 1])));
        input.push(weight(layer, 'weight'));
        if (layer.weights.bias) input.push(weight(layer, 'bias'));
        break;
      }
      case 'dense':
        if (inShape.length !== 2) fail(layer, `Gemm needs a rank-2 input, got [${inShape}]`);
        attribute.push(float('alpha', 1), float('beta', 1), int('transB', 1));
        input.push(weight(layer, 'weight'));
        if (layer.weights.bias) input.push(weight(layer, 'bias'));
        break;
      case 'batchnorm':
        attribute.push(float('epsilon', numAttr(layer, 'epsilon', 1e-5)), float('momentum', 0.9));
        for (const r of ['gamma', 'beta', 'mean', 'var']) input.push(weight(layer, r));
        break;
      case 'prelu': {
        const slope = model.tensors.get(layer.weights.slope);
        const n = slope?.data.length ?? 1;
        // ONNX PRelu broadcasts numpy-style: a per-channel slope must be [C,1,1] for NCHW.
        input.push(weight(layer, 'slope', n > 1 && inShape.length === 4 ? [n, 1, 1] : [n]));
        break;
      }
      case 'leakyrelu':
        attribute.push(float('alpha', numAttr(layer, 'alpha', 0.01)));
        break;
      case 'clip':
        for (const k of ['min', 'max'] as const) {
          const v = numAttr(layer, k, k === 'min' ? -3.4028234663852886e38 : 3.4028234663852886e38);
          const init = floatInit(`${base}/${k}`, [], new Float32Array([v]));
          inits.push(init);
          input.push(init.name);
        }
        break;
      case 'maxpool':
      case 'avgpool': {
        const kernel = listAttr(layer, 'kernel', []);
        attribute.push(ints('kernel_shape', kernel), ints('pads', listAttr(layer, 'pads', [0, 0, 0, 0])), ints('strides', listAttr(layer, 'strides', kernel)));
        if (layer.op === 'avgpool') attribute.push(int('count_include_pad', numAttr(layer, 'countIncludePad', 0)), int('ceil_mode', 0));
        else attribute.push(int('ceil_mode', 0));
        break;
      }
      case 'flatten':
        attribute.push(int('axis', numAttr(layer, 'axis', 1)));
        break;
      case 'softmax':
        attribute.push(int('axis', numAttr(layer, 'axis', -1)));
        break;
      case 'reshape': {
        const target = (shapes.get(out) as number[]).slice(1);
        const constOut = `${base}/Constant_output_0`;
        const t = int64Init('', [-1, ...target]);
        nodes.push({ name: `${base}/Constant`, op_type: 'Constant', input: [], output: [constOut], attribute: [{ name: 'value', type: AT.TENSOR, t } as Attr] });
        input.push(constOut);
        break;
      }
      case 'add':
        input.push(valueName(layer.inputs[1]));
        break;
    }
    nodes.push({ name: `${base}/${opType}`, op_type: opType, input, output: [outName], attribute });
  }

  const valueInfo = (name: string, shape: number[]) => ({
    name,
    type: { tensor_type: { elem_type: DT.FLOAT, shape: { dim: [{ dim_param: 'batch' }, ...shape.slice(1).map((d) => ({ dim_value: d }))] } } },
  });
  const inputInfo = valueInfo(g.inputs[0].name, [1, ...g.inputs[0].shape]);
  const outputInfo = g.outputs.map((o) => valueInfo(valueName(o), shapes.get(o) as number[]));
  const proto = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'tritscope',
    producer_version: TOOL_VERSION,
    graph: { name: g.name, node: nodes, initializer: inits, input: [inputInfo], output: outputInfo },
  };
  const type = onnxType('ModelProto');
  const buf = type.encode(type.fromObject(proto)).finish();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // a plain Uint8Array, not a Node Buffer
}
