/**
 * What an op module's ONNX converters and exporter may ask of the ONNX importer
 * (src/core/import/onnx/context.ts implements OnnxImporter) and exporter
 * (src/core/export/onnx.ts implements OnnxExportContext), plus the small pure
 * helpers several converters share. Types only otherwise: op modules never load
 * the protobuf schema.
 */
import type { AttrValue, Layer, OpType } from '../graph/types';
import type { Tensor } from '../tensor';

/** The fields of an ONNX NodeProto a converter reads. */
export interface OnnxNodeRef {
  name?: string;
  op_type?: string;
  input?: string[];
  output?: string[];
}

/** Typed access to a node's attributes. */
export interface OnnxAttrs {
  has(name: string): boolean;
  int(name: string, dflt: number): number;
  float(name: string, dflt: number): number;
  ints(name: string): number[] | undefined;
  string(name: string, dflt: string): string;
  /** Declares attributes that do not change the result at inference; any attribute neither read nor accepted is refused. */
  accept(...names: string[]): void;
}

/** The import state while walking an ONNX graph in topological order (batch fixed to 1). */
export interface OnnxImporter {
  readonly opset: number;
  /** The graph input's batch size when the file fixes it (dim 0 has a value): a Reshape target may name it. */
  readonly declaredBatch?: number;
  /** Inferred shape of each IR value (batch included). */
  readonly shapes: ReadonlyMap<string, number[]>;
  /** How many nodes (and graph outputs) read each ONNX value. */
  readonly readers: ReadonlyMap<string, number>;
  /** The IR layer producing each IR value. */
  readonly producer: ReadonlyMap<string, Layer>;
  /** Throws ImportError naming the file and the node. */
  fail(node: OnnxNodeRef, detail: string): never;
  isConst(name: string): boolean;
  /** The IR value name of an activation input. */
  dynamic(node: OnnxNodeRef, index: number): string;
  shapeOf(node: OnnxNodeRef, index: number): number[];
  constFloat(node: OnnxNodeRef, index: number, what: string): Tensor;
  constInts(node: OnnxNodeRef, index: number, what: string): number[];
  /** A float scalar from an optional constant input; undefined when absent. */
  optionalScalar(node: OnnxNodeRef, index: number, what: string): number | undefined;
  /** Stores a weight under a unique tensor name (the preferred one when free). */
  addTensor(preferred: string, t: Tensor): string;
  /** Appends an IR layer, infers its output shape and binds node.output[0] to it. */
  addLayer(node: OnnxNodeRef, op: OpType, inputs: string[], attrs: Record<string, AttrValue>, weights: Record<string, string>): Layer;
  /** Makes an ONNX value name refer to an existing IR value. */
  bindAlias(onnxName: string, irName: string): void;
  /** The output axis along which `layer` takes a bias it does not have yet (its op's biasAxis), else undefined. */
  freeBiasAxis(layer: Layer): number | undefined;
}

export type OnnxConverter = (ctx: OnnxImporter, node: OnnxNodeRef, a: OnnxAttrs) => void;

/** An ONNX AttributeProto as the exporter writes it. */
export interface OnnxAttrOut {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints?: number[];
  s?: Uint8Array;
}

/** What an op's exporter may ask while the whole model is written (PyTorch's layout, opset 17). */
export interface OnnxExportContext {
  /** ONNX value name of the layer's input `i`. */
  input(i: number): string;
  /** Shape of input `i` / of the output, batch included (1). */
  inputShape(i: number): number[];
  readonly outputShape: number[];
  weightShape(role: string): number[] | undefined;
  /** Writes weight `role` as an initializer once (optionally with other dims) and returns its name. */
  weight(role: string, dims?: number[]): string;
  /** A float initializer private to this node, named after it. */
  floatConst(suffix: string, dims: number[], values: number[]): string;
  /** An INT64 vector emitted as a Constant node before this one (as PyTorch writes Reshape targets); returns its output. */
  int64Constant(values: number[]): string;
  int(name: string, v: number): OnnxAttrOut;
  ints(name: string, v: number[]): OnnxAttrOut;
  float(name: string, v: number): OnnxAttrOut;
  string(name: string, v: string): OnnxAttrOut;
  fail(detail: string): never;
}

