/**
 * Data sets as streams of batches. A DataSource reads samples from disk on
 * demand, so evaluating on ImageNet-size folders never holds the set in
 * memory; `Dataset` is the older fully materialized form, kept because the
 * training code indexes `images` directly.
 */
import { DataError } from '../errors';

/** Samples [start, start + count) of a data set: NCHW float32 (after preprocessing) and integer labels. */
export interface SampleBatch {
  images: Float32Array;
  labels: Int32Array;
}

export interface DataSource {
  name: string;
  /** Samples available (after any limit). */
  n: number;
  /** Per-sample shape of what read() returns, e.g. [3, 224, 224]. */
  sampleShape: number[];
  /** Class names when the format or folder provides them. */
  labelNames?: string[];
  /** Reads samples [start, start + count); each call goes to disk (or to the inflated bytes of a gzip file). */
  read(start: number, count: number): SampleBatch;
}

/** A fully loaded data set (training code indexes `images` directly). */
export interface Dataset {
  name: string;
  /** Pixels (after preprocessing), NCHW, n × sampleShape. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  /** Per-sample shape, e.g. [1, 28, 28]. */
  sampleShape: number[];
  /** Class names when known (Fashion-MNIST, CIFAR, image folders). */
  labelNames?: string[];
}

/** What accuracy and calibration accept: either form. */
export type Samples = Dataset | DataSource;

const perSample = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function checkRange(data: Samples, start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > data.n) {
    throw new DataError(`${data.name}: samples [${start}, ${start + count}) are outside the ${data.n} available`);
  }
}

/** Samples [start, start + count) of either form; a Dataset gives views (no copy). */
export function readSamples(data: Samples, start: number, count: number): SampleBatch {
  checkRange(data, start, count);
  if ('images' in data) {
    const per = perSample(data.sampleShape);
    return { images: data.images.subarray(start * per, (start + count) * per), labels: data.labels.subarray(start, start + count) };
  }
  return data.read(start, count);
}

/** Loads the first `limit` samples of a source into a Dataset, batch by batch. */
export function materialize(src: DataSource, limit?: number, batch = 256): Dataset {
  const n = limit === undefined ? src.n : Math.min(src.n, Math.max(0, limit));
  const per = perSample(src.sampleShape);
  const images = new Float32Array(n * per);
  const labels = new Int32Array(n);
  for (let s = 0; s < n; s += batch) {
    const b = src.read(s, Math.min(batch, n - s));
    images.set(b.images, s * per);
    labels.set(b.labels, s);
  }
  return { name: src.name, images, labels, n, sampleShape: [...src.sampleShape], ...(src.labelNames ? { labelNames: src.labelNames } : {}) };
}

/** A Dataset seen as a source (so one code path serves both). */
export function datasetSource(ds: Dataset): DataSource {
  return { name: ds.name, n: ds.n, sampleShape: ds.sampleShape, labelNames: ds.labelNames, read: (start, count) => readSamples(ds, start, count) };
}
