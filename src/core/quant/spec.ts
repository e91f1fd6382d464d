/**
 * What a quantizer module declares about itself (one `QuantizerSpec` per module,
 * listed in ./registry.ts). Everything else — the CLI options and help, the
 * guided flow's pick list, the task schema in package.json, the results table —
 * is derived from these declarations, so a quantizer is defined in one place.
 */
import { QuantError, type QuantResult } from './common';
import type { QatStrategy } from '../train/qat/strategy';

export type OptionValue = number | boolean;
/** Option values by key (`twnFactor`, `gamma`, …); resolved ones have every key of the method. */
export type OptionValues = Readonly<Record<string, OptionValue>>;

/**
 * One option of a quantizer. The key names it everywhere: in provenance
 * `options`, in the task definition and in code; the CLI flag is its kebab-case
 * form (`twnFactor` → `--twn-factor`). A key shared by two quantizers must mean
 * the same thing (one object, exported by one of them; a unit test checks).
 */
export interface QuantOption {
  key: string;
  type: 'number' | 'integer' | 'boolean';
  default: OptionValue;
  /** Inclusive bounds; `above` is an exclusive lower bound (e.g. γ > 0). */
  min?: number;
  max?: number;
  above?: number;
  /** One line for --help and the task schema, with the equation it sets. */
  help: string;
  /** Only post-training or only QAT reads it (default: both). */
  stage?: 'ptq' | 'qat';
}

/** What the post-training function gets besides the weights and its options. */
export interface PtqContext {
  /** Names the tensor in error messages. */
  name: string;
  /** The run's PRNG seed (`--seed`), for quantizers that draw random numbers. */
  seed: number;
}

export interface QuantizerSpec<Id extends string = string> {
  /** The method name: `--method`, `WeightQuant.method` in `.tnn` files, the task's `method`. Files record it: never rename. */
  readonly id: Id;
  /** Short name with its equations, e.g. 'TWN (Eq. 2–3)': results-table rows and help. */
  readonly label: string;
  /** One line for the guided flow's pick list. */
  readonly summary: string;
  /** The source of the equations (paper, equation numbers). */
  readonly equations: string;
  readonly options: readonly QuantOption[];
  /** Post-training ternarization of one weight tensor; `options` are resolved (every key present, checked). */
  ptq(w: Float32Array, options: OptionValues, ctx: PtqContext): QuantResult;
  /** Quantization-aware training, when the method has a training form. */
  readonly qat?: QatStrategy;
  /**
   * Post-training trits are sampled, not thresholded (Eq. 7): a file's stored
   * thresholds do not decide them, so checks of externally computed trits test
   * only that each keeps its weight's sign.
   */
  readonly sampled?: boolean;
  /** `python/tritscope_torch` trains this method too (its own copy of the formulas, tested equal): the PyTorch backend offers it. */
  readonly pytorch?: boolean;
}

/** Keeps the literal id type, so the registry can derive the union of known method names. */
export function defineQuantizer<const Id extends string>(spec: QuantizerSpec<Id>): QuantizerSpec<Id> {
  return spec;
}

/** `twnFactor` → `twn-factor`. */
export function optionFlag(o: QuantOption): string {
  return o.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Why `v` is not a valid value of `o` (undefined when it is). */
export function optionProblem(o: QuantOption, v: unknown): string | undefined {
  if (o.type === 'boolean') return typeof v === 'boolean' ? undefined : 'expects true or false';
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'expects a finite number';
  if (o.type === 'integer' && !Number.isInteger(v)) return 'expects an integer';
  const range = [o.above !== undefined ? `> ${o.above}` : undefined, o.min !== undefined ? `≥ ${o.min}` : undefined, o.max !== undefined ? `≤ ${o.max}` : undefined].filter(Boolean).join(' and ');
  const ok = (o.above === undefined || v > o.above) && (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max);
  return ok ? undefined : `must be ${range}`;
}

/**
 * The method's options with defaults filled in. Rejects keys the method does not
 * have and values out of range, naming the method and the option.
 */
export function resolveOptions(spec: QuantizerSpec, given: Readonly<Record<string, OptionValue | undefined>> = {}): OptionValues {
  const out: Record<string, OptionValue> = {};
  for (const key of Object.keys(given)) {
    if (given[key] !== undefined && !spec.options.some((o) => o.key === key)) {
      throw new QuantError(`method '${spec.id}' has no option '${key}' (its options: ${spec.options.map((o) => o.key).join(', ') || 'none'})`);
    }
  }
  for (const o of spec.options) {
    const v = given[o.key] ?? o.default;
    const problem = optionProblem(o, v);
    if (problem) throw new QuantError(`method '${spec.id}': option ${o.key} ${problem}, got ${String(v)}`);
    out[o.key] = v;
  }
  return out;
}

/** A resolved numeric option (resolveOptions has checked its type). */
export function num(o: OptionValues, key: string): number {
  return o[key] as number;
}
