/**
 * `tritscope run <model> --input <spec> [--trace] [--json] [--output out.npy] [--engine packed|reference]`
 * — one forward pass: predicted class, top-5 (ranked by the raw outputs, with
 * their softmax probabilities), and with --trace each layer's output shape,
 * statistics and divergence from the float reference. A .tnn runs on the packed
 * engine by default, a float model on the reference executor. --json carries
 * the raw output values and --output writes them as .npy, to compare with
 * PyTorch or onnxruntime.
 */
import { optFlag, optString, type ParsedArgs } from '../args';
import { registerCommand } from './index';
import type { CliIO } from './types';
import { TritscopeError, UsageError } from '../../core/errors';
import { parseInputSpec, parsePreprocess, writeNpy } from '../../core/data/index';
import { runReference } from '../../core/exec/reference';
import { loadRunnableModel } from '../../core/model-formats/index';
import { firstSampleProbabilities, firstSampleRow, topK } from '../../core/output-math';
import { probabilityHead } from '../../core/ops/index';
import { tensorStats, type Tensor, type TensorStats } from '../../core/tensor';
import { printable } from '../../core/text';
import type { Divergence, FinalResult } from '../../core/engine/stepper-types';

const ENGINES = ['packed', 'reference'] as const;

interface TraceRow {
  index: number;
  name: string;
  op: string;
  shape: number[];
  stats: TensorStats;
  divergence?: Divergence;
  timeMs?: number;
}

/** The five highest raw scores (not their softmax, which can round near-equal logits to ties), with probability and score. */
function topFive(f: FinalResult, labels?: string[]): { class: number; label?: string; probability: number; score: number }[] {
  return topK(f.scores, 5).map((i) => ({ class: i, ...(labels?.[i] !== undefined ? { label: labels[i] } : {}), probability: f.probabilities[i], score: f.scores[i] }));
}

