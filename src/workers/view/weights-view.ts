/**
 * Builds what the model viewer shows for a weights-only listing
 * (src/shared/weightsView.ts): the header and grouped tensor table from the
 * header alone, then per-tensor statistics rows and the final totals, depth
 * series and cost. Pure: runs in the inspect worker (and in unit tests).
 */
import { ENCODING_BITS, tokenCost } from '../../core/weights/token-cost';
import { modelFacts } from '../../core/weights/facts';
import { depthSeries, groupByBlock, MATMUL_ROLES, tensorPlace, type TensorRole } from '../../core/weights/grouping';
import type { TensorStats, WeightsStats } from '../../core/weights/stats';
import type { TritCounts } from '../../core/weights/histograms';
import type { WeightScaleInfo, WeightsListing, WeightTensorInfo } from '../../core/weights/types';
import type {
  TensorStatsView, TokenCostView, WeightsGroup, WeightsHeaderView, WeightsStatsDone, WeightsTensorRow, WeightsView,
} from '../../shared/weightsView';

/** Metadata shown in the header's details: at most this many entries, each at most this long. */
const METADATA_ENTRIES = 40;
const METADATA_TEXT = 160;

function scaleText(s: WeightScaleInfo | undefined, dtype: string): string | null {
  if (!s) return null;
  const how = s.convention === 'divide' ? 'value = trit ÷ scale' : 'value = trit × scale';
  switch (s.kind) {
    case 'block': return `one ${dtype === 'TQ1_0' || dtype === 'TQ2_0' ? 'f16 ' : ''}scale per ${s.block ?? '?'}-weight block; ${how}`;
    case 'tensor-tail': return `one f32 scale after the packed data; ${how}`;
    case 'tensor': return `${s.block ? `one scale per ${s.block} weights` : 'one scale'} in tensor ${s.tensor ?? '?'}; ${how}`;
    case 'value': return 'stored as {−s, 0, +s} values';
  }
}

function displayText(v: unknown): string {
  let t: string;
  if (typeof v === 'string') t = v;
  else if (Array.isArray(v)) t = `[${v.slice(0, 8).map((x) => JSON.stringify(x)).join(', ')}${v.length > 8 ? ', …' : ''}] (${v.length} items)`;
  else if (v && typeof v === 'object' && 'length' in v && 'elementType' in v) {
    // A long GGUF array (the vocabulary) as the reader summarized it: its length and first items.
    const a = v as { length: unknown; elementType: unknown; head?: unknown };
    const head = Array.isArray(a.head) ? `: ${a.head.map((x) => JSON.stringify(x)).join(', ')}, …` : '';
    t = `${String(a.length)} × ${String(a.elementType)}${head}`;
  } else t = JSON.stringify(v) ?? String(v);
  return t.length > METADATA_TEXT ? `${t.slice(0, METADATA_TEXT - 1)}…` : t;
}

function tensorRow(t: WeightTensorInfo, index: number, tiedEmbedding: boolean): WeightsTensorRow {
  const { block, role } = tensorPlace(t.name);
  const elements = t.elements ?? t.shape.reduce((a, b) => a * b, 1);
  return {
    index,
    name: t.name,
    role,
    block,
    dtype: t.dtype,
    shape: [...t.shape],
    storedShape: t.storedShape ? [...t.storedShape] : null,
    elements,
    bytes: t.byteLength,
    offset: t.offset,
    bitsPerWeight: t.bitsPerWeight ?? (elements ? (8 * t.byteLength) / elements : 0),
    ternary: t.ternary,
    ternarySource: t.ternarySource ?? null,
    scaleText: scaleText(t.scale, t.dtype),
    undecoded: t.undecoded ?? null,
    // A tied embedding is also the output head's matrix (token-cost.ts counts it there).
    matmul: MATMUL_ROLES.has(role) || (tiedEmbedding && role === 'token_embd'),
  };
}

export function groupLabel(block: number | null): string {
  return block === null ? 'outside blocks' : `blk.${block}`;
}

