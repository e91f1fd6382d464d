/**
 * What the model viewer shows for weights-only models (GGUF, safetensors
 * checkpoints, weights-only `.tnn`), and the messages that carry it. The header
 * and tensor table come first, from the file's header alone (WeightsView);
 * per-tensor statistics then stream in from the inspect worker
 * (WeightsStatsProgress, in file order) until WeightsStatsDone. Built in
 * src/workers/view/weights-view.ts; shown by webview/weights/. Type-only
 * except the message-type constants.
 */
import type { ModelFacts, TypeTotals } from '../core/weights/facts';
import type { DepthPoint, TensorRole } from '../core/weights/grouping';
import type { TritCounts, ValueSummary } from '../core/weights/histograms';
import type { TensorStats } from '../core/weights/stats';
import type { ErrorView } from './rpc';

export type { DepthPoint, TensorRole, TritCounts, TypeTotals, ValueSummary };

/** The reader's header facts (core/weights/facts.ts) plus what only the view needs. */
export interface WeightsHeaderView extends Omit<ModelFacts, 'file'> {
  fileName: string;
  filePath: string;
  /** Label of the registry format id in `format` ('gguf', 'safetensors', 'tnn'). */
  formatLabel: string;
  version: number | null;
  /** Bytes of the file read to build this view. */
  headerBytes: number;
  /** Readers' notes (layout caveats, missing scales), one sentence each. */
  notes: string[];
  /** A few metadata entries as display text, for the header's details. */
  metadata: Array<[string, string]>;
}

export interface WeightsTensorRow {
  /** Index in the listing (stats rows refer to it). */
  index: number;
  name: string;
  role: TensorRole;
  block: number | null;
  dtype: string;
  shape: number[];
  storedShape: number[] | null;
  elements: number;
  bytes: number;
  offset: number;
  bitsPerWeight: number;
  /** Ternary by type, packing or a probe of its first values (the statistics decide probed ones). */
  ternary: boolean;
  ternarySource: 'type' | 'packed' | 'probe' | null;
  /** How the stored scale applies ('per 256-weight block (f16)', 'separate tensor …'), null when none. */
  scaleText: string | null;
  /** A known type whose values are not decoded, and why. */
  undecoded: string | null;
  /** A matrix a generated token multiplies through (the cost model's tensors). */
  matmul: boolean;
}

export interface WeightsGroup {
  block: number | null;
  /** 'blk.3', or 'outside blocks' for the embedding, final norm and head. */
  label: string;
  /** Row indices (= listing indices) in table order. */
  rows: number[];
}

/** Memory-bound cost of one generated token (src/core/weights/token-cost.ts); tokens/s follows from a bandwidth in the view. */
export interface TokenCostView {
  matmulBytes: number;
  /** Embedding row, norms and separate scale tensors. */
  otherBytes: number;
  bytesPerToken: number;
  tiedEmbedding: boolean;
  /** Bytes per token by role (attn_q … ffn_down, output), largest first. */
  byRole: Array<{ role: TensorRole; bytes: number; tensors: number }>;
  /** Bytes per token if the ternary matrices were stored in each weight encoding of the cost profiles. */
  encodings: Array<{ encoding: string; bitsPerTrit: number; bytesPerToken: number }>;
}

export interface WeightsView {
  kind: 'weights';
  header: WeightsHeaderView;
  rows: WeightsTensorRow[];
  groups: WeightsGroup[];
  cost: TokenCostView;
  /** Bytes the statistics pass reads (decoded tensors). */
  statsBytes: number;
  /** Milliseconds spent reading the header and building this view (in the worker). */
  parseMs: number;
}

/** One tensor's statistics (core/weights/stats.ts) as posted to the webview. */
export interface TensorStatsView
  extends Pick<TensorStats, 'ternary' | 'trits' | 'nonTernary' | 'sparsity' | 'entropyBits' | 'scales' | 'values' | 'decoded'> {
  index: number;
  note: string | null;
}

export interface WeightsStatsProgress {
  bytesDone: number;
  bytesTotal: number;
  /** The tensor being read. */
  tensor: string;
  /** Tensors finished since the previous progress message. */
  rows: TensorStatsView[];
  elapsedMs: number;
}

export interface WeightsStatsDone {
  /** Every decoded tensor. */
  rows: TensorStatsView[];
  depth: DepthPoint[];
  tritCounts: TritCounts;
  /** Ternary weights counted from the data, and their stored bits per weight. */
  trits: number;
  bitsPerTrit: number | null;
  byType: TypeTotals[];
  /** With ternary-ness decided by the data (a probed float matrix may turn out not ternary). */
  cost: TokenCostView;
  bytesRead: number;
  elapsedMs: number;
}

/** What the view knows of the statistics when it (re)opens. */
export interface WeightsStatsState {
  rows: TensorStatsView[];
  progress: { bytesDone: number; bytesTotal: number; tensor: string } | null;
  done: WeightsStatsDone | null;
  error: ErrorView | null;
}

export const WeightsToWebview = {
  Weights: 'weights',
  Progress: 'weightsProgress',
  Done: 'weightsDone',
  Failed: 'weightsFailed',
  Bandwidth: 'weightsBandwidth',
} as const;

export type WeightsToWebviewMessage =
  | { type: typeof WeightsToWebview.Weights; view: WeightsView; stats: WeightsStatsState; bandwidthGBs: number }
  | { type: typeof WeightsToWebview.Progress; progress: WeightsStatsProgress }
  | { type: typeof WeightsToWebview.Done; done: WeightsStatsDone }
  /** The statistics stopped (error or cancel); the table keeps what arrived. */
  | { type: typeof WeightsToWebview.Failed; error: ErrorView }
  /** `tritscope.memoryBandwidthGBs` changed. */
  | { type: typeof WeightsToWebview.Bandwidth; bandwidthGBs: number };

export function isWeightsView(v: unknown): v is WeightsView {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'weights';
}

export function isWeightsMessage(m: unknown): m is WeightsToWebviewMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return typeof t === 'string' && (Object.values(WeightsToWebview) as string[]).includes(t);
}

/** Webview state of the weights view (getState/setState), beside the `.tnn` view's EditorViewState. */
export interface WeightsViewState {
  /** Group labels the user collapsed or expanded (overrides the default). */
  groups: Record<string, boolean>;
  selected: number | null;
  /** GB/s typed into the view; null follows the setting. */
  bandwidthGBs: number | null;
  filter: string;
}
