/**
 * Data set specs → streaming sources. Spec grammar:
 *
 *   fashion-mnist[:train|:test]          the Debian package's files (default split: test)
 *   idx:<images.idx[.gz]>,<labels.idx[.gz]>
 *   npy:<x.npy>,<y.npy>                  x: [n, …] float32 in [0,1] or uint8; y: [n] integer labels
 *   cifar10:<dir>[:train|:test]          binary batches (cifar.ts); default split: test
 *   cifar100:<dir>[:train|:test]         fine labels (100 classes)
 *   images:<dir>                         <dir>/<class>/…/*.png|jpg|jpeg (image-folder.ts)
 *
 * A new kind is one opener plus one line in DATASET_KINDS.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors';
import { clip } from '../text';
import { openCifar } from './cifar';
import { readIdx, readIdxPrefix, type IdxArray } from './idx';
import { openImageFolder } from './image-folder';
import { openNpy, readNpy, readNpyRows } from './npy';
import { preprocessed, type RawSource } from './pipeline';
import { NO_PREPROCESS, parsePreprocess, type PreprocessSpec } from './preprocess';
import { materialize, type Dataset, type DataSource } from './source';

export type { Dataset, DataSource } from './source';

export interface LoadOptions {
  /** Keep only the first `limit` samples (and read no further than that). */
  limit?: number;
  /** `--preprocess` text or a parsed spec (default: none). */
  preprocess?: string | PreprocessSpec;
  /** The model's per-sample input shape: image files are fitted to it; tensor sets are checked against it. */
  inputShape?: number[];
}

interface OpenContext {
  spec: string;
  limit?: number;
  /** Synchronous callers (training) cannot stream-inflate; they read gzip IDX whole (still capped). */
  sync: boolean;
}

interface DatasetKind {
  /** `prefix` matches `spec === prefix` or `spec.startsWith(prefix + ':')`. */
  prefix: string;
  usage: string;
  open(rest: string, ctx: OpenContext): RawSource | Promise<RawSource>;
}

export const FASHION_MNIST_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export function fashionMnistDir(): string {
  return process.env.TRITSCOPE_FASHION_MNIST_DIR || DEFAULT_FASHION_MNIST_DIR;
}

function idxSource(name: string, imgFile: string, img: IdxArray, lblFile: string, lbl: IdxArray, limit?: number, labelNames?: string[]): RawSource {
  if (img.dims.length !== 3) throw new DataError(`${imgFile}: IDX dims: expected [n, height, width] images, got [${img.dims.join(',')}]`);
  if (lbl.dims.length !== 1) throw new DataError(`${lblFile}: IDX dims: expected [n] labels, got [${lbl.dims.join(',')}]`);
  if (img.dims[0] !== lbl.dims[0]) throw new DataError(`${lblFile}: ${lbl.dims[0]} labels for ${img.dims[0]} images in ${imgFile}`);
  const per = img.dims[1] * img.dims[2];
  const n = Math.min(img.dims[0], limit ?? Infinity, img.data.length / per, lbl.data.length);
  return {
    name, n, shape: [1, img.dims[1], img.dims[2]], labelNames,
    readRaw(start, count, visit) {
      for (let k = 0; k < count; k++) visit(k, { kind: 'tensor', data: img.data, offset: (start + k) * per, scale: 1 / 255 }, lbl.data[start + k], `${imgFile}: image ${start + k}`);
    },
  };
}

async function openIdxPair(name: string, imgFile: string, lblFile: string, ctx: OpenContext, labelNames?: string[]): Promise<RawSource> {
  const [img, lbl] = await Promise.all([readIdxPrefix(imgFile, ctx.limit), readIdxPrefix(lblFile, ctx.limit)]);
  return idxSource(name, imgFile, img, lblFile, lbl, ctx.limit, labelNames);
}

function openIdx(name: string, imgFile: string, lblFile: string, ctx: OpenContext, labelNames?: string[]): RawSource | Promise<RawSource> {
  if (!ctx.sync) return openIdxPair(name, imgFile, lblFile, ctx, labelNames);
  return idxSource(name, imgFile, readIdx(imgFile), lblFile, readIdx(lblFile), ctx.limit, labelNames);
}

function openFashion(split: string, ctx: OpenContext): RawSource | Promise<RawSource> {
  if (split !== 'train' && split !== 'test') throw new DataError(`data set '${clip(ctx.spec)}': the split must be train or test`);
  const dir = fashionMnistDir();
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labels = path.join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  for (const f of [images, labels]) {
    if (!existsSync(f)) throw new DataError(`${f}: Fashion-MNIST file not found; install Debian package dataset-fashion-mnist or set TRITSCOPE_FASHION_MNIST_DIR`);
  }
  return openIdx(`fashion-mnist:${split}`, images, labels, ctx, FASHION_MNIST_LABELS);
}

