/** One entry point over the five post-training quantizers, keyed by method name. */
import { alemdar } from './alemdar';
import { asymUniform } from './asym-uniform';
import { QUANT_METHODS, QuantError, type QuantMethod, type QuantResult } from './common';
import { stochastic } from './stochastic';
import { ttq } from './ttq';
import { twn } from './twn';

export interface MethodOptions {
  /** stochastic: PRNG seed. */
  seed?: number;
  /** asym-uniform / stochastic: Eq. 9's γ (default 1). */
  gamma?: number;
  /** twn: Δ factor (default 0.7). */
  twnFactor?: number;
  /** ttq: threshold fraction of max|W| (default 0.05). */
  ttqT?: number;
  /** Tensor name for error messages. */
  name?: string;
}

export function isQuantMethod(s: string): s is QuantMethod {
  return (QUANT_METHODS as readonly string[]).includes(s);
}

export function quantizeWeights(method: QuantMethod, w: Float32Array, opts: MethodOptions = {}): QuantResult {
  const name = opts.name;
  switch (method) {
    case 'twn': return twn(w, { factor: opts.twnFactor, name });
    case 'ttq': return ttq(w, { t: opts.ttqT, name });
    case 'asym-uniform': return asymUniform(w, { gamma: opts.gamma, name });
    case 'alemdar': return alemdar(w, { name });
    case 'stochastic': return stochastic(w, { seed: opts.seed, gamma: opts.gamma, name });
    default: throw new QuantError(`${name ?? 'weights'}: unknown quantization method '${String(method)}' (expected ${QUANT_METHODS.join(', ')})`);
  }
}
