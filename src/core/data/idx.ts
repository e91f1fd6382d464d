/**
 * IDX files (the MNIST / Fashion-MNIST container), optionally gzip-compressed.
 *
 * Decompression is bounded: the IDX header (the first bytes of the inflated
 * stream) says how many bytes follow, and a 1 MB file that inflates to 1 GiB
 * is stopped there. When only the first samples are wanted (`--limit 10`,
 * `#0`), the streaming reader inflates those and stops.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { DataError } from '../errors';
import { describeFsError, readHead, readRegularFile, statRegularFile, type Fail } from '../fs-guard';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** An IDX file's declared layout. */
export interface IdxHeader {
  dims: number[];
  headerBytes: number;
  /** Bytes per item (product of dims after the first). */
  itemBytes: number;
  /** Total data bytes the dims declare. */
  dataBytes: number;
}

/** 1 GiB of pixels: EMNIST, the largest IDX set in common use, is 550 MB; training code loads a set whole. */
export const MAX_IDX_DATA_BYTES = 2 ** 30;
/** Compressed (or plain) IDX files larger than this are refused before reading. */
const MAX_IDX_FILE_BYTES = 2 ** 32;

const failer = (file: string): Fail => (detail) => {
  throw new DataError(`${file}: ${detail}`);
};

/** Parses the magic and dims from the first bytes (enough: 4 + 4·rank); undefined when more bytes are needed. */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader | undefined {
  const fail = failer(file);
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) fail(`IDX magic: first two bytes must be 0, got 0x${view.getUint16(0).toString(16)} (not an IDX file, or not gunzipped?)`);
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) fail(`IDX magic: element type 0x${type.toString(16)} is not supported (expected 0x08, unsigned byte)`);
  if (rank < 1 || rank > 4) fail(`IDX magic: rank ${rank} out of range 1–4`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) return undefined;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
  // Each dim < 2^32 and rank ≤ 4: the double product may round but only far above the cap.
  const dataBytes = dims[0] * itemBytes;
  if (dataBytes > MAX_IDX_DATA_BYTES) fail(`IDX dims: [${dims.join(',')}] declare ${dataBytes} bytes, over the ${MAX_IDX_DATA_BYTES}-byte cap`);
  return { dims, headerBytes, itemBytes, dataBytes };
}

/** Parses a complete in-memory IDX file (length checked exactly). */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const h = parseIdxHeader(bytes, file);
  if (!h) {
    if (bytes.length < 4) throw new DataError(`${file}: IDX header: file is ${bytes.length} bytes, shorter than the 4-byte magic`);
    throw new DataError(`${file}: IDX dims: file ends inside the ${bytes[3]} dimension sizes`);
  }
  if (bytes.length - h.headerBytes !== h.dataBytes) {
    throw new DataError(`${file}: IDX data: dims [${h.dims.join(',')}] need ${h.dataBytes} bytes after the header, file has ${bytes.length - h.headerBytes}`);
  }
  return { dims: h.dims, data: bytes.subarray(h.headerBytes) };
}

const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

