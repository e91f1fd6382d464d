/** NumPy `.npy` (format 1.0–3.0) reader and writer: float32, uint8, int32, int64; C order only. */
import { readFileSync } from 'node:fs';
import { DataError } from '../errors';
import { clip } from '../text';
import { writeFileAtomic as writeAtomic } from '../format/atomic';

export type NpyDtype = '<f4' | '|u1' | '<i4' | '<i8';
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** int64 values are converted to Number (exact below 2^53). */
  data: Float32Array | Uint8Array | Int32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy itself refuses headers over 10,000 bytes by default (max_header_size); a larger one is hostile or broken. */
export const MAX_NPY_HEADER_BYTES = 65_536;

function headerField(header: string, key: string): string | undefined {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  return m?.[1];
}

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError(`${file}: not a .npy file (magic \\x93NUMPY missing)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new DataError(`${file}: .npy version ${major}.${bytes[7]} is not supported`);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (hlen > MAX_NPY_HEADER_BYTES) throw new DataError(`${file}: .npy header length ${hlen} exceeds the ${MAX_NPY_HEADER_BYTES}-byte cap`);
  const start = 8 + lenBytes + hlen;
  if (start > bytes.length) throw new DataError(`${file}: .npy header length ${hlen} runs past the end of the file`);
  const header = new TextDecoder().decode(bytes.subarray(8 + lenBytes, start));
  const descr = headerField(header, 'descr')?.slice(1, -1);
  const fortran = headerField(header, 'fortran_order');
  const shapeText = headerField(header, 'shape');
  if (!descr || !fortran || !shapeText) throw new DataError(`${file}: .npy header is malformed (needs 'descr', 'fortran_order' and 'shape'): ${clip(header.trim())}`);
  if (fortran !== 'False') throw new DataError(`${file}: .npy array is in Fortran order; only C order is supported (use np.ascontiguousarray)`);
  const shape = shapeText.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DataError(`${file}: .npy shape ${clip(shapeText)} is malformed`);
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = (descr === '<u1' ? '|u1' : descr) as NpyDtype;
  const width: Record<NpyDtype, number> = { '<f4': 4, '|u1': 1, '<i4': 4, '<i8': 8 };
  if (!(dtype in width)) throw new DataError(`${file}: .npy dtype '${clip(descr)}' is not supported (expected <f4 float32, |u1 uint8, <i4 int32 or <i8 int64)`);
  const need = n * width[dtype];
  if (bytes.length - start !== need) throw new DataError(`${file}: .npy data: shape (${shape.join(',')}) of ${descr} needs ${need} bytes, file has ${bytes.length - start}`);
  const body = new Uint8Array(bytes.length - start); // a copy: aligned, and not a view into Node's Buffer pool
  body.set(bytes.subarray(start));
  let data: NpyArray['data'];
  if (dtype === '<f4') data = new Float32Array(body.buffer, 0, n);
  else if (dtype === '|u1') data = body;
  else if (dtype === '<i4') data = new Int32Array(body.buffer, 0, n);
  else {
    const big = new BigInt64Array(body.buffer, 0, n);
    data = Float64Array.from(big, (v) => Number(v));
  }
  return { dtype, shape, data };
}

export function readNpy(file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read: ${(e as Error).message}`);
  }
  return parseNpy(bytes, file);
}

export function encodeNpy(arr: NpyArray): Uint8Array {
  const shapeText = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${arr.dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, header ends with '\n' (format 1.0).
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  let body: Uint8Array;
  if (arr.dtype === '<i8') {
    const big = BigInt64Array.from(arr.data as ArrayLike<number>, (v) => BigInt(Math.round(v)));
    body = new Uint8Array(big.buffer);
  } else {
    const d = arr.data;
    body = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

/** Writes a .npy file atomically (temp file + rename). */
export async function writeNpy(file: string, arr: NpyArray): Promise<void> {
  const n = arr.shape.reduce((a, b) => a * b, 1);
  if (arr.data.length !== n) throw new DataError(`${file}: writeNpy: ${arr.data.length} values do not fill shape (${arr.shape.join(',')})`);
  await writeAtomic(file, encodeNpy(arr));
}