export type OnnxExportRule =
  | { opType: string; build(layer: Layer, e: OnnxExportContext): { inputs: string[]; attributes: OnnxAttrOut[] } }
  | { notExported: string };

/** TensorProto.DataType names by code, for messages. */
export const ONNX_ELEMENT_TYPES = ['UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16'];

/** Clip's open bounds in ONNX files; IR attributes must stay JSON-serializable (no ±Infinity). */
export const FLOAT_MAX = 3.4028234663852886e38;

export function transpose2d(t: Tensor): Tensor {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data: out };
}

/** A 2-D attribute (strides, dilations, kernel_shape): only 2-D ops are supported. */
export function pair(ctx: OnnxImporter, node: OnnxNodeRef, a: OnnxAttrs, key: string, dflt: number[]): number[] {
  const v = a.ints(key) ?? dflt;
  if (v.length !== 2) ctx.fail(node, `attribute '${key}' must hold 2 values (only 2-D ops are supported), got [${v}]`);
  return v;
}

/**
 * Explicit [top,left,bottom,right] pads from auto_pad or pads (ONNX order is begins then ends).
 * SAME_*: total = max(0, (⌈in/s⌉ − 1)·s + (k − 1)·d + 1 − in) per axis (ONNX Conv spec).
 */
export function resolvePads(ctx: OnnxImporter, node: OnnxNodeRef, a: OnnxAttrs, inHW: number[], kernel: number[], strides: number[], dil: number[]): number[] {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = a.ints('pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) ctx.fail(node, `pads must hold 4 values for 2-D ops, got [${pads}]`);
    return pads;
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') ctx.fail(node, `auto_pad '${autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  const begin: number[] = [], end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = Math.ceil(inHW[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - inHW[i]);
    const small = Math.floor(total / 2);
    // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
    begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
    end.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [begin[0], begin[1], end[0], end[1]];
}

/**
 * A constant operand of a broadcasting op (Mul, Add, PRelu's slope) right-aligned to the
 * activation's rank, as numpy broadcasting aligns dims: a [C,1,1] constant beside [N,C,H,W]
 * becomes [1,C,1,1]. IR constants never vary over the batch, so its leading dim must be 1.
 */
export function alignedConstant(ctx: OnnxImporter, node: OnnxNodeRef, index: number, xs: readonly number[], what: string): Tensor {
  const c = ctx.constFloat(node, index, what);
  if (c.shape.length > xs.length) ctx.fail(node, `${what} of dims [${c.shape}] has a higher rank than the activation [${xs}]`);
  const shape = [...new Array<number>(xs.length - c.shape.length).fill(1), ...c.shape];
  if (shape[0] !== 1) ctx.fail(node, `${what} of dims [${c.shape}] varies along the batch axis of [${xs}]; only constants broadcast over the batch are supported`);
  if (shape.some((d, i) => d !== 1 && d !== xs[i])) ctx.fail(node, `${what} of dims [${c.shape}] does not broadcast to the activation [${xs}]`);
  return { shape, data: c.data };
}

/** Which of a binary node's two inputs is a constant (0 or 1), or −1 when both are activations. */
export function constantSide(ctx: OnnxImporter, node: OnnxNodeRef): number {
  const [i0, i1] = node.input ?? [];
  return ctx.isConst(i0) ? 0 : ctx.isConst(i1) ? 1 : -1;
}

/** Stands for "the batch size" inside folded shape tensors (import/onnx/shape-folding.ts); Reshape accepts it as the leading dim. */
export const BATCH_DIM = -(2 ** 40);
