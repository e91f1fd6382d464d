/**
 * ONNX (default-domain opsets 1–21) → FloatModel. Never writes to the source file.
 * Every attribute of every node must be read or accepted by its converter
 * (Attrs.unread): an op variant this importer does not implement, including
 * the legacy attributes of old opsets (Add's broadcast, BatchNormalization's
 * spatial, …), is refused by name, so the wide opset range never means a
 * silently different computation. docs/importers.md lists the conformance
 * cases per opset.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ImportError } from '../../errors';
import { displayModelName } from '../../graph/display-name';
import type { FloatModel } from '../../graph/types';
import { checkInputShape, ONNX_IMPORTERS } from '../../ops/index';
import { ImportContext } from './context';
import { foldShapeOp, SHAPE_FOLDING_OPS } from './shape-folding';
import { Attrs, decodeOnnx, dtypeName } from './reader';
import { DT, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './schema';

/** Ops folded into value aliases rather than layers (no computation at inference). */
const ALIAS_OPS = ['Identity', 'Dropout'];
/** Default-domain opsets accepted (the header above and docs/importers.md say the same; a test checks). */
export const OPSET_RANGE = [1, 21] as const;

/** Op types the importer understands: every op spec's converters, plus the structural ops folded away here. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...new Set([...Object.keys(ONNX_IMPORTERS), ...ALIAS_OPS, 'Constant', ...SHAPE_FOLDING_OPS])].sort();

export async function importOnnxFile(file: string): Promise<FloatModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ImportError(`${file}: cannot read: ${(e as Error).message}`);
  }
  return importOnnxBytes(bytes, file);
}

function defaultOpset(model: OnnxModel, file: string): number {
  const entry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry?.version) throw new ImportError(`${file}: opset_import has no entry for the default ONNX domain`);
  return Number(entry.version);
}

/** The value of a Constant node as a tensor (value, value_float(s), value_int(s)). */
function constantValue(ctx: ImportContext, node: OnnxNode, a: Attrs): OnnxTensor {
  const t = a.tensor('value');
  if (t) return t;
  const fl = a.has('value_float') ? [a.float('value_float', 0)] : a.floats('value_floats');
  if (fl) return { dims: a.has('value_float') ? [] : [fl.length], data_type: DT.FLOAT, float_data: fl };
  const ints = a.has('value_int') ? [a.int('value_int', 0)] : a.ints('value_ints');
  if (ints) return { dims: a.has('value_int') ? [] : [ints.length], data_type: DT.INT64, int64_data: ints };
  ctx.fail(node, 'Constant without a supported value attribute (value, value_float(s), value_int(s))');
}

/**
 * Identity/Dropout (inference): output = input, a constant or an activation alike.
 * Dropout in training mode drops and rescales at random, so it is refused unless
 * its ratio is a constant 0 (then it is the identity in both modes).
 */
function aliasNode(ctx: ImportContext, node: OnnxNode, a: Attrs): void {
  if (node.op_type === 'Dropout') {
    a.accept('seed', 'ratio'); // the ratio only matters in training mode, checked below
    if (a.has('is_test') && a.int('is_test', 0) === 0) ctx.fail(node, "attribute 'is_test' is 0 (training mode, opset < 7): random dropout is not an inference op");
    const training = node.input?.[2];
    if (training) {
      if (!ctx.isConst(training)) ctx.fail(node, `input 2 'training_mode' ('${training}') is computed at run time; only a constant training_mode is supported`);
      const on = ctx.constInts(node, 2, 'training_mode')[0] !== 0;
      const ratio = on && node.input?.[1] ? ctx.optionalScalar(node, 1, 'ratio') : 0.5;
      if (on && ratio !== 0) ctx.fail(node, `input 2 'training_mode' is true: training-mode Dropout (ratio ${ratio}) zeroes and rescales at random and is not a no-op; export the model in eval mode`);
    }
    if (node.output?.[1] && ctx.readers.get(node.output[1])) ctx.fail(node, 'the Dropout mask output is not supported');
  }
  const input = node.input?.[0];
  if (input && ctx.isConst(input)) {
    ctx.consts.set(node.output?.[0] as string, ctx.consts.get(input) as OnnxTensor);
    return;
  }
  ctx.bindAlias(node.output?.[0] as string, ctx.dynamic(node, 0));
}

/** Shape arithmetic on an activation: the ops SHAPE_FOLDING_OPS lists fold only on constants, unless a spec also converts them. */
function notFoldable(ctx: ImportContext, node: OnnxNode): never {
  const dyn = (node.input ?? []).findIndex((n) => n && !ctx.isConst(n));
  ctx.fail(node, `'${node.op_type}' is supported on constants (shape arithmetic, folded at import)${dyn >= 0 ? `; input ${dyn} '${node.input?.[dyn]}' is an activation` : ''}`);
}

