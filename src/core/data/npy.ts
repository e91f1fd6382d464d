/** NumPy `.npy` (format 1.0–3.0) reader and writer: float32, uint8, int32, int64; C order only. */
import { DataError } from '../errors';
import { readHead, readPart, readRegularFile, statRegularFile, type Fail } from '../fs-guard';
import { clip } from '../text';
import { writeFileAtomic as writeAtomic } from '../format/index';

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

/** A .npy file's layout from its header; `start` is where the data begins. */
export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  start: number;
  /** Elements (product of shape) and bytes per element. */
  count: number;
  width: number;
}

const WIDTH: Record<NpyDtype, number> = { '<f4': 4, '|u1': 1, '<i4': 4, '<i8': 8 };

/** Parses the header from the first bytes of a file of `fileSize` bytes and checks the data length against it. */
export function parseNpyHeader(bytes: Uint8Array, file: string, fileSize = bytes.length): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError(`${file}: not a .npy file (magic \\x93NUMPY missing)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new DataError(`${file}: .npy version ${major}.${bytes[7]} is not supported`);
  if (bytes.length < 8 + lenBytes) throw new DataError(`${file}: .npy header length field is cut off`);
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
  if (shape.length > 8 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new DataError(`${file}: .npy shape ${clip(shapeText)} is malformed`);
  const dtype = (descr === '<u1' ? '|u1' : descr) as NpyDtype;
  if (!Object.prototype.hasOwnProperty.call(WIDTH, dtype)) throw new DataError(`${file}: .npy dtype '${clip(descr)}' is not supported (expected <f4 float32, |u1 uint8, <i4 int32 or <i8 int64)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * WIDTH[dtype];
  if (fileSize - start !== need) throw new DataError(`${file}: .npy data: shape (${shape.join(',')}) of ${clip(descr)} needs ${need} bytes, file has ${fileSize - start}`);
  return { dtype, shape, start, count, width: WIDTH[dtype] };
}

/** Little-endian element bytes → a typed array (copied: aligned, and not a view into Node's Buffer pool). */
export function decodeNpyData(bytes: Uint8Array, dtype: NpyDtype, n: number): NpyArray['data'] {
  const body = new Uint8Array(n * WIDTH[dtype]);
  body.set(bytes.subarray(0, body.length));
  if (dtype === '<f4') return new Float32Array(body.buffer, 0, n);
  if (dtype === '|u1') return body;
  if (dtype === '<i4') return new Int32Array(body.buffer, 0, n);
  return Float64Array.from(new BigInt64Array(body.buffer, 0, n), (v) => Number(v));
}

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const h = parseNpyHeader(bytes, file);
  return { dtype: h.dtype, shape: h.shape, data: decodeNpyData(bytes.subarray(h.start), h.dtype, h.count) };
}

/** Whole-array reads stop here; data sets larger than this are read row by row (openNpy). */
export const MAX_NPY_READ_BYTES = 2 ** 30;

export function readNpy(file: string, maxBytes = MAX_NPY_READ_BYTES): NpyArray {
  const bytes = readRegularFile(file, maxBytes, (d) => {
    throw new DataError(`${file}: ${d}`);
  });
  return parseNpy(bytes, file);
}

const npyFail = (file: string): Fail => (d) => {
  throw new DataError(`${file}: ${d}`);
};

/** The header of a .npy file of any size, checked against the file's length, without reading the data. */
export function openNpy(file: string): NpyHeader {
  const fail = npyFail(file);
  const size = statRegularFile(file, Number.MAX_SAFE_INTEGER, fail).size;
  return parseNpyHeader(readHead(file, 12 + MAX_NPY_HEADER_BYTES, Number.MAX_SAFE_INTEGER, fail), file, size);
}

/** Rows [first, first + rows) of the leading axis (one positional read). */
export function readNpyRows(file: string, h: NpyHeader, first: number, rows: number): NpyArray['data'] {
  const per = h.shape.slice(1).reduce((a, b) => a * b, 1);
  const want = rows * per * h.width;
  const bytes = readPart(file, Number.MAX_SAFE_INTEGER, npyFail(file), h.start + first * per * h.width, want);
  if (bytes.length !== want) throw new DataError(`${file}: .npy data: rows [${first}, ${first + rows}) run past the end of the file (changed while being read?)`);
  return decodeNpyData(bytes, h.dtype, rows * per);
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