/** The IDX header of a gzip stream from its first compressed bytes (a few KB inflate to at most a few MB). */
function gzipHeaderSync(compressed: Uint8Array, file: string): IdxHeader {
  let head: Uint8Array;
  try {
    head = gunzipSync(compressed.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new DataError(`${file}: gzip: ${(e as Error).message}`);
  }
  const h = parseIdxHeader(head, file);
  if (!h) throw new DataError(`${file}: gzip: the first 4 KB do not inflate to a complete IDX header (${head.length} bytes)`);
  return h;
}

/** Whole file, synchronously (training loads everything); inflation is capped at the size the header declares. */
export function readIdx(file: string): IdxArray {
  const fail = failer(file);
  const bytes = readRegularFile(file, MAX_IDX_FILE_BYTES, fail);
  if (!isGzip(bytes)) return parseIdx(bytes, file);
  const h = gzipHeaderSync(bytes, file);
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { maxOutputLength: Math.max(1, h.headerBytes + h.dataBytes) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') fail(`gzip data inflates beyond the ${h.headerBytes + h.dataBytes} bytes its IDX header declares; stopped there`);
    fail(`gzip: ${(e as Error).message}`);
  }
  return parseIdx(out!, file);
}

/**
 * The header and the first `maxItems` items, streaming: a gzip file is inflated
 * only that far (a 1 GiB bomb read with `--limit 10` inflates ten items), a
 * plain file is read only that far. `items` is how many were available.
 */
export async function readIdxPrefix(file: string, maxItems = Infinity): Promise<IdxArray & { items: number }> {
  const fail = failer(file);
  const magic = readHead(file, 2, MAX_IDX_FILE_BYTES, fail);
  const size = statRegularFile(file, MAX_IDX_FILE_BYTES, fail).size;
  const gzip = isGzip(magic);
  let header: IdxHeader | undefined;
  let prefix = new Uint8Array(0); // inflated bytes until the header is complete (≤ 20 needed)
  let buf = new Uint8Array(0);
  let want = 0;
  let have = 0;
  let inflated = 0;
  // Opened without blocking and re-checked, so a file swapped for a FIFO after the stat cannot hang the read.
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    fail(describeFsError(e));
  }
  if (!fstatSync(fd!).isFile()) {
    closeSync(fd!);
    fail('changed while being opened');
  }
  const stream = createReadStream('', { fd: fd!, autoClose: true });
  const gunzip = gzip ? createGunzip() : undefined;
  const source: NodeJS.ReadableStream = gunzip ? stream.pipe(gunzip) : stream;
  await new Promise<void>((resolve, reject) => {
    const finish = (e?: unknown): void => {
      stream.destroy();
      gunzip?.destroy();
      if (e) reject(e);
      else resolve();
    };
    source.on('data', (chunk: Uint8Array) => {
      try {
        inflated += chunk.length;
        if (!header) {
          const joined = new Uint8Array(prefix.length + chunk.length);
          joined.set(prefix);
          joined.set(chunk, prefix.length);
          prefix = joined;
          header = parseIdxHeader(prefix, file);
          if (!header) return;
          if (!gzip && size !== header.headerBytes + header.dataBytes) {
            fail(`IDX data: dims [${header.dims.join(',')}] need ${header.dataBytes} bytes after the header, file has ${size - header.headerBytes}`);
          }
          want = header.headerBytes + Math.min(header.dims[0], maxItems) * header.itemBytes;
          buf = new Uint8Array(want);
          have = Math.min(prefix.length, want);
          buf.set(prefix.subarray(0, have));
        } else {
          const take = Math.min(chunk.length, want - have);
          buf.set(chunk.subarray(0, take), have);
          have += take;
        }
        if (inflated > header.headerBytes + header.dataBytes) fail(`gzip data inflates beyond the ${header.headerBytes + header.dataBytes} bytes its IDX header declares; stopped there`);
        // Enough for what was asked: stop inflating (the rest of a bomb is never expanded).
        if (have >= want) finish();
      } catch (e) {
        finish(e);
      }
    });
    source.on('end', () => finish());
    stream.on('error', (e) => finish(new DataError(`${file}: cannot read: ${e.message}`)));
    gunzip?.on('error', (e) => finish(new DataError(`${file}: gzip: ${e.message}`)));
  });
  if (!header) fail(`IDX header: ${prefix.length < 4 ? `${prefix.length} bytes, shorter than the 4-byte magic` : 'the data ends inside the dimension sizes'}`);
  const h = header!;
  if (have < want) fail(`IDX data: dims [${h.dims.join(',')}] need ${h.dataBytes} bytes after the header, the gzip stream ends after ${have - h.headerBytes}`);
  return { dims: h.dims, data: buf.subarray(h.headerBytes, want), items: Math.min(h.dims[0], maxItems) };
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
