/**
 * Builds ONNX ModelProto bytes for tests from plain objects (via the embedded
 * schema), plus a minimal hand-rolled protobuf encoder that does not use the
 * schema at all (to check our field numbers against independently written bytes).
 */
import { onnxType } from '../../../src/core/import/onnx/schema';

export const FLOAT = 1, INT64 = 7;
export type Obj = Record<string, unknown>;

export const f32 = (name: string, dims: number[], values: number[]): Obj => ({ name, dims, data_type: FLOAT, float_data: values });
export const i64 = (name: string, values: number[]): Obj => ({ name, dims: [values.length], data_type: INT64, int64_data: values });
export const vi = (name: string, dims: (number | string)[]): Obj => ({
  name,
  type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
});
export const node = (op_type: string, input: string[], output: string[], attribute: Obj[] = [], name = `${op_type}_${output[0]}`): Obj => ({ op_type, input, output, attribute, name });
export const aInt = (name: string, i: number): Obj => ({ name, type: 2, i });
export const aInts = (name: string, ints: number[]): Obj => ({ name, type: 7, ints });
export const aFloat = (name: string, f: number): Obj => ({ name, type: 1, f });
export const aStr = (name: string, s: string): Obj => ({ name, type: 3, s: new TextEncoder().encode(s) });
export const aTensor = (name: string, t: Obj): Obj => ({ name, type: 4, t });

export function modelBytes(graph: Obj, opset = 17): Uint8Array {
  const type = onnxType('ModelProto');
  const buf = type.encode(type.fromObject({ ir_version: 8, opset_import: [{ domain: '', version: opset }], producer_name: 'test', graph })).finish();
  return new Uint8Array(buf);
}

// --- independent encoder: tag = field << 3 | wire type (0 varint, 2 length-delimited) ---
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
export const pbVarint = (field: number, v: number): number[] => [...varint((field << 3) | 0), ...varint(v)];
export const pbBytes = (field: number, bytes: number[]): number[] => [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
export const pbString = (field: number, s: string): number[] => pbBytes(field, Array.from(new TextEncoder().encode(s)));
