/**
 * FloatModel → ONNX bytes, laid out the way PyTorch's exporter does (opset 17,
 * ir_version 8, Conv with bias, BatchNormalization, Gemm transB=1, initializers
 * named like `conv1.weight`, nodes like `/conv1/Conv`, reshape targets from
 * Constant nodes). producer_name is honestly "tritscope". Each op writes its own
 * node (its spec's onnx.export); this module names values and assembles the
 * graph. Used to build ONNX fixtures offline and to export the sample model.
 */
import { ImportError } from '../errors';
import type { FloatModel, Graph, Layer } from '../graph/types';
import { AT, DT, onnxType } from '../import/onnx/schema';
import { inferShapes, specOf, type OnnxAttrOut, type OnnxExportContext } from '../ops/index';
import type { Tensor } from '../tensor';
import { TOOL_VERSION } from '../version';

type Node = { name: string; op_type: string; input: string[]; output: string[]; attribute: (OnnxAttrOut | { name: string; type: number; t: Init })[] };
type Init = { name: string; dims: number[]; data_type: number; raw_data: Uint8Array };

function floatInit(name: string, dims: number[], data: ArrayLike<number>): Init {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return { name, dims, data_type: DT.FLOAT, raw_data: raw };
}

function int64Init(name: string, values: number[]): Init {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: DT.INT64, raw_data: raw };
}

/** The graph under construction: nodes, initializers (each weight once) and the IR → ONNX value names. */
class OnnxGraphBuilder {
  readonly nodes: Node[] = [];
  readonly inits: Init[] = [];
  private readonly written = new Set<string>();
  private readonly rename: Map<string, string>;
  private readonly finalOutputs: Set<string>;

  constructor(readonly model: FloatModel, readonly shapes: Map<string, number[]>) {
    const g = model.graph;
    this.rename = new Map([[g.inputs[0].name, g.inputs[0].name]]);
    this.finalOutputs = new Set(g.outputs);
  }

  valueName(v: string): string {
    return this.rename.get(v) ?? v;
  }

  fail(layer: Layer, detail: string): never {
    throw new ImportError(`export of '${this.model.graph.name}' to ONNX: layer '${layer.name}' (${layer.op}): ${detail}`);
  }

  /** Step 2: one layer → its node (and any Constant node or private initializer it needs). */
  addLayer(layer: Layer): void {
    const rule = specOf(layer).onnx.export;
    if ('notExported' in rule) this.fail(layer, `has no ONNX equivalent: ${rule.notExported}`);
    if (layer.weightQuant || layer.actQuant) this.fail(layer, 'is ternary; export the float model instead');
    const base = `/${layer.name}`;
    const out = layer.outputs[0];
    // PyTorch names intermediate values /<module>/<Op>_output_0; graph input and outputs keep their names.
    const outName = this.finalOutputs.has(out) ? out : `${base}/${rule.opType}_output_0`;
    const built = rule.build(layer, this.context(layer, base));
    this.rename.set(out, outName);
    this.nodes.push({ name: `${base}/${rule.opType}`, op_type: rule.opType, input: built.inputs, output: [outName], attribute: built.attributes });
  }

  private context(layer: Layer, base: string): OnnxExportContext {
    const tensorOf = (role: string): Tensor | undefined => (layer.weights[role] === undefined ? undefined : this.model.tensors.get(layer.weights[role]));
    return {
      input: (i) => this.valueName(layer.inputs[i]),
      inputShape: (i) => this.shapes.get(layer.inputs[i]) as number[],
      outputShape: this.shapes.get(layer.outputs[0]) as number[],
      weightShape: (role) => tensorOf(role)?.shape,
      weight: (role, dims) => {
        const name = layer.weights[role];
        const t = tensorOf(role);
        if (!t || name === undefined) return this.fail(layer, `weight '${role}' is missing`);
        if (!this.written.has(name)) {
          this.inits.push(floatInit(name, dims ?? t.shape, t.data));
          this.written.add(name);
        }
        return name;
      },
      floatConst: (suffix, dims, values) => {
        const init = floatInit(`${base}/${suffix}`, dims, values);
        this.inits.push(init);
        return init.name;
      },
      int64Constant: (values) => {
        const output = `${base}/Constant_output_0`;
        this.nodes.push({ name: `${base}/Constant`, op_type: 'Constant', input: [], output: [output], attribute: [{ name: 'value', type: AT.TENSOR, t: int64Init('', values) }] });
        return output;
      },
      int: (name, i) => ({ name, type: AT.INT, i }),
      ints: (name, v) => ({ name, type: AT.INTS, ints: v }),
      float: (name, f) => ({ name, type: AT.FLOAT, f }),
      string: (name, s) => ({ name, type: AT.STRING, s: new TextEncoder().encode(s) }),
      fail: (detail) => this.fail(layer, detail),
    };
  }
}

/** Step 1: every value's shape at batch 1 (exporters need input and output shapes). */
function shapesOf(model: FloatModel): Map<string, number[]> {
  return inferShapes(model.graph, (layer, role) => {
    const n = layer.weights[role];
    return n === undefined ? undefined : model.tensors.get(n)?.shape;
  });
}

/** Step 3: the ModelProto around the nodes, with a symbolic batch dim on the graph's input and outputs. */
function modelProto(g: Graph, b: OnnxGraphBuilder): object {
  const valueInfo = (name: string, shape: number[]) => ({
    name,
    type: { tensor_type: { elem_type: DT.FLOAT, shape: { dim: [{ dim_param: 'batch' }, ...shape.slice(1).map((d) => ({ dim_value: d }))] } } },
  });
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'tritscope',
    producer_version: TOOL_VERSION,
    graph: {
      name: g.name,
      node: b.nodes,
      initializer: b.inits,
      input: [valueInfo(g.inputs[0].name, [1, ...g.inputs[0].shape])],
      output: g.outputs.map((o) => valueInfo(b.valueName(o), b.shapes.get(o) as number[])),
    },
  };
}

/** Step 4: protobuf bytes, as a plain Uint8Array (not a Node Buffer). */
function encode(proto: object): Uint8Array {
  const type = onnxType('ModelProto');
  const buf = type.encode(type.fromObject(proto)).finish();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function exportOnnx(model: FloatModel): Uint8Array {
  const builder = new OnnxGraphBuilder(model, shapesOf(model));
  for (const layer of model.graph.layers) builder.addLayer(layer);
  return encode(modelProto(model.graph, builder));
}