function openNpyPair(xFile: string, yFile: string, ctx: OpenContext): RawSource {
  const x = openNpy(xFile);
  const y = readNpy(yFile);
  if (x.shape.length < 2) throw new DataError(`${xFile}: expected samples × features (rank ≥ 2), got shape (${x.shape.join(',')})`);
  if (y.dtype === '<f4') throw new DataError(`${yFile}: labels have dtype <f4; expected integer labels (<i8, <i4 or |u1)`);
  if (y.shape.length !== 1 || y.shape[0] !== x.shape[0]) throw new DataError(`${yFile}: labels shape (${y.shape.join(',')}) does not match ${x.shape[0]} samples in ${xFile}`);
  // Labels become Int32Array entries: anything but a small non-negative integer is refused here, naming the row.
  const bad = Array.prototype.findIndex.call(y.data, (v: number) => !Number.isInteger(v) || v < 0 || v >= 2 ** 31);
  if (bad >= 0) throw new DataError(`${yFile}: label ${y.data[bad]} at row ${bad} is not a class index (a non-negative integer)`);
  if (x.dtype !== '|u1' && x.dtype !== '<f4') throw new DataError(`${xFile}: image dtype ${x.dtype} is not supported (expected <f4 in [0,1] or |u1)`);
  // [n, H, W] grayscale gets an explicit channel axis (NCHW).
  const shape = x.shape.length === 3 ? [1, ...x.shape.slice(1)] : x.shape.slice(1);
  const per = shape.reduce((a, b) => a * b, 1);
  const scale = x.dtype === '|u1' ? 1 / 255 : 1;
  return {
    name: `npy:${path.basename(xFile)}`,
    n: Math.min(x.shape[0], ctx.limit ?? Infinity),
    shape,
    readRaw(start, count, visit) {
      const rows = readNpyRows(xFile, x, start, count);
      for (let k = 0; k < count; k++) visit(k, { kind: 'tensor', data: rows, offset: k * per, scale }, Number(y.data[start + k]), `${xFile}: row ${start + k}`);
    },
  };
}

function pair(rest: string, kind: string, spec: string): [string, string] {
  const parts = rest.split(',');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new DataError(`data set '${clip(spec)}': expected ${kind}:<images>,<labels>`);
  return [parts[0], parts[1]];
}

/** `DIR[:train|:test]` → [DIR, split]; DIR may itself contain colons. */
function dirAndSplit(rest: string, spec: string): [string, 'train' | 'test'] {
  const m = /^(.*?)(?::(train|test))?$/.exec(rest)!;
  if (!m[1]) throw new DataError(`data set '${clip(spec)}': expected a directory after the kind, e.g. cifar10:./cifar-10-batches-bin:test`);
  return [m[1], (m[2] as 'train' | 'test' | undefined) ?? 'test'];
}

export const DATASET_KINDS: DatasetKind[] = [
  { prefix: 'fashion-mnist', usage: 'fashion-mnist[:train|:test]', open: (rest, ctx) => openFashion(rest || 'test', ctx) },
  { prefix: 'idx', usage: 'idx:<images.idx[.gz]>,<labels.idx[.gz]>', open: (rest, ctx) => { const [i, l] = pair(rest, 'idx', ctx.spec); return openIdx(`idx:${path.basename(i)}`, i, l, ctx); } },
  { prefix: 'npy', usage: 'npy:<x.npy>,<y.npy>', open: (rest, ctx) => openNpyPair(...pair(rest, 'npy', ctx.spec), ctx) },
  { prefix: 'cifar10', usage: 'cifar10:<dir>[:train|:test]', open: (rest, ctx) => openCifar('cifar10', ...dirAndSplit(rest, ctx.spec), ctx.limit) },
  { prefix: 'cifar100', usage: 'cifar100:<dir>[:train|:test]', open: (rest, ctx) => openCifar('cifar100', ...dirAndSplit(rest, ctx.spec), ctx.limit) },
  { prefix: 'images', usage: 'images:<dir>', open: (rest, ctx) => openImageFolder(rest, ctx.limit) },
];

export const DATASET_USAGE = DATASET_KINDS.map((k) => k.usage).join(', ');

function openRaw(spec: string, ctx: OpenContext): RawSource | Promise<RawSource> {
  for (const k of DATASET_KINDS) {
    if (spec === k.prefix || spec.startsWith(`${k.prefix}:`)) return k.open(spec.slice(k.prefix.length + 1), ctx);
  }
  throw new DataError(`data set '${clip(spec)}': unknown; expected ${DATASET_USAGE}`);
}

function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined || limit < 0) return undefined;
  return limit;
}

const specOf = (p: LoadOptions['preprocess']): PreprocessSpec => (typeof p === 'string' ? parsePreprocess(p) : p ?? NO_PREPROCESS);

/** Opens a data set for streaming reads; a gzip IDX file is inflated only as far as `limit` needs. */
export async function openDataset(spec: string, opts: LoadOptions = {}): Promise<DataSource> {
  const pp = specOf(opts.preprocess);
  const raw = await openRaw(spec, { spec, limit: checkLimit(opts.limit), sync: false });
  return preprocessed(raw, pp, opts.inputShape);
}

/** The synchronous form (training code); gzip IDX files are inflated whole, capped at their declared size. */
export function openDatasetSync(spec: string, opts: LoadOptions = {}): DataSource {
  const pp = specOf(opts.preprocess);
  const raw = openRaw(spec, { spec, limit: checkLimit(opts.limit), sync: true });
  if (raw instanceof Promise) throw new DataError(`data set '${clip(spec)}' can only be opened asynchronously`);
  return preprocessed(raw, pp, opts.inputShape);
}

/** A whole data set (up to `limit`) in memory, for training. Prefer openDataset elsewhere. */
export function loadDataset(spec: string, opts?: LoadOptions): Dataset {
  return materialize(openDatasetSync(spec, opts), checkLimit(opts?.limit));
}

/** Sample i of a loaded data set as a copy. */
export function sampleAt(ds: Dataset, index: number): Float32Array {
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  return ds.images.slice(index * per, (index + 1) * per);
}
