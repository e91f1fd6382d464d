/**
 * Storage accounting of a `.tnn` file's packed ternary tensors, from its header
 * (safetensors data_offsets and the trit_tensors counts): the only overhead
 * over 8/5 = 1.6 bits per trit is each tensor's last byte, whose unused trit
 * slots are padding (docs/tnn-format.md §3). `tritscope bench` prints it.
 */
import type { TnnHeader } from '../format/index';

/** The storage goal, stated to 2 decimals ("≤ 1.60 bits per trit"). */
export const GOAL_BITS_PER_TRIT = 1.6;

export interface StorageAccounting {
  /** Packed ternary tensors in the file. */
  tensors: number;
  /** Σ n_i: trits stored. */
  trits: number;
  /** Σ stored bytes of those tensors, from the file's data_offsets. */
  payloadBytes: number;
  /** Σ ⌈n_i/5⌉: the bytes 5-trits-per-byte packing needs with each tensor padded to a whole byte. */
  minimalBytes: number;
  /** 5·Σ⌈n_i/5⌉ − Σ n_i: unused trit slots in the tensors' last bytes. */
  tailPaddingTrits: number;
  /** payloadBytes − Σ n_i/5: what the tail padding costs, in bytes. */
  tailPaddingBytes: number;
  /** 8·payloadBytes / Σ n_i. */
  bitsPerTrit: number;
  /** bitsPerTrit rounded to the goal's 2 decimals. */
  bitsPerTritRounded: number;
  /** Payload is exactly Σ⌈n_i/5⌉ (no waste beyond tail padding) and bitsPerTrit rounds to ≤ 1.60. */
  ok: boolean;
}

export function storageAccounting(header: TnnHeader): StorageAccounting {
  let tensors = 0, trits = 0, payloadBytes = 0, minimalBytes = 0;
  for (const t of header.tensors) {
    if (t.trits === undefined) continue;
    tensors++;
    trits += t.trits;
    payloadBytes += t.end - t.begin;
    minimalBytes += Math.ceil(t.trits / 5);
  }
  const bitsPerTrit = trits ? (8 * payloadBytes) / trits : NaN;
  const bitsPerTritRounded = Math.round(bitsPerTrit * 100) / 100;
  return {
    tensors, trits, payloadBytes, minimalBytes,
    tailPaddingTrits: 5 * minimalBytes - trits,
    tailPaddingBytes: (5 * payloadBytes - trits) / 5, // integer numerator: no float residue
    bitsPerTrit, bitsPerTritRounded,
    ok: trits > 0 && payloadBytes === minimalBytes && bitsPerTritRounded <= GOAL_BITS_PER_TRIT,
  };
}

/** The bench's storage lines: the 4-decimal value and verdict, then its decomposition. */
export function formatStorage(s: StorageAccounting): string {
  const waste = s.payloadBytes - s.minimalBytes;
  const verdict = s.ok
    ? `ok: rounds to ${s.bitsPerTritRounded.toFixed(2)} at the goal's 2-decimal precision; the excess over 8/5 is only per-tensor tail padding`
    : waste !== 0
      ? `NOT ok: the payload differs by ${waste} byte(s) from Σ⌈n/5⌉`
      : `NOT ok: rounds to ${s.bitsPerTritRounded.toFixed(2)} > ${GOAL_BITS_PER_TRIT.toFixed(2)}`;
  return `bits per trit (.tnn storage): ${s.bitsPerTrit.toFixed(4)} (goal ≤ ${GOAL_BITS_PER_TRIT.toFixed(2)}) ${verdict}\n` +
    `  = 8 × ${s.payloadBytes} payload bytes / ${s.trits} trits in ${s.tensors} packed tensors; Σ⌈n/5⌉ = ${s.minimalBytes} bytes` +
    ` (payload − Σ⌈n/5⌉ = ${waste}); tail padding ${s.tailPaddingTrits} trit slots = ${s.tailPaddingBytes.toFixed(1)} bytes`;
}
