/**
 * Stochastic ternarization, seed paper Eq. 7, with the asym-uniform thresholds
 * (Eq. 9) and a seeded PRNG so that a given `--seed` always yields the same trits.
 *
 * Eq. 7 prints the −1 probability as clip(−z/(2Δn), 0, 1); with Δn < 0 (the
 * negative threshold) that is never positive for z < 0, so we write it as
 * clip(z/(2Δn), 0, 1): both probabilities reach 1 at z = 2Δp and z = 2Δn and are
 * exactly 0.5 at the thresholds, which is how Eq. 8's deterministic rule
 * (p ≥ 0.5 ⇔ z ≥ Δp) follows from Eq. 7. A positive weight can only become +1
 * or 0, a negative one only −1 or 0. The trits therefore do not obey the stored
 * thresholds element by element; the thresholds record the rule's parameters.
 */
import { mulberry32 } from '../rng';
import { asymUniformParams, GAMMA_OPTION } from './asym-uniform';
import { checkWeights, optimalScale, type QuantResult } from './common';
import { defineQuantizer, num } from './spec';

/**
 * XORed into `--seed`: the trits draw from their own stream, not the one a
 * training shuffle with the same seed uses (and files written with a given seed
 * keep their trits).
 */
const STOCHASTIC_STREAM = 0x9e3779b9;

export interface StochasticOptions {
  seed?: number;
  gamma?: number;
  name?: string;
}

/** Eq. 7 probability that w becomes +1 (w > 0) or −1 (w < 0). */
export function stochasticProbability(w: number, pos: number, neg: number): number {
  if (w > 0) return pos > 0 ? Math.min(1, w / (2 * pos)) : 1; // limit Δp → 0⁺
  if (w < 0) return neg < 0 ? Math.min(1, w / (2 * neg)) : 1; // limit Δn → 0⁻
  return 0;
}

export function stochastic(w: Float32Array, opts: StochasticOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  const seed = opts.seed ?? 0;
  checkWeights(w, name);
  const { thresholds, gamma, mu, sigma } = asymUniformParams(w, opts.gamma ?? 1, name);
  const rand = mulberry32(Math.trunc(seed) ^ STOCHASTIC_STREAM);
  const trits = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    // One draw per weight, in index order, so the result depends only on (w, seed).
    const u = rand();
    if (u < stochasticProbability(v, thresholds.pos, thresholds.neg)) trits[i] = v > 0 ? 1 : -1;
  }
  const alpha = optimalScale(w, trits);
  return {
    trits,
    quant: { method: 'stochastic', thresholds, scale: { pos: alpha, neg: alpha }, gamma, mu, sigma, options: { seed } },
  };
}

export const stochasticQuantizer = defineQuantizer({
  id: 'stochastic',
  pytorch: true,
  label: 'stochastic (Eq. 7)',
  summary: 'stochastic ternarization (seed paper Eq. 7), seeded by --seed',
  equations: 'seed paper Eq. 7 with the Eq. 9 thresholds',
  options: [GAMMA_OPTION],
  sampled: true,
  ptq: (w, o, ctx) => stochastic(w, { seed: ctx.seed, gamma: num(o, 'gamma'), name: ctx.name }),
});
