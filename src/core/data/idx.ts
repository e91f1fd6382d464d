/** IDX files (the MNIST / Fashion-MNIST container), optionally gzip-compressed. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses IDX bytes; only the unsigned-byte element type (0x08) used by image/label files is supported. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`${file}: IDX header: file is ${bytes.length} bytes, shorter than the 4-byte magic`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) throw new DataError(`${file}: IDX magic: first two bytes must be 0, got 0x${view.getUint16(0).toString(16)} (not an IDX file, or not gunzipped?)`);
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) throw new DataError(`${file}: IDX magic: element type 0x${type.toString(16)} is not supported (expected 0x08, unsigned byte)`);
  if (rank < 1 || rank > 4) throw new DataError(`${file}: IDX magic: rank ${rank} out of range 1–4`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new DataError(`${file}: IDX dims: file ends inside the ${rank} dimension sizes`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== n) {
    throw new DataError(`${file}: IDX data: dims [${dims.join(',')}] need ${n} bytes after the header, file has ${bytes.length - header}`);
  }
  return { dims, data: bytes.subarray(header) };
}

export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read: ${(e as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`${file}: gzip: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Serializes unsigned-byte IDX (for fixtures and tests). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
