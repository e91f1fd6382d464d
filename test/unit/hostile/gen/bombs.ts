/**
 * Decompression bombs built cheaply: gzip files may hold several members that
 * inflate back to back, so one compressed MiB of zeros repeated N times is a
 * small file that expands to N MiB (1 GiB from about 1 MB), built in
 * milliseconds. PNG and JPEG "bombs" declare huge sizes in their headers.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { encodeIdx } from '../../../../src/core/data/index';

const MiB = 2 ** 20;

/** An IDX file of `dims` whose gzip stream inflates to `inflatedMiB` MiB (the header first, then zeros). */
export function idxGzipBomb(dims: number[], inflatedMiB: number): Buffer {
  const header = encodeIdx(dims, new Uint8Array(0));
  const first = Buffer.alloc(MiB);
  first.set(header);
  const zeros = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat([gzipSync(first, { level: 9 }), ...new Array<Buffer>(inflatedMiB - 1).fill(zeros)]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid PNG (correct CRCs) declaring width × height RGB pixels whose IDAT
 * holds only `rows` zero rows: a decoder trusting the header allocates
 * width × height × 4 bytes before noticing anything.
 */
export function pngBomb(width: number, height: number, rows = 1): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filter, no interlace
  const idat = deflateSync(Buffer.alloc(rows * (1 + 3 * width)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** A JPEG header (SOI, SOF0) declaring width × height, followed by nothing decodable. */
export function jpegBomb(width: number, height: number): Buffer {
  const sof = [0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...sof, 0xff, 0xd9]);
}
