/**
 * Every quantizer, one line each. Adding one = its module (a `defineQuantizer`
 * spec: id, label, equations, options, post-training function, optional QAT
 * strategy) + one line in QUANTIZERS below; the CLI options and help, the
 * guided flow, the task schema in package.json and the results table follow
 * (docs/architecture.md, "Recipe: add a quantizer").
 */
import { admmQuantizer } from './admm';
import { alemdarQuantizer } from './alemdar';
import { asymUniformQuantizer } from './asym-uniform';
import { QuantError } from './common';
import { l2OptimalQuantizer } from './l2-optimal';
import type { QuantizerSpec, QuantOption } from './spec';
import { stochasticQuantizer } from './stochastic';
import { ttqQuantizer } from './ttq';
import { twnQuantizer } from './twn';

/** In pick-list order: the seed paper's method first. */
export const QUANTIZERS = [
  asymUniformQuantizer,
  twnQuantizer,
  ttqQuantizer,
  alemdarQuantizer,
  stochasticQuantizer,
  l2OptimalQuantizer,
  admmQuantizer,
] as const;

/** A method name this version knows. `.tnn` files may carry others (WeightQuant.method is open). */
export type KnownMethod = (typeof QUANTIZERS)[number]['id'];

/** The method `tritscope quantize` uses without --method. */
export const DEFAULT_METHOD: KnownMethod = 'asym-uniform';

export const QUANTIZER_IDS: readonly KnownMethod[] = QUANTIZERS.map((q) => q.id);

export function isKnownMethod(s: string): s is KnownMethod {
  return (QUANTIZER_IDS as readonly string[]).includes(s);
}

export function quantizerSpec(id: string): QuantizerSpec {
  const spec = (QUANTIZERS as readonly QuantizerSpec[]).find((q) => q.id === id);
  if (!spec) throw new QuantError(`unknown quantization method '${id}' (expected ${QUANTIZER_IDS.join(', ')})`);
  return spec;
}

/** Methods that can be trained (`--qat`). */
/** The methods the PyTorch trainer (`python/tritscope_torch`) trains. */
export function pytorchMethods(): KnownMethod[] {
  return QUANTIZERS.filter((q) => (q as QuantizerSpec).pytorch).map((q) => q.id);
}

export function qatMethods(): KnownMethod[] {
  return QUANTIZERS.filter((q) => (q as QuantizerSpec).qat).map((q) => q.id);
}

/** Every option of every quantizer once (a key shared by two quantizers is one option), with the methods that read it. */
export function allQuantizerOptions(): { option: QuantOption; methods: KnownMethod[] }[] {
  const out = new Map<string, { option: QuantOption; methods: KnownMethod[] }>();
  for (const q of QUANTIZERS) {
    for (const o of q.options) {
      const seen = out.get(o.key);
      if (seen && seen.option !== o) throw new QuantError(`quantizers ${seen.methods.join(', ')} and ${q.id} declare different options named '${o.key}'`);
      if (seen) seen.methods.push(q.id);
      else out.set(o.key, { option: o, methods: [q.id] });
    }
  }
  return [...out.values()];
}
