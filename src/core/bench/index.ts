/**
 * `tritscope bench`: the packed kernels and engine against float32 matMul /
 * the same network in @tensorflow/tfjs (wasm backend), same shapes, one process,
 * interleaved repetitions, medians. ratio = baseline time / our time.
 */
import { ExecutionError } from '../errors';
import { loadPackedEngine } from '../engine/index';
import { createKernels, type Kernels } from '../engine/kernels';
import { repackRows, type PlaneMatrix } from '../engine/planes';
import { peekTnnHeader, serializeTnn } from '../format/index';
import { tensor, type Tensor } from '../tensor';
import { loadBenchModel } from './sample-cnn';
import { storageAccounting, type StorageAccounting } from './storage';
import { initTfWasm, tfForward, type Tf } from './tf-baseline';
import { timePair, type PairTiming, type TimedRatio } from './timing';
import { argmaxRows } from './util';
import { mulberry32 } from '../rng';

export interface BenchResult extends TimedRatio {
  /** baseline_min_ms / ours_min_ms. */
  ratio_min: number;
  /** Goal from the project brief (ratio ≥ goal). */
  goal?: number;
  /** Our output was checked against the baseline's on the timed inputs. */
  checked?: string;
  /** What bounds this ratio on 128-bit wasm SIMD under V8 (measured; docs/engine-performance.md). */
  limit?: string;
}

/** Per case, the measured bound behind the ratio (derivations and numbers: docs/engine-performance.md). */
export const RATIO_LIMITS: Record<string, string> = {
  gemm_tt: 'compute-bound: V8 lowers i8x16.popcnt to 6 vector ops (no VPOPCNTB), 18 vector ops per 128 MACs ≥ 4.5 cycles, vs ~5 MAC/cycle for the baseline: ratio ≤ ~5.6x',
  gemv_tt: 'compute-bound at the gemm_tt per-chunk cost (weights prefetched from DRAM in software); the baseline streams 16x the bytes: ratio ≤ ~10-13x',
  gemv_tf: 'bound by ~1 table lookup per cycle (2 loads + 2 FP ops each, 8 weights per lookup); the baseline is DRAM-bound (64 MB per call): ratio ≤ ~2.1-2.4x on a quiet machine, more when other jobs use memory bandwidth',
  model_b1: 'fixed per-layer costs on both sides (JS dispatch, copies in and out of wasm memory); ternary conv kernels at ~63% of the FP add pipes',
  model_b64: 'arithmetic-bound: additions-only conv kernel (tf_lut_gemm: subset-sum tables) vs XNNPACK f32 GEMM',
};

export interface BenchReport {
  results: BenchResult[];
  /** storage.bitsPerTrit. */
  bitsPerTrit: number;
  /** The model's .tnn storage: payload bytes vs Σ⌈n/5⌉, tail padding (from the file's header). */
  storage: StorageAccounting;
  runtimeWeightBytesRatio: number;
  /** Same ratio for a layer whose rows are multiples of 128 trits (no padding), e.g. the gemm weights. */
  runtimeWeightBytesRatioUnpadded: number;
  model: string;
  simd: boolean;
  backend: string;
}

export interface BenchOptions {
  quick?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}


function randomTrits(n: number, seed: number): Int8Array {
  const r = mulberry32(seed);
  return new Int8Array(n).map(() => (r() < 0.33 ? 0 : r() < 0.5 ? 1 : -1));
}

const result = (name: string, t: PairTiming, goal: number, checked?: string): BenchResult =>
  ({ name, ...t, ratio: t.baseline_ms / t.ours_ms, ratio_min: t.baseline_min_ms / t.ours_min_ms, goal, checked, limit: RATIO_LIMITS[name] });

