/**
 * Turns raw samples (decoded image files, or fixed-shape pixel tensors from
 * IDX / CIFAR / .npy) into model inputs: scale to [0,1], preprocessing spec,
 * channel conversion for image files, normalization.
 *
 * Image files vary in size, so they are always fitted to the model's input
 * after the spec's own resize/crop (as `run --input photo.jpg` always did).
 * Tensor data sets have one fixed shape: a mismatch with the model is an error
 * that says which --preprocess would fix it, never a silent stretch.
 */
import { DataError } from '../errors';
import { MAX_SAMPLE_PIXELS } from '../limits';
import { geometry, isGeometric, isIdentity, normalization, type Geometry, type PreprocessSpec } from './preprocess';
import { resample, type Plane } from './resample';
import type { DataSource } from './source';

export type RawSample =
  /** Decoded PNG/JPEG, 8-bit RGBA, row-major. */
  | { kind: 'rgba'; data: Uint8Array; width: number; height: number }
  /** One sample of a fixed-shape source at `offset` (C-order), times `scale` (1/255 for bytes). */
  | { kind: 'tensor'; data: ArrayLike<number>; offset: number; scale: number };

/** ITU-R BT.601 luma weights: RGB image files feeding a one-channel model. */
const LUMA = [0.299, 0.587, 0.114];

export class SamplePipeline {
  readonly sampleShape: number[];
  private readonly fixed?: { shape: number[]; geo?: Geometry };
  private readonly norm?: { mean: number[]; std: number[] };

  /**
   * `shape`: the source's per-sample shape, or undefined for image files (any size).
   * `target`: the model's input shape when known.
   */
  constructor(
    private readonly name: string,
    private readonly spec: PreprocessSpec,
    shape: number[] | undefined,
    target?: number[],
  ) {
    if (shape) {
      const rank3 = shape.length === 3;
      if (!rank3 && !isIdentity(spec)) throw new DataError(`${name}: samples of shape [${shape.join(',')}] are not [C,H,W] images; --preprocess applies only to images`);
      const geo = rank3 && isGeometric(spec) ? geometry(spec, shape[1], shape[2], name) : undefined;
      this.sampleShape = geo ? [shape[0], geo.h, geo.w] : [...shape];
      if (geo && geo.h * geo.w > MAX_SAMPLE_PIXELS) throw new DataError(`${name}: --preprocess '${spec.text}' makes ${geo.h}x${geo.w} samples, over the ${MAX_SAMPLE_PIXELS}-pixel cap`);
      if (target && isGeometric(spec) && this.sampleShape.join(',') !== target.join(',')) {
        throw new DataError(`${name}: after --preprocess '${spec.text}' samples are [${this.sampleShape.join(',')}], the model input is [${target.join(',')}]`);
      }
      this.fixed = { shape, geo };
      if (rank3) this.norm = normalization(spec, shape[0], name);
      return;
    }
    // Image files: the output size is the model's, or what the spec pins down exactly.
    let out = target;
    if (!out) {
      const g = spec.crop ?? (spec.resize && 'h' in spec.resize ? spec.resize : undefined);
      if (!g) throw new DataError(`${name}: image files vary in size; the model's input shape or --preprocess crop=HxW decides the sample size`);
      out = [3, g.h, g.w];
    }
    if (out.length !== 3 || (out[0] !== 1 && out[0] !== 3)) {
      throw new DataError(`${name}: images can feed only models with a [1|3, H, W] input; this model expects [${out.join(',')}]`);
    }
    if (out[1] * out[2] > MAX_SAMPLE_PIXELS) throw new DataError(`${name}: a [${out.join(',')}] input is over the ${MAX_SAMPLE_PIXELS}-pixel cap for image samples`);
    this.sampleShape = [...out];
    this.norm = normalization(spec, out[0], name);
  }

  get perSample(): number {
    return this.sampleShape.reduce((a, b) => a * b, 1);
  }

  /** Writes one preprocessed sample into `out` at `at`. `where` names the sample in errors. */
  write(raw: RawSample, out: Float32Array, at: number, where: string): void {
    if (raw.kind === 'tensor') this.writeTensor(raw, out, at);
    else this.writeImage(raw, out, at, where);
    if (this.norm) {
      const [c, h, w] = this.sampleShape;
      const plane = h * w;
      for (let ch = 0; ch < c; ch++) {
        const m = this.norm.mean[ch], s = this.norm.std[ch];
        for (let i = at + ch * plane, end = i + plane; i < end; i++) out[i] = (out[i] - m) / s;
      }
    }
  }

