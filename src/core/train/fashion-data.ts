/**
 * Training data as flat arrays (NCHW, pixels in [0,1]). Fashion-MNIST is read
 * from the Debian IDX gzip files directly, so training does not depend on the
 * data module's loader (src/core/data); `--data` accepts its spec names.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors';

export interface TrainData {
  name: string;
  images: Float32Array;
  labels: Int32Array;
  n: number;
  /** Per-sample shape, NCHW without batch, e.g. [1, 28, 28]. */
  sampleShape: number[];
}

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function readIdx(file: string, expectMagic: number): { dims: number[]; bytes: Uint8Array } {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read IDX file (${(e as Error).message})`);
  }
  const buf = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  if (buf.length < 8) throw new DataError(`${file}: header: expected an IDX header, file has ${buf.length} bytes`);
  const magic = buf.readUInt32BE(0);
  if (magic !== expectMagic) throw new DataError(`${file}: magic: expected 0x${expectMagic.toString(16)}, got 0x${magic.toString(16)}`);
  const rank = magic & 0xff;
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - start < count) throw new DataError(`${file}: data: expected ${count} bytes after the header, got ${buf.length - start}`);
  return { dims, bytes: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

/** Reads an IDX image/label pair (uint8 images 0x803, uint8 labels 0x801). */
export function readIdxPair(imagesFile: string, labelsFile: string, name: string): TrainData {
  const img = readIdx(imagesFile, 0x803);
  const lbl = readIdx(labelsFile, 0x801);
  const n = img.dims[0];
  if (lbl.dims[0] !== n) throw new DataError(`${labelsFile}: count: expected ${n} labels to match ${imagesFile}, got ${lbl.dims[0]}`);
  const images = new Float32Array(img.bytes.length);
  for (let i = 0; i < images.length; i++) images[i] = img.bytes[i] / 255;
  return { name, images, labels: Int32Array.from(lbl.bytes), n, sampleShape: [1, img.dims[1], img.dims[2]] };
}

/** `fashion-mnist[:train|:test]` or `idx:<images.gz>,<labels.gz>`. */
export function loadTrainData(spec: string): TrainData {
  const m = /^fashion-mnist(?::(train|test))?$/.exec(spec);
  if (m) {
    const split = m[1] === 'test' ? 't10k' : 'train';
    return readIdxPair(`${FASHION_DIR}/${split}-images-idx3-ubyte.gz`, `${FASHION_DIR}/${split}-labels-idx1-ubyte.gz`, `fashion-mnist:${m[1] ?? 'train'}`);
  }
  if (spec.startsWith('idx:')) {
    const [a, b] = spec.slice(4).split(',');
    if (!a || !b) throw new DataError(`data spec '${spec}': expected idx:<images.gz>,<labels.gz>`);
    return readIdxPair(a, b, spec);
  }
  throw new DataError(`data spec '${spec}': expected fashion-mnist[:train|:test] or idx:<images.gz>,<labels.gz>`);
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
