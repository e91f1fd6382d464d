/**
 * `tritscope quantize <model> [-o out.tnn] …` — ternary quantization of a float
 * model (ONNX / TF.js) into a `.tnn` file: post-training, or with --qat
 * quantization-aware training (./quantize-qat.ts). Never writes over the input;
 * writes over an existing output only with --force; writes atomically. The
 * methods and their options come from the quantizer registry
 * (./quantize-method-options.ts).
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { optFlag, optNumber, optString, type OptionSpec, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { progressLine, type ProgressEventBody } from '../../shared/progress';
import { throwIfInterrupted, TritscopeError, UsageError } from '../../core/errors';
import { checkOutputPath } from '../../core/output-path';
import { announceTemps } from './announce-temps';
import { loadDataset, openDataset, parsePreprocess } from '../../core/data/index';
import { writeTnnFile } from '../../core/format/index';
import type { FloatModel } from '../../core/graph/types';
import { defaultOutputPath, detectFileFormat, fileSize, loadModel, namesText } from '../../core/model-formats/index';
import { quantizeModel, type KnownMethod, type LabeledSamples, type OptionValue, type QuantizeProgress } from '../../core/quant/index';
import { methodFromArgs, methodOptionSpecs, methodOptionsFromArgs } from './quantize-method-options';
import { QAT_OPTIONS, runQat } from './quantize-qat';

const OUT_OPTION: OptionSpec = { names: ['o', 'out'], value: true, description: 'output .tnn file (default: <model>.<method>[.qat].tnn beside the model; a TF.js model is named after its folder)' };

/** Options of every quantize run besides the output and the method (data, activations, progress). */
const COMMON_OPTIONS: OptionSpec[] = [
  { names: ['keep-float'], value: true, description: "weight layers kept float: 'first,last' (default), 'none', or layer names separated by commas" },
  { names: ['activations'], value: true, description: 'float (default) or ternary (W+A; calibrated on --data)' },
  { names: ['data'], value: true, description: 'data set for activation calibration and float/ternary accuracy (fashion-mnist[:train|:test], idx:…, npy:…, cifar10:…, images:…)' },
  { names: ['preprocess'], value: true, description: 'preprocessing of --data samples: imagenet | cifar | none (default), or resize=…,crop=…,mean=…,std=…' },
  { names: ['act-thresholds'], value: true, description: "with --activations ternary: uniform (equal trit populations, Eq. 9; default) or l2 (least squares)" },
  { names: ['seed'], value: true, description: 'PRNG seed: stochastic ternarization (default 0), QAT shuffles (default 1)' },
  { names: ['calibration-samples'], value: true, description: 'samples for activation calibration (default 256)' },
  { names: ['eval-limit'], value: true, description: 'samples for the accuracies recorded in provenance (default 1000)' },
  { names: ['no-latent'], value: false, description: 'do not store the latent float weights of ternarized layers' },
  { names: ['force'], value: false, description: 'overwrite an existing output file' },
  { names: ['progress'], value: true, description: "'json': one JSON progress event per line on stdout" },
];

/** The option table of `quantize`: -o, --method and the quantizers' options (from the registry), the common options, QAT's. */
export const QUANTIZE_OPTIONS: OptionSpec[] = [OUT_OPTION, ...methodOptionSpecs(), ...COMMON_OPTIONS, ...QAT_OPTIONS];

/** Everything a quantization pipeline needs, already parsed and validated. */
export interface QuantizeContext {
  args: ParsedArgs;
  io: CliIO;
  modelFile: string;
  outFile: string;
  float: FloatModel;
  method: KnownMethod;
  /** The method's options given on the command line (unset ones take the method's defaults). */
  methodOptions: Record<string, OptionValue | undefined>;
  dataSpec?: string;
  /** Loads --data on first call (memoized); pipelines that stream their own data need not call it. */
  loadData: () => LabeledSamples | undefined;
  progress: (p: QuantizeProgress) => void;
}

function intOption(args: ParsedArgs, key: string, min: number): number | undefined {
  const v = optNumber(args, key, 'quantize');
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UsageError(`quantize: --${key} expects an integer ≥ ${min}, got '${optString(args, key)}'`);
  return v;
}

