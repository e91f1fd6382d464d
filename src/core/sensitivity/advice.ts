/**
 * A proposal as the CLI and the viewer show it: the budget's best keep-float set,
 * the seed paper's rule (first and last weight layers float) and the best set at
 * that rule's own cost, each with its cost, its predicted accuracy and its accuracy
 * measured on the sweep's samples (quantized from the same pieces `tritscope
 * quantize --keep-float` would write, run on the sweep's engine).
 *
 * Each predictor (./propose.ts) proposes its own set, at the budget and at the
 * default rule's cost; every distinct set is measured and the best measured one
 * that fits the budget is the proposal (the default rule itself is not a candidate,
 * so the comparison with it stays a comparison). Choosing among at most three
 * sets on the sweep's samples is a mild selection on those samples (the note,
 * docs/sensitivity.md, says so).
 */
import type { SensitivitySession } from './analyse';
import { costOf, fits, parseBudget, predict, proposeKeepFloat, type Budget } from './propose';
import { PREDICTORS, type KeepFloatPlan, type Objective, type Proposal, type Score } from './schema';
import { measureKeepFloat } from './sweep';

/** The seed paper's default: the first and last weight layers stay float (quantizeModel's default keep-float). */
export function defaultRuleSet(layerNames: readonly string[]): string[] {
  return [...new Set([layerNames[0], layerNames[layerNames.length - 1]])].filter((n) => n !== undefined);
}

/** Better measured: higher top-1 (objective top1) or lower KL (objective kl), the other metric breaking ties. */
function better(a: Score, b: Score, objective: Objective): boolean {
  if (objective === 'top1') return a.top1Count !== b.top1Count ? a.top1Count > b.top1Count : a.kl < b.kl;
  return a.kl !== b.kl ? a.kl < b.kl : a.top1Count > b.top1Count;
}

/** At most this many distinct sets are measured: one per predictor at the budget and at the rule's cost, and the rule. */
const MAX_MEASURED = 2 * PREDICTORS.length + 1;

export async function adviseKeepFloat(
  s: SensitivitySession, budgetText: string, objective: Objective = 'kl', signal?: AbortSignal,
  onProgress?: (p: { done: number; total: number; message: string }) => void,
): Promise<Proposal> {
  const t0 = performance.now();
  const r = s.result;
  const budget = parseBudget(budgetText, r);
  const byMeasured = (x: KeepFloatPlan, y: KeepFloatPlan) => (better(x.measured, y.measured, objective) ? -1 : better(y.measured, x.measured, objective) ? 1 : 0);
  const measured = new Map<string, Score>();
  const measure = async (keep: string[]) => {
    const key = keep.join('\u0000');
    if (!measured.has(key)) {
      measured.set(key, await measureKeepFloat(s.pieces, s.runner, s.reference, keep, s.batch, signal));
      onProgress?.({ done: measured.size, total: MAX_MEASURED, message: `measured keep-float set ${measured.size} (${keep.length} layers float)` });
    }
    return measured.get(key)!;
  };
  const plan = async (keep: string[], predictor?: KeepFloatPlan['predictor']): Promise<KeepFloatPlan> => {
    const set = new Set(keep);
    const cost = costOf(r, set);
    return {
      keepFloat: keep, floatWeightShare: cost['float-weights'], bitsPerWeight: cost.bits, energyPj: cost.energy,
      ...(predictor ? { predictor } : {}), predicted: predict(r, set), measured: await measure(keep),
    };
  };
  /** One set per predictor (duplicates dropped), each measured; the best measured first. */
  const candidatesFor = async (b: Budget): Promise<KeepFloatPlan[]> => {
    const seen = new Set<string>();
    const out: KeepFloatPlan[] = [];
    for (const predictor of PREDICTORS) {
      const keep = proposeKeepFloat(r, b, objective, predictor);
      const key = keep.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(await plan(keep, predictor));
    }
    return out.sort(byMeasured);
  };
  const rule = defaultRuleSet(r.layers.map((l) => l.name));
  const ruleCost = costOf(r, new Set(rule))[budget.kind];
  const defaultPlan = await plan(rule);
  const atRule = await candidatesFor({ kind: budget.kind, text: `${budget.kind} of first,last`, limit: ruleCost });
  // Sets ranked at the rule's (smaller) cost that also fit this budget are measured already: candidates too.
  const mine = await candidatesFor(budget);
  const seen = new Set(mine.map((p) => p.keepFloat.join('\u0000')));
  const extra = atRule.filter((p) => fits(r, new Set(p.keepFloat), budget) && !seen.has(p.keepFloat.join('\u0000')));
  const candidates = [...mine, ...extra].sort(byMeasured);
  const atDefaultCost = atRule[0];
  return {
    budget: { kind: budget.kind, text: budget.text, limit: budget.limit },
    objective,
    proposal: candidates[0],
    candidates,
    defaultRule: { ...defaultPlan, fits: fits(r, new Set(rule), budget) },
    atDefaultCost,
    ms: performance.now() - t0,
    date: new Date().toISOString(),
  };
}