/** Ternary·ternary GEMM [m×k]·[k×n] (weights [n][k] as planes) including activation packing and the final scale. */
function ttCase(k: Kernels, w: PlaneMatrix, acts: Int8Array, m: number, scale: number): () => Float32Array {
  const heap = k.heap;
  const kLen = w.k, kpad = w.chunks * 128, rowsPad = Math.ceil(m / 4) * 4;
  return () => {
    heap.resetScratch();
    const i8 = heap.alloc(rowsPad * kpad, kpad !== kLen || rowsPad !== m);
    if (kpad === kLen) heap.i8.set(acts, i8);
    else for (let r = 0; r < m; r++) heap.i8.set(acts.subarray(r * kLen, (r + 1) * kLen), i8 + r * kpad);
    const planes = heap.alloc(rowsPad * w.chunks * 32);
    k.packI8Acts(i8, m === 1 ? 1 : rowsPad, kpad, planes);
    const out = heap.alloc(m * w.rows * 4, false); // every result is written
    k.ttGemm(w, planes, m, out, 1, w.rows);
    // integer accumulators × scale → f32, with the engine's epilogue kernel
    const params = heap.alloc(48, false);
    heap.f64.set([scale, 0, 1, 0, 1, 0], params >>> 3);
    const y = heap.alloc(m * w.rows * 4, false);
    k.epilogue(out, 1, 0, 1, 1, m * w.rows, 1, 0, params, 0, y);
    return heap.f32.slice(y >>> 2, (y >>> 2) + m * w.rows);
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Float copy of trits [rows][k] transposed to [k][rows] (tfjs matMul's B operand). */
function floatTransposed(trits: Int8Array, rows: number, k: number): Float32Array {
  const f = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) f[i * rows + r] = trits[r * k + i];
  return f;
}

function matmulCases(tf: Tf, quick: boolean, log: (s: string) => void): BenchResult[] {
  const out: BenchResult[] = [];
  const reps = quick ? 5 : 15;
  // gemm_tt: 256×1024 activations · 1024×1024 weights
  {
    const [m, kLen, n] = [256, 1024, 1024];
    const k = createKernels(true);
    const wt = randomTrits(n * kLen, 1), at = randomTrits(m * kLen, 2);
    const w = repackRows(k.heap, wt, 0, n, kLen);
    k.heap.sealPersistent();
    const ours = ttCase(k, w, at, m, 1);
    const a = tf.tensor2d(Float32Array.from(at), [m, kLen]), b = tf.tensor2d(floatTransposed(wt, n, kLen), [kLen, n]);
    const base = (): Float32Array => { const c = tf.matMul(a, b); const d = c.dataSync() as Float32Array; c.dispose(); return d; };
    const diff = maxAbsDiff(ours(), base());
    if (diff !== 0) throw new ExecutionError(`bench gemm_tt: packed result differs from tfjs matMul by ${diff}`);
    out.push(result('gemm_tt', timePair(ours, base, reps), 6, 'bit-exact vs tfjs'));
    log(`gemm_tt  ${m}x${kLen}x${n}: ours ${out.at(-1)!.ours_ms.toFixed(2)} ms, tfjs ${out.at(-1)!.baseline_ms.toFixed(2)} ms`);
    a.dispose(); b.dispose();
  }
  // gemv_tt and gemv_tf: 1×4096 · 4096×4096
  {
    const kLen = 4096, n = 4096;
    const k = createKernels(true);
    const wt = randomTrits(n * kLen, 3), at = randomTrits(kLen, 4);
    const w = repackRows(k.heap, wt, 0, n, kLen);
    k.heap.sealPersistent();
    const b = tf.tensor2d(floatTransposed(wt, n, kLen), [kLen, n]);
    const base = (x: import('@tensorflow/tfjs').Tensor2D) => (): Float32Array => { const c = tf.matMul(x, b); const d = c.dataSync() as Float32Array; c.dispose(); return d; };
    const a = tf.tensor2d(Float32Array.from(at), [1, kLen]);
    const ours = ttCase(k, w, at, 1, 1);
    const diff = maxAbsDiff(ours(), base(a)());
    if (diff !== 0) throw new ExecutionError(`bench gemv_tt: packed result differs from tfjs matMul by ${diff}`);
    out.push(result('gemv_tt', timePair(ours, base(a), reps * 2), 4, 'bit-exact vs tfjs'));
    log(`gemv_tt  1x${kLen}x${n}: ours ${out.at(-1)!.ours_ms.toFixed(3)} ms, tfjs ${out.at(-1)!.baseline_ms.toFixed(3)} ms`);
    // ternary weights × float activations, additions only (subset-sum tables)
    const r = mulberry32(5);
    const xf = new Float32Array(kLen).map(() => r() * 2 - 1);
    const xt = tf.tensor2d(xf, [1, kLen]);
    const heap = k.heap;
    const oursTf = (): Float32Array => {
      heap.resetScratch();
      const xp = heap.alloc(w.chunks * 512);
      heap.f32.set(xf, xp >>> 2);
      const table = heap.alloc(w.chunks * 16 * 1024, false); // lutBuild writes every group
      k.lutBuild(xp, w.chunks * 16, table);
      const o = heap.alloc(n * 4);
      k.lutGemv(w, table, o, 1, 1, heap.alloc(n * 16, false));
      return heap.f32.slice(o >>> 2, (o >>> 2) + n);
    };
    const d2 = maxAbsDiff(oursTf(), base(xt)());
    if (!(d2 < 1e-3)) throw new ExecutionError(`bench gemv_tf: packed result differs from tfjs matMul by ${d2}`);
    out.push(result('gemv_tf', timePair(oursTf, base(xt), reps * 2), 2, `max |diff| ${d2.toExponential(1)} vs tfjs`));
    log(`gemv_tf  1x${kLen}x${n}: ours ${out.at(-1)!.ours_ms.toFixed(3)} ms, tfjs ${out.at(-1)!.baseline_ms.toFixed(3)} ms`);
    a.dispose(); b.dispose(); xt.dispose();
  }
  return out;
}


export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const log = opts.log ?? (() => undefined);
  const quick = Boolean(opts.quick);
  const tf = await initTfWasm();
  const results = matmulCases(tf, quick, log);
  if (opts.signal?.aborted) throw new ExecutionError('bench: interrupted');
  const { model, source, file } = await loadBenchModel();
  // From the file's header when there is one; else from the bytes the writer would store.
  const storage = storageAccounting(file ? await peekTnnHeader(file) : await peekTnnHeader(serializeTnn(model), '(bench model serialized in memory)'));
  const engine = await loadPackedEngine(model);
  const forward = tfForward(tf, model);
  const sample = model.graph.inputs[0].shape;
  for (const batch of [1, 64]) {
    const r = mulberry32(batch);
    const x: Tensor = tensor([batch, ...sample]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = r();
    const ours = engine.run(x).data, theirs = forward(x);
    const agree = argmaxRows(ours, batch).filter((c, i) => c === argmaxRows(theirs, batch)[i]).length;
    // batch 1: rounds of 10 consecutive calls per side (see timePair), 600 timed calls each
    const reps = batch === 1 ? (quick ? 20 : 60) : quick ? 3 : 9;
    const t = timePair(() => engine.run(x), () => forward(x), reps, batch === 1 ? 5 : 1, 250, batch === 1 ? 10 : 1);
    const wa = model.graph.layers.some((l) => l.actQuant);
    results.push(result(`model_b${batch}`, t, batch === 1 ? 3 : 1, `${agree}/${batch} same class as tfjs float${wa ? ' (baseline keeps activations float)' : ''}`));
    log(`model_b${batch}: ours ${t.ours_ms.toFixed(2)} ms (${((1000 * batch) / t.ours_ms).toFixed(0)} img/s), tfjs ${t.baseline_ms.toFixed(2)} ms (${((1000 * batch) / t.baseline_ms).toFixed(0)} img/s)`);
  }
  const unpadded = 1 / 16; // 2 bits per trit in planes vs 32 (exact when rows are whole bytes; checked in the engine tests)
  return {
    results,
    bitsPerTrit: storage.bitsPerTrit,
    storage,
    runtimeWeightBytesRatio: engine.runtimeWeightBytes / engine.fp32WeightBytes,
    runtimeWeightBytesRatioUnpadded: unpadded,
    model: source,
    simd: engine.simd,
    backend: tf.getBackend(),
  };
}
