/**
 * `tritscope bench --model FILE.tnn`: the packed engine on any model against two
 * float32 baselines running the float original, side by side in one process,
 * interleaved rounds, medians: @tensorflow/tfjs on its wasm backend (XNNPACK) and
 * onnxruntime-web's wasm backend. Results `model_bN` (vs tfjs) and `model_bN_ort`.
 * The float original is the source ONNX when given (--onnx) or found beside the
 * `.tnn` with the recorded SHA-256, else the `.tnn`'s latent float weights (or its
 * dequantized ternary weights when it stores none) exported to ONNX.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataError, ExecutionError } from '../errors';
import { loadPackedEngine } from '../engine/index';
import { divergence } from '../output-math';
import { floatOriginal } from '../exec/float-original';
import { dequantizeTrits } from '../exec/reference';
import { readTnnFile } from '../format/index';
import { isPacked, type FloatModel, type TnnModel } from '../graph/types';
import { exportOnnx } from '../import/index';
import { inferShapes } from '../ops/index';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { createOrtRunner, type OrtRunner } from './ort-baseline';
import { initTfWasm, tfForward } from './tf-baseline';
import { timeRounds, type Side, type TimedRatio } from './timing';
import { argmaxRows } from './util';
import { mulberry32 } from '../rng';

export interface ModelBenchOptions {
  batches?: number[];
  /** The float original as ONNX, for onnxruntime (default: found or exported, see above). */
  onnx?: string;
  /** Timed rounds per batch size (default: by model size, 5–15). */
  reps?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ModelBenchResult extends TimedRatio {
  /** Medians of the process CPU time per call (robust to other processes holding the core) and their ratio. */
  ours_cpu_ms: number;
  baseline_cpu_ms: number;
  ratio_cpu: number;
  baseline: 'tfjs' | 'ort';
  /** Output check: agreement of our top-1 with the float original's on the timed input(s). */
  checked: string;
  agreement: number;
}

export interface ModelBenchReport {
  model: string;
  /** Where onnxruntime's float model came from. */
  floatSource: string;
  results: ModelBenchResult[];
  /** Baselines that could not run, and why. */
  unavailable: Record<string, string>;
  node: string;
  v8: string;
  kernelFamily: string;
  /** Kernel calls of one batch-1 forward, by kernel name. */
  kernels: Record<string, number>;
  wa: boolean;
  runtimeWeightBytesRatio: number;
  /** Multiply-adds per sample (conv and dense layers). */
  macs: number;
  /** MB: process peak RSS, and the resident growth measured as each side was loaded (approximate: one process, one GC heap). */
  rss: { peak_mb: number; engine_mb: number; tfjs_mb: number; ort_mb: number; engineWasmMemory_mb: number };
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);
const rssNow = (): number => process.memoryUsage().rss;


/** Roughly normal pixels (sum of 4 uniforms), the range of ImageNet-normalized inputs; deterministic. */
function benchInput(shape: number[], seed: number): Tensor {
  const r = mulberry32(seed);
  const x = tensor(shape);
  for (let i = 0; i < x.data.length; i++) x.data[i] = (r() + r() + r() + r() - 2) * 1.7;
  return x;
}


/** The .tnn's float original as a FloatModel: latent weights, else dequantized trits. */
function floatModelOf(tnn: TnnModel): { model: FloatModel; kind: string } {
  const fo = floatOriginal(tnn);
  if (fo.kind === 'latent-float') return { model: fo.model as FloatModel, kind: 'latent float weights' };
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of tnn.tensors) if (!isPacked(t)) tensors.set(name, t);
  const layers = tnn.graph.layers.map((l) => {
    const { weightQuant, actQuant: _a, ...rest } = l;
    if (!weightQuant) return rest;
    const name = `${weightQuant.trits}.dequantized`;
    tensors.set(name, dequantizeTrits(tnn.tensors.get(weightQuant.trits) as Parameters<typeof dequantizeTrits>[0], weightQuant));
    return { ...rest, weights: { ...l.weights, weight: name } };
  });
  return { model: { graph: { ...tnn.graph, layers }, tensors, source: { file: '', sha256: '', format: 'tnn' } }, kind: 'dequantized ternary weights (the .tnn stores no latent weights)' };
}

/** ONNX bytes of the float original, and where they came from. The recorded source is only looked for beside the .tnn. */
function floatOnnx(file: string, tnn: TnnModel, float: FloatModel, floatKind: string, onnx?: string): { bytes: Uint8Array; source: string } {
  if (onnx) return { bytes: readFileSync(onnx), source: onnx };
  const rec = tnn.provenance.sourceFile, sha = tnn.provenance.sourceSha256;
  if (rec && sha && /\.onnx$/i.test(rec)) {
    const beside = path.join(path.dirname(file), path.basename(rec));
    if (existsSync(beside)) {
      const bytes = readFileSync(beside);
      if (createHash('sha256').update(bytes).digest('hex') === sha) return { bytes, source: `${beside} (the recorded source, SHA-256 checked)` };
    }
  }
  return { bytes: exportOnnx(float), source: `exported from the .tnn's ${floatKind}` };
}

/** Multiply-adds of one sample through the conv and dense layers (output elements × weights per output). */
function multiplyAdds(float: FloatModel): number {
  const shapes = inferShapes(float.graph, (layer, role) => float.tensors.get(layer.weights[role] ?? '')?.shape, 1);
  let macs = 0;
  for (const l of float.graph.layers) {
    if (l.op !== 'conv2d' && l.op !== 'dense') continue;
    const w = float.tensors.get(l.weights.weight ?? '');
    const out = shapes.get(l.outputs[0]);
    if (w && out) macs += sizeOf(out) * (sizeOf(w.shape) / w.shape[0]);
  }
  return macs;
}

