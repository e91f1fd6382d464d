/** Labelled image data sets: Fashion-MNIST (Debian package), IDX pairs and .npy pairs. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors';
import { readIdx } from './idx';
import { readNpy } from './npy';

export interface Dataset {
  name: string;
  /** Pixels scaled to [0,1], NCHW, n × sampleShape. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  /** Per-sample shape, e.g. [1, 28, 28]. */
  sampleShape: number[];
  /** Class names when known (Fashion-MNIST). */
  labelNames?: string[];
}

export interface LoadOptions {
  /** Keep only the first `limit` samples. */
  limit?: number;
}

export const FASHION_MNIST_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export function fashionMnistDir(): string {
  return process.env.TRITSCOPE_FASHION_MNIST_DIR || DEFAULT_FASHION_MNIST_DIR;
}

function take(n: number, opts?: LoadOptions): number {
  return opts?.limit !== undefined && opts.limit >= 0 ? Math.min(n, opts.limit) : n;
}

function fromIdx(name: string, imagesFile: string, labelsFile: string, opts?: LoadOptions, labelNames?: string[]): Dataset {
  const img = readIdx(imagesFile);
  const lbl = readIdx(labelsFile);
  if (img.dims.length !== 3) throw new DataError(`${imagesFile}: IDX dims: expected [n, height, width] images, got [${img.dims.join(',')}]`);
  if (lbl.dims.length !== 1) throw new DataError(`${labelsFile}: IDX dims: expected [n] labels, got [${lbl.dims.join(',')}]`);
  if (img.dims[0] !== lbl.dims[0]) throw new DataError(`${labelsFile}: ${lbl.dims[0]} labels for ${img.dims[0]} images in ${imagesFile}`);
  const n = take(img.dims[0], opts);
  const per = img.dims[1] * img.dims[2];
  const images = new Float32Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  const labels = Int32Array.from(lbl.data.subarray(0, n));
  return { name, images, labels, n, sampleShape: [1, img.dims[1], img.dims[2]], labelNames };
}

function fashionMnist(split: 'train' | 'test', opts?: LoadOptions): Dataset {
  const dir = fashionMnistDir();
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labels = path.join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  for (const f of [images, labels]) {
    if (!existsSync(f)) throw new DataError(`${f}: Fashion-MNIST file not found; install Debian package dataset-fashion-mnist or set TRITSCOPE_FASHION_MNIST_DIR`);
  }
  return fromIdx(`fashion-mnist:${split}`, images, labels, opts, FASHION_MNIST_LABELS);
}

function fromNpy(xFile: string, yFile: string, opts?: LoadOptions): Dataset {
  const x = readNpy(xFile);
  const y = readNpy(yFile);
  if (x.shape.length < 2) throw new DataError(`${xFile}: expected samples × features (rank ≥ 2), got shape (${x.shape.join(',')})`);
  if (y.dtype === '<f4') throw new DataError(`${yFile}: labels have dtype <f4; expected integer labels (<i8, <i4 or |u1)`);
  if (y.shape.length !== 1 || y.shape[0] !== x.shape[0]) throw new DataError(`${yFile}: labels shape (${y.shape.join(',')}) does not match ${x.shape[0]} samples in ${xFile}`);
  const n = take(x.shape[0], opts);
  // [n, H, W] grayscale gets an explicit channel axis (NCHW).
  const sampleShape = x.shape.length === 3 ? [1, ...x.shape.slice(1)] : x.shape.slice(1);
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(n * per);
  if (x.dtype === '|u1') for (let i = 0; i < images.length; i++) images[i] = x.data[i] / 255;
  else if (x.dtype === '<f4') images.set((x.data as Float32Array).subarray(0, n * per));
  else throw new DataError(`${xFile}: image dtype ${x.dtype} is not supported (expected <f4 in [0,1] or |u1)`);
  const labels = Int32Array.from(Array.from(y.data.subarray(0, n) as ArrayLike<number>));
  return { name: `npy:${path.basename(xFile)}`, images, labels, n, sampleShape };
}

function pair(spec: string, kind: string): [string, string] {
  const parts = spec.slice(kind.length + 1).split(',');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new DataError(`data set '${spec}': expected ${kind}:<images>,<labels>`);
  return [parts[0], parts[1]];
}

/** `fashion-mnist[:train|:test]` (default test), `idx:<images.gz>,<labels.gz>`, `npy:<x.npy>,<y.npy>`. */
export function loadDataset(spec: string, opts?: LoadOptions): Dataset {
  if (spec === 'fashion-mnist' || spec === 'fashion-mnist:test') return fashionMnist('test', opts);
  if (spec === 'fashion-mnist:train') return fashionMnist('train', opts);
  if (spec.startsWith('idx:')) {
    const [img, lbl] = pair(spec, 'idx');
    return fromIdx(`idx:${path.basename(img)}`, img, lbl, opts);
  }
  if (spec.startsWith('npy:')) return fromNpy(...pair(spec, 'npy'), opts);
  throw new DataError(`data set '${spec}': unknown; expected fashion-mnist[:train|:test], idx:<images.gz>,<labels.gz> or npy:<x.npy>,<y.npy>`);
}

/** Sample i of a data set as a [1, ...sampleShape] view copy. */
export function sampleAt(ds: Dataset, index: number): Float32Array {
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  return ds.images.slice(index * per, (index + 1) * per);
}
