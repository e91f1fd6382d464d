/** `tritscope bench --model FILE.tnn`: the table of runModelBench (core/bench/model-bench.ts). */
import { optString, type ParsedArgs } from '../args';
import type { CliIO } from './types';
import { UsageError } from '../../core/errors';
import { runModelBench, type ModelBenchReport } from '../../core/bench/model-bench';

function batchesOf(args: ParsedArgs): number[] {
  const spec = optString(args, 'batch') ?? '1';
  const batches = spec.split(',').map((s) => Number(s.trim()));
  if (!batches.length || batches.some((b) => !Number.isInteger(b) || b < 1 || b > 4096)) {
    throw new UsageError(`bench: --batch expects batch sizes 1..4096 separated by commas, got '${spec}'`);
  }
  return batches;
}

export function formatModelBench(r: ModelBenchReport): string {
  const lines = [`${'case'.padEnd(14)} ${'ours ms'.padStart(9)} ${'base ms'.padStart(9)} ${'ratio'.padStart(7)} ${'(min)'.padStart(7)} ${'(cpu)'.padStart(7)}  baseline / check`];
  for (const x of r.results) {
    const base = x.baseline === 'ort' ? 'onnxruntime-web wasm' : 'tfjs wasm';
    lines.push(`${x.name.padEnd(14)} ${x.ours_ms.toFixed(2).padStart(9)} ${x.baseline_ms.toFixed(2).padStart(9)} ${x.ratio.toFixed(2).padStart(6)}x ${`${(x.baseline_min_ms / x.ours_min_ms).toFixed(2)}x`.padStart(7)} ${`${x.ratio_cpu.toFixed(2)}x`.padStart(7)}  ${base} f32 1 thread; ${x.checked}`);
  }
  for (const [k, why] of Object.entries(r.unavailable)) lines.push(`baseline ${k} unavailable: ${why}`);
  const kernels = Object.entries(r.kernels).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(' ');
  lines.push('ratio: medians of wall time per call; (min): fastest calls; (cpu): medians of this process\'s CPU time per call, which excludes time other processes held the core');
  lines.push(`model: ${r.model} (${r.wa ? 'ternary weights + activations' : 'ternary weights, float activations'}; ${(r.macs / 1e9).toFixed(2)} G multiply-adds per sample)`);
  lines.push(`float original for the baselines: ${r.floatSource}`);
  lines.push(`node ${r.node} (V8 ${r.v8}); kernels: ${r.kernelFamily}; batch-1 kernel calls: ${kernels}`);
  lines.push(`runtime ternary weight bytes / float32: ${r.runtimeWeightBytesRatio.toFixed(4)} (goal ≤ 0.0625)`);
  lines.push(`RSS: peak ${r.rss.peak_mb} MB (whole process); growth at load: engine ${r.rss.engine_mb} MB (wasm memory ${r.rss.engineWasmMemory_mb} MB), tfjs ${r.rss.tfjs_mb} MB, onnxruntime ${r.rss.ort_mb} MB`);
  return lines.join('\n') + '\n';
}

export async function runBenchModel(file: string, args: ParsedArgs, io: CliIO, json: boolean): Promise<number> {
  const repsText = optString(args, 'reps');
  const reps = repsText === undefined ? undefined : Number(repsText);
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1 && reps <= 1000)) throw new UsageError(`bench: --reps expects an integer 1..1000, got '${repsText}'`);
  const report = await runModelBench(file, {
    batches: batchesOf(args), onnx: optString(args, 'onnx'), reps, signal: io.signal,
    log: json ? undefined : (l) => io.stderr(`${l}\n`),
  });
  io.stdout(json ? JSON.stringify(report) + '\n' : formatModelBench(report));
  return 0;
}
