/**
 * Mixed-precision advice from a sweep: the keep-float set that maximizes the
 * predicted accuracy under a budget (share of float weights, bits per weight, or
 * energy per sample under a cost profile).
 *
 * Prediction: additive per-layer gains from the sweep, by three predictors.
 * all-but-this: keeping layer i float moved the all-ternary model's KL by
 * g_i = KL(all ternary) − KL(all but i) and its top-1 by t_i; a set S is predicted
 * at KL(all ternary) − Σ_{i∈S} g_i and top-1(all ternary) + Σ_{i∈S} t_i (the regime
 * of a mostly ternary model, which small budgets give). only-this: each layer left
 * ternary adds the damage it did alone in the float model, KL(only i) and
 * top-1(float) − top-1(only i) (exact when damage adds up). mean: their average.
 * Neither is exact (layers interact), so the advisor ranks a set by each predictor,
 * measures each, and proposes the best measured (./advice.ts). The default objective
 * is KL: with a few hundred samples, top-1 deltas of single layers are a handful of
 * samples and rank layers by noise; KL is continuous and moves with every sample.
 *
 * Selection: 0/1 knapsack over the layers (each budget is a linear constraint, see linearBudget). Costs
 * are rounded up to 1/4000 of the budget for the dynamic program, so its answer
 * always fits; a greedy by gain per cost is tried too and the better one kept.
 */
import { TritscopeError } from '../errors';
import type { BudgetKind, LayerSensitivity, Objective, Prediction, Predictor, SensitivityResult } from './schema';
import { BUDGET_KINDS } from './schema';

export interface Budget {
  kind: BudgetKind;
  text: string;
  /** float-weights: share in [0, 1]; bits: bits per weight; energy: pJ per sample. */
  limit: number;
}

export class BudgetError extends TritscopeError {}

const ENERGY_UNITS: Record<string, number> = { pj: 1, nj: 1e3, uj: 1e6, 'µj': 1e6, mj: 1e9, j: 1e12 };

/** All-float energy per sample, pJ. */
export function floatEnergy(r: SensitivityResult): number {
  return r.totals.otherEnergyPj + r.layers.reduce((s, l) => s + l.energyPj.float, 0);
}

/** `float-weights=5%` | `float-weights=1200` | `bits=1.8` | `energy=2.5uJ` | `energy=40%` (of the all-float model). */
export function parseBudget(text: string, r: SensitivityResult): Budget {
  const m = /^\s*([a-z-]+)\s*=\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(%|[a-zµ]*)\s*$/i.exec(text);
  const kinds = BUDGET_KINDS.join(', ');
  if (!m) throw new BudgetError(`budget '${text}': expected KIND=VALUE with KIND one of ${kinds} (e.g. float-weights=5%, bits=1.8, energy=2uJ)`);
  const kind = m[1].toLowerCase() as BudgetKind;
  const value = Number(m[2]);
  const unit = m[3].toLowerCase();
  if (!BUDGET_KINDS.includes(kind)) throw new BudgetError(`budget '${text}': unknown kind '${m[1]}' (expected ${kinds})`);
  if (!Number.isFinite(value) || value < 0) throw new BudgetError(`budget '${text}': expected a number ≥ 0`);
  let limit: number;
  if (kind === 'float-weights') {
    if (unit === '%') limit = value / 100;
    else if (unit === '') limit = r.totals.weights ? value / r.totals.weights : 0;
    else throw new BudgetError(`budget '${text}': float-weights takes a percentage (5%) or a count of weights`);
  } else if (kind === 'bits') {
    if (unit !== '' && unit !== 'b' && unit !== 'bits') throw new BudgetError(`budget '${text}': bits takes bits per weight (bits=1.8)`);
    limit = value;
  } else if (unit === '%') limit = (value / 100) * floatEnergy(r);
  else if (unit in ENERGY_UNITS) limit = value * ENERGY_UNITS[unit];
  else if (unit === '') limit = value;
  else throw new BudgetError(`budget '${text}': energy takes pJ, nJ, uJ or mJ per sample, or a percentage of the float model's`);
  return { kind, text: text.trim(), limit };
}

