/**
 * Checks on a decoded ONNX model that run before any tensor is materialized:
 * dims are non-negative integers with a bounded product, each tensor's stored
 * data has exactly the length its dims need, and graph inputs have a sane
 * element count. A 16-byte tensor that claims dims [1e12] fails here, naming
 * the file and the tensor, instead of allocating 4 TB later.
 */
import { ImportError } from '../../errors';
import { boundedProduct, MAX_INPUT_ELEMENTS, MAX_TENSOR_ELEMENTS } from '../../limits';
import { clip } from '../../text';
import { DT_NAMES, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from './schema';

/** Bytes per element of raw_data, by TensorProto.DataType (STRING and complex types are not checked). */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** Which repeated field carries the values when raw_data is absent (onnx.proto3, TensorProto comments). */
function typedField(t: OnnxTensor): unknown[] | undefined {
  const r = t as OnnxTensor & { uint64_data?: unknown[] };
  switch (t.data_type) {
    case 1: return r.float_data;
    case 7: return r.int64_data;
    case 11: return r.double_data;
    case 12: case 13: return r.uint64_data;
    default: return r.int32_data; // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16
  }
}

const tensorLabel = (t: OnnxTensor, what: string): string => `${what} '${clip(t.name ?? '', 80)}'`;

/** The dims of `t` as numbers, each a non-negative integer, and their product within MAX_TENSOR_ELEMENTS. */
export function checkedDims(t: OnnxTensor, file: string, what: string): { dims: number[]; count: number } {
  const dims = (t.dims ?? []).map(Number);
  dims.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new ImportError(`${file}: ${tensorLabel(t, what)}: dims[${i}] is ${d}; expected a non-negative integer`);
  });
  const count = boundedProduct(dims, MAX_TENSOR_ELEMENTS);
  if (count === Infinity) throw new ImportError(`${file}: ${tensorLabel(t, what)}: dims [${dims.join(',')}] have more than ${MAX_TENSOR_ELEMENTS} elements`);
  return { dims, count };
}

/** Dims, and the stored data's length against them; no data is copied or converted. */
export function checkTensor(t: OnnxTensor, file: string, what: string): void {
  const { dims, count } = checkedDims(t, file, what);
  if (t.data_location === 1) return; // external data: refused where the tensor is used, with its own message
  const size = ELEMENT_BYTES[t.data_type ?? 0];
  if (size === undefined) return;
  const raw = t.raw_data;
  const label = `${file}: ${tensorLabel(t, what)} (${DT_NAMES[t.data_type ?? 0]}, dims [${dims.join(',')}])`;
  if (raw && raw.length) {
    if (raw.length !== count * size) throw new ImportError(`${label}: raw_data holds ${raw.length} bytes, the dims need ${count * size}`);
    return;
  }
  const values = typedField(t)?.length ?? 0;
  // FLOAT16/BFLOAT16 travel one per int32_data entry, so the count is the same.
  if (values !== count) throw new ImportError(`${label}: holds ${values} values, the dims need ${count}`);
}

function checkInput(vi: OnnxValueInfo, file: string): void {
  const dims = vi.type?.tensor_type?.shape?.dim ?? [];
  const values = dims.map((d, i) => {
    if (d.dim_value === undefined) return 1; // symbolic (dim_param): the batch dimension, resolved to 1 at run time
    const v = Number(d.dim_value);
    if (!Number.isSafeInteger(v) || v < 0) throw new ImportError(`${file}: graph input '${clip(vi.name ?? '', 80)}': dimension ${i} is ${v}; expected a non-negative integer`);
    return v;
  });
  if (boundedProduct(values, MAX_INPUT_ELEMENTS) === Infinity) {
    throw new ImportError(`${file}: graph input '${clip(vi.name ?? '', 80)}': shape [${values.join(',')}] has more than ${MAX_INPUT_ELEMENTS} elements; no model Tritscope can run takes such an input`);
  }
}

/** Every initializer, every tensor-valued node attribute and every graph input, checked once after decoding. */
export function checkOnnxModel(model: OnnxModel, file: string): void {
  const g = model.graph;
  if (!g) return;
  for (const t of g.initializer ?? []) checkTensor(t, file, 'initializer');
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      const at = a as typeof a & { tensors?: OnnxTensor[] };
      const what = `attribute '${clip(a.name ?? '', 40)}' of node '${clip(n.name || n.op_type || '', 80)}', tensor`;
      if (a.t) checkTensor(a.t, file, what);
      for (const t of at.tensors ?? []) checkTensor(t, file, what);
    }
  }
  for (const vi of g.input ?? []) checkInput(vi, file);
}
