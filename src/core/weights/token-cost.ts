/**
 * Memory-bound cost of generating one token with a weights-only language model.
 * At batch size 1 every matrix a token passes through is streamed from memory
 * once per token, so bytes/token ≈ Σ matmul tensor bytes (+ one embedding row,
 * + the norms and separate scale tensors), and tokens/s ≤ bandwidth / (bytes/token): an upper bound that
 * ignores the KV cache, activations and compute. Tied embeddings (no separate
 * output head) count the embedding once more as the output matmul.
 * The profile's weight encoding (src/core/cost, docs/cost-model.md) re-prices the
 * ternary matrices: packed 8/5, two-bit 2, int8 8 or float32 32 bits per trit.
 */
import type { WeightEncoding } from '../cost/types';
import { MATMUL_ROLES, tensorPlace, type TensorRole } from './grouping';
import type { WeightsListing } from './types';

export const DEFAULT_BANDWIDTH_GBS = 50;

export const ENCODING_BITS: Record<WeightEncoding, number> = { packed: 8 / 5, twoBit: 2, int8: 8, float32: 32 };

export interface TokenCostTensor {
  name: string;
  role: TensorRole;
  /** Bytes read per generated token for this tensor. */
  bytes: number;
  ternary: boolean;
  elements: number;
}

export interface TokenCost {
  /** Bytes of matrix-multiply weights read per token (as stored). */
  matmulBytes: number;
  /** Embedding row and norms per token. */
  otherBytes: number;
  bytesPerToken: number;
  bandwidthGBs: number;
  /** bandwidth / bytesPerToken. */
  tokensPerSecond: number;
  tiedEmbedding: boolean;
  tensors: TokenCostTensor[];
  /** When a profile is given: the same bound with its ternary weight encoding. */
  profile?: { id: string; weightEncoding: WeightEncoding; bytesPerToken: number; tokensPerSecond: number };
}

export function tokenCost(listing: WeightsListing, options: { bandwidthGBs?: number; profile?: { id: string; weightEncoding: WeightEncoding } } = {}): TokenCost {
  const bandwidthGBs = options.bandwidthGBs ?? DEFAULT_BANDWIDTH_GBS;
  if (!(bandwidthGBs > 0) || !Number.isFinite(bandwidthGBs)) throw new RangeError(`bandwidth must be a positive number of GB/s, got ${bandwidthGBs}`);
  const places = listing.tensors.map((t) => tensorPlace(t.name));
  const tied = !places.some((p) => p.role === 'output') && places.some((p) => p.role === 'token_embd');
  const tensors: TokenCostTensor[] = [];
  let matmulBytes = 0, otherBytes = 0;
  listing.tensors.forEach((t, i) => {
    const role = places[i].role;
    const elements = t.elements ?? t.shape.reduce((a, b) => a * b, 1);
    if (MATMUL_ROLES.has(role)) {
      matmulBytes += t.byteLength;
      tensors.push({ name: t.name, role, bytes: t.byteLength, ternary: t.ternary, elements });
    } else if (role === 'token_embd') {
      const rows = t.shape[0] || 1;
      otherBytes += t.byteLength / rows;
      if (tied) {
        matmulBytes += t.byteLength;
        tensors.push({ name: t.name, role: 'output', bytes: t.byteLength, ternary: t.ternary, elements });
      }
    } else if (role === 'norm' || role === 'scale') otherBytes += t.byteLength; // separate scale tensors are read with their matrices
  });
  const bytesPerToken = matmulBytes + otherBytes;
  const perSecond = (bytes: number) => (bytes > 0 ? (bandwidthGBs * 1e9) / bytes : Infinity);
  const cost: TokenCost = { matmulBytes, otherBytes, bytesPerToken, bandwidthGBs, tokensPerSecond: perSecond(bytesPerToken), tiedEmbedding: tied, tensors };
  if (options.profile) {
    const bits = ENCODING_BITS[options.profile.weightEncoding];
    const repriced = tensors.reduce((s, t) => s + (t.ternary ? (t.elements * bits) / 8 : t.bytes), 0) + otherBytes;
    cost.profile = { id: options.profile.id, weightEncoding: options.profile.weightEncoding, bytesPerToken: repriced, tokensPerSecond: perSecond(repriced) };
  }
  return cost;
}
