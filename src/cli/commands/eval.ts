/**
 * `tritscope eval <model|file.tnn> --data <spec> [--limit N] [--json] [--engine reference|packed]`
 * — top-1/top-5 accuracy. The reference engine runs any model; the packed
 * engine runs `.tnn` models with its ternary kernels.
 */
import { optFlag, optNumber, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { TritscopeError, UsageError } from '../../core/errors';
import { DATASET_USAGE, openDataset, parsePreprocess } from '../../core/data/index';
import { loadRunnableModel } from '../../core/model-formats/index';
import { evaluateAccuracy } from '../../core/quant/evaluate';
import type { Tensor } from '../../core/tensor';

const ENGINES = ['reference', 'packed'] as const;

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`eval: expected exactly one model file, got ${args.positionals.length}`);
  const file = args.positionals[0];
  const spec = optString(args, 'data');
  if (!spec) throw new UsageError('eval: --data <dataset> is required (e.g. fashion-mnist:test)');
  const limit = optNumber(args, 'limit', 'eval');
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`eval: --limit expects an integer ≥ 1, got '${optString(args, 'limit')}'`);
  const engine = optString(args, 'engine') ?? 'reference';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`eval: --engine must be one of ${ENGINES.join(', ')}, got '${engine}'`);

  const preprocess = parsePreprocess(optString(args, 'preprocess'));
  const loaded = await loadRunnableModel(file);
  let runner: ((x: Tensor) => Tensor) | undefined;
  if (engine === 'packed') {
    if (loaded.kind !== 'tnn') throw new TritscopeError(`${file}: the packed engine runs .tnn models; use --engine reference for float models`);
    const { loadPackedEngine } = await import('../../core/engine/index');
    const packed = await loadPackedEngine(loaded.model);
    runner = (x) => packed.run(x);
  }
  // Streamed batch by batch: only `limit` samples are ever read, and never all at once.
  const data = await openDataset(spec, { limit, preprocess, inputShape: loaded.model.graph.inputs[0]?.shape });
  const acc = await evaluateAccuracy(loaded.model, data, { limit, run: runner, signal: io.signal });
  if (optFlag(args, 'json')) io.stdout(`${JSON.stringify({ top1: acc.top1, top5: acc.top5, n: acc.n })}\n`);
  else io.stdout(`${file}: top-1 ${(100 * acc.top1).toFixed(2)} %, top-5 ${(100 * acc.top5).toFixed(2)} % on ${acc.n} samples of ${data.name} (${engine} engine)\n`);
  return 0;
}

registerCommand({
  name: 'eval',
  usage: 'eval <model.onnx|model.json|file.tnn> --data <dataset> [--preprocess spec] [--limit N] [--json] [--engine reference|packed]',
  summary: 'top-1 / top-5 accuracy of a float or ternary model on a data set',
  options: [
    { names: ['data'], value: true, description: `${DATASET_USAGE} (default split: test)` },
    { names: ['preprocess'], value: true, description: 'imagenet | cifar | none (default), or resize=N|HxW,crop=N|HxW,mean=a:b:c,std=a:b:c' },
    { names: ['limit'], value: true, description: 'evaluate only the first N samples' },
    { names: ['json'], value: false, description: 'print {"top1","top5","n"} as JSON' },
    { names: ['engine'], value: true, description: 'reference (default, any model) or packed (.tnn, ternary kernels)' },
  ],
  run,
});
