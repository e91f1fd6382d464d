/** Data sets, input specs and array files. */
export { loadDataset, sampleAt, fashionMnistDir, FASHION_MNIST_LABELS, type Dataset, type LoadOptions } from './dataset';
export { parseInputSpec, imageToTensor } from './input-spec';
export { readNpy, writeNpy, parseNpy, encodeNpy, type NpyArray, type NpyDtype } from './npy';
export { readIdx, parseIdx, encodeIdx, type IdxArray } from './idx';