export async function runModelBench(file: string, opts: ModelBenchOptions = {}): Promise<ModelBenchReport> {
  const log = opts.log ?? (() => undefined);
  const batches = opts.batches ?? [1];
  if (batches.some((b) => !Number.isInteger(b) || b < 1 || b > 4096)) throw new DataError(`bench: --batch must be an integer in 1..4096, got ${batches.join(',')}`);
  const rss0 = rssNow();
  const tnn = await readTnnFile(file);
  const engine = await loadPackedEngine(tnn);
  const rssEngine = rssNow();
  const unavailable: Record<string, string> = {};
  const { model: float, kind: floatKind } = floatModelOf(tnn);

  const tf = await initTfWasm();
  let tfRun: ((x: Tensor) => Float32Array) | undefined;
  try {
    tfRun = tfForward(tf, float);
  } catch (e) {
    unavailable.tfjs = (e as Error).message;
  }
  const rssTf = rssNow();
  const onnx = floatOnnx(file, tnn, float, floatKind, opts.onnx);
  const ort = await createOrtRunner(onnx.bytes);
  if (typeof ort === 'string') unavailable.ort = ort;
  const ortRunner = typeof ort === 'string' ? undefined : (ort as OrtRunner);
  const rssOrt = rssNow();

  const sample = tnn.graph.inputs[0].shape;
  // what ran: one counted batch-1 forward on a second engine (counting wraps every kernel call)
  const counted = await loadPackedEngine(tnn, { countKernels: true });
  counted.run(benchInput([1, ...sample], 1));
  const kernels = counted.kernelCalls();

  const results: ModelBenchResult[] = [];
  for (const batch of batches) {
    if (opts.signal?.aborted) throw new ExecutionError('bench: interrupted');
    const x = benchInput([batch, ...sample], batch);
    const ours = engine.run(x).data;
    const classes = argmaxRows(ours, batch);
    const ref = ortRunner ? await ortRunner.run(x) : tfRun ? tfRun(x) : undefined;
    const refName = ortRunner ? 'onnxruntime' : 'tfjs';
    const refClasses = ref ? argmaxRows(ref, batch) : [];
    const agree = refClasses.filter((c, i) => c === classes[i]).length;
    // top-1 of random-weight networks is close to a tie among many classes: the cosine of the outputs says how close they are
    let check = ref ? `${agree}/${batch} same top-1 as the float original (${refName}), output cosine ${divergence(ours, ref).cosine.toFixed(4)}` : 'no float baseline to check against';
    if (ortRunner && tfRun) {
      const tfClasses = argmaxRows(tfRun(x), batch);
      check += `; tfjs vs onnxruntime ${tfClasses.filter((c, i) => c === refClasses[i]).length}/${batch}`;
    }
    const sides: Side[] = [{ name: 'ours', run: () => engine.run(x) }];
    if (tfRun) sides.push({ name: 'tfjs', run: () => tfRun!(x) });
    if (ortRunner) sides.push({ name: 'ort', run: () => ortRunner.run(x) });
    // calibrate the round count: ~15 rounds for fast models, at least 5 for slow ones
    const t0 = performance.now();
    for (const s of sides) await s.run();
    const roundMs = performance.now() - t0;
    const reps = opts.reps ?? Math.max(5, Math.min(15, Math.round(20000 / Math.max(1, roundMs))));
    const t = await timeRounds(sides, reps, 1);
    for (const base of ['tfjs', 'ort'] as const) {
      const b = t[base];
      if (!b) continue;
      results.push({
        name: `model_b${batch}${base === 'ort' ? '_ort' : ''}`, baseline: base,
        ours_ms: t.ours.median_ms, baseline_ms: b.median_ms, ratio: b.median_ms / t.ours.median_ms,
        ours_min_ms: t.ours.min_ms, baseline_min_ms: b.min_ms, checked: check, agreement: ref ? agree / batch : NaN,
        ours_cpu_ms: t.ours.cpu_ms, baseline_cpu_ms: b.cpu_ms, ratio_cpu: b.cpu_ms / t.ours.cpu_ms,
      });
    }
    log(`batch ${batch}: ours ${t.ours.median_ms.toFixed(1)} ms${t.tfjs ? `, tfjs ${t.tfjs.median_ms.toFixed(1)} ms` : ''}${t.ort ? `, onnxruntime ${t.ort.median_ms.toFixed(1)} ms` : ''} (${reps} rounds); ${check}`);
  }
  await ortRunner?.release();
  return {
    model: file,
    floatSource: onnx.source,
    results,
    unavailable,
    node: process.version,
    v8: process.versions.v8,
    kernelFamily: engine.kernelFamily,
    kernels,
    wa: tnn.graph.layers.some((l) => l.actQuant),
    runtimeWeightBytesRatio: engine.runtimeWeightBytes / engine.fp32WeightBytes,
    rss: {
      peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      engine_mb: mb(rssEngine - rss0), tfjs_mb: mb(rssTf - rssEngine), ort_mb: mb(rssOrt - rssTf),
      engineWasmMemory_mb: mb(engine.memoryBytes()),
    },
    macs: multiplyAdds(float),
  };
}