/** What keeping `keep` float costs, in each budget kind's unit. */
export function costOf(r: SensitivityResult, keep: ReadonlySet<string>): Record<BudgetKind, number> {
  let w = 0, bits = r.totals.otherBits, energy = r.totals.otherEnergyPj, params = r.totals.otherParams;
  for (const l of r.layers) {
    const f = keep.has(l.name);
    if (f) w += l.weights;
    bits += f ? l.bits.float : l.bits.ternary;
    energy += f ? l.energyPj.float : l.energyPj.ternary;
    params += f ? l.params.float : l.params.ternary;
  }
  return { 'float-weights': r.totals.weights ? w / r.totals.weights : 0, bits: params ? bits / params : 0, energy };
}

/**
 * Gain of keeping layer l float, per predictor (additive, so a set's prediction is a sum):
 *  - all-but-this: what keeping l float bought the all-ternary model;
 *  - only-this: what ternarizing l alone cost the float model (damage assumed additive);
 *  - mean: the average of the two.
 */
function gains(r: SensitivityResult, l: LayerSensitivity): Record<Predictor, Prediction> {
  const abt = { top1: l.allButThis.top1 - r.allTernary.top1, kl: r.allTernary.kl - l.allButThis.kl };
  const ot = { top1: r.float.top1 - l.onlyThis.top1, kl: l.onlyThis.kl };
  return { 'all-but-this': abt, 'only-this': ot, mean: { top1: (abt.top1 + ot.top1) / 2, kl: (abt.kl + ot.kl) / 2 } };
}

/** Predicted top-1 and KL of keeping `keep` float, by each predictor (see gains). */
export function predict(r: SensitivityResult, keep: ReadonlySet<string>): Record<Predictor, Prediction> {
  const abt = { top1: r.allTernary.top1, kl: r.allTernary.kl };
  // only-this: the float model minus the damage of every layer left ternary.
  const ot = { top1: r.float.top1, kl: 0 };
  for (const l of r.layers) {
    const g = gains(r, l);
    if (keep.has(l.name)) {
      abt.top1 += g['all-but-this'].top1;
      abt.kl -= g['all-but-this'].kl;
    } else {
      ot.top1 -= g['only-this'].top1;
      ot.kl += g['only-this'].kl;
    }
  }
  const clamp = (p: Prediction): Prediction => ({ top1: Math.min(1, Math.max(0, p.top1)), kl: Math.max(0, p.kl) });
  return { 'all-but-this': clamp(abt), 'only-this': clamp(ot), mean: clamp({ top1: (abt.top1 + ot.top1) / 2, kl: (abt.kl + ot.kl) / 2 }) };
}

function gain(r: SensitivityResult, l: LayerSensitivity, objective: Objective, predictor: Predictor): number {
  const g = gains(r, l)[predictor];
  // top-1 first; KL only orders layers of equal top-1 gain (it is ≪ 1/n).
  return objective === 'kl' ? g.kl : g.top1 + 1e-9 * g.kl;
}

/**
 * The budget as a linear constraint Σ_{i∈S} cost_i ≤ room over the layers kept float. Float weights and
 * energy add up per layer. Bits per weight is a ratio whose denominator moves too (a ternary layer adds
 * its scales): bits(S) / params(S) ≤ B ⟺ Σ_{i∈S} (Δbits_i − B·Δparams_i) ≤ B·params(∅) − bits(∅),
 * with Δ = float − ternary, which is linear again.
 */
function linearBudget(r: SensitivityResult, budget: Budget): { cost: (l: LayerSensitivity) => number; room: number } {
  if (budget.kind === 'float-weights') return { cost: (l) => (r.totals.weights ? l.weights / r.totals.weights : 0), room: budget.limit };
  if (budget.kind === 'energy') return { cost: (l) => l.energyPj.float - l.energyPj.ternary, room: budget.limit - costOf(r, new Set()).energy };
  const B = budget.limit;
  let bits0 = r.totals.otherBits, params0 = r.totals.otherParams;
  for (const l of r.layers) {
    bits0 += l.bits.ternary;
    params0 += l.params.ternary;
  }
  return { cost: (l) => l.bits.float - l.bits.ternary - B * (l.params.float - l.params.ternary), room: B * params0 - bits0 };
}