const fmtNum = (v: number): string => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4));

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`run: expected exactly one model file, got ${args.positionals.length}`);
  const file = args.positionals[0];
  const spec = optString(args, 'input');
  if (!spec) throw new UsageError('run: --input <spec> is required (fashion-mnist:test#3, x.npy, image.png, random[:seed])');
  const asked = optString(args, 'engine');
  if (asked !== undefined && !(ENGINES as readonly string[]).includes(asked)) throw new UsageError(`run: --engine must be one of ${ENGINES.join(', ')}, got '${asked}'`);
  const trace = optFlag(args, 'trace'), json = optFlag(args, 'json');
  const outFile = optString(args, 'output');

  const preprocess = parsePreprocess(optString(args, 'preprocess'));
  const loaded = await loadRunnableModel(file);
  // The packed engine runs ternary .tnn files; a float model goes to the reference executor unless asked otherwise.
  const engineName = asked ?? (loaded.kind === 'tnn' ? 'packed' : 'reference');
  const model = loaded.model;
  const gin = model.graph.inputs[0];
  if (!gin) throw new TritscopeError(`${file}: graph has no input`);
  const input = await parseInputSpec(spec, gin.shape, preprocess);
  const labels = model.graph.labels;
  const rows: TraceRow[] = [];
  let final: FinalResult;
  let output: Tensor;
  let simd: boolean | undefined;
  let floatKind: string | undefined;

  if (engineName === 'packed') {
    if (loaded.kind !== 'tnn') throw new TritscopeError(`${file}: the packed engine runs .tnn models; use --engine reference for float models`);
    const { loadPackedEngine } = await import('../../core/engine/index');
    const engine = await loadPackedEngine(loaded.model);
    simd = engine.simd;
    const stepper = engine.steps(input, { compareFloat: trace });
    if (trace) {
      for (let i = 0; i < stepper.layers.length; i++) {
        const s = stepper.stateAt(i);
        rows.push({ index: i, name: s.layer.name, op: s.layer.op, shape: s.output.shape, stats: tensorStats(s.output.data), divergence: s.float?.divergence, timeMs: s.timeMs });
      }
    }
    final = stepper.final();
    floatKind = stepper.floatKind;
    if (!final.output) throw new TritscopeError(`${file}: the packed engine returned no output tensor`);
    output = final.output;
  } else {
    output = runReference(model, input, trace ? (layer, y, index) => rows.push({ index, name: layer.name, op: layer.op, shape: y.shape, stats: tensorStats(y.data) }) : undefined);
    const scores = Float32Array.from(firstSampleRow(output));
    final = { probabilities: firstSampleProbabilities(output, probabilityHead(model.graph) !== undefined), scores, predicted: topK(scores, 1)[0] };
  }
  if (outFile) await writeNpy(outFile, { dtype: '<f4', shape: output.shape, data: output.data });

  const top5 = topFive(final, labels);
  const predictedLabel = labels?.[final.predicted];
  if (json) {
    io.stdout(JSON.stringify({
      file, input: spec, engine: engineName, ...(simd !== undefined ? { simd } : {}),
      predicted: final.predicted, ...(predictedLabel !== undefined ? { label: predictedLabel } : {}), top5,
      ...(final.floatPredicted !== undefined ? { floatPredicted: final.floatPredicted, floatReference: floatKind, agree: final.agree, topKAgreement: final.topKAgreement } : {}),
      ...(trace ? { trace: rows } : {}),
      ...(outFile ? { outputFile: outFile } : {}),
      output: { shape: output.shape, values: Array.from(output.data) },
    }) + '\n');
    return 0;
  }
  const lines: string[] = [];
  if (trace) {
    lines.push(`${'#'.padStart(3)}  ${'layer'.padEnd(16)} ${'op'.padEnd(13)} ${'shape'.padEnd(16)} ${'min'.padStart(9)} ${'max'.padStart(9)} ${'mean'.padStart(9)} ${'std'.padStart(9)} ${'zeros'.padStart(7)}${engineName === 'packed' ? `  ${'relL2'.padStart(9)} ${'cosine'.padStart(8)}` : ''}`);
    for (const r of rows) {
      const s = r.stats;
      const zeros = `${((100 * s.zeros) / Math.max(1, s.count)).toFixed(1)}%`;
      const div = r.divergence ? `  ${fmtNum(r.divergence.relL2).padStart(9)} ${r.divergence.cosine.toFixed(5).padStart(8)}` : '';
      lines.push(`${String(r.index).padStart(3)}  ${printable(r.name).slice(0, 16).padEnd(16)} ${printable(r.op).padEnd(13)} ${`[${r.shape.join(',')}]`.padEnd(16)} ${fmtNum(s.min).padStart(9)} ${fmtNum(s.max).padStart(9)} ${fmtNum(s.mean).padStart(9)} ${fmtNum(s.std).padStart(9)} ${zeros.padStart(7)}${div}`);
    }
    lines.push('');
  }
  lines.push(`predicted: ${final.predicted}${predictedLabel !== undefined ? ` (${printable(predictedLabel)})` : ''}  [${engineName} engine${simd !== undefined ? (simd ? ', wasm simd' : ', js fallback') : ''}]`);
  if (final.floatPredicted !== undefined) lines.push(`float reference (${floatKind === 'latent-float' ? 'the float original, from the stored latent weights' : 'the dequantized ternary model: no float weights stored'}) predicts ${final.floatPredicted} (${final.agree ? 'agrees' : 'DIFFERS'}), top-5 overlap ${((final.topKAgreement ?? 0) * 100).toFixed(0)}%`);
  lines.push('top-5:');
  for (const t of top5) lines.push(`  ${String(t.class).padStart(4)}  ${(t.probability * 100).toFixed(2).padStart(6)} %${t.label !== undefined ? `  ${printable(t.label)}` : ''}`);
  io.stdout(lines.join('\n') + '\n');
  return 0;
}

registerCommand({
  name: 'run',
  usage: 'run <model> --input <spec> [--trace] [--json] [--output out.npy] [--engine packed|reference]',
  summary: 'run one input through a model: predicted class, top-5, optional per-layer trace',
  options: [
    { names: ['input'], value: true, description: '<dataset>#<i> (e.g. fashion-mnist:test#3, cifar10:DIR#0), a .npy file, a PNG/JPEG image, or random[:seed]' },
    { names: ['preprocess'], value: true, description: 'imagenet | cifar | none (default), or resize=…,crop=…,mean=…,std=… (images and data set samples)' },
    { names: ['trace'], value: false, description: 'print each layer: output shape, min/max/mean/std/zeros, divergence vs float' },
    { names: ['json'], value: false, description: 'machine-readable output, with the raw output values' },
    { names: ['output'], value: true, description: 'write the raw output tensor (float32, batch included) to this .npy file' },
    { names: ['engine'], value: true, description: 'packed (default for .tnn: ternary kernels) or reference (default for float models: float interpreter)' },
  ],
  run,
});
