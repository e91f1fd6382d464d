/**
 * Constant folding of the shape arithmetic PyTorch emits for `x.view(x.size(0), -1)`
 * (Shape → Gather → Unsqueeze → Concat → Reshape). Activation shapes are known
 * at import time except the batch, which folds to the BATCH_DIM marker; Reshape
 * accepts it as the leading dim. On activations, Squeeze/Unsqueeze become
 * reshapes and Cast to float an alias (their op specs' converters); Gather and
 * Concat-with-constants are refused by the importer.
 */
import { BATCH_DIM } from '../../ops/index';
import type { ImportContext } from './context';
import { dtypeName, tensorDims, type Attrs } from './reader';
import { DT, type OnnxNode, type OnnxTensor } from './schema';

export { BATCH_DIM };

export const SHAPE_FOLDING_OPS = ['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast'] as const;

const ints = (dims: number[], values: number[]): OnnxTensor => ({ dims, data_type: DT.INT64, int64_data: values });

/** Folds `node` into a constant when it is shape arithmetic on known values; false when it is not foldable. */
export function foldShapeOp(ctx: ImportContext, node: OnnxNode, a: Attrs): boolean {
  const op = node.op_type as string;
  if (!(SHAPE_FOLDING_OPS as readonly string[]).includes(op)) return false;
  const inputs = node.input ?? [];
  const out = node.output?.[0];
  if (!out) return false;
  if (op === 'Shape') {
    if (ctx.isConst(inputs[0])) return false;
    const shape = [...ctx.shapeOf(node, 0)];
    shape[0] = BATCH_DIM;
    const rank = shape.length;
    const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const sliced = shape.slice(norm(a.int('start', 0)), norm(a.int('end', rank)));
    ctx.consts.set(out, ints([sliced.length], sliced));
    return true;
  }
  // Every other op folds only when its data inputs are constants.
  const present = inputs.filter((i) => i);
  if (!present.every((i) => ctx.isConst(i))) return false;
  const vals = (i: number, what: string): number[] => ctx.constInts(node, i, what);
  const dims = (i: number): number[] => tensorDims(ctx.consts.get(inputs[i]) as OnnxTensor);
  switch (op) {
    case 'Gather': {
      if (a.int('axis', 0) !== 0 || dims(0).length !== 1) ctx.fail(node, 'only Gather on a 1-D shape tensor along axis 0 is supported');
      const data = vals(0, 'data');
      const idx = vals(1, 'indices').map((i) => data[i < 0 ? i + data.length : i]);
      if (idx.some((v) => v === undefined)) ctx.fail(node, `index out of range for shape tensor [${data}]`);
      ctx.consts.set(out, ints(dims(1), idx));
      return true;
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const values = vals(0, 'data');
      const axes = ctx.opset >= 13 ? (inputs[1] ? vals(1, 'axes') : []) : (a.ints('axes') ?? []);
      let d = dims(0);
      if (op === 'Unsqueeze') {
        const rank = d.length + axes.length;
        const norm = axes.map((x) => (x < 0 ? x + rank : x)).sort((p, q) => p - q);
        for (const ax of norm) d = [...d.slice(0, ax), 1, ...d.slice(ax)];
      } else {
        const norm = axes.map((x) => (x < 0 ? x + d.length : x));
        d = d.filter((v, i) => (norm.length ? !norm.includes(i) : v !== 1));
      }
      ctx.consts.set(out, ints(d, values));
      return true;
    }
    case 'Concat': {
      const axis = a.int('axis', 0);
      if (present.some((_, i) => dims(i).length !== 1) || (axis !== 0 && axis !== -1)) ctx.fail(node, 'only Concat of 1-D shape tensors (axis 0) is supported on constants');
      const values = present.flatMap((_, i) => vals(i, `input ${i}`));
      ctx.consts.set(out, ints([values.length], values));
      return true;
    }
    case 'Cast': {
      const to = a.int('to', 0);
      const from = (ctx.consts.get(inputs[0]) as OnnxTensor).data_type;
      const isInt = (t: number | undefined): boolean => t === DT.INT64 || t === DT.INT32;
      if (isInt(to) && isInt(from)) ctx.consts.set(out, ints(dims(0), vals(0, 'input')));
      else if (to === DT.FLOAT && (from === DT.FLOAT || isInt(from))) {
        const data = from === DT.FLOAT ? Array.from(ctx.constFloat(node, 0, 'input').data) : vals(0, 'input');
        ctx.consts.set(out, { dims: dims(0), data_type: DT.FLOAT, float_data: data });
      } else ctx.fail(node, `Cast of a constant from ${dtypeName({ data_type: from })} to ${dtypeName({ data_type: to })} is not supported (INT32/INT64 to either, or to FLOAT)`);
      return true;
    }
  }
  return false;
}
