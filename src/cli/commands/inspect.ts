/**
 * `tritscope inspect <file.tnn> [--json] [--cost <profile>]` — per-layer
 * quantization summary. The JSON form is a contract (src/core/inspect/summary.ts).
 * `--cost` is handed to a hook that the cost model installs (setInspectCostHook);
 * without one the option is refused rather than silently ignored.
 */
import { optFlag, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { TritscopeError, UsageError } from '../../core/errors';
import type { TnnModel } from '../../core/graph/types';
import { loadModel } from '../../core/model-formats/index';
import { summarizeTnn, type InspectSummary } from '../../core/inspect/summary';
import { formatSummaryTable } from '../../core/inspect/table';
import { inspectWeights } from './inspect-weights';

/** Adds cost numbers for `profile` to a summary; returns the object to print and, for text mode, extra lines. */
export type InspectCostHook = (summary: InspectSummary, model: TnnModel, profile: string) => Promise<{ summary: object; text?: string }>;

let costHook: InspectCostHook | undefined;

export function setInspectCostHook(hook: InspectCostHook | undefined): void {
  costHook = hook;
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`inspect: expected exactly one model file, got ${args.positionals.length}`);
  const file = args.positionals[0];
  // The registry detects the format by content; weights-only listings (GGUF, safetensors checkpoints,
  // weights-only .tnn) are summarized tensor by tensor, graphs layer by layer.
  const loaded = await loadModel(file, { what: 'model file' });
  if (loaded.kind === 'weights') return inspectWeights(loaded.listing, args, io);
  if (optString(args, 'bandwidth') !== undefined) throw new UsageError('inspect: --bandwidth applies to weights-only models (GGUF, safetensors checkpoints)');
  const profile = optString(args, 'cost');
  if (profile !== undefined && !costHook) throw new UsageError('inspect: --cost is not available in this build');
  if (loaded.kind === 'float') throw new TritscopeError(`${file}: is a float model; inspect reads .tnn files (create one with 'tritscope quantize')`);
  const summary = summarizeTnn(loaded.model, loaded.bytes);
  const costed = profile !== undefined && costHook ? await costHook(summary, loaded.model, profile) : undefined;
  if (optFlag(args, 'json')) io.stdout(`${JSON.stringify(costed?.summary ?? summary, null, 2)}\n`);
  else io.stdout(`${formatSummaryTable(summary)}${costed?.text ? `\n${costed.text}\n` : ''}`);
  return 0;
}

registerCommand({
  name: 'inspect',
  usage: 'inspect <file.tnn|model.gguf|model.safetensors> [--json] [--cost <profile>] [--bandwidth <GB/s>]',
  summary: 'per-layer (or per-tensor) thresholds, scales, trit counts, entropy and error of a .tnn, GGUF or safetensors model',
  options: [
    { names: ['json'], value: false, description: 'print the summary as JSON (a stable contract)' },
    { names: ['cost'], value: true, description: 'add hardware cost estimates for a technology profile (weights-only models: a built-in profile id)' },
    { names: ['bandwidth'], value: true, description: 'memory bandwidth in GB/s for the tokens/s bound of weights-only models (default 50)' },
  ],
  run,
});
