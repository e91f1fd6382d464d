/**
 * Mixed-precision advice: every proposal respects its budget (all kinds, all predictors,
 * random sweeps), is as good as the best subset a brute force finds within the budget
 * (less the dynamic program's rounding), and budgets and files are parsed as hostile input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import {
  BudgetError, costOf, fits, parseBudget, parseSensitivity, predict, proposeKeepFloat, PREDICTORS,
  SENSITIVITY_FORMAT, SENSITIVITY_VERSION, type LayerSensitivity, type SensitivityResult,
} from '../../../src/core/sensitivity/index';

const N = 500;
const score = (r: () => number, lo: number, hi: number, kl: number) => {
  const top1Count = Math.floor(N * (lo + (hi - lo) * r()));
  return { top1: top1Count / N, top1Count, kl };
};

/** A sweep of `n` layers with random sizes, costs and sensitivities (energy of one layer may be lower float). */
function randomSweep(seed: number, n: number): SensitivityResult {
  const r = mulberry32(seed);
  const layers: LayerSensitivity[] = Array.from({ length: n }, (_, i) => {
    const weights = 1 + Math.floor(r() ** 3 * 50_000);
    const ef = weights * (2 + r());
    return {
      name: `layer${i}`, op: i === n - 1 ? 'dense' : 'conv2d', index: 2 * i, weights,
      onlyThis: score(r, 0.5, 0.9, r() * 0.5), allButThis: score(r, 0.3, 0.8, 0.3 + r()),
      bits: { float: 32 * weights, ternary: 1.6 * weights + 64 }, energyPj: { float: ef, ternary: i === 1 ? ef * 1.2 : ef * 0.3 * r() },
      // A ternary layer carries two scales more than its float weights.
      params: { float: weights, ternary: weights + 2 },
    };
  });
  const weights = layers.reduce((s, l) => s + l.weights, 0);
  return {
    format: SENSITIVITY_FORMAT, version: SENSITIVITY_VERSION,
    model: { file: 'm.onnx', sha256: 'a'.repeat(64), graph: 'g', source: 'float' },
    method: 'asym-uniform', methodOptions: {}, seed: 0,
    data: { spec: 'fashion-mnist:test', preprocess: null, name: 'fashion-mnist:test', n: N },
    engine: 'mixed', klFrom: 'logits',
    float: { top1: 0.9, top1Count: 450 }, allTernary: score(r, 0.2, 0.4, 1.4),
    layers,
    totals: { params: weights + 1000, otherParams: 1000, weights, otherBits: 32_000, otherEnergyPj: 5000, profile: { id: 'p', name: 'p' } },
    timings: { loadMs: 1, quantizeMs: 1, sweepMs: 1, totalMs: 3, batch: 64, layerRuns: 10 },
    toolVersion: 't', date: '2026-01-01',
  };
}

function subsets(names: string[]): string[][] {
  const out: string[][] = [];
  for (let m = 0; m < 1 << names.length; m++) out.push(names.filter((_, i) => m & (1 << i)));
  return out;
}

test('proposals fit their budget for every kind and predictor, and match a brute force within the rounding', () => {
  let checked = 0, nonEmpty = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const r = randomSweep(seed, 3 + (seed % 7));
    const names = r.layers.map((l) => l.name);
    const all = subsets(names);
    for (const text of ['float-weights=3%', 'float-weights=20%', 'bits=1.9', 'bits=4', 'energy=60%', 'energy=95%']) {
      const budget = parseBudget(text, r);
      const floor = costOf(r, new Set())[budget.kind];
      if (budget.limit < floor) {
        assert.throws(() => proposeKeepFloat(r, budget), BudgetError);
        continue;
      }
      for (const predictor of PREDICTORS) {
        const keep = new Set(proposeKeepFloat(r, budget, 'kl', predictor));
        checked++;
        if (keep.size) nonEmpty++;
        assert.ok(fits(r, keep, budget), `seed ${seed} ${text} ${predictor}: ${costOf(r, keep)[budget.kind]} over ${budget.limit}`);
        // The knapsack rounds each cost up by at most 1/4000 of the room: anything within the room less that
        // is reachable. Bits per weight as a linear constraint: Σ (Δbits − B·Δparams) ≤ B·params(∅) − bits(∅).
        const slack = 1 - names.length / 4000;
        const tightFits = (s: string[]): boolean => {
          if (budget.kind !== 'bits') return costOf(r, new Set(s))[budget.kind] <= floor + (budget.limit - floor) * slack;
          const B = budget.limit;
          const lin = (l: LayerSensitivity) => l.bits.float - l.bits.ternary - B * (l.params.float - l.params.ternary);
          const params0 = r.totals.otherParams + r.layers.reduce((a, l) => a + l.params.ternary, 0);
          const bits0 = r.totals.otherBits + r.layers.reduce((a, l) => a + l.bits.ternary, 0);
          return r.layers.filter((l) => s.includes(l.name)).reduce((a, l) => a + lin(l), 0) <= (B * params0 - bits0) * slack;
        };
        const best = Math.min(...all.filter(tightFits).map((s) => predict(r, new Set(s))[predictor].kl));
        assert.ok(predict(r, keep)[predictor].kl <= best + 1e-12, `seed ${seed} ${text} ${predictor}: ${predict(r, keep)[predictor].kl} > brute force ${best}`);
      }
    }
  }
  assert.ok(checked > 150 && nonEmpty > 50, `${checked} proposals, ${nonEmpty} non-empty`);
});

