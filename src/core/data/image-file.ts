/**
 * PNG and JPEG files, read as hostile: the file size is capped, the header is
 * parsed first and width × height capped before any pixel is decoded (an
 * 875 KB PNG can declare 30000 × 30000 = 3.6 GB of pixels).
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors';
import { readRegularFile, type Fail } from '../fs-guard';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../limits';

export interface Rgba {
  width: number;
  height: number;
  /** 8-bit RGBA, row-major. */
  data: Uint8Array;
}

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngHeader(b: Uint8Array, fail: Fail): ImageHeader {
  // Signature, then the IHDR chunk: length (13), "IHDR", width and height as big-endian u32.
  if (b.length < 24 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) fail('PNG signature is damaged or the file is shorter than its header');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') fail('PNG: the first chunk is not IHDR');
  return { format: 'png', width: v.getUint32(16), height: v.getUint32(20) };
}

/**
 * Walks the chunk list to IEND: pngjs pads a truncated file with zeros and
 * returns a partly blank image, so a cut-off download would pass as data.
 */
function checkPngComplete(b: Uint8Array, fail: Fail): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 8;
  while (at + 12 <= b.length) {
    const len = v.getUint32(at);
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    if (at + 12 + len > b.length) break;
    if (type === 'IEND') return;
    at += 12 + len;
  }
  fail(`PNG is truncated: chunk data ends at byte ${Math.min(at, b.length)} of ${b.length} without an IEND chunk`);
}

/** Start-of-frame markers carry the size: SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(b: Uint8Array, fail: Fail): ImageHeader {
  let i = 2;
  // Each step advances by a segment length read from the file, so the walk ends within the file.
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) fail(`JPEG: expected a marker at byte ${i}, found 0x${b[i].toString(16)}`);
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; } // fill byte
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; } // no length
    if (m === 0xd9 || m === 0xda) break; // end of image / start of scan before any frame header
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2) fail(`JPEG: segment at byte ${i} has length ${len}`);
    if (isSof(m)) {
      if (i + 9 > b.length) break;
      return { format: 'jpeg', height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + len;
  }
  return fail('JPEG: no frame header (SOF) before the image data');
}

/** Format and size from the first bytes; fails on anything that is not PNG or JPEG. */
export function imageHeader(b: Uint8Array, fail: Fail): ImageHeader {
  if (b[0] === 0x89 && b[1] === 0x50) return pngHeader(b, fail);
  if (b[0] === 0xff && b[1] === 0xd8) return jpegHeader(b, fail);
  return fail('not a PNG or JPEG image');
}

/** Reads and decodes one image file within the caps; errors name the file. */
export function decodeImageFile(file: string, maxPixels = MAX_IMAGE_PIXELS): Rgba {
  const fail: Fail = (detail) => {
    throw new DataError(`${file}: ${detail}`);
  };
  const bytes = readRegularFile(file, MAX_IMAGE_FILE_BYTES, fail);
  const h = imageHeader(bytes, fail);
  if (h.width === 0 || h.height === 0) fail(`${h.format.toUpperCase()} header: size ${h.width}x${h.height} has no pixels`);
  if (h.width * h.height > maxPixels) fail(`${h.format.toUpperCase()} header: ${h.width}x${h.height} is ${h.width * h.height} pixels, over the ${maxPixels}-pixel cap; nothing was decoded`);
  if (h.format === 'png') checkPngComplete(bytes, fail);
  let img: Rgba;
  try {
    if (h.format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      img = { width: png.width, height: png.height, data: png.data };
    } else {
      // jpeg-js's own limits back up the header check (progressive files allocate per component).
      const mp = Math.ceil(maxPixels / 1e6);
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: mp, maxMemoryUsageInMB: Math.max(64, (maxPixels * 16) / 2 ** 20) });
      img = { width: j.width, height: j.height, data: j.data };
    }
  } catch (e) {
    fail(`${h.format.toUpperCase()} decode failed: ${(e as Error).message}`);
  }
  if (img!.width !== h.width || img!.height !== h.height || img!.data.length !== 4 * h.width * h.height) {
    fail(`decoded ${img!.width}x${img!.height} pixels, the header says ${h.width}x${h.height}`);
  }
  return img!;
}
