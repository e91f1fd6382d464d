/**
 * Requests from the model viewer's host side (src/extension/editor/inspectClient.ts)
 * to its worker (src/workers/inspect.ts), and their results; they travel in
 * ./rpc.ts envelopes. Type-only.
 */
import type { TechProfile } from '../core/cost/types';
import type { CostView, ModelView } from './messages';
import type { WeightsStatsDone, WeightsView } from './weightsView';

export type InspectRequest =
  /** A model with a graph (`.tnn`); weights-only files are refused (use `open`). */
  | { type: 'load'; file: string; profile: TechProfile | null }
  /** Any viewable file: a graph model's view, or a weights-only model's header and table (header read only). */
  | { type: 'open'; file: string; profile: TechProfile | null }
  /**
   * Streams the opened weights-only model's statistics: progress WeightsStatsProgress, result WeightsStatsDone.
   * `threads`: by default a large model's pass uses a helper worker for half the file on machines of more than two
   * cores; 2 always, 1 never.
   */
  | { type: 'weightsStats'; chunkBytes?: number; threads?: 1 | 2 }
  /** Stops a running statistics pass (its request rejects with WeightsAbortError); answers whether one ran. */
  | { type: 'cancelStats' }
  | { type: 'cost'; profile: TechProfile }
  | { type: 'histogram'; layer: string; bins: number }
  | { type: 'summary'; profile: TechProfile | null; bandwidthGBs?: number };

export type OpenResult = { kind: 'model'; view: ModelView } | { kind: 'weights'; view: WeightsView };

export interface CostResult {
  profileId: string;
  layers: Array<CostView | null>;
  totals: CostView | null;
}

export interface HistogramResult {
  /** Float64Array of bin counts, as its (transferred) ArrayBuffer. */
  counts: ArrayBuffer;
  min: number;
  max: number;
}

export interface InspectResults {
  load: ModelView;
  open: OpenResult;
  weightsStats: WeightsStatsDone;
  cancelStats: boolean;
  cost: CostResult;
  /** null when the layer has no latent float weights. */
  histogram: HistogramResult | null;
  /** The `tritscope inspect --json` object, with cost when a profile is given. */
  summary: Record<string, unknown>;
}