const RESOLUTION = 4000;

function knapsack(values: number[], costs: number[], cap: number): number[] {
  const unit = cap / RESOLUTION;
  const w = costs.map((c) => Math.ceil(c / unit - 1e-9));
  const best = new Float64Array(RESOLUTION + 1);
  const took = values.map(() => new Uint8Array(RESOLUTION + 1));
  values.forEach((v, i) => {
    if (w[i] > RESOLUTION) return;
    for (let c = RESOLUTION; c >= w[i]; c--) {
      const cand = best[c - w[i]] + v;
      if (cand > best[c]) { best[c] = cand; took[i][c] = 1; }
    }
  });
  const chosen: number[] = [];
  let c = RESOLUTION;
  for (let i = values.length - 1; i >= 0; i--) if (took[i][c]) { chosen.push(i); c -= w[i]; }
  return chosen;
}

function greedy(values: number[], costs: number[], cap: number): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[b] / Math.max(costs[b], 1e-300) - values[a] / Math.max(costs[a], 1e-300));
  const chosen: number[] = [];
  let used = 0;
  for (const i of order) if (used + costs[i] <= cap) { chosen.push(i); used += costs[i]; }
  return chosen;
}

/** Whether `keep` fits `budget` (a relative 1e-9 allowance for the float sums). */
export function fits(r: SensitivityResult, keep: ReadonlySet<string>, budget: Budget): boolean {
  return costOf(r, keep)[budget.kind] <= budget.limit + 1e-9 * Math.max(1, Math.abs(budget.limit));
}

/** The keep-float set maximizing the objective as `predictor` predicts it within `budget` (layer names in graph order). */
export function proposeKeepFloat(r: SensitivityResult, budget: Budget, objective: Objective = 'kl', predictor: Predictor = 'all-but-this'): string[] {
  const floor = costOf(r, new Set())[budget.kind];
  const { cost, room } = linearBudget(r, budget);
  if (room < -1e-9 * Math.max(1, Math.abs(budget.limit) * r.totals.params)) {
    const unit = budget.kind === 'bits' ? ' bits per weight' : budget.kind === 'energy' ? ' pJ per sample' : '';
    throw new BudgetError(`budget '${budget.text}' is below what the all-ternary model needs (${budget.kind === 'float-weights' ? '0' : floor.toPrecision(4)}${unit})`);
  }
  const free: number[] = [], items: number[] = [];
  r.layers.forEach((l, i) => {
    if (gain(r, l, objective, predictor) <= 0) return; // keeping it float is not predicted to help
    (cost(l) <= 0 ? free : items).push(i);
  });
  // Layers that cost nothing or give room back (energy under some profiles) are taken.
  const cap = room - free.reduce((s, i) => s + cost(r.layers[i]), 0);
  const values = items.map((i) => gain(r, r.layers[i], objective, predictor));
  const costs = items.map((i) => cost(r.layers[i]));
  const total = (sel: number[]) => sel.reduce((s, k) => s + values[k], 0);
  let chosen: number[] = [];
  if (cap > 0) {
    const a = knapsack(values, costs, cap), b = greedy(values, costs, cap);
    chosen = total(a) >= total(b) ? a : b;
  }
  const keep = new Set([...free, ...chosen.map((k) => items[k])].map((i) => r.layers[i].name));
  // Never hand back a set over budget, whatever the rounding: drop the least valuable per cost until it fits.
  while (keep.size && !fits(r, keep, budget)) {
    const ratio = (l: LayerSensitivity) => gain(r, l, objective, predictor) / cost(l);
    const costly = r.layers.filter((l) => keep.has(l.name) && cost(l) > 0).sort((x, y) => ratio(x) - ratio(y));
    if (!costly.length) break;
    keep.delete(costly[0].name);
  }
  return r.layers.filter((l) => keep.has(l.name)).map((l) => l.name);
}
