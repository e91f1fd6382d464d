/**
 * The QAT pipeline of `tritscope quantize --qat …` (quantization-aware training,
 * seed paper §3): its options and the run that ./quantize.ts calls with --qat:
 * `--qat --data <dataset> --epochs N [--kd] [--two-stage] [--lambda 0.9]
 * [--batch B] [--lr X] [--limit N] [--resume] [--progress json]`.
 * With `--progress json` every step batch prints
 * `{"type":"progress","stage":1,"epoch":1,"epochs":3,"step":120,"steps":468,"loss":…,"acc":…,"etaSeconds":…}`;
 * quantize prints the final `done` / `error` line.
 */
import { optFlag, optNumber, optString, type OptionSpec, type ParsedArgs } from '../args';
import { UsageError } from '../../core/errors';
import type { TnnModel } from '../../core/graph/types';
import { qatMethods, resolveKeepFloat } from '../../core/quant/index';
import { trainQat } from '../../core/train/qat/train-qat';
import type { QuantizeContext } from './quantize';
import { makeProgressPrinter, progressMode } from './train-progress';

export const QAT_OPTIONS: OptionSpec[] = [
  { names: ['qat'], value: false, description: 'quantization-aware training on --data instead of post-training quantization' },
  { names: ['epochs'], value: true, description: 'QAT: epochs per stage (default 1)' },
  { names: ['kd'], value: false, description: 'QAT: knowledge distillation from the float model (Eq. 10-11)' },
  { names: ['two-stage'], value: false, description: 'QAT: stage 1 ternary activations, stage 2 weights + activations (implies --activations ternary)' },
  { names: ['lambda'], value: true, description: 'QAT: KD trade-off λ of Eq. 11 (default 0.9)' },
  { names: ['batch'], value: true, description: 'QAT: mini-batch size (default 64)' },
  { names: ['lr'], value: true, description: 'QAT: Adam learning rate, cosine-decayed (default 0.003)' },
  { names: ['limit'], value: true, description: 'QAT: train on the first N samples' },
  { names: ['test-limit'], value: true, description: 'QAT: evaluate on the first N held-out samples' },
  { names: ['no-uniform'], value: false, description: 'QAT ablation: no Eq. 9 uniform normalization' },
  { names: ['symmetric'], value: false, description: 'QAT ablation: symmetric thresholds (Δn = −Δp)' },
  { names: ['resume'], value: false, description: 'QAT: continue from <out>.ckpt of a cancelled run' },
];

function positiveInt(args: ParsedArgs, key: string): number | undefined {
  const v = optNumber(args, key, 'quantize');
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`quantize: --${key} expects an integer ≥ 1, got '${optString(args, key)}'`);
  return v;
}

/** Runs QAT for `quantize --qat`; returns the model quantize then writes. */
export async function runQat(ctx: QuantizeContext): Promise<TnnModel> {
  const { args, io } = ctx;
  if (!ctx.dataSpec) throw new UsageError('quantize: --qat needs --data <dataset> to train on');
  const trainable = qatMethods();
  if (!trainable.includes(ctx.method)) throw new UsageError(`quantize: --qat supports --method ${trainable.join('|')}, got '${ctx.method}'`);
  const lambda = optNumber(args, 'lambda', 'quantize');
  if (lambda !== undefined && !(lambda >= 0 && lambda <= 1)) throw new UsageError(`quantize: --lambda expects a number in [0, 1], got ${lambda}`);
  const lr = optNumber(args, 'lr', 'quantize');
  if (lr !== undefined && !(lr > 0)) throw new UsageError(`quantize: --lr expects a positive number, got ${lr}`);
  const twoStage = optFlag(args, 'two-stage');
  const actsOpt = optString(args, 'activations');
  if (twoStage && actsOpt === 'float') throw new UsageError('quantize: --two-stage trains ternary activations first; it cannot be combined with --activations float');
  const keep = resolveKeepFloat(optString(args, 'keep-float'), ctx.float.graph.layers, ctx.modelFile);
  const mode = progressMode(optString(args, 'progress'), io);
  const r = await trainQat({
    model: ctx.float,
    data: ctx.dataSpec,
    epochs: positiveInt(args, 'epochs') ?? 1,
    batch: positiveInt(args, 'batch'),
    lr,
    limit: positiveInt(args, 'limit'),
    testLimit: positiveInt(args, 'test-limit'),
    method: ctx.method,
    methodOptions: ctx.methodOptions,
    uniform: !optFlag(args, 'no-uniform'),
    asymmetric: !optFlag(args, 'symmetric'),
    // QAT's default is the paper's W+A model; `--activations float` trains ternary weights only.
    acts: actsOpt !== 'float',
    kd: optFlag(args, 'kd'),
    twoStage,
    lambda,
    keepFloat: [...keep],
    seed: optNumber(args, 'seed', 'quantize'),
    checkpoint: `${ctx.outFile}.ckpt`,
    resume: optFlag(args, 'resume'),
    signal: io.signal,
    onProgress: makeProgressPrinter(mode, io),
    // Backend choice and per-epoch lines go to stderr in every mode (stdout stays JSON-only with --progress json).
    log: (l) => io.stderr(`${l}\n`),
  });
  if (mode !== 'json') io.stderr(`qat: test top-1 ${(r.accuracy * 100).toFixed(2)}% (float ${(r.floatAccuracy * 100).toFixed(2)}%) on ${r.evalSamples} samples, ${r.seconds.toFixed(0)} s on ${r.backend}\n`);
  return r.tnn;
}
