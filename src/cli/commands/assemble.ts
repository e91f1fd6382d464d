/**
 * `tritscope assemble <model.onnx> <sidecar.safetensors> -o out.tnn [--force] [--json]`
 * — builds a `.tnn` from a float ONNX graph and externally computed quantization
 * (the PyTorch package's export, python/tritscope_torch/export.py). The graph goes
 * through Tritscope's ONNX importer; the sidecar is validated and checked
 * (src/core/quant/external.ts). Never writes over an input; writes atomically.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { optFlag, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { throwIfInterrupted, TritscopeError, UsageError } from '../../core/errors';
import { checkOutputPath } from '../../core/output-path';
import { writeTnnFile } from '../../core/format/index';
import { importModel } from '../../core/import/index';
import { fileSize } from '../../core/model-formats/index';
import { applyExternalQuant, parseQuantSidecar, type AssembleReport } from '../../core/quant/external';

/** A sidecar holds one byte per weight plus small vectors: 2 GiB is far beyond any model this reads. */
const MAX_SIDECAR_BYTES = 2 ** 31;

async function canonical(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return path.resolve(file);
  }
}

function summary(out: string, r: AssembleReport): string {
  const d = r.rederived;
  const worst = Object.values(d.maxRelDiff).reduce((a, b) => Math.max(a, b), -Infinity);
  return `wrote ${out}: ${r.ternaryWeights} ternary weight layers, ${r.ternaryActivations} ternary inputs, ${r.rprelu} RPReLU; ` +
    `${r.tritsChecked} trits checked against their thresholds` +
    (d.layers ? `; ${d.layers} post-training layers re-derived by Tritscope (max relative difference ${worst.toExponential(2)}, ${d.tritMismatches} trit mismatches)` : '') + '\n';
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 2) throw new UsageError(`assemble: expected <model.onnx> <sidecar.safetensors>, got ${args.positionals.length} file(s)`);
  const [modelFile, sidecarFile] = args.positionals;
  const out = optString(args, 'out');
  if (!out) throw new UsageError('assemble: -o <out.tnn> is required');
  if (!out.toLowerCase().endsWith('.tnn')) throw new UsageError(`assemble: output '${out}' must end in .tnn`);
  await fileSize(modelFile, 'model');
  const sideBytes = await fileSize(sidecarFile, 'sidecar');
  if (sideBytes > MAX_SIDECAR_BYTES) throw new TritscopeError(`${sidecarFile}: sidecar is ${sideBytes} bytes, over the ${MAX_SIDECAR_BYTES}-byte limit`);
  const target = await canonical(out);
  for (const f of [modelFile, sidecarFile]) if (target === (await canonical(f))) throw new TritscopeError(`${out}: output would overwrite the input ${f}; choose another -o`);
  checkOutputPath(out, { force: optFlag(args, 'force') });
  if (!modelFile.toLowerCase().endsWith('.onnx')) throw new TritscopeError(`${modelFile}: assemble takes the float graph as ONNX (.onnx)`);
  const float = await importModel(modelFile);
  const side = parseQuantSidecar(await readFile(sidecarFile), sidecarFile);
  throwIfInterrupted(io.signal, out);
  const { model, report } = applyExternalQuant(float, side, { modelFile });
  await writeTnnFile(out, model, { signal: io.signal });
  io.stdout(optFlag(args, 'json') ? `${JSON.stringify({ output: out, ...report })}\n` : summary(out, report));
  return 0;
}

registerCommand({
  name: 'assemble',
  usage: 'assemble <model.onnx> <sidecar.safetensors> -o out.tnn [--force] [--json]',
  summary: 'build a .tnn from a float ONNX graph and externally computed ternary quantization (PyTorch export)',
  options: [
    { names: ['o', 'out'], value: true, description: 'output .tnn file' },
    { names: ['force'], value: false, description: 'overwrite an existing output file' },
    { names: ['json'], value: false, description: 'print what was written and checked as JSON' },
  ],
  run,
});
