/**
 * 5-trits-per-byte base-3 packing (docs/tnn-format.md §3): trit t ↦ digit t+1,
 * trit k is digit k mod 5 (least significant first) of byte ⌊k/5⌋, padding
 * digits are 1 (trit 0), so every byte is < 243 and an all-zero byte is 121.
 */

export const TRITS_PER_BYTE = 5;
/** 3^5: the number of valid byte codes. */
export const PACKED_CODES = 243;
/** The byte holding five 0-trits (every digit 1): also the padding value. */
export const ZERO_BYTE = 121;

const POW3 = [1, 3, 9, 27, 81] as const;

/** DECODE[code*5 + i] = trit i of byte code; one table read per trit (faster than div/mod). */
const DECODE: Int8Array = (() => {
  const table = new Int8Array(PACKED_CODES * TRITS_PER_BYTE);
  for (let code = 0; code < PACKED_CODES; code++) {
    let rest = code;
    for (let i = 0; i < TRITS_PER_BYTE; i++) {
      table[code * TRITS_PER_BYTE + i] = (rest % 3) - 1;
      rest = Math.floor(rest / 3);
    }
  }
  return table;
})();

export function packedLength(count: number): number {
  return Math.ceil(count / TRITS_PER_BYTE);
}

/** Packs trits (each −1, 0 or +1) into ceil(n/5) bytes. Throws RangeError on any other value. */
export function packTrits(trits: Int8Array): Uint8Array {
  const n = trits.length;
  const out = new Uint8Array(packedLength(n));
  for (let j = 0, k = 0; j < out.length; j++) {
    let byte = 0;
    for (let i = 0; i < TRITS_PER_BYTE; i++, k++) {
      let digit = 1; // padding digit beyond n
      if (k < n) {
        const t = trits[k];
        if (t !== -1 && t !== 0 && t !== 1) throw new RangeError(`packTrits: trit ${k} is ${t}, expected -1, 0 or +1`);
        digit = t + 1;
      }
      byte += digit * POW3[i];
    }
    out[j] = byte;
  }
  return out;
}

/**
 * Unpacks `count` trits. Throws RangeError when the byte length is not
 * ceil(count/5) or a byte is ≥ 243; callers that need offsets and padding
 * checks use findPackingViolation first.
 */
export function unpackTrits(bytes: Uint8Array, count: number): Int8Array {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`unpackTrits: count ${count} is not a non-negative integer`);
  if (bytes.length !== packedLength(count)) throw new RangeError(`unpackTrits: ${bytes.length} bytes cannot hold ${count} trits (expected ${packedLength(count)})`);
  const out = new Int8Array(count);
  const full = Math.floor(count / TRITS_PER_BYTE);
  let k = 0;
  for (let j = 0; j < full; j++) {
    const code = bytes[j];
    if (code >= PACKED_CODES) throw new RangeError(`unpackTrits: byte ${j} is ${code}, expected < 243`);
    const base = code * TRITS_PER_BYTE;
    out[k] = DECODE[base];
    out[k + 1] = DECODE[base + 1];
    out[k + 2] = DECODE[base + 2];
    out[k + 3] = DECODE[base + 3];
    out[k + 4] = DECODE[base + 4];
    k += TRITS_PER_BYTE;
  }
  if (k < count) {
    const code = bytes[full];
    if (code >= PACKED_CODES) throw new RangeError(`unpackTrits: byte ${full} is ${code}, expected < 243`);
    for (let i = 0; k < count; i++, k++) out[k] = DECODE[code * TRITS_PER_BYTE + i];
  }
  return out;
}

export interface PackingViolation {
  /** Index of the offending byte within the packed tensor. */
  byteIndex: number;
  detail: string;
}

/** First violation of §3 (byte ≥ 243, or a padding digit other than 1), or null. Assumes the length is right. */
export function findPackingViolation(bytes: Uint8Array, count: number): PackingViolation | null {
  for (let j = 0; j < bytes.length; j++) {
    if (bytes[j] >= PACKED_CODES) return { byteIndex: j, detail: `byte value ${bytes[j]} is not a 5-trit code (expected < 243)` };
  }
  const used = count % TRITS_PER_BYTE;
  if (used !== 0 && bytes.length > 0) {
    const last = bytes.length - 1;
    const code = bytes[last];
    for (let i = used; i < TRITS_PER_BYTE; i++) {
      const digit = Math.floor(code / POW3[i]) % 3;
      if (digit !== 1) return { byteIndex: last, detail: `padding digit ${i} of the last byte (value ${code}) is ${digit}, expected 1 (trit 0)` };
    }
  }
  return null;
}

/** NEG_POS[code] = (number of −1 trits) | (number of +1 trits) << 4 among the five trits of byte code. */
const NEG_POS: Uint8Array = (() => {
  const table = new Uint8Array(PACKED_CODES);
  for (let code = 0; code < PACKED_CODES; code++) {
    let neg = 0, pos = 0;
    for (let i = 0; i < TRITS_PER_BYTE; i++) {
      const t = DECODE[code * TRITS_PER_BYTE + i];
      if (t < 0) neg++;
      else if (t > 0) pos++;
    }
    table[code] = neg | (pos << 4);
  }
  return table;
})();

/**
 * Counts of −1, 0, +1 in a packed tensor without materializing the trits: one table read per byte
 * of five trits (NEG_POS), the last partial byte trit by trit.
 */
export function countPackedTrits(bytes: Uint8Array, count: number): { neg: number; zero: number; pos: number } {
  const full = Math.min(Math.floor(Math.max(0, count) / TRITS_PER_BYTE), bytes.length);
  let neg = 0, pos = 0;
  for (let j = 0; j < full; j++) {
    const code = bytes[j];
    if (code >= PACKED_CODES) throw new RangeError(`countPackedTrits: byte ${j} is ${code}, expected < 243`);
    const np = NEG_POS[code];
    neg += np & 15;
    pos += np >>> 4;
  }
  let k = full * TRITS_PER_BYTE;
  if (k < count && full < bytes.length) {
    const code = bytes[full];
    if (code >= PACKED_CODES) throw new RangeError(`countPackedTrits: byte ${full} is ${code}, expected < 243`);
    for (let i = 0; i < TRITS_PER_BYTE && k < count; i++, k++) {
      const t = DECODE[code * TRITS_PER_BYTE + i];
      if (t < 0) neg++;
      else if (t > 0) pos++;
    }
  }
  return { neg, zero: k - neg - pos, pos };
}
