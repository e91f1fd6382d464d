/**
 * The per-layer sweep (AIMET QuantAnalyzer's two sweeps, for ternary weights):
 * for each weight layer, top-1 and KL from the float model with only that layer
 * ternary, and with all but that layer ternary; plus float and all-ternary.
 *
 * Float log-probabilities are computed once per sample and kept (FloatReference),
 * so every configuration and every later proposal is scored against the same
 * reference. On the mixed engine the sweep goes batch by batch: the float and
 * all-ternary runs keep their intermediate values, and "only layer i ternary"
 * resumes from the float run at layer i ("all but i" from the all-ternary run),
 * because everything before layer i is the same. The other engines go
 * configuration by configuration (one compiled model at a time).
 */
import { DataError } from '../errors';
import { inferShapes } from '../ops/index';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { readSamples, type Samples } from '../data/source';
import { klSum, logSoftmaxRows, ScoreSum, top1Count } from './metrics';
import type { SweepPieces } from './pieces';
import type { ConfigRunner } from './runner';
import type { Score } from './schema';

/** Bytes of intermediate values the mixed sweep may keep per batch (float + all-ternary runs). */
export const VALUE_CACHE_BYTES = 512 * 2 ** 20;
/** Inputs are kept in memory between configurations up to this size, else read again from the data set. */
const INPUT_CACHE_BYTES = 256 * 2 ** 20;
const MAX_BATCH = 64;

export interface SweepProgress {
  done: number;
  total: number;
  message: string;
}

/** The samples, their labels and the float model's log-probabilities on them (filled by the sweep's float runs). */
export class FloatReference {
  readonly labels: Int32Array;
  logProbs = new Float64Array(0);
  classes = 0;
  private readonly per: number;
  private readonly inputs?: Float32Array;
  private readonly cached: Uint8Array;

  constructor(readonly samples: Samples, readonly n: number) {
    this.per = sizeOf(samples.sampleShape);
    this.labels = new Int32Array(n);
    this.cached = new Uint8Array(n);
    if (n * this.per * 4 <= INPUT_CACHE_BYTES) this.inputs = new Float32Array(n * this.per);
  }

  /** Float top-1 count over the samples recorded so far. */
  floatCorrect = 0;

  /** Records the float run of samples [start, start + count): log-probabilities and top-1. */
  recordFloat(run: { output: Tensor; logits: Tensor }, start: number, count: number, modelName: string): number {
    if (!this.classes) {
      const classes = run.logits.data.length / count;
      if (!Number.isInteger(classes) || classes < 1) throw new DataError(`model '${modelName}': output shape [${run.logits.shape.join(',')}] is not one score vector per sample`);
      this.classes = classes;
      this.logProbs = new Float64Array(this.n * classes);
    }
    this.logProbs.set(logSoftmaxRows(run.logits.data, count, this.classes), start * this.classes);
    const correct = top1Count(run.output.data, this.labels.subarray(start, start + count), count, this.samples.name, start);
    this.floatCorrect += correct;
    return correct;
  }

  /** Adds a configuration's run of samples [start, start + count) to `sum`: top-1 and KL from the float run. */
  score(sum: ScoreSum, run: { output: Tensor; logits: Tensor }, start: number, count: number): void {
    const classes = this.classes;
    const lq = logSoftmaxRows(run.logits.data, count, classes);
    const lp = this.logProbs.subarray(start * classes, (start + count) * classes);
    sum.add(top1Count(run.output.data, this.labels.subarray(start, start + count), count, this.samples.name, start), klSum(lp, lq, count, classes), count);
  }

  /** Samples [start, start + count) as an NCHW batch (kept in memory for small sets, read again otherwise); records their labels. */
  batch(start: number, count: number): Tensor {
    const shape = [count, ...this.samples.sampleShape];
    if (this.inputs && this.cached.subarray(start, start + count).every((c) => c === 1))
      return tensor(shape, this.inputs.subarray(start * this.per, (start + count) * this.per));
    const read = readSamples(this.samples, start, count);
    this.labels.set(read.labels, start);
    if (this.inputs) {
      this.inputs.set(read.images, start * this.per);
      this.cached.fill(1, start, start + count);
    }
    return tensor(shape, read.images);
  }
}

export interface SweepOptions {
  samples: Samples;
  n: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
}

export interface SweepOutcome {
  float: Score;
  allTernary: Score;
  layers: Map<string, { onlyThis: Score; allButThis: Score }>;
  reference: FloatReference;
  batch: number;
  /** Layer executions the sweep ran (a resumed run counts only its layers). */
  layerRuns: number;
}

/** Batch size keeping the two cached runs' values within VALUE_CACHE_BYTES. */
export function mixedBatchSize(p: SweepPieces): number {
  const shapes = inferShapes(p.float.graph, (layer, role) => p.float.tensors.get(layer.weights[role])?.shape, 1);
  let perSample = 0;
  for (const s of shapes.values()) perSample += sizeOf(s) * 4;
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(VALUE_CACHE_BYTES / (2 * Math.max(1, perSample)))));
}

const yieldNow = () => new Promise((r) => setImmediate(r));

