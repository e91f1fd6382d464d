/**
 * Any labelled data set spec (`fashion-mnist[:train|:test]`, `idx:…`, `npy:…`)
 * loaded for training: flat NCHW arrays with pixels in [0,1], through the data
 * module (src/core/data). For training, a bare `fashion-mnist` means the
 * training split (the data module's default is the test split).
 */
import { loadDataset, type Dataset } from '../data/index';

export type TrainData = Dataset;

export function loadTrainData(spec: string): TrainData {
  return loadDataset(spec === 'fashion-mnist' ? 'fashion-mnist:train' : spec);
}

/** The matching held-out split for evaluation (`fashion-mnist:train` → `fashion-mnist:test`). */
export function testSpecFor(spec: string): string | undefined {
  return /^fashion-mnist/.test(spec) ? 'fashion-mnist:test' : undefined;
}

/** First `limit` samples (no copy). */
export function subset(d: TrainData, limit: number | undefined): TrainData {
  if (!limit || limit >= d.n) return d;
  const per = d.images.length / d.n;
  return { ...d, n: limit, images: d.images.subarray(0, limit * per), labels: d.labels.subarray(0, limit) };
}