test('predictions: all-but-this is exact on single layers, only-this on the float model', () => {
  const r = randomSweep(3, 6);
  for (const l of r.layers) {
    assert.ok(Math.abs(predict(r, new Set([l.name]))['all-but-this'].kl - l.allButThis.kl) < 1e-12);
    const rest = new Set(r.layers.filter((x) => x !== l).map((x) => x.name));
    assert.ok(Math.abs(predict(r, rest)['only-this'].kl - l.onlyThis.kl) < 1e-12);
    assert.ok(Math.abs(predict(r, rest)['only-this'].top1 - l.onlyThis.top1) < 1e-12);
  }
  assert.equal(predict(r, new Set())['all-but-this'].top1, r.allTernary.top1);
  assert.equal(predict(r, new Set(r.layers.map((l) => l.name)))['only-this'].kl, 0);
});

test('budgets: units, percentages and clear errors', () => {
  const r = randomSweep(5, 4);
  assert.equal(parseBudget('float-weights=5%', r).limit, 0.05);
  assert.equal(parseBudget('float-weights=100', r).limit, 100 / r.totals.weights);
  assert.equal(parseBudget('bits=1.8', r).limit, 1.8);
  assert.equal(parseBudget('energy=2uJ', r).limit, 2e6);
  assert.equal(parseBudget('energy=3nJ', r).limit, 3000);
  for (const bad of ['', 'bits', 'watts=3', 'float-weights=5kg', 'bits=2mJ', 'energy=-1pJ', 'energy=1kW']) assert.throws(() => parseBudget(bad, r), BudgetError, bad);
  assert.throws(() => proposeKeepFloat(r, parseBudget('bits=0.5', r)), /below what the all-ternary model needs/);
});

test('sensitivity files: a valid one round-trips, hostile ones fail naming the field', () => {
  const r = randomSweep(7, 4);
  const text = JSON.stringify(r);
  assert.deepEqual(parseSensitivity(text, 'f.json'), r);
  const bad = (edit: (o: Record<string, any>) => void, field: RegExp) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const o = JSON.parse(text);
    edit(o);
    assert.throws(() => parseSensitivity(JSON.stringify(o), 'f.json'), (e: Error) => /f\.json/.test(e.message) && field.test(e.message), field.source);
  };
  bad((o) => { o.version = 99; }, /version/);
  bad((o) => { o.layers[1].onlyThis.top1 = 0.123; }, /layers\[1\]\.onlyThis\.top1/);
  bad((o) => { o.layers[0].onlyThis.top1Count = N + 1; }, /layers\[0\]\.onlyThis\.top1Count/);
  bad((o) => { o.layers[2].name = o.layers[1].name; }, /layers/);
  bad((o) => { o.model.sha256 = '../etc'; }, /model\.sha256/);
  bad((o) => { o.layers[0].bits.float = -1; }, /layers\[0\]\.bits\.float/);
  const plan = { keepFloat: ['nope'], floatWeightShare: 0, bitsPerWeight: 2, energyPj: 1, predicted: Object.fromEntries(PREDICTORS.map((p) => [p, { top1: 0.5, kl: 1 }])), measured: r.allTernary };
  bad((o) => { o.proposals = [{ budget: { kind: 'bits', text: 'bits=2', limit: 2 }, objective: 'kl', proposal: plan, candidates: [], defaultRule: { ...plan, fits: true }, atDefaultCost: plan, ms: 1, date: '' }]; }, /proposals\[0\]\.proposal\.keepFloat\[0\]/);
  assert.throws(() => parseSensitivity('['.repeat(100_000), 'f.json'), /f\.json/);
  assert.throws(() => parseSensitivity('{', 'f.json'), /f\.json.*not JSON|not JSON.*/);
});