export async function runSweep(p: SweepPieces, runner: ConfigRunner, o: SweepOptions): Promise<SweepOutcome> {
  const { samples, n } = o;
  const name = p.float.graph.name;
  if (n < 1 || n > samples.n) throw new DataError(`${samples.name}: cannot sweep ${n} samples of ${samples.n}`);
  const mixed = runner.kind === 'mixed';
  const batch = Math.max(1, Math.min(o.batchSize ?? (mixed ? mixedBatchSize(p) : MAX_BATCH), n));
  const batches = Math.ceil(n / batch);
  const names = p.candidates.map((l) => l.name);
  const all = new Set(names);
  const configs = 2 + 2 * names.length;
  const total = configs * batches;
  let done = 0;
  let layerRuns = 0;
  const layerCount = p.float.graph.layers.length;
  const step = async (message: string, ranFrom: number) => {
    layerRuns += layerCount - ranFrom;
    o.onProgress?.({ done: ++done, total, message });
    if (o.signal?.aborted) throw new DataError(`sensitivity analysis of '${name}' cancelled`);
    await yieldNow(); // lets SIGTERM / a cancel message through between runs
  };

  const reference = new FloatReference(samples, n);
  const floatSum = new ScoreSum(), allSum = new ScoreSum();
  const only = names.map(() => new ScoreSum()), allBut = names.map(() => new ScoreSum());
  const score = (sum: ScoreSum, run: { output: Tensor; logits: Tensor }, start: number, count: number) => reference.score(sum, run, start, count);

  // Float first (the reference for every KL), filling labels and the input cache.
  const floatBatch = async (b: number) => {
    const start = b * batch, count = Math.min(batch, n - start);
    const x = reference.batch(start, count);
    const run = await runner.run(x, new Set());
    floatSum.add(reference.recordFloat(run, start, count, name), 0, count);
    await step(`float, samples ${start + 1}–${start + count}`, 0);
    return { x, run, start, count };
  };

  if (mixed) {
    for (let b = 0; b < batches; b++) {
      const { x, run: floatRun, start, count } = await floatBatch(b);
      const allRun = await runner.run(x, all);
      score(allSum, allRun, start, count);
      await step(`all ternary, samples ${start + 1}–${start + count}`, 0);
      for (let k = 0; k < names.length; k++) {
        const from = p.indexOf.get(names[k])!;
        score(only[k], await runner.run(x, new Set([names[k]]), { from, values: floatRun.values! }), start, count);
        await step(`only ${names[k]} ternary (batch ${b + 1}/${batches})`, from);
        const rest = new Set(all);
        rest.delete(names[k]);
        score(allBut[k], await runner.run(x, rest, { from, values: allRun.values! }), start, count);
        await step(`all but ${names[k]} ternary (batch ${b + 1}/${batches})`, from);
      }
    }
  } else {
    for (let b = 0; b < batches; b++) await floatBatch(b);
    const each = async (sum: ScoreSum, ternary: Set<string>, label: string) => {
      for (let b = 0; b < batches; b++) {
        const start = b * batch, count = Math.min(batch, n - start);
        score(sum, await runner.run(reference.batch(start, count), ternary), start, count);
        await step(`${label} (batch ${b + 1}/${batches})`, 0);
      }
    };
    await each(allSum, all, 'all ternary');
    for (let k = 0; k < names.length; k++) {
      await each(only[k], new Set([names[k]]), `only ${names[k]} ternary`);
      const rest = new Set(all);
      rest.delete(names[k]);
      await each(allBut[k], rest, `all but ${names[k]} ternary`);
    }
  }
  return {
    float: floatSum.score(),
    allTernary: allSum.score(),
    layers: new Map(names.map((nm, k) => [nm, { onlyThis: only[k].score(), allButThis: allBut[k].score() }])),
    reference,
    batch,
    layerRuns,
  };
}

/** A FloatReference over the first n samples without a sweep (proposals on a stored sweep). */
export async function fillReference(runner: ConfigRunner, samples: Samples, n: number, batch: number, signal?: AbortSignal, onProgress?: (p: SweepProgress) => void): Promise<FloatReference> {
  const reference = new FloatReference(samples, n);
  const batches = Math.ceil(n / batch);
  for (let b = 0; b < batches; b++) {
    const start = b * batch, count = Math.min(batch, n - start);
    reference.recordFloat(await runner.run(reference.batch(start, count), new Set()), start, count, samples.name);
    onProgress?.({ done: b + 1, total: batches, message: `float, samples ${start + 1}–${start + count}` });
    if (signal?.aborted) throw new DataError(`sensitivity analysis cancelled`);
    await yieldNow();
  }
  return reference;
}

/** Top-1 and KL of keeping `keepFloat` float (every other weight layer ternary), on the reference's samples. */
export async function measureKeepFloat(p: SweepPieces, runner: ConfigRunner, reference: FloatReference, keepFloat: Iterable<string>, batch: number, signal?: AbortSignal): Promise<Score> {
  const keep = new Set(keepFloat);
  const ternary = new Set(p.candidates.map((l) => l.name).filter((n) => !keep.has(n)));
  const sum = new ScoreSum();
  const { n } = reference;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    reference.score(sum, await runner.run(reference.batch(start, count), ternary), start, count);
    if (signal?.aborted) throw new DataError(`sensitivity analysis cancelled`);
    await yieldNow();
  }
  return sum.score();
}
