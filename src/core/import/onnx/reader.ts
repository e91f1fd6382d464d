/** Decodes ONNX protobuf bytes and the tensors inside them. */
import { ImportError } from '../../errors';
import { checkedDims, checkOnnxModel } from './checks';
import { DT, DT_NAMES, onnxType, type OnnxAttribute, type OnnxModel, type OnnxTensor } from './schema';

export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  const type = onnxType('ModelProto');
  let msg: protobuf.Message;
  try {
    msg = type.decode(bytes);
  } catch (e) {
    throw new ImportError(`${file}: not a valid ONNX protobuf (ModelProto): ${(e as Error).message}`);
  }
  let model: OnnxModel;
  try {
    model = type.toObject(msg, { longs: Number, enums: Number, bytes: Uint8Array as unknown as StringConstructor, defaults: false, arrays: true }) as OnnxModel;
  } catch (e) {
    throw new ImportError(`${file}: ONNX protobuf fields could not be converted: ${(e as Error).message}`);
  }
  if (!model.graph) throw new ImportError(`${file}: ModelProto has no graph (field 7); is this an ONNX model?`);
  // Dims, data lengths and input sizes, before any converter allocates from them.
  checkOnnxModel(model, file);
  return model;
}

const dims = (t: OnnxTensor): number[] => (t.dims ?? []).map(Number);
export const dtypeName = (t: OnnxTensor): string => DT_NAMES[t.data_type ?? 0] ?? `code ${t.data_type}`;

function raw(t: OnnxTensor): DataView | undefined {
  const r = t.raw_data;
  return r && r.length ? new DataView(r.buffer, r.byteOffset, r.byteLength) : undefined;
}

function checkInline(t: OnnxTensor, file: string): void {
  if (t.data_location === 1) throw new ImportError(`${file}: tensor '${t.name}': external data is not supported (save the model with all tensors inside the .onnx file)`);
}

/** Float32 data of a FLOAT tensor; any other element type is an error naming the tensor. */
export function tensorFloat32(t: OnnxTensor, file: string, what: string): Float32Array {
  checkInline(t, file);
  if (t.data_type !== DT.FLOAT) {
    throw new ImportError(`${file}: ${what} '${t.name}' has element type ${dtypeName(t)}; only float32 (FLOAT) weights are supported`);
  }
  // Lengths are checked before the allocation: a 16-byte tensor must not claim gigabytes.
  const { count: n } = checkedDims(t, file, what);
  const view = raw(t);
  if (view) {
    if (view.byteLength !== n * 4) throw new ImportError(`${file}: ${what} '${t.name}': raw_data holds ${view.byteLength} bytes, dims [${dims(t)}] need ${n * 4}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const src = t.float_data ?? [];
  if (src.length !== n) throw new ImportError(`${file}: ${what} '${t.name}': float_data holds ${src.length} values, dims [${dims(t)}] need ${n}`);
  return Float32Array.from(src);
}

/** Integer data of an INT64/INT32 tensor (shapes, axes) or a BOOL one (0/1); floats are rejected. */
export function tensorInts(t: OnnxTensor, file: string, what: string): number[] {
  checkInline(t, file);
  const { count: n } = checkedDims(t, file, what);
  const view = raw(t);
  const width = t.data_type === DT.INT64 ? 8 : t.data_type === DT.BOOL ? 1 : 4;
  if (view && view.byteLength !== n * width) throw new ImportError(`${file}: ${what} '${t.name}': raw_data holds ${view.byteLength} bytes, dims [${dims(t)}] need ${n * width}`);
  let out: number[];
  if (t.data_type === DT.INT64) {
    out = view ? Array.from({ length: view.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true))) : (t.int64_data ?? []).map(Number);
  } else if (t.data_type === DT.INT32) {
    out = view ? Array.from({ length: view.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true)) : (t.int32_data ?? []).map(Number);
  } else if (t.data_type === DT.BOOL) {
    // Flags such as Dropout's training_mode: one byte per value in raw_data, else int32_data.
    out = view ? Array.from({ length: view.byteLength }, (_, i) => view.getUint8(i)) : (t.int32_data ?? []).map(Number);
  } else {
    throw new ImportError(`${file}: ${what} '${t.name}' has element type ${dtypeName(t)}; expected INT64, INT32 (or BOOL)`);
  }
  if (out.length !== n) throw new ImportError(`${file}: ${what} '${t.name}': holds ${out.length} values, dims [${dims(t)}] need ${n}`);
  return out;
}

export function tensorDims(t: OnnxTensor): number[] {
  return dims(t);
}

/**
 * Attribute lookup by name with typed accessors. It remembers which attributes
 * a converter asked about, so the importer can refuse a node that carries an
 * attribute its converter never looked at (a variant it does not implement)
 * instead of computing something else in silence.
 */
export class Attrs {
  private readonly byName = new Map<string, OnnxAttribute>();
  private readonly seen = new Set<string>();
  constructor(list: OnnxAttribute[] | undefined) {
    for (const a of list ?? []) if (a.name) this.byName.set(a.name, a);
  }
  private get(name: string): OnnxAttribute | undefined {
    this.seen.add(name);
    return this.byName.get(name);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  int(name: string, dflt: number): number {
    const a = this.get(name);
    return a?.i !== undefined ? Number(a.i) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.get(name);
    return a?.f !== undefined ? a.f : dflt;
  }
  ints(name: string): number[] | undefined {
    return this.get(name)?.ints?.map(Number);
  }
  floats(name: string): number[] | undefined {
    return this.get(name)?.floats;
  }
  string(name: string, dflt: string): string {
    const s = this.get(name)?.s;
    return s ? new TextDecoder().decode(s) : dflt;
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.get(name)?.t;
  }
  /** Marks attributes that do not change the result at inference (e.g. BatchNormalization's momentum). */
  accept(...names: string[]): void {
    for (const n of names) this.seen.add(n);
  }
  /** Attributes present on the node that no one asked about. */
  unread(): string[] {
    return [...this.byName.keys()].filter((n) => !this.seen.has(n));
  }
}
