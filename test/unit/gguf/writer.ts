/**
 * Test-side GGUF writer and reference quantizers. The quantizers follow the
 * arithmetic of llama.cpp `ggml/src/ggml-quants.c` `quantize_row_tq1_0_ref` and
 * `quantize_row_tq2_0_ref` (float32 products, lroundf, the 256/243 ceiling
 * rescale), so a file written here is what llama-quantize would write for the
 * same values. Used by the unit tests and by scripts/bench-editor.mjs --gguf.
 */
import { numberToF16 } from '../../../src/core/weights/half';

export const QK_K = 256;
const f = Math.fround;
/** C lroundf: nearest, halves away from zero. */
const lroundf = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

function blockAmax(x: Float32Array, at: number): number {
  let amax = 0;
  for (let j = 0; j < QK_K; j++) amax = Math.max(amax, Math.abs(x[at + j]));
  return f(amax);
}

/** quantize_row_tq1_0_ref: 54 bytes per 256 values (qs[48] 5 trits/byte, qh[4] 4 trits/byte, f16 d). */
export function quantizeTq1_0Ref(x: Float32Array): Uint8Array {
  if (x.length % QK_K) throw new RangeError('length must be a multiple of 256');
  const nb = x.length / QK_K;
  const out = new Uint8Array(nb * 54);
  for (let i = 0; i < nb; i++) {
    const xb = i * QK_K;
    const d = blockAmax(x, xb);
    const id = d ? f(1 / d) : 0;
    const y = i * 54;
    const digit = (k: number) => lroundf(f(x[xb + k] * id)) + 1; // -1, 0, 1 -> 0, 1, 2
    const ceil243 = (q: number) => Math.floor((q * 256 + 242) / 243);
    let k = 0;
    // 5 elements per byte along 32 bytes, then along 16 bytes: element m + n·span of the chunk is digit n (most significant first).
    for (const [first, span] of [[0, 32], [32, 16]] as const) {
      for (let m = 0; m < span; m++) {
        let q = 0;
        for (let n = 0; n < 5; n++) q = q * 3 + digit(k + m + n * span);
        out[y + first + m] = ceil243(q);
      }
      k += 5 * span;
    }
    // 4 elements per byte in qh, then one more ×3 so the first value is the most significant trit.
    for (let j = 0; j < 4; j++) {
      let q = 0;
      for (let m = 0; m < 4; m++) q = q * 3 + digit(k + j + m * 4);
      out[y + 48 + j] = ceil243(q * 3);
    }
    const h = numberToF16(d);
    out[y + 52] = h & 0xff;
    out[y + 53] = h >> 8;
  }
  return out;
}

/** quantize_row_tq2_0_ref: 66 bytes per 256 values (qs[64] four 2-bit codes per byte, f16 d). */
export function quantizeTq2_0Ref(x: Float32Array): Uint8Array {
  if (x.length % QK_K) throw new RangeError('length must be a multiple of 256');
  const nb = x.length / QK_K;
  const out = new Uint8Array(nb * 66);
  for (let i = 0; i < nb; i++) {
    const xb = i * QK_K;
    const d = blockAmax(x, xb);
    const id = d ? f(1 / d) : 0;
    const y = i * 66;
    for (let j = 0; j < 64; j += 32)
      for (let m = 0; m < 32; m++) {
        let q = 0;
        for (let n = 0; n < 4; n++) q += ((lroundf(f(x[xb + 4 * j + m + n * 32] * id)) + 1) & 3) << (2 * n);
        out[y + j + m] = q;
      }
    const h = numberToF16(d);
    out[y + 64] = h & 0xff;
    out[y + 65] = h >> 8;
  }
  return out;
}

/** Values trit·scale[block] (a scale per 256-weight block), the input the reference quantizers turn back into these trits. */
export function tritsTimesBlockScales(trits: Int8Array, scales: number[] | Float32Array): Float32Array {
  return Float32Array.from(trits, (t, k) => t * scales[Math.floor(k / QK_K)]);
}

export type KvValue =
  | { type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'bool'; value: number | boolean }
  | { type: 'u64' | 'i64'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'array'; elementType: string; value: unknown[] };

