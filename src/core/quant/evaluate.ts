/** Top-1 / top-5 accuracy of a model on a labelled sample set, batch by batch. */
import { runReference } from '../exec/reference';
import { DataError, throwIfInterrupted } from '../errors';
import { readSamples, type Samples } from '../data/source';
import type { FloatModel, TnnModel } from '../graph/types';
import { tensor, type Tensor } from '../tensor';

/** What accuracy is measured on: a loaded Dataset or a streaming DataSource (read batch by batch). */
export type LabeledSamples = Samples;

export interface Accuracy {
  top1: number;
  top5: number;
  n: number;
}

export interface EvaluateOptions {
  /** Evaluate only the first `limit` samples. */
  limit?: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** Defaults to the reference executor; the packed engine can be passed instead. */
  run?: (input: Tensor) => Tensor;
  onBatch?: (done: number, total: number) => void;
}

/** Samples [start, start+count) as one NCHW batch (a view for a loaded Dataset, a fresh read for a stream). */
export function sampleBatch(data: LabeledSamples, start: number, count: number): Tensor {
  return tensor([count, ...data.sampleShape], readSamples(data, start, count).images);
}

export function checkSamplesFit(model: FloatModel | TnnModel, data: LabeledSamples): void {
  const want = model.graph.inputs[0]?.shape ?? [];
  if (want.join(',') !== data.sampleShape.join(',')) {
    throw new DataError(`${data.name}: samples have shape [${data.sampleShape.join(',')}], model '${model.graph.name}' input '${model.graph.inputs[0]?.name}' expects [${want.join(',')}]`);
  }
}

/** Rank of the true label's score among the scores of one sample (0 = predicted; the sensitivity sweep counts top-1 by the same rule). */
export function rankOfLabel(scores: Float32Array, offset: number, classes: number, label: number): number {
  const s = scores[offset + label];
  let rank = 0;
  for (let c = 0; c < classes; c++) {
    const v = scores[offset + c];
    // Ties are counted against the label, so a constant output never scores.
    if (v > s || (v === s && c < label)) rank++;
  }
  return rank;
}

export async function evaluateAccuracy(model: FloatModel | TnnModel, data: LabeledSamples, opts: EvaluateOptions = {}): Promise<Accuracy> {
  checkSamplesFit(model, data);
  const n = Math.min(data.n, opts.limit ?? data.n);
  if (n <= 0) throw new DataError(`${data.name}: no samples to evaluate`);
  const batch = Math.max(1, opts.batchSize ?? 64);
  const run = opts.run ?? ((x: Tensor) => runReference(model, x));
  let top1 = 0, top5 = 0;
  for (let start = 0; start < n; start += batch) {
    throwIfInterrupted(opts.signal, `${data.name}: evaluation`);
    const count = Math.min(batch, n - start);
    const samples = readSamples(data, start, count);
    const out = run(tensor([count, ...data.sampleShape], samples.images));
    const classes = out.data.length / count;
    if (!Number.isInteger(classes) || classes < 1) throw new DataError(`model '${model.graph.name}': output shape [${out.shape.join(',')}] is not one score vector per sample`);
    for (let i = 0; i < count; i++) {
      const label = samples.labels[i];
      if (label < 0 || label >= classes) throw new DataError(`${data.name}: label ${label} of sample ${start + i} is outside the model's ${classes} classes`);
      const r = rankOfLabel(out.data, i * classes, classes, label);
      if (r === 0) top1++;
      if (r < 5) top5++;
    }
    opts.onBatch?.(start + count, n);
    // Yield so that a SIGINT handler or an extension-host message can run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { top1: top1 / n, top5: top5 / n, n };
}