/** Bytes per generated token: as stored, by role, and with the ternary matrices in each weight encoding. */
export function tokenCostView(listing: WeightsListing): TokenCostView {
  const c = tokenCost(listing);
  const byRole = new Map<TensorRole, { role: TensorRole; bytes: number; tensors: number }>();
  for (const t of c.tensors) {
    const e = byRole.get(t.role) ?? { role: t.role, bytes: 0, tensors: 0 };
    e.bytes += t.bytes;
    e.tensors++;
    byRole.set(t.role, e);
  }
  const encodings = Object.entries(ENCODING_BITS).map(([encoding, bitsPerTrit]) => ({
    encoding,
    bitsPerTrit,
    bytesPerToken: c.tensors.reduce((s, t) => s + (t.ternary ? (t.elements * bitsPerTrit) / 8 : t.bytes), 0) + c.otherBytes,
  }));
  return {
    matmulBytes: c.matmulBytes,
    otherBytes: c.otherBytes,
    bytesPerToken: c.bytesPerToken,
    tiedEmbedding: c.tiedEmbedding,
    byRole: [...byRole.values()].sort((a, b) => b.bytes - a.bytes),
    encodings: c.tensors.some((t) => t.ternary) ? encodings : [],
  };
}

/** The header and the grouped table, from the listing alone (nothing beyond the header is read). */
export function buildWeightsView(listing: WeightsListing, formatLabel: string, parseMs: number): WeightsView {
  const f = modelFacts(listing);
  const path = listing.file;
  const header: WeightsHeaderView = {
    fileName: path.split(/[\\/]/).pop() ?? path,
    filePath: path,
    format: listing.format,
    formatLabel,
    version: listing.version ?? null,
    architecture: f.architecture,
    name: f.name,
    parameters: f.parameters,
    ternaryParameters: f.ternaryParameters,
    fileBytes: listing.fileBytes,
    headerBytes: listing.headerBytes ?? 0,
    bitsPerWeight: f.bitsPerWeight,
    ternaryBitsPerWeight: f.ternaryBitsPerWeight,
    byType: f.byType,
    contextLength: f.contextLength,
    vocabularySize: f.vocabularySize,
    blocks: f.blocks,
    quantTypes: f.quantTypes,
    notes: [...(listing.notes ?? [])],
    metadata: Object.entries(listing.metadata).slice(0, METADATA_ENTRIES).map(([k, v]) => [k, displayText(v)]),
  };
  const groups: WeightsGroup[] = groupByBlock(listing).map((g) => ({ block: g.block, label: groupLabel(g.block), rows: g.tensors }));
  const cost = tokenCostView(listing);
  return {
    kind: 'weights',
    header,
    rows: listing.tensors.map((t, i) => tensorRow(t, i, cost.tiedEmbedding)),
    groups,
    cost,
    statsBytes: listing.tensors.reduce((s, t) => s + (t.undecoded ? 0 : t.byteLength), 0),
    parseMs,
  };
}

export function tensorStatsView(index: number, s: TensorStats): TensorStatsView {
  return {
    index,
    ternary: s.ternary,
    trits: s.trits ? { ...s.trits } : null,
    nonTernary: s.nonTernary,
    sparsity: s.sparsity,
    entropyBits: s.entropyBits,
    scales: s.ternary ? s.scales : null,
    values: s.values,
    decoded: s.decoded,
    note: s.note ?? null,
  };
}

/** Totals, depth series and cost once every tensor is counted; ternary-ness as the data decided it. */
export function statsDoneView(listing: WeightsListing, stats: WeightsStats, elapsedMs: number): WeightsStatsDone {
  const decided: WeightsListing = { ...listing, tensors: listing.tensors.map((t, i) => ({ ...t, ternary: stats.tensors[i].ternary })) };
  const tritCounts: TritCounts = { neg: 0, zero: 0, pos: 0 };
  let trits = 0, tritBytes = 0;
  for (const s of stats.tensors) {
    if (!s.ternary || !s.trits) continue;
    tritCounts.neg += s.trits.neg;
    tritCounts.zero += s.trits.zero;
    tritCounts.pos += s.trits.pos;
    trits += s.elements;
    tritBytes += s.byteLength;
  }
  return {
    rows: stats.tensors.flatMap((s, i) => (s.decoded ? [tensorStatsView(i, s)] : [])),
    depth: depthSeries(stats.tensors),
    tritCounts,
    trits,
    bitsPerTrit: trits ? (8 * tritBytes) / trits : null,
    byType: modelFacts(decided).byType,
    cost: tokenCostView(decided),
    bytesRead: stats.bytesRead,
    elapsedMs,
  };
}
