/**
 * `tritscope quantize`'s --method and per-method options, derived from the
 * quantizer registry: each QuantizerSpec option becomes a flag (`twnFactor` →
 * `--twn-factor`; a boolean flag sets the opposite of its default), with help
 * text from its declaration. Nothing here names a method.
 */
import { optFlag, optNumber, optString, type OptionSpec, type ParsedArgs } from '../args';
import { UsageError } from '../../core/errors';
import {
  allQuantizerOptions, DEFAULT_METHOD, isKnownMethod, optionFlag, optionProblem, qatMethods, QUANTIZER_IDS, quantizerSpec,
  type KnownMethod, type OptionValue, type QuantOption,
} from '../../core/quant/index';

function flagOf(o: QuantOption): string {
  const flag = optionFlag(o);
  return o.type === 'boolean' && o.default === true ? `no-${flag}` : flag;
}

function optionHelp(o: QuantOption, methods: readonly string[]): string {
  const where = o.stage === 'ptq' ? ', post-training' : o.stage === 'qat' ? ', QAT' : '';
  return o.type === 'boolean'
    ? `${o.help} (--method ${methods.join('|')}${where}; sets ${o.key} = ${!o.default})`
    : `${o.help} (--method ${methods.join('|')}${where}; default ${o.default})`;
}

/** --method and one entry per quantizer option, for the option table and --help. */
export function methodOptionSpecs(): OptionSpec[] {
  return [
    { names: ['method'], value: true, description: `${QUANTIZER_IDS.join('|')} (default ${DEFAULT_METHOD}, the seed paper's method; with --qat: ${qatMethods().join('|')})` },
    ...allQuantizerOptions().map(({ option, methods }) => ({ names: [flagOf(option)], value: option.type !== 'boolean', description: optionHelp(option, methods) })),
  ];
}

/** The --method argument, checked against the registry. */
export function methodFromArgs(args: ParsedArgs): KnownMethod {
  const m = optString(args, 'method') ?? DEFAULT_METHOD;
  if (!isKnownMethod(m)) throw new UsageError(`quantize: --method must be one of ${QUANTIZER_IDS.join(', ')}, got '${m}'`);
  return m;
}

/**
 * The chosen method's options as given on the command line (unset ones stay
 * undefined: the method's defaults apply). Every given quantizer flag is range
 * checked, also one the chosen method does not read.
 */
export function methodOptionsFromArgs(args: ParsedArgs, method: KnownMethod): Record<string, OptionValue | undefined> {
  const given: Record<string, OptionValue | undefined> = {};
  for (const { option } of allQuantizerOptions()) {
    const flag = flagOf(option);
    let v: OptionValue | undefined;
    if (option.type === 'boolean') v = optFlag(args, flag) ? !option.default : undefined;
    else {
      v = optNumber(args, flag, 'quantize');
      const problem = v === undefined ? undefined : optionProblem(option, v);
      if (problem) throw new UsageError(`quantize: --${flag} ${problem}, got ${v}`);
    }
    given[option.key] = v;
  }
  const own = new Set(quantizerSpec(method).options.map((o) => o.key));
  return Object.fromEntries(Object.entries(given).filter(([k, v]) => own.has(k) && v !== undefined));
}
