/**
 * Import state while walking an ONNX graph in topological order: constants
 * (initializers and Constant nodes), dynamic values and their inferred shapes
 * (batch fixed to 1), value aliases (Identity/Dropout, folded bias Adds), and
 * the IR layers and tensors produced so far.
 */
import { ExecutionError, ImportError } from '../../errors';
import type { AttrValue, Layer, OpType } from '../../graph/types';
import { layerOutputShape, OPS, type OnnxImporter } from '../../ops/index';
import type { Tensor } from '../../tensor';
import { dtypeName, tensorDims, tensorFloat32, tensorInts } from './reader';
import type { OnnxNode, OnnxTensor } from './schema';

export class ImportContext implements OnnxImporter {
  readonly consts = new Map<string, OnnxTensor>();
  /** ONNX value name → IR value name (graph input or a layer output). */
  readonly alias = new Map<string, string>();
  readonly shapes = new Map<string, number[]>();
  readonly producer = new Map<string, Layer>();
  readonly layers: Layer[] = [];
  readonly tensors = new Map<string, Tensor>();
  /** How many nodes (and graph outputs) read each ONNX value. */
  readonly readers = new Map<string, number>();
  private readonly layerNames = new Set<string>();
  /** The graph input's batch size when the file fixes it (dim 0 has a value), else undefined. */
  declaredBatch?: number;

  constructor(readonly file: string, readonly opset: number) {}

  nodeLabel(node: OnnxNode): string {
    return `node '${node.name || '(unnamed)'}' (${node.op_type})`;
  }

  fail(node: OnnxNode, detail: string): never {
    throw new ImportError(`${this.file}: ${this.nodeLabel(node)}: ${detail}`);
  }

  isConst(name: string): boolean {
    return this.consts.has(name);
  }

  /** The IR value name of a dynamic (activation) input. */
  dynamic(node: OnnxNode, index: number): string {
    const name = node.input?.[index];
    if (!name) this.fail(node, `input ${index} is missing`);
    const ir = this.alias.get(name);
    if (ir !== undefined) return ir;
    if (this.consts.has(name)) this.fail(node, `input ${index} '${name}' is a constant where an activation was expected`);
    this.fail(node, `input ${index} '${name}' is not a graph input, an initializer or an earlier node's output (missing initializer?)`);
  }

  shapeOf(node: OnnxNode, index: number): number[] {
    const s = this.shapes.get(this.dynamic(node, index));
    if (!s) this.fail(node, `shape of input ${index} could not be inferred`);
    return s;
  }

  private constTensor(node: OnnxNode, index: number, what: string): OnnxTensor {
    const name = node.input?.[index];
    if (!name) this.fail(node, `${what} (input ${index}) is missing`);
    const t = this.consts.get(name);
    if (t) return t;
    if (this.alias.has(name)) this.fail(node, `${what} '${name}' is computed at run time; only constant (initializer) weights are supported`);
    this.fail(node, `${what} '${name}' has no initializer (missing initializer)`);
  }

  constFloat(node: OnnxNode, index: number, what: string): Tensor {
    const t = this.constTensor(node, index, what);
    const data = tensorFloat32({ ...t, name: node.input?.[index] }, this.file, `${this.nodeLabel(node)}: ${what}`);
    return { shape: tensorDims(t), data };
  }

  constInts(node: OnnxNode, index: number, what: string): number[] {
    const t = this.constTensor(node, index, what);
    return tensorInts({ ...t, name: node.input?.[index] }, this.file, `${this.nodeLabel(node)}: ${what}`);
  }

  /** A float scalar from an optional constant input (Clip min/max); undefined when absent. */
  optionalScalar(node: OnnxNode, index: number, what: string): number | undefined {
    const name = node.input?.[index];
    if (!name) return undefined;
    const t = this.constTensor(node, index, what);
    if (t.data_type !== 1) this.fail(node, `${what} has element type ${dtypeName(t)}; expected float32`);
    const v = this.constFloat(node, index, what);
    if (v.data.length !== 1) this.fail(node, `${what} must be a scalar, got dims [${v.shape}]`);
    return v.data[0];
  }

  /** Stores a weight under a unique tensor name (the initializer's name when free). */
  addTensor(preferred: string, t: Tensor): string {
    let name = preferred;
    for (let i = 1; this.tensors.has(name); i++) name = `${preferred}_${i}`;
    this.tensors.set(name, t);
    return name;
  }

  /** Appends an IR layer for `node`, infers its output shape and binds node.output[0] to it. */
  addLayer(node: OnnxNode, op: OpType, inputs: string[], attrs: Record<string, AttrValue>, weights: Record<string, string>): Layer {
    let name = node.name || `${node.op_type}_${this.layers.length}`;
    for (let i = 1; this.layerNames.has(name); i++) name = `${node.name || node.op_type}_${i}`;
    this.layerNames.add(name);
    const out = node.output?.[0];
    if (!out) this.fail(node, 'has no output');
    const layer: Layer = { name, op, inputs, outputs: [out], attrs, weights };
    let shape: number[];
    try {
      shape = layerOutputShape(layer, inputs.map((n) => this.shapes.get(n) ?? []), (role) => {
        const t = weights[role] === undefined ? undefined : this.tensors.get(weights[role]);
        return t?.shape;
      });
    } catch (e) {
      if (e instanceof ExecutionError) this.fail(node, `shapes do not infer: ${e.message}`);
      throw e;
    }
    this.layers.push(layer);
    this.shapes.set(out, shape);
    this.alias.set(out, out);
    this.producer.set(out, layer);
    return layer;
  }

  /** The output axis along which `layer` would take a bias it does not have yet (its op's biasAxis), else undefined. */
  freeBiasAxis(layer: Layer): number | undefined {
    const axis = OPS[layer.op].biasAxis;
    if (axis === undefined || layer.weights.bias !== undefined) return undefined;
    const shape = this.shapes.get(layer.outputs[0]);
    return axis === 'channel' ? 1 : shape ? shape.length - 1 : undefined;
  }

  /** Makes `onnxName` refer to the existing IR value `irName` (Identity, Dropout, folded Add). */
  bindAlias(onnxName: string, irName: string): void {
    this.alias.set(onnxName, irName);
  }
}