/** Resolves symlinks where the file exists, so `out` can be compared with the input. */
async function canonical(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return path.resolve(file);
  }
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`quantize: expected exactly one model file, got ${args.positionals.length}`);
  const modelFile = args.positionals[0];
  const methodArg = methodFromArgs(args);
  const methodOptions = methodOptionsFromArgs(args, methodArg);
  const activations = optString(args, 'activations') ?? 'float';
  if (activations !== 'float' && activations !== 'ternary') throw new UsageError(`quantize: --activations must be float or ternary, got '${activations}'`);
  const progressMode = optString(args, 'progress');
  if (progressMode !== undefined && progressMode !== 'json') throw new UsageError(`quantize: --progress accepts only 'json', got '${progressMode}'`);
  const dataSpec = optString(args, 'data');
  if (activations === 'ternary' && !dataSpec) throw new UsageError('quantize: --activations ternary needs --data for calibration');
  const actThresholds = optString(args, 'act-thresholds') ?? 'uniform';
  if (actThresholds !== 'uniform' && actThresholds !== 'l2') throw new UsageError(`quantize: --act-thresholds must be uniform or l2, got '${actThresholds}'`);
  const seed = intOption(args, 'seed', 0);
  const calibrationSamples = intOption(args, 'calibration-samples', 1);
  const evalSamples = intOption(args, 'eval-limit', 1);
  const outFile = optString(args, 'out') ?? defaultOutputPath(modelFile, methodArg, optFlag(args, 'qat'));
  if (!outFile.toLowerCase().endsWith('.tnn')) throw new UsageError(`quantize: output '${outFile}' must end in .tnn`);

  const json = progressMode === 'json';
  const emit = (e: ProgressEventBody) => io.stdout(progressLine(e));
  let stopAnnouncing: (() => void) | undefined;
  try {
    await fileSize(modelFile, 'model');
    const format = await detectFileFormat(modelFile);
    if (!format.uses.includes('quantize'))
      throw new TritscopeError(`${modelFile}: ${format.produces === 'tnn' ? 'is already a .tnn model' : `is a ${format.label} file`}; quantize takes a float model (${namesText('quantize')})`);
    if ((await canonical(outFile)) === (await canonical(modelFile))) throw new TritscopeError(`${outFile}: output would overwrite the input model; choose another -o`);
    // Missing, read-only or a folder: said now, not after the whole quantization.
    checkOutputPath(outFile, { force: optFlag(args, 'force') });
    // The extension removes these if it has to SIGKILL this process (docs/cancellation.md).
    if (json) stopAnnouncing = announceTemps(io);

    const loaded = await loadModel(modelFile, { use: 'quantize' });
    throwIfInterrupted(io.signal, modelFile);
    if (loaded.kind !== 'float') throw new TritscopeError(`${modelFile}: expected a float model`);
    const preprocessText = optString(args, 'preprocess');
    const preprocess = parsePreprocess(preprocessText);
    const inputShape = loaded.model.graph.inputs[0]?.shape;
    let dataset: LabeledSamples | undefined;
    // Training needs the whole set in memory; post-training quantization streams it (below).
    const loadData = () => (dataset ??= dataSpec ? loadDataset(dataSpec, { preprocess, inputShape }) : undefined);
    const progress = (p: QuantizeProgress) => {
      if (json) emit({ type: 'progress', step: p.step, steps: p.steps, message: p.message });
      else io.stderr(`[${p.step}/${p.steps}] ${p.message}\n`);
    };
    const ctx: QuantizeContext = { args, io, modelFile, outFile, float: loaded.model, method: methodArg, methodOptions, dataSpec, loadData, progress };
    const model = optFlag(args, 'qat')
      ? await runQat(ctx)
      : await quantizeModel(loaded.model, {
        method: methodArg,
        keepFloat: optString(args, 'keep-float'),
        activations,
        actThresholds,
        data: dataSpec && preprocessText ? `${dataSpec} --preprocess ${preprocessText}` : dataSpec,
        dataset: dataSpec ? await openDataset(dataSpec, { preprocess, inputShape }) : undefined,
        seed,
        options: methodOptions,
        storeLatent: !optFlag(args, 'no-latent'),
        calibrationSamples,
        evalSamples,
        onProgress: progress,
        signal: io.signal,
      });
    await writeTnnFile(outFile, model, { signal: io.signal });
    const ternary = model.graph.layers.filter((l) => l.weightQuant).map((l) => l.name);
    const acc = model.provenance.ternaryAccuracy;
    if (json) emit({ type: 'done', output: outFile, ...(typeof acc === 'number' ? { accuracy: acc } : {}) });
    else {
      const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)} %` : '-');
      const accText = typeof acc === 'number' ? `; top-1 float ${pct(model.provenance.floatAccuracy)} → ternary ${pct(acc)}` : '';
      // A ResNet-50 has 52 ternary layers: name a few, `inspect` lists them all.
      const names = ternary.length > 6 ? `${ternary.slice(0, 5).join(', ')}, … (${ternary.length - 5} more: tritscope inspect lists them)` : ternary.join(', ') || 'none';
      io.stdout(`wrote ${outFile} (${model.provenance.method}, ${ternary.length} ternary layer${ternary.length === 1 ? '' : 's'}: ${names}${accText})\n`);
    }
    return 0;
  } catch (e) {
    if (json) emit({ type: 'error', message: (e as Error).message });
    throw e;
  } finally {
    stopAnnouncing?.();
  }
}

registerCommand({
  name: 'quantize',
  usage: `quantize <model: ${namesText('quantize')}> [-o out.tnn] [--method M] [--keep-float first,last|none|names] [--activations float|ternary] [--data spec] [--seed N] [--force] [--progress json]`,
  summary: 'ternarize a float model (post-training, or quantization-aware training with --qat) into a .tnn file; never overwrites the input',
  options: QUANTIZE_OPTIONS,
  run,
});
