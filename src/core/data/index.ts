/** Data sets (streaming sources and loaded sets), preprocessing, input specs and array files. */
export {
  loadDataset, openDataset, openDatasetSync, sampleAt, fashionMnistDir, FASHION_MNIST_LABELS, DATASET_KINDS, DATASET_USAGE,
  type Dataset, type DataSource, type LoadOptions,
} from './dataset';
export { readSamples, materialize, datasetSource, type Samples, type SampleBatch } from './source';
export { parsePreprocess, NO_PREPROCESS, type PreprocessSpec } from './preprocess';
export { parseInputSpec, imageToTensor } from './input-spec';
export { readNpy, writeNpy, parseNpy, encodeNpy, openNpy, type NpyArray, type NpyDtype } from './npy';
export { readIdx, readIdxPrefix, parseIdx, encodeIdx, type IdxArray } from './idx';
export { decodeImageFile, imageHeader } from './image-file';
