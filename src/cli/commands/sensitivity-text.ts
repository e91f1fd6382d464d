/** Text output of `tritscope sensitivity` (the --json output is the result object itself). */
import type { KeepFloatPlan, Predictor, Proposal, SensitivityResult } from '../../core/sensitivity/index';

const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
const kl = (v: number) => (v === 0 ? '0' : v < 1e-3 ? v.toExponential(2) : v.toFixed(4));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function energyText(pj: number): string {
  return pj >= 1e9 ? `${(pj / 1e9).toFixed(3)} mJ` : pj >= 1e6 ? `${(pj / 1e6).toFixed(3)} µJ` : pj >= 1e3 ? `${(pj / 1e3).toFixed(3)} nJ` : `${pj.toFixed(1)} pJ`;
}

/** A long layer name keeps its tail (the part PyTorch exports make unique). */
function shortName(name: string, width: number): string {
  return name.length <= width ? name : `…${name.slice(name.length - width + 1)}`;
}

export function formatSweep(r: SensitivityResult, reused: boolean): string {
  const t = r.timings;
  const width = Math.min(40, Math.max(5, ...r.layers.map((l) => l.name.length)));
  const lines = [
    `${r.model.file}: ${r.layers.length} weight layers on ${r.data.n} samples of ${r.data.name} (${r.method}, ${r.engine} engine${reused ? ', stored sweep reused' : `, sweep ${(t.sweepMs / 1000).toFixed(1)} s of ${(t.totalMs / 1000).toFixed(1)} s`})`,
    `float top-1 ${pct(r.float.top1)}; all ternary top-1 ${pct(r.allTernary.top1)}, KL ${kl(r.allTernary.kl)}`,
    '',
    `${pad('layer', width)} ${lpad('weights', 9)}  ${lpad('only this: top-1', 16)} ${lpad('KL', 9)}  ${lpad('all but this: top-1', 19)} ${lpad('KL', 9)}`,
    ...r.layers.map((l) =>
      `${pad(shortName(l.name, width), width)} ${lpad(String(l.weights), 9)}  ${lpad(pct(l.onlyThis.top1), 16)} ${lpad(kl(l.onlyThis.kl), 9)}  ${lpad(pct(l.allButThis.top1), 19)} ${lpad(kl(l.allButThis.kl), 9)}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function plan(title: string, p: KeepFloatPlan, n: number, predictor: Predictor): string[] {
  const names = p.keepFloat.length ? p.keepFloat.join(', ') : 'none (all ternary)';
  const q = p.predicted[predictor];
  return [
    `${title}: keep float ${names}`,
    `  cost: ${pct(p.floatWeightShare)} float weights, ${p.bitsPerWeight.toFixed(3)} bits/weight, ${energyText(p.energyPj)} per sample`,
    `  top-1 predicted ${pct(q.top1)} (${predictor}), measured ${pct(p.measured.top1)} (${p.measured.top1Count}/${n}); KL predicted ${kl(q.kl)}, measured ${kl(p.measured.kl)}`,
  ];
}

export function formatProposal(p: Proposal, n: number): string {
  const by = p.proposal.predictor ?? 'all-but-this';
  const lines = [
    `proposal for ${p.budget.text} (objective ${p.objective}; best measured of ${p.candidates.length} predictor set(s), chosen by ${by}):`,
    ...plan('  proposal', p.proposal, n, by).map((l) => `  ${l}`),
    ...p.candidates.slice(1).flatMap((c) => plan(`  also measured (${c.predictor})`, c, n, c.predictor ?? by).map((l) => `  ${l}`)),
    ...plan(`  default rule, first and last float (${p.defaultRule.fits ? 'fits the budget' : 'over the budget'})`, p.defaultRule, n, by).map((l) => `  ${l}`),
    ...plan(`  best at the default rule's ${p.budget.kind} cost`, p.atDefaultCost, n, p.atDefaultCost.predictor ?? by).map((l) => `  ${l}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