const TYPE_IDS: Record<string, number> = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 };

class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array) {
    this.parts.push(b);
    this.length += b.length;
  }
  num(type: string, v: number | bigint | boolean) {
    const size = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8 }[type]!;
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    switch (type) {
      case 'u8': case 'bool': dv.setUint8(0, Number(v)); break;
      case 'i8': dv.setInt8(0, Number(v)); break;
      case 'u16': dv.setUint16(0, Number(v), true); break;
      case 'i16': dv.setInt16(0, Number(v), true); break;
      case 'u32': dv.setUint32(0, Number(v), true); break;
      case 'i32': dv.setInt32(0, Number(v), true); break;
      case 'f32': dv.setFloat32(0, Number(v), true); break;
      case 'f64': dv.setFloat64(0, Number(v), true); break;
      case 'u64': dv.setBigUint64(0, BigInt(v), true); break;
      case 'i64': dv.setBigInt64(0, BigInt(v), true); break;
    }
    this.push(b);
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    this.num('u64', BigInt(b.length));
    this.push(b);
  }
  value(type: string, v: unknown, elementType?: string) {
    if (type === 'string') this.str(v as string);
    else if (type === 'array') {
      const items = v as unknown[];
      this.num('u32', TYPE_IDS[elementType!]);
      this.num('u64', BigInt(items.length));
      for (const item of items) {
        if (elementType === 'array') {
          const inner = item as { elementType: string; value: unknown[] };
          this.num('u32', TYPE_IDS[inner.elementType]);
          this.num('u64', BigInt(inner.value.length));
          for (const x of inner.value) this.value(inner.elementType, x);
        } else this.value(elementType!, item);
      }
    } else this.num(type, v as number);
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export interface TensorSpec {
  name: string;
  /** ggml ne[] (fastest first). */
  ne: number[];
  typeId: number;
  byteLength: number;
}

const padTo = (x: number, a: number) => Math.ceil(x / a) * a;

/** Header bytes (magic … tensor infos, padded to the alignment) and each tensor's data offset relative to the data section. */
export function ggufHeader(kvs: Record<string, KvValue>, tensors: TensorSpec[], version = 3): { header: Uint8Array; offsets: number[] } {
  // The alignment is the file's own general.alignment (32 when absent), as readers compute it.
  const alignment = kvs['general.alignment'] ? Number(kvs['general.alignment'].value) : 32;
  const b = new Bytes();
  b.num('u32', 0x46554747);
  b.num('u32', version);
  b.num('u64', BigInt(tensors.length));
  b.num('u64', BigInt(Object.keys(kvs).length));
  for (const [key, kv] of Object.entries(kvs)) {
    b.str(key);
    b.num('u32', TYPE_IDS[kv.type]);
    b.value(kv.type, kv.value, kv.type === 'array' ? kv.elementType : undefined);
  }
  const offsets: number[] = [];
  let at = 0;
  for (const t of tensors) {
    b.str(t.name);
    b.num('u32', t.ne.length);
    for (const d of t.ne) b.num('u64', BigInt(d));
    b.num('u32', t.typeId);
    b.num('u64', BigInt(at));
    offsets.push(at);
    at = padTo(at + t.byteLength, alignment);
  }
  const bytes = b.concat();
  const header = new Uint8Array(tensors.length ? padTo(bytes.length, alignment) : bytes.length);
  header.set(bytes);
  return { header, offsets };
}

/** A whole GGUF file in memory: header, then each tensor's data padded to the alignment. */
export function ggufFile(kvs: Record<string, KvValue>, tensors: (Omit<TensorSpec, 'byteLength'> & { data: Uint8Array })[], version = 3): Uint8Array {
  const { header, offsets } = ggufHeader(kvs, tensors.map((t) => ({ ...t, byteLength: t.data.length })), version);
  const last = tensors.length - 1;
  const total = header.length + (last >= 0 ? offsets[last] + tensors[last].data.length : 0);
  const out = new Uint8Array(total);
  out.set(header);
  tensors.forEach((t, i) => out.set(t.data, header.length + offsets[i]));
  return out;
}
