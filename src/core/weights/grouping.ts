/**
 * Transformer structure from tensor names: the block index (`blk.N.` in GGUF,
 * `layers.N.` / `h.N.` in Hugging Face names) and the role of each tensor
 * (attn_q/k/v/output, ffn_gate/up/down, norms, embedding, output head), for
 * the grouped table and the across-depth series (trits and scale by block).
 */
import type { TritCounts } from './histograms';
import type { TensorStats } from './stats';
import type { WeightsListing } from './types';

export type TensorRole =
  | 'attn_q' | 'attn_k' | 'attn_v' | 'attn_qkv' | 'attn_output'
  | 'ffn_gate' | 'ffn_up' | 'ffn_down' | 'norm' | 'token_embd' | 'output' | 'scale' | 'other';

export const ROLE_ORDER: readonly TensorRole[] = ['attn_q', 'attn_k', 'attn_v', 'attn_qkv', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down', 'norm', 'token_embd', 'output', 'scale', 'other'];

/**
 * A matrix's separate scale tensor: Hugging Face BitNet `X.weight_scale`, a weights-only `.tnn`'s `X.scales`
 * (docs/tnn-format.md §10). Its name contains the matrix's, so without this it would pass for the matrix itself.
 */
const SCALE_TENSOR = /(?:_scale|\.scales)$/;

/** Matrices a generated token multiplies through (the cost model's tensors). */
export const MATMUL_ROLES: ReadonlySet<TensorRole> = new Set(['attn_q', 'attn_k', 'attn_v', 'attn_qkv', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down', 'output']);

// GGUF names (llama.cpp `gguf-py/gguf/constants.py` MODEL_TENSOR names) first, then Hugging Face module names.
const ROLE_PATTERNS: [RegExp, TensorRole][] = [
  [/(^|\.)(attn_q|q_proj|query)(\.|$)/, 'attn_q'],
  [/(^|\.)(attn_k|k_proj|key)(\.|$)/, 'attn_k'],
  [/(^|\.)(attn_v|v_proj|value)(\.|$)/, 'attn_v'],
  [/(^|\.)(attn_qkv|qkv_proj|query_key_value|c_attn)(\.|$)/, 'attn_qkv'],
  [/(^|\.)(attn_output|o_proj|out_proj|dense|c_proj)(\.|$)/, 'attn_output'],
  [/(^|\.)(ffn_gate|gate_proj|w1)(\.|$)/, 'ffn_gate'],
  [/(^|\.)(ffn_up|up_proj|w3|fc1|c_fc)(\.|$)/, 'ffn_up'],
  [/(^|\.)(ffn_down|down_proj|w2|fc2)(\.|$)/, 'ffn_down'],
  [/norm/, 'norm'],
  [/(^|\.)(token_embd|embed_tokens|wte|tok_embeddings)(\.|$)/, 'token_embd'],
  [/(^|\.)(output|lm_head)(\.|$)/, 'output'],
];

export interface TensorPlace {
  block: number | null;
  role: TensorRole;
}

export function tensorPlace(name: string): TensorPlace {
  const m = /(?:^|\.)(?:blk|layers|h|blocks|layer)\.(\d+)\./.exec(name);
  const block = m ? Number(m[1]) : null;
  const rest = m ? name.slice(m.index + m[0].length) : name;
  if (SCALE_TENSOR.test(rest)) return { block, role: 'scale' };
  for (const [re, role] of ROLE_PATTERNS) if (re.test(rest)) return { block, role: role === 'output' && block !== null ? 'attn_output' : role };
  return { block, role: 'other' };
}

export interface BlockGroup {
  /** null for tensors outside the repeated blocks (embedding, final norm, head). */
  block: number | null;
  /** Tensor indices into the listing, in ROLE_ORDER then name order. */
  tensors: number[];
}

/** Tensors grouped by block: blocks in ascending order, then the tensors outside blocks. */
export function groupByBlock(listing: WeightsListing): BlockGroup[] {
  const groups = new Map<number | null, number[]>();
  listing.tensors.forEach((t, i) => {
    const { block } = tensorPlace(t.name);
    if (!groups.has(block)) groups.set(block, []);
    groups.get(block)!.push(i);
  });
  // A scale tensor sorts with its matrix (and after it, by name).
  const rank = (i: number) => ROLE_ORDER.indexOf(tensorPlace(listing.tensors[i].name.replace(SCALE_TENSOR, '')).role);
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  return keys.map((block) => ({
    block,
    tensors: groups.get(block)!.sort((a, b) => rank(a) - rank(b) || (listing.tensors[a].name < listing.tensors[b].name ? -1 : 1)),
  }));
}

export interface DepthPoint {
  block: number;
  /** Sum over the block's ternary tensors. */
  trits: TritCounts;
  /** Over all stored scales of the block's ternary tensors: min, count-weighted mean, max. */
  scale: { min: number; mean: number; max: number } | null;
}

/** Trit distribution and scale by block, for the charts across depth. */
export function depthSeries(stats: readonly TensorStats[]): DepthPoint[] {
  const points = new Map<number, DepthPoint & { scaleSum: number; scaleCount: number }>();
  for (const s of stats) {
    const { block } = tensorPlace(s.name);
    if (block === null || !s.ternary || !s.trits) continue;
    let p = points.get(block);
    if (!p) points.set(block, (p = { block, trits: { neg: 0, zero: 0, pos: 0 }, scale: null, scaleSum: 0, scaleCount: 0 }));
    p.trits.neg += s.trits.neg;
    p.trits.zero += s.trits.zero;
    p.trits.pos += s.trits.pos;
    if (s.scales && s.scales.count) {
      p.scale = p.scale ? { min: Math.min(p.scale.min, s.scales.min), mean: 0, max: Math.max(p.scale.max, s.scales.max) } : { min: s.scales.min, mean: 0, max: s.scales.max };
      p.scaleSum += s.scales.mean * s.scales.count;
      p.scaleCount += s.scales.count;
    }
  }
  return [...points.values()]
    .sort((a, b) => a.block - b.block)
    .map(({ block, trits, scale, scaleSum, scaleCount }) => ({ block, trits, scale: scale ? { ...scale, mean: scaleSum / scaleCount } : null }));
}