  private writeTensor(raw: Extract<RawSample, { kind: 'tensor' }>, out: Float32Array, at: number): void {
    const f = this.fixed;
    if (!f) throw new DataError(`${this.name}: a fixed-shape sample reached the image-file pipeline`);
    if (!f.geo) {
      const n = this.perSample;
      for (let i = 0; i < n; i++) out[at + i] = raw.data[raw.offset + i] * raw.scale;
      return;
    }
    const [c, h, w] = f.shape;
    const g = f.geo;
    for (let ch = 0; ch < c; ch++) {
      const p: Plane = { data: raw.data, offset: raw.offset + ch * h * w, step: 1, rowStride: w, width: w, height: h, scale: raw.scale };
      resample(p, { count: g.w, resized: g.resizedW, start: g.left }, { count: g.h, resized: g.resizedH, start: g.top }, out, at + ch * g.h * g.w);
    }
  }

  private writeImage(img: Extract<RawSample, { kind: 'rgba' }>, out: Float32Array, at: number, where: string): void {
    const [c, oh, ow] = this.sampleShape;
    // Without a resize/crop the image goes straight to the model's size in one pass (never a full-size float copy).
    const g = isGeometric(this.spec) ? geometry(this.spec, img.height, img.width, where) : { resizedH: oh, resizedW: ow, top: 0, left: 0, h: oh, w: ow };
    if (g.h * g.w > MAX_SAMPLE_PIXELS) throw new DataError(`${where}: the --preprocess window ${g.h}x${g.w} is over the ${MAX_SAMPLE_PIXELS}-pixel cap`);
    const fit = g.h !== oh || g.w !== ow;
    // The spec's window first; when it is not the model's size, a second pass fits it (small by then).
    const rgb = new Float32Array(3 * g.h * g.w);
    for (let ch = 0; ch < 3; ch++) {
      const p: Plane = { data: img.data, offset: ch, step: 4, rowStride: 4 * img.width, width: img.width, height: img.height, scale: 1 / 255 };
      resample(p, { count: g.w, resized: g.resizedW, start: g.left }, { count: g.h, resized: g.resizedH, start: g.top }, rgb, ch * g.h * g.w);
    }
    let src = rgb;
    if (fit) {
      src = new Float32Array(3 * oh * ow);
      for (let ch = 0; ch < 3; ch++) {
        const p: Plane = { data: rgb, offset: ch * g.h * g.w, step: 1, rowStride: g.w, width: g.w, height: g.h, scale: 1 };
        resample(p, { count: ow, resized: ow, start: 0 }, { count: oh, resized: oh, start: 0 }, src, ch * oh * ow);
      }
    }
    const plane = oh * ow;
    if (c === 3) out.set(src, at);
    else for (let i = 0; i < plane; i++) out[at + i] = LUMA[0] * src[i] + LUMA[1] * src[plane + i] + LUMA[2] * src[2 * plane + i];
  }
}

/** A data set before preprocessing: raw samples and their labels, read on demand. */
export interface RawSource {
  name: string;
  n: number;
  /** Per-sample shape; undefined for image files, which vary in size. */
  shape?: number[];
  labelNames?: string[];
  /** Calls `visit` for samples [start, start + count) in order; `where` names the sample's file (and record) in errors. */
  readRaw(start: number, count: number, visit: (k: number, raw: RawSample, label: number, where: string) => void): void;
}

/** A raw source with the preprocessing spec applied, as the DataSource every consumer reads. */
export function preprocessed(raw: RawSource, spec: PreprocessSpec, target?: number[]): DataSource {
  const pipeline = new SamplePipeline(raw.name, spec, raw.shape, target);
  const per = pipeline.perSample;
  return {
    name: raw.name,
    n: raw.n,
    sampleShape: pipeline.sampleShape,
    ...(raw.labelNames ? { labelNames: raw.labelNames } : {}),
    read(start, count) {
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > raw.n) {
        throw new DataError(`${raw.name}: samples [${start}, ${start + count}) are outside the ${raw.n} available`);
      }
      const images = new Float32Array(count * per);
      const labels = new Int32Array(count);
      raw.readRaw(start, count, (k, sample, label, where) => {
        pipeline.write(sample, images, k * per, where);
        labels[k] = label;
      });
      return { images, labels };
    },
  };
}
