/** Turns a user's input spec (data set sample, .npy, PNG/JPEG, random) into a [1, ...sampleShape] tensor. */
import { DataError } from '../errors';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { openDataset } from './dataset';
import { decodeImageFile } from './image-file';
import { SamplePipeline } from './pipeline';
import { NO_PREPROCESS, isIdentity, type PreprocessSpec } from './preprocess';
import { readNpy } from './npy';
import { mulberry32 } from '../rng';

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Image → [1, C, H, W]: C = 1 (luma, ITU-R BT.601 weights) or 3 (RGB), alpha ignored, fitted to the model's size after `preprocess`. */
export function imageToTensor(file: string, sampleShape: number[], preprocess: PreprocessSpec = NO_PREPROCESS): Tensor {
  const pipeline = new SamplePipeline(file, preprocess, undefined, sampleShape);
  const img = decodeImageFile(file);
  const out = tensor([1, ...pipeline.sampleShape]);
  pipeline.write({ kind: 'rgba', data: img.data, width: img.width, height: img.height }, out.data, 0, file);
  return out;
}

function npyToTensor(file: string, sampleShape: number[], preprocess: PreprocessSpec): Tensor {
  if (!isIdentity(preprocess)) throw new DataError(`${file}: --preprocess applies to images and data sets; a .npy input is used as stored`);
  // The input is one sample: anything larger than the model input is refused before reading it.
  const arr = readNpy(file, 8 * sizeOf(sampleShape) + 65_536 + 16);
  if (!same(arr.shape, sampleShape) && !same(arr.shape, [1, ...sampleShape])) {
    throw new DataError(`${file}: array shape (${arr.shape.join(',')}) does not match the model input [${sampleShape.join(',')}] (with or without a batch dimension of 1)`);
  }
  const out = tensor([1, ...sampleShape]);
  if (arr.dtype === '|u1') for (let i = 0; i < out.data.length; i++) out.data[i] = arr.data[i] / 255;
  else if (arr.dtype === '<f4') out.data.set(arr.data as Float32Array);
  else throw new DataError(`${file}: dtype ${arr.dtype} is not supported for inputs (expected <f4 or |u1)`);
  return out;
}

/**
 * `fashion-mnist:test#3` (any data set spec + `#index`), a `.npy` file, a PNG/JPEG
 * image, or `random[:seed]` (uniform [0,1)). Returns a [1, ...sampleShape] tensor.
 */
export async function parseInputSpec(spec: string, sampleShape: number[], preprocess: PreprocessSpec = NO_PREPROCESS): Promise<Tensor> {
  const random = /^random(?::(-?\d+))?$/.exec(spec);
  if (random) {
    const next = mulberry32(Number(random[1] ?? 0)); // `random:<seed>` inputs are reproducible
    const out = tensor([1, ...sampleShape]);
    for (let i = 0; i < out.data.length; i++) out.data[i] = next();
    return out;
  }
  const hash = spec.lastIndexOf('#');
  if (hash > 0) {
    const index = Number(spec.slice(hash + 1));
    if (!Number.isInteger(index) || index < 0) throw new DataError(`input '${spec}': sample index after '#' must be a non-negative integer`);
    // Only samples up to the index are read (a gzip file is inflated no further).
    const ds = await openDataset(spec.slice(0, hash), { limit: index + 1, preprocess, inputShape: sampleShape });
    if (index >= ds.n) throw new DataError(`input '${spec}': index ${index} out of range (data set has ${ds.n} samples)`);
    if (sizeOf(ds.sampleShape) !== sizeOf(sampleShape)) {
      throw new DataError(`input '${spec}': samples of shape [${ds.sampleShape.join(',')}] do not fit the model input [${sampleShape.join(',')}]`);
    }
    return tensor([1, ...sampleShape], ds.read(index, 1).images);
  }
  const lower = spec.toLowerCase();
  if (lower.endsWith('.npy')) return npyToTensor(spec, sampleShape, preprocess);
  if (/\.(png|jpe?g)$/.test(lower)) return imageToTensor(spec, sampleShape, preprocess);
  throw new DataError(`input '${spec}': expected <dataset>#<index> (e.g. fashion-mnist:test#3), a .npy file, a PNG/JPEG image or random[:seed]`);
}
