/**
 * `tritscope bench [--json] [--quick]` — packed kernels/engine vs float32 tfjs (wasm backend), same shapes, one run;
 * `tritscope bench --model FILE.tnn [--batch N,…]` — any model vs tfjs and onnxruntime-web (bench-model.ts).
 */
import { optFlag, optString, type ParsedArgs } from '../args';
import { runBenchModel } from './bench-model';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { UsageError } from '../../core/errors';
import { runBench } from '../../core/bench/index';
import { formatStorage } from '../../core/bench/storage';

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  const json = optFlag(args, 'json');
  if (args.positionals.length) throw new UsageError(`bench: unexpected argument '${args.positionals[0]}' (a model is given with --model)`);
  const model = optString(args, 'model');
  if (model !== undefined) return runBenchModel(model, args, io, json);
  for (const k of ['batch', 'onnx', 'reps']) if (args.options.has(k)) throw new UsageError(`bench: --${k} applies to --model only`);
  const report = await runBench({ quick: optFlag(args, 'quick'), signal: io.signal, log: json ? undefined : (l) => io.stderr(`${l}\n`) });
  if (json) {
    io.stdout(JSON.stringify(report) + '\n');
    return 0;
  }
  const lines = [`${'case'.padEnd(10)} ${'ours ms'.padStart(10)} ${'tfjs ms'.padStart(10)} ${'ratio'.padStart(7)} ${'goal'.padStart(6)} ${'(min)'.padStart(7)}  check`];
  for (const r of report.results) {
    const met = r.goal === undefined ? '' : r.ratio >= r.goal ? ' ok' : ' below goal';
    lines.push(`${r.name.padEnd(10)} ${r.ours_ms.toFixed(3).padStart(10)} ${r.baseline_ms.toFixed(3).padStart(10)} ${r.ratio.toFixed(2).padStart(6)}x ${r.goal !== undefined ? `${r.goal}x`.padStart(6) : ''.padStart(6)} ${`${r.ratio_min.toFixed(2)}x`.padStart(7)}  ${r.checked ?? ''}${met}`);
  }
  // below the goal or within 10 % of it (one noisy run can flip those): what bounds the ratio
  const tight = report.results.filter((r) => r.goal !== undefined && r.ratio < 1.1 * r.goal && r.limit);
  if (tight.length) {
    lines.push('below or within 10% of the goal, and what bounds the ratio (docs/engine-performance.md):');
    for (const r of tight) lines.push(`  ${r.name}: ${r.limit}`);
  }
  lines.push(formatStorage(report.storage));
  lines.push(`runtime weight bytes / float32: ${report.runtimeWeightBytesRatio.toFixed(4)} for the model (2 bits per trit, rows byte-aligned), ${report.runtimeWeightBytesRatioUnpadded.toFixed(4)} for unpadded rows (goal ≤ 0.0625)`);
  lines.push(`model: ${report.model}; kernels: ${report.simd ? 'wasm simd' : 'js fallback'}; baseline: tfjs ${report.backend} float32, 1 thread`);
  io.stdout(lines.join('\n') + '\n');
  return 0;
}

registerCommand({
  name: 'bench',
  usage: 'bench [--json] [--quick] | bench --model FILE.tnn [--batch N[,M…]] [--onnx FLOAT.onnx] [--reps R] [--json]',
  summary: 'benchmark the packed ternary kernels and engine against float32 tfjs (wasm) and, with --model, onnxruntime-web',
  options: [
    { names: ['model'], value: true, description: 'a .tnn model: time the packed engine on it against tfjs and onnxruntime-web running its float original' },
    { names: ['batch'], value: true, description: 'with --model: batch sizes, comma-separated (default 1)' },
    { names: ['onnx'], value: true, description: "with --model: the float original as ONNX (default: the recorded source beside the .tnn if its SHA-256 matches, else exported from the .tnn's latent weights)" },
    { names: ['reps'], value: true, description: 'with --model: timed rounds per batch size (default 5-15 by model size)' },
    { names: ['json'], value: false, description: 'print {"results":[{name,ours_ms,baseline_ms,ratio}],"bitsPerTrit","storage","runtimeWeightBytesRatio"}' },
    { names: ['quick'], value: false, description: 'fewer repetitions' },
  ],
  run,
});