function inputShape(file: string, vi: OnnxValueInfo): number[] {
  const tt = vi.type?.tensor_type;
  if (!tt) throw new ImportError(`${file}: graph input '${vi.name}' is not a tensor`);
  if (tt.elem_type !== DT.FLOAT) throw new ImportError(`${file}: graph input '${vi.name}' has element type ${dtypeName({ data_type: tt.elem_type })}; expected float32`);
  const dims = tt.shape?.dim ?? [];
  if (dims.length < 2) throw new ImportError(`${file}: graph input '${vi.name}' has rank ${dims.length}; expected a batch dimension followed by the sample shape`);
  return dims.slice(1).map((d, i) => {
    const v = d.dim_value === undefined ? NaN : Number(d.dim_value);
    if (!(v > 0)) throw new ImportError(`${file}: graph input '${vi.name}' dimension ${i + 1} is '${d.dim_param ?? '?'}'; only the batch dimension may be symbolic (shapes do not infer)`);
    return v;
  });
}

export function importOnnxBytes(bytes: Uint8Array, file: string): FloatModel {
  const model = decodeOnnx(bytes, file);
  const g = model.graph as NonNullable<OnnxModel['graph']>;
  const opset = defaultOpset(model, file);
  if (opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1]) throw new ImportError(`${file}: default-domain opset ${opset} is outside the supported range ${OPSET_RANGE.join('–')}`);
  const ctx = new ImportContext(file, opset);
  for (const t of g.initializer ?? []) if (t.name) ctx.consts.set(t.name, t);
  const inputs = (g.input ?? []).filter((vi) => vi.name && !ctx.consts.has(vi.name));
  if (inputs.length !== 1) {
    throw new ImportError(`${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ') || 'none'}); only models with exactly one input are supported`);
  }
  const inName = inputs[0].name as string;
  const sampleShape = inputShape(file, inputs[0]);
  try {
    checkInputShape(inName, sampleShape);
  } catch (e) {
    throw new ImportError(`${file}: ${(e as Error).message}`);
  }
  ctx.alias.set(inName, inName);
  ctx.shapes.set(inName, [1, ...sampleShape]);
  const batch = Number(inputs[0].type?.tensor_type?.shape?.dim?.[0]?.dim_value);
  if (batch > 0) ctx.declaredBatch = batch;
  const nodes = g.node ?? [];
  for (const n of nodes) for (const i of n.input ?? []) if (i) ctx.readers.set(i, (ctx.readers.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) if (o.name) ctx.readers.set(o.name, (ctx.readers.get(o.name) ?? 0) + 1);

  for (const node of nodes) {
    const op = node.op_type ?? '';
    if (node.domain && node.domain !== 'ai.onnx') {
      ctx.fail(node, `custom-domain op '${node.domain}.${op}' is not supported; supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`);
    }
    const attrs = new Attrs(node.attribute);
    attrs.accept('consumed_inputs'); // opset < 6: an in-place memory hint, no effect on the values
    if (op === 'Constant') ctx.consts.set(node.output?.[0] as string, constantValue(ctx, node, attrs));
    else if (ALIAS_OPS.includes(op)) aliasNode(ctx, node, attrs);
    else if (!foldShapeOp(ctx, node, attrs)) {
      const convert = ONNX_IMPORTERS[op];
      if (convert) convert(ctx, node, attrs);
      else if ((SHAPE_FOLDING_OPS as readonly string[]).includes(op)) notFoldable(ctx, node);
      else throw new ImportError(`${file}: ${ctx.nodeLabel(node)}: unsupported op type '${op}'; supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`);
    }
    const unread = attrs.unread();
    if (unread.length) ctx.fail(node, `attribute${unread.length > 1 ? 's' : ''} ${unread.map((n) => `'${n}'`).join(', ')} not supported (this variant of ${op} is not implemented)`);
  }

  const outputs = (g.output ?? []).map((o) => {
    const ir = ctx.alias.get(o.name as string);
    if (!ir && ctx.isConst(o.name as string)) throw new ImportError(`${file}: graph output '${o.name}' is a constant (folded at import, e.g. a Shape); a graph output must be computed from the input`);
    if (!ir) throw new ImportError(`${file}: graph output '${o.name}' is not computed from the input (missing)`);
    return ir;
  });
  if (outputs.length === 0) throw new ImportError(`${file}: the graph declares no outputs`);
  return {
    graph: { name: displayModelName(g.name, file), inputs: [{ name: inName, shape: sampleShape }], outputs, layers: ctx.layers },
    tensors: ctx.tensors,
    source: { file, sha256: createHash('sha256').update(bytes).digest('hex'), format: 'onnx' },
  };
}
