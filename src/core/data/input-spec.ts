/** Turns a user's input spec (data set sample, .npy, PNG/JPEG, random) into a [1, ...sampleShape] tensor. */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { loadDataset, sampleAt } from './dataset';
import { readNpy } from './npy';
import { mulberry32 } from '../rng';

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function decodeImage(file: string): Rgba {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: png.data };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new DataError(`${file}: image decode failed: ${(e as Error).message}`);
  }
  throw new DataError(`${file}: not a PNG or JPEG image`);
}

/** Bilinear resize (half-pixel centers) of one channel plane to [oh, ow]. */
function resizeBilinear(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (h / oh) - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), dy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * (w / ow) - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), dx = fx - x0;
      const top = src[y0 * w + x0] * (1 - dx) + src[y0 * w + x1] * dx;
      const bot = src[y1 * w + x0] * (1 - dx) + src[y1 * w + x1] * dx;
      out[y * ow + x] = top * (1 - dy) + bot * dy;
    }
  }
  return out;
}

/** Image → [1, C, H, W] in [0,1]; C = 1 (luma, ITU-R BT.601 weights) or 3 (RGB). Alpha is ignored. */
export function imageToTensor(file: string, sampleShape: number[]): Tensor {
  if (sampleShape.length !== 3 || (sampleShape[0] !== 1 && sampleShape[0] !== 3)) {
    throw new DataError(`${file}: images can feed only models with a [1|3, H, W] input; this model expects [${sampleShape.join(',')}]`);
  }
  const [c, oh, ow] = sampleShape;
  const img = decodeImage(file);
  const planes: Float32Array[] = Array.from({ length: c }, () => new Float32Array(img.width * img.height));
  for (let i = 0; i < img.width * img.height; i++) {
    const r = img.data[4 * i] / 255, g = img.data[4 * i + 1] / 255, b = img.data[4 * i + 2] / 255;
    if (c === 1) planes[0][i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else [planes[0][i], planes[1][i], planes[2][i]] = [r, g, b];
  }
  const out = tensor([1, c, oh, ow]);
  planes.forEach((p, ch) => out.data.set(resizeBilinear(p, img.height, img.width, oh, ow), ch * oh * ow));
  return out;
}

function npyToTensor(file: string, sampleShape: number[]): Tensor {
  const arr = readNpy(file);
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
export async function parseInputSpec(spec: string, sampleShape: number[]): Promise<Tensor> {
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
    const ds = loadDataset(spec.slice(0, hash), { limit: index + 1 });
    if (index >= ds.n) throw new DataError(`input '${spec}': index ${index} out of range (data set has ${ds.n} samples)`);
    if (sizeOf(ds.sampleShape) !== sizeOf(sampleShape)) {
      throw new DataError(`input '${spec}': samples of shape [${ds.sampleShape.join(',')}] do not fit the model input [${sampleShape.join(',')}]`);
    }
    return tensor([1, ...sampleShape], sampleAt(ds, index));
  }
  const lower = spec.toLowerCase();
  if (lower.endsWith('.npy')) return npyToTensor(spec, sampleShape);
  if (/\.(png|jpe?g)$/.test(lower)) return imageToTensor(spec, sampleShape);
  throw new DataError(`input '${spec}': expected <dataset>#<index> (e.g. fashion-mnist:test#3), a .npy file, a PNG/JPEG image or random[:seed]`);
}
