/** Tensor payload conversions and the data-region checksum (docs/tnn-format.md §2.1, §4). */
import { createHash } from 'node:crypto';
import type { Dtype } from './safetensors';

/** `sha256:<hex>` of the data region; the writer stores it, the reader recomputes it. */
export function computeChecksum(data: Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of data instanceof Uint8Array ? [data] : data) hash.update(part);
  return 'sha256:' + hash.digest('hex');
}

/** IEEE binary16 bits → number (also used by the weights readers' f16 table). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Copies a little-endian payload into a fresh, aligned Float32Array. F32 is
 * copied byte-for-byte (bit-exact, NaN payloads kept); other dtypes convert.
 * `count` must already equal bytes.length / sizeof(dtype).
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: Dtype, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      if (littleEndianHost) new Uint8Array(out.buffer).set(bytes);
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = word.getFloat32(0);
      }
      break;
    }
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = bytes[i];
      break;
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
      break;
  }
  return out;
}

/** Little-endian bytes of a Float32Array: a read-only view on little-endian hosts (the writer copies it once into the file). */
export function float32Bytes(data: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
