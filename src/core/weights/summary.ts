/**
 * `tritscope inspect <model.gguf|model.safetensors|weights-only .tnn> --json`:
 * the inspect contract (src/core/inspect/summary.ts) for weights-only models.
 * `layers` are the tensors in table order (by block, then role), with the
 * LayerSummary keys (graph-only ones null) plus weight keys; `totals` carry
 * bits per weight. The viewer shows the same objects, so counts agree.
 */
import { modelFacts, type ModelFacts, type TypeTotals } from './facts';
import { depthSeries, groupByBlock, tensorPlace, type DepthPoint, type TensorRole } from './grouping';
import type { TritCounts, ValueSummary } from './histograms';
import type { TensorStats, WeightsStats } from './stats';
import { tokenCost, type TokenCost } from './token-cost';
import type { WeightScaleInfo, WeightsListing } from './types';

export interface WeightsLayerSummary {
  name: string;
  /** The tensor's role (attn_q, ffn_down, norm, token_embd, …). */
  op: TensorRole;
  ternary: boolean;
  shape: number[];
  thresholds: null;
  /** Mean effective scale of a ±1 trit (symmetric: pos = neg), null for non-ternary tensors. */
  scale: { pos: number; neg: number } | null;
  gamma: null;
  trits: TritCounts | null;
  entropyBits: number | null;
  relError: null;
  sparsity: number | null;
  cosine: null;
  /** `<format>:<stored type>`, e.g. 'gguf:TQ1_0'. */
  method: string;
  params: number;
  actQuant: null;
  dtype: string;
  block: number | null;
  bitsPerWeight: number;
  bytes: number;
  offset: number;
  nonTernary: number;
  /** Stored scales (per 256-weight block for TQ1_0/TQ2_0): min/mean/max and a histogram. */
  scales: ValueSummary | null;
  scaleInfo: WeightScaleInfo | null;
  values: ValueSummary | null;
  decoded: boolean;
  note: string | null;
}

export interface WeightsTotals {
  params: number;
  /** Ternary weights (counted from the data). */
  trits: number;
  tritCounts: TritCounts;
  /** Size of the file. */
  bytes: number;
  /** Stored bits per ternary weight over the ternary tensors (TQ1_0 alone: 1.6875). */
  bitsPerTrit: number;
  /** Stored bits per weight over all tensors. */
  bitsPerWeight: number;
  fp32Bytes: number;
  /** Bytes of all tensors as stored. */
  weightBytes: number;
  latentBytes: 0;
  byType: TypeTotals[];
}

export interface WeightsInspectSummary {
  format: string;
  version: number | null;
  model: ModelFacts;
  layers: WeightsLayerSummary[];
  totals: WeightsTotals;
  depth: DepthPoint[];
  cost: TokenCost;
  notes: string[];
  metadata: Record<string, unknown>;
}

function layer(listing: WeightsListing, s: TensorStats, index: number): WeightsLayerSummary {
  const t = listing.tensors[index];
  const { block, role } = tensorPlace(t.name);
  const mean = s.ternary && s.scales && s.scales.count ? s.scales.mean : null;
  return {
    name: t.name,
    op: role,
    ternary: s.ternary,
    shape: [...t.shape],
    thresholds: null,
    scale: mean === null ? null : { pos: mean, neg: mean },
    gamma: null,
    trits: s.trits ? { ...s.trits } : null,
    entropyBits: s.entropyBits,
    relError: null,
    sparsity: s.sparsity,
    cosine: null,
    method: `${listing.format}:${t.dtype}`,
    params: s.elements,
    actQuant: null,
    dtype: t.dtype,
    block,
    bitsPerWeight: s.bitsPerWeight,
    bytes: t.byteLength,
    offset: t.offset,
    nonTernary: s.nonTernary,
    scales: s.ternary ? s.scales : null,
    scaleInfo: s.scale ?? null,
    values: s.values,
    decoded: s.decoded,
    note: s.note ?? null,
  };
}

/** `stats` must come from computeWeightsStats over the same listing. */
export function summarizeWeights(listing: WeightsListing, stats: WeightsStats, options: { bandwidthGBs?: number } = {}): WeightsInspectSummary {
  // Data-decided ternary-ness (a probed float matrix may turn out not to be ternary).
  const decided: WeightsListing = { ...listing, tensors: listing.tensors.map((t, i) => ({ ...t, ternary: stats.tensors[i].ternary })) };
  const order = groupByBlock(decided).flatMap((g) => g.tensors);
  const layers = order.map((i) => layer(decided, stats.tensors[i], i));
  const counts: TritCounts = { neg: 0, zero: 0, pos: 0 };
  let tritBytes = 0, trits = 0, params = 0, weightBytes = 0;
  for (const s of stats.tensors) {
    params += s.elements;
    weightBytes += s.byteLength;
    if (s.ternary && s.trits) {
      counts.neg += s.trits.neg;
      counts.zero += s.trits.zero;
      counts.pos += s.trits.pos;
      trits += s.elements;
      tritBytes += s.byteLength;
    }
  }
  const model = modelFacts(decided);
  return {
    format: listing.format,
    version: listing.version ?? null,
    model,
    layers,
    totals: {
      params,
      trits,
      tritCounts: counts,
      bytes: listing.fileBytes,
      bitsPerTrit: trits ? (8 * tritBytes) / trits : 0,
      bitsPerWeight: params ? (8 * weightBytes) / params : 0,
      fp32Bytes: 4 * params,
      weightBytes,
      latentBytes: 0,
      byType: model.byType,
    },
    depth: depthSeries(stats.tensors),
    cost: tokenCost(decided, { bandwidthGBs: options.bandwidthGBs }),
    notes: [...(listing.notes ?? [])],
    metadata: listing.metadata,
  };
}
