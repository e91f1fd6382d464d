/** One entry point over the post-training quantizers of the registry, keyed by method name. */
import type { QuantResult } from './common';
import { quantizerSpec } from './registry';
import { resolveOptions, type OptionValue } from './spec';

export interface MethodOptions {
  /** PRNG seed (stochastic ternarization; default 0). */
  seed?: number;
  /** The method's own options by key (`twnFactor`, `gamma`, …); unset ones take their defaults. */
  options?: Readonly<Record<string, OptionValue | undefined>>;
  /** Tensor name for error messages. */
  name?: string;
}

export function quantizeWeights(method: string, w: Float32Array, opts: MethodOptions = {}): QuantResult {
  const spec = quantizerSpec(method);
  return spec.ptq(w, resolveOptions(spec, opts.options), { name: opts.name ?? 'weights', seed: opts.seed ?? 0 });
}
