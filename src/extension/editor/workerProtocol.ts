/** Messages between the editor host code and dist/workers/inspect.js (no `vscode`, no runtime code). */
import type { TechProfile } from '../../core/cost/types';
import type { CostView, ErrorView, ModelView } from '../../shared/messages';

export type WorkerRequest =
  | { id: number; type: 'load'; file: string; profile: TechProfile | null }
  | { id: number; type: 'cost'; profile: TechProfile }
  | { id: number; type: 'histogram'; layer: string; bins: number }
  | { id: number; type: 'summary'; profile: TechProfile | null };

export interface CostResult {
  profileId: string;
  layers: Array<CostView | null>;
  totals: CostView | null;
}

export interface HistogramResult {
  counts: ArrayBuffer;
  min: number;
  max: number;
}

export type WorkerResult = ModelView | CostResult | HistogramResult | null | Record<string, unknown>;

export type WorkerReply = { id: number; ok: true; result: WorkerResult } | { id: number; ok: false; error: ErrorView };
