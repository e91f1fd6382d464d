/**
 * Statistics kernel for llama.cpp's TQ1_0 / TQ2_0 blocks (layouts in gguf/tq.ts).
 * Every byte of every block goes into one byte histogram, word-wise
 * (counting.ts). Both block sizes are even (54, 66), so each block starts on a
 * 16-bit boundary and its last words are read as 16-bit patterns: TQ1_0's qh[4]
 * as two pairs and the f16 d as one, into 65536-entry tables (exact scale
 * statistics). At the end those bytes are taken back out of the histogram, and
 * trits follow from byte values through the digit tables — the same extraction
 * as dequantize_row_tq1_0 / dequantize_row_tq2_0.
 */
import { TQ1_DIGIT } from '../gguf/tq';
import { addByteCounts } from './counting';
import type { Kernel, KernelResult } from './kernels';
import { halfPairs, summarizeWeighted, tritsFromByteHistogram, twoBitDigits } from './histograms';

const tq1Qs = (b: number) => [0, 1, 2, 3, 4].map((n) => TQ1_DIGIT[b * 5 + n] - 1);
const tq1Qh = (b: number) => [0, 1, 2, 3].map((n) => TQ1_DIGIT[b * 5 + n] - 1);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function tqKernel(type: 'TQ1_0' | 'TQ2_0'): Kernel {
  const blockBytes = type === 'TQ1_0' ? 54 : 66;
  const words = blockBytes / 2;
  const qhPairs = type === 'TQ1_0' ? 2 : 0;
  const all = new Float64Array(256);
  const qh = new Float64Array(65536);
  const scales = new Float64Array(65536);
  return {
    unit: blockBytes,
    consume(bytes) {
      addByteCounts(bytes, all);
      const w = littleEndian && (bytes.byteOffset & 1) === 0
        ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 1)
        : Uint16Array.from({ length: bytes.length >>> 1 }, (_, k) => bytes[2 * k] | (bytes[2 * k + 1] << 8));
      const last = words - 1;
      if (qhPairs) {
        for (let b = 0; b < w.length; b += words) {
          qh[w[b + last - 2]]++;
          qh[w[b + last - 1]]++;
          scales[w[b + last]]++;
        }
      } else {
        for (let b = last; b < w.length; b += words) scales[w[b]]++;
      }
    },
    finish(): KernelResult {
      const qs = all.slice();
      const qhBytes = new Float64Array(256);
      for (let p = 0; p < 65536; p++) {
        if (scales[p]) {
          qs[p & 255] -= scales[p];
          qs[p >> 8] -= scales[p];
        }
        if (qh[p]) {
          qhBytes[p & 255] += qh[p];
          qhBytes[p >> 8] += qh[p];
        }
      }
      for (let b = 0; b < 256; b++) qs[b] -= qhBytes[b];
      const c = { neg: 0, zero: 0, pos: 0, other: 0 };
      tritsFromByteHistogram(qs, type === 'TQ1_0' ? tq1Qs : twoBitDigits, c);
      if (qhPairs) tritsFromByteHistogram(qhBytes, tq1Qh, c);
      return { ternary: true, trits: { neg: c.neg, zero: c.zero, pos: c.pos }, nonTernary: c.other, scales: summarizeWeighted(halfPairs(scales, 'f16')), values: null };
    },
  };
}
