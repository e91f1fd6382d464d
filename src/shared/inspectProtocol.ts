/**
 * Requests from the model viewer's host side (src/extension/editor/inspectClient.ts)
 * to its worker (src/workers/inspect.ts), and their results; they travel in
 * ./rpc.ts envelopes. Type-only.
 */
import type { TechProfile } from '../core/cost/types';
import type { CostView, ModelView } from './messages';

export type InspectRequest =
  | { type: 'load'; file: string; profile: TechProfile | null }
  | { type: 'cost'; profile: TechProfile }
  | { type: 'histogram'; layer: string; bins: number }
  | { type: 'summary'; profile: TechProfile | null };

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
  cost: CostResult;
  /** null when the layer has no latent float weights. */
  histogram: HistogramResult | null;
  /** The `tritscope inspect --json` object, with cost when a profile is given. */
  summary: Record<string, unknown>;
}
