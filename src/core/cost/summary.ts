/**
 * Attach cost numbers to an inspect summary (`summarizeTnn`'s object) without
 * depending on its full type: any summary with named layers and a totals object.
 */
import type { TnnModel } from '../graph/types';
import { modelCost } from './model';
import type { CostNumbers, CostOptions, LayerCost, TechProfile } from './types';

export interface CostedSummaryFields {
  costProfile: { id: string; name: string; weightEncoding: string };
}

type SummaryLike = { layers: Array<{ name: string }>; totals: object };

export type WithCost<S extends SummaryLike> = Omit<S, 'layers' | 'totals'> &
  CostedSummaryFields & {
    layers: Array<S['layers'][number] & { cost: LayerCost }>;
    totals: S['totals'] & { cost: CostNumbers };
  };

/** A copy of `summary` with `cost` on each layer (matched by name) and in `totals`. */
export function addCost<S extends SummaryLike>(summary: S, model: TnnModel, profile: TechProfile, opts?: CostOptions): WithCost<S> {
  const mc = modelCost(model, profile, opts);
  const byName = new Map(mc.layers.map((l) => [l.name, l]));
  return {
    ...summary,
    costProfile: mc.profile,
    layers: summary.layers.map((l) => {
      const c = byName.get(l.name);
      return c ? { ...l, cost: c } : (l as S['layers'][number] & { cost: LayerCost });
    }),
    totals: { ...summary.totals, cost: mc.totals },
  };
}
