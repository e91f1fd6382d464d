/**
 * Helpers for cross-checks against implementations that are not Tritscope's own
 * TypeScript: a Fashion-MNIST IDX decoder written from the IDX layout (not our
 * data module), onnxruntime-web, the Python tools under test/tools, and a raw
 * `.tnn` header read straight from the bytes (8-byte little-endian length + JSON).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-web';

export const SAMPLES = path.resolve('samples/models');
export const FMNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface LabeledImages {
  /** n × 784 pixels in [0, 1] (pixel / 255), row-major 28×28. */
  pixels: Float32Array;
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
}

/** IDX: big-endian magic 0x0000 <type 0x08 = ubyte> <ndims>, ndims big-endian u32 sizes, then the bytes. */
function readIdx(file: string, expectDims: number): { dims: number[]; bytes: Uint8Array } {
  const buf = gunzipSync(readFileSync(file));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic >>> 8 !== 0x08 || (magic & 0xff) !== expectDims) throw new Error(`${file}: IDX magic 0x${magic.toString(16)}, expected ubyte with ${expectDims} dims`);
  const dims = Array.from({ length: expectDims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const start = 4 + 4 * expectDims;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - start !== count) throw new Error(`${file}: ${buf.length - start} data bytes, dims [${dims}] need ${count}`);
  return { dims, bytes: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

/** The first `limit` images of the Fashion-MNIST test split (t10k), decoded here rather than by src/core/data. */
export function fashionTest(limit?: number): LabeledImages {
  const img = readIdx(path.join(FMNIST_DIR, 't10k-images-idx3-ubyte.gz'), 3);
  const lbl = readIdx(path.join(FMNIST_DIR, 't10k-labels-idx1-ubyte.gz'), 1);
  if (img.dims[0] !== lbl.dims[0]) throw new Error(`fashion-mnist test: ${img.dims[0]} images but ${lbl.dims[0]} labels`);
  const n = Math.min(limit ?? img.dims[0], img.dims[0]);
  const [rows, cols] = [img.dims[1], img.dims[2]];
  const pixels = new Float32Array(n * rows * cols);
  for (let i = 0; i < pixels.length; i++) pixels[i] = img.bytes[i] / 255;
  return { pixels, labels: lbl.bytes.slice(0, n), n, rows, cols };
}

/** Index of the largest of `k` values starting at `offset` (first one on exact ties). */
export function argmax(data: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/** Largest minus second largest of `k` values: how close a prediction is to a tie. */
export function top2Margin(data: ArrayLike<number>, offset: number, k: number): number {
  let a = -Infinity, b = -Infinity;
  for (let j = 0; j < k; j++) {
    const v = data[offset + j];
    if (v > a) { b = a; a = v; } else if (v > b) b = v;
  }
  return a - b;
}

/** Runs a float ONNX model over NCHW images [n,1,rows,cols] with onnxruntime-web (wasm, one thread) in batches. */
export async function ortOutputs(onnxFile: string, images: LabeledImages, batch = 500): Promise<{ data: Float32Array; classes: number }> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = path.join(process.cwd(), 'node_modules/onnxruntime-web/dist/');
  const session = await ort.InferenceSession.create(readFileSync(onnxFile), { executionProviders: ['wasm'] });
  try {
    const per = images.rows * images.cols;
    const chunks: Float32Array[] = [];
    let classes = 0;
    for (let s = 0; s < images.n; s += batch) {
      const m = Math.min(batch, images.n - s);
      const x = new ort.Tensor('float32', images.pixels.slice(s * per, (s + m) * per), [m, 1, images.rows, images.cols]);
      const out = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
      classes = Number(out.dims[1]);
      chunks.push(out.data as Float32Array);
    }
    const data = new Float32Array(images.n * classes);
    let at = 0;
    for (const c of chunks) { data.set(c, at); at += c.length; }
    return { data, classes };
  } finally {
    await session.release();
  }
}

export interface TritCounts { neg: number; zero: number; pos: number }

/** The parts of `tritscope inspect --json` these checks read. */
export interface InspectJson {
  layers: { name: string; ternary: boolean; shape: number[]; thresholds: { pos: number; neg: number }; scale: { pos: number; neg: number }; trits: TritCounts }[];
  totals: { trits: number; bytes: number; bitsPerTrit: number };
}

/** test/tools/read_tnn.py's report. */
export interface PyTnnReport {
  checksum_ok: boolean;
  tensors: Record<string, { dtype: string; shape: number[]; stored_shape: number[]; latent: boolean; trits?: TritCounts }>;
}

/** test/tools/onnx_twn.py's per-layer result. */
export interface PyTwnLayer extends TritCounts { node: string; initializer: string; count: number; delta: number; alpha: number; near_ties: number }

/** Runs `python3 test/tools/<tool> args…` and parses its JSON stdout; throws with stderr on failure. */
export function runPythonTool<T = unknown>(tool: string, ...args: string[]): T {
  const r = spawnSync('python3', [path.resolve('test/tools', tool), ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python3 ${tool} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The graph stored in a `.tnn` file's `__metadata__.graph`, read from the raw bytes (docs/tnn-format.md). */
export function rawTnnGraph(file: string): { layers: { name: string; weightQuant?: { trits: string } }[] } {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  return JSON.parse(header.__metadata__.graph);
}
