/** `tritscope bench [--json] [--quick]` — packed kernels/engine vs float32 tfjs (wasm backend), same shapes, one run. */
import { optFlag, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { runBench } from '../../core/bench/index';
import { formatStorage } from '../../core/bench/storage';

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  const json = optFlag(args, 'json');
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
  usage: 'bench [--json] [--quick]',
  summary: 'benchmark the packed ternary kernels and engine against float32 tfjs (wasm)',
  options: [
    { names: ['json'], value: false, description: 'print {"results":[{name,ours_ms,baseline_ms,ratio}],"bitsPerTrit","storage","runtimeWeightBytesRatio"}' },
    { names: ['quick'], value: false, description: 'fewer repetitions' },
  ],
  run,
});
