/**
 * Asymmetric thresholds found by greedy dichotomic search (Alemdar et al. 2017;
 * the survey's greedy/dichotomic-search family), seed paper Eq. 6:
 * max(W) ≥ Δp ≥ 0 ≥ Δn ≥ min(W), one symmetric α.
 *
 * Objective: ‖W − α·T‖² with the L2-optimal α for each candidate T. Only the
 * split points between distinct sorted values matter, so a candidate is a pair
 * (g, h) = (number of distinct positive values above Δp, number of distinct
 * negative magnitudes beyond Δn). With S = Σ|W_i| and n = count over the nonzero
 * trits, α = S/n and ‖W − αT‖² = ‖W‖² − S²/n, so we maximise F = S²/n.
 * Search: from TWN's Δ = 0.7·E|W|, alternate a dichotomic (ternary) search over
 * g with h fixed and over h with g fixed, each finished by a neighbour
 * hill-climb, until neither moves. Deterministic.
 *
 * Coordinate moves alone can stall where only moving both thresholds at once
 * helps (e.g. equal magnitudes on both sides). For a fixed α the L2-best trits
 * are {|W| > α/2}, so the global optimum lies on the path of common-magnitude
 * cuts (both sides cut at the same |w|); we scan that path in O(n) as a final
 * check and, when it wins, restart the alternation from it. The result then
 * equals a brute-force search over all (Δp, Δn) pairs (tested).
 */
import { applyThresholds, checkWeights, optimalScale, type QuantResult } from './common';
import { defineQuantizer } from './spec';

export interface AlemdarOptions {
  /** Upper bound on alternation rounds (each round: one Δp and one Δn search). */
  maxRounds?: number;
  name?: string;
}

/** Distinct values sorted descending with prefix counts and sums (index g = first g groups). */
interface SideTable {
  values: number[];
  count: Float64Array;
  sum: Float64Array;
}

function sideTable(mags: Float64Array): SideTable {
  mags.sort(); // typed-array sort is numeric and much faster than Array#sort with a comparator
  const values: number[] = [];
  const counts: number[] = [0];
  const sums: number[] = [0];
  for (let i = mags.length - 1; i >= 0; i--) {
    const m = mags[i];
    if (values.length && values[values.length - 1] === m) {
      counts[counts.length - 1]++;
      sums[sums.length - 1] += m;
    } else {
      values.push(m);
      counts.push(counts[counts.length - 1] + 1);
      sums.push(sums[sums.length - 1] + m);
    }
  }
  return { values, count: Float64Array.from(counts), sum: Float64Array.from(sums) };
}

/** Number of groups strictly beyond a magnitude threshold. */
function groupsAbove(side: SideTable, threshold: number): number {
  let g = 0;
  while (g < side.values.length && side.values[g] > threshold) g++;
  return g;
}

/** Maximises f over integers [0, hi] by ternary search, then climbs to a local optimum. */
function dichotomicArgmax(f: (k: number) => number, hi: number, start: number): number {
  let lo = 0;
  let top = hi;
  while (top - lo > 2) {
    const m1 = lo + Math.floor((top - lo) / 3);
    const m2 = top - Math.floor((top - lo) / 3);
    if (f(m1) < f(m2)) lo = m1 + 1;
    else top = m2 - 1 < m1 ? m1 : m2 - 1;
  }
  let best = start;
  for (let k = lo; k <= top; k++) if (f(k) > f(best)) best = k;
  // Hill-climb: the objective need not be unimodal on real data.
  for (;;) {
    if (best > 0 && f(best - 1) > f(best)) best--;
    else if (best < hi && f(best + 1) > f(best)) best++;
    else return best;
  }
}

/** Best (g, h) among cuts that keep every |w| ≥ m on both sides, for each distinct magnitude m. */
function bestCommonMagnitudeCut(P: SideTable, N: SideTable, score: (g: number, h: number) => number): { g: number; h: number; score: number } {
  let g = 0, h = 0;
  let best = { g: 0, h: 0, score: score(0, 0) };
  while (g < P.values.length || h < N.values.length) {
    const next = Math.max(g < P.values.length ? P.values[g] : -1, h < N.values.length ? N.values[h] : -1);
    if (g < P.values.length && P.values[g] === next) g++;
    if (h < N.values.length && N.values[h] === next) h++;
    const s = score(g, h);
    if (s > best.score) best = { g, h, score: s };
  }
  return best;
}

export function alemdar(w: Float32Array, opts: AlemdarOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  checkWeights(w, name);
  let nPos = 0, nNeg = 0, sumAbs = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] > 0) nPos++;
    else if (w[i] < 0) nNeg++;
    sumAbs += Math.abs(w[i]);
  }
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  for (let i = 0, p = 0, q = 0; i < w.length; i++) {
    const v = w[i];
    if (v > 0) pos[p++] = v;
    else if (v < 0) neg[q++] = -v;
  }
  const P = sideTable(pos);
  const N = sideTable(neg);
  const score = (g: number, h: number): number => {
    const n = P.count[g] + N.count[h];
    const s = P.sum[g] + N.sum[h];
    return n ? (s * s) / n : 0;
  };
  const twnDelta = (0.7 * sumAbs) / w.length;
  let g = groupsAbove(P, twnDelta);
  let h = groupsAbove(N, twnDelta);
  const maxRounds = opts.maxRounds ?? 64;
  const alternate = (): void => {
    for (let round = 0; round < maxRounds; round++) {
      const g2 = dichotomicArgmax((k) => score(k, h), P.values.length, g);
      const h2 = dichotomicArgmax((k) => score(g2, k), N.values.length, h);
      const moved = g2 !== g || h2 !== h;
      g = g2;
      h = h2;
      if (!moved) break;
    }
  };
  alternate();
  const cut = bestCommonMagnitudeCut(P, N, score);
  if (cut.score > score(g, h)) {
    g = cut.g;
    h = cut.h;
    alternate();
  }
  // Thresholds sit on the first excluded value (ties go to 0, Eq. 6), or at 0 when all are kept.
  const thresholds = {
    pos: g < P.values.length ? P.values[g] : 0,
    neg: h < N.values.length ? -N.values[h] : 0,
  };
  const trits = applyThresholds(w, thresholds.pos, thresholds.neg);
  const alpha = optimalScale(w, trits);
  return {
    trits,
    quant: {
      method: 'alemdar',
      thresholds,
      scale: { pos: alpha, neg: alpha },
      gamma: null,
      options: { maxRounds },
    },
  };
}

export const alemdarQuantizer = defineQuantizer({
  id: 'alemdar',
  pytorch: true,
  label: 'Alemdar greedy search (Eq. 6)',
  summary: 'greedy dichotomic search of Δp, Δn minimising ‖W − αT‖²',
  equations: 'Alemdar et al. 2017 (greedy/dichotomic search); seed paper Eq. 6',
  options: [],
  ptq: (w, _o, ctx) => alemdar(w, { name: ctx.name }),
});
