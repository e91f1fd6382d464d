/**
 * TF.js Layers (Keras) layer → IR layers. TF.js tensors are NHWC with HWIO
 * kernels; the IR is NCHW/OIHW with dense weights [out, in]. Keras' Flatten of
 * an NHWC map orders features (h, w, c) while the IR's NCHW Flatten orders them
 * (c, h, w); instead of inserting a transpose, the importer marks the flattened
 * value and permutes the consuming Dense kernel rows (and any per-feature
 * BatchNormalization/PReLU parameters in between) into (c, h, w) order, so
 * results are identical.
 */
import { ExecutionError, ImportError } from '../../errors';
import { layerOutputShape } from '../../ops/index';
import type { AttrValue, Layer, OpType } from '../../graph/types';
import type { Tensor } from '../../tensor';
import type { Config, TfLayer } from './model-json';

export class TfContext {
  readonly layers: Layer[] = [];
  readonly tensors = new Map<string, Tensor>();
  readonly shapes = new Map<string, number[]>();
  /** IR values that hold a Keras-order (h, w, c) flatten of an [H, W, C] map. */
  readonly flattened = new Map<string, [number, number, number]>();

  constructor(readonly file: string, private readonly weightsByName: Map<string, Tensor>) {}

  fail(l: TfLayer, detail: string): never {
    throw new ImportError(`${this.file}: layer '${l.name}' (${l.className}): ${detail}`);
  }

  /** A stored weight of a layer, e.g. `conv2d_1/kernel` (also matches scoped names and `:0` suffixes). */
  weight(l: TfLayer, param: string, optional = false): Tensor | undefined {
    const exact = this.weightsByName.get(`${l.name}/${param}`);
    if (exact) return exact;
    for (const [k, v] of this.weightsByName) {
      const key = k.replace(/:0$/, '');
      if (key.endsWith(`/${l.name}/${param}`) || key === `${l.name}/${param}`) return v;
    }
    if (optional) return undefined;
    return this.fail(l, `weight '${l.name}/${param}' not found in the weights manifest`);
  }

  shape(v: string): number[] {
    return this.shapes.get(v) as number[];
  }

  add(l: TfLayer, name: string, op: OpType, inputs: string[], attrs: Record<string, AttrValue>, weights: Record<string, Tensor> = {}): string {
    const names: Record<string, string> = {};
    for (const [role, t] of Object.entries(weights)) {
      const tn = `${name}/${role}`;
      this.tensors.set(tn, t);
      names[role] = tn;
    }
    const layer: Layer = { name, op, inputs, outputs: [name], attrs, weights: names };
    try {
      this.shapes.set(name, layerOutputShape(layer, inputs.map((i) => this.shape(i)), (r) => weights[r]?.shape));
    } catch (e) {
      if (e instanceof ExecutionError) this.fail(l, `shapes do not infer: ${e.message}`);
      throw e;
    }
    this.layers.push(layer);
    return name;
  }
}

type Converter = (ctx: TfContext, l: TfLayer, inputs: string[]) => string;

const cfg = <T>(c: Config, snake: string, dflt: T): T => (c[snake] ?? c[snake.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase())] ?? dflt) as T;
const pair = (v: unknown, dflt: number[]): number[] => (v == null ? dflt : Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)]);

function channelsLast(ctx: TfContext, l: TfLayer): void {
  const df = cfg(l.config, 'data_format', 'channels_last');
  if (df !== 'channels_last') ctx.fail(l, `data_format '${df}' is not supported (only channels_last)`);
}

/** TF 'same' padding: total = max((out−1)·s + (k−1)·d + 1 − in, 0), the odd extra pixel at bottom/right. */
function pads(ctx: TfContext, l: TfLayer, inHW: number[], k: number[], s: number[], d: number[]): number[] {
  const padding = cfg(l.config, 'padding', 'valid');
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') ctx.fail(l, `padding '${padding}' is not supported (valid or same)`);
  const tot = [0, 1].map((i) => Math.max((Math.ceil(inHW[i] / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - inHW[i], 0));
  return [Math.floor(tot[0] / 2), Math.floor(tot[1] / 2), tot[0] - Math.floor(tot[0] / 2), tot[1] - Math.floor(tot[1] / 2)];
}

/** Maps an IR (c, h, w) feature index to the Keras (h, w, c) one for a flattened [H, W, C] map. */
function kerasIndex(hwc: [number, number, number]): (i: number) => number {
  const [h, w, c] = hwc;
  return (i) => {
    const ch = Math.floor(i / (h * w)), rest = i % (h * w);
    return rest * c + ch;
  };
}

function permuteFeatures(t: Tensor, hwc: [number, number, number] | undefined): Tensor {
  if (!hwc) return t;
  const k = kerasIndex(hwc);
  return { shape: t.shape, data: t.data.map((_, i) => t.data[k(i)]) };
}

export function activation(ctx: TfContext, l: TfLayer, x: string, act: string | undefined, name = `${l.name}/${act}`): string {
  switch (act ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return ctx.add(l, name, 'relu', [x], {});
    case 'relu6':
      return ctx.add(l, name, 'clip', [x], { min: 0, max: 6 });
    case 'softmax':
      // Keras softmax is over the last (channel) axis, which is axis 1 in NCHW.
      return ctx.add(l, name, 'softmax', [x], { axis: ctx.shape(x).length === 4 ? 1 : -1 });
    default:
      return ctx.fail(l, `activation '${act}' is not supported (relu, relu6, softmax, linear)`);
  }
}

const dense: Converter = (ctx, l, [x]) => {
  const xs = ctx.shape(x);
  if (xs.length !== 2) ctx.fail(l, `Dense on a rank-${xs.length} input [${xs}] is not supported; add a Flatten first`);
  const k = ctx.weight(l, 'kernel') as Tensor;
  const [nIn, nOut] = k.shape;
  const src = ctx.flattened.get(x) ? kerasIndex(ctx.flattened.get(x) as [number, number, number]) : (i: number) => i;
  const w = new Float32Array(nIn * nOut);
  for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) w[o * nIn + i] = k.data[src(i) * nOut + o];
  const weights: Record<string, Tensor> = { weight: { shape: [nOut, nIn], data: w } };
  if (cfg(l.config, 'use_bias', true)) weights.bias = ctx.weight(l, 'bias') as Tensor;
  const y = ctx.add(l, l.name, 'dense', [x], {}, weights);
  return activation(ctx, l, y, cfg<string | undefined>(l.config, 'activation', undefined));
};

function conv(depthwise: boolean): Converter {
  return (ctx, l, [x]) => {
    channelsLast(ctx, l);
    const xs = ctx.shape(x);
    if (xs.length !== 4) ctx.fail(l, `expects an [H, W, C] input, got IR shape [${xs}]`);
    const k = ctx.weight(l, depthwise ? 'depthwise_kernel' : 'kernel') as Tensor;
    const [kh, kw, ki, ko] = k.shape; // HWIO; depthwise: H, W, C, multiplier
    // kernel_size is redundant with the weights' shape; a file where they disagree is not what it claims to be.
    const ks = cfg(l.config, 'kernel_size', null);
    if (ks != null && pair(ks, []).join(',') !== `${kh},${kw}`) ctx.fail(l, `kernel_size ${JSON.stringify(ks)} disagrees with the kernel's shape [${kh},${kw}]`);
    const strides = pair(cfg(l.config, 'strides', null), [1, 1]);
    const dilations = pair(cfg(l.config, 'dilation_rate', null), [1, 1]);
    const group = depthwise ? ki : Number(cfg(l.config, 'groups', 1));
    const outCh = depthwise ? ki * ko : ko;
    const inPerGroup = depthwise ? 1 : ki;
    const w = new Float32Array(outCh * inPerGroup * kh * kw);
    for (let o = 0; o < outCh; o++) {
      for (let i = 0; i < inPerGroup; i++) {
        for (let y = 0; y < kh; y++) {
          for (let xx = 0; xx < kw; xx++) {
            // Depthwise output channel o = c·multiplier + m reads kernel[y][x][c][m].
            const src = depthwise ? ((y * kw + xx) * ki + Math.floor(o / ko)) * ko + (o % ko) : ((y * kw + xx) * ki + i) * ko + o;
            w[((o * inPerGroup + i) * kh + y) * kw + xx] = k.data[src];
          }
        }
      }
    }
    const weights: Record<string, Tensor> = { weight: { shape: [outCh, inPerGroup, kh, kw], data: w } };
    if (cfg(l.config, 'use_bias', true)) weights.bias = ctx.weight(l, 'bias') as Tensor;
    const p = pads(ctx, l, xs.slice(2), [kh, kw], strides, dilations);
    const y = ctx.add(l, l.name, 'conv2d', [x], { strides, pads: p, dilations, group }, weights);
    return activation(ctx, l, y, cfg<string | undefined>(l.config, 'activation', undefined));
  };
}

const batchNorm: Converter = (ctx, l, [x]) => {
  const xs = ctx.shape(x);
  const axis = Number(cfg(l.config, 'axis', -1));
  const chanAxis = xs.length === 4 ? 3 : xs.length - 1; // in Keras (NHWC) numbering
  if (axis !== -1 && axis !== chanAxis) ctx.fail(l, `axis ${axis} is not the channel axis; only channel-wise normalization is supported`);
  const c = xs[1];
  const hwc = ctx.flattened.get(x);
  const ones = (v: number): Tensor => ({ shape: [c], data: new Float32Array(c).fill(v) });
  const p = (name: string, dflt: number, present: boolean): Tensor => permuteFeatures(present ? (ctx.weight(l, name) as Tensor) : ones(dflt), hwc);
  const y = ctx.add(l, l.name, 'batchnorm', [x], { epsilon: Number(cfg(l.config, 'epsilon', 1e-3)) }, {
    gamma: p('gamma', 1, cfg(l.config, 'scale', true)),
    beta: p('beta', 0, cfg(l.config, 'center', true)),
    mean: p('moving_mean', 0, true),
    var: p('moving_variance', 1, true),
  });
  if (hwc) ctx.flattened.set(y, hwc);
  return y;
};

const relu: Converter = (ctx, l, [x]) => {
  const max = cfg<number | null>(l.config, 'max_value', null);
  const slope = Number(cfg(l.config, 'negative_slope', 0));
  if (Number(cfg(l.config, 'threshold', 0)) !== 0) ctx.fail(l, 'a non-zero threshold is not supported');
  if (max != null && slope !== 0) ctx.fail(l, 'max_value together with negative_slope is not supported');
  if (max != null) return ctx.add(l, l.name, 'clip', [x], { min: 0, max: Number(max) });
  if (slope !== 0) return ctx.add(l, l.name, 'leakyrelu', [x], { alpha: slope });
  return ctx.add(l, l.name, 'relu', [x], {});
};

const prelu: Converter = (ctx, l, [x]) => {
  const xs = ctx.shape(x);
  const alpha = ctx.weight(l, 'alpha') as Tensor;
  const c = xs[1];
  if (alpha.data.length !== c) ctx.fail(l, `alpha of shape [${alpha.shape}] is not per channel (${c} values); use shared_axes over the spatial axes`);
  const y = ctx.add(l, l.name, 'prelu', [x], {}, { slope: permuteFeatures({ shape: [c], data: alpha.data }, ctx.flattened.get(x)) });
  if (ctx.flattened.get(x)) ctx.flattened.set(y, ctx.flattened.get(x) as [number, number, number]);
  return y;
};

function pool(op: 'maxpool' | 'avgpool'): Converter {
  return (ctx, l, [x]) => {
    channelsLast(ctx, l);
    const xs = ctx.shape(x);
    const kernel = pair(cfg(l.config, 'pool_size', null), [2, 2]);
    const strides = pair(cfg(l.config, 'strides', null), kernel);
    const attrs: Record<string, AttrValue> = { kernel, strides, pads: pads(ctx, l, xs.slice(2), kernel, strides, [1, 1]) };
    if (op === 'avgpool') attrs.countIncludePad = 0; // TF averages over the valid cells only
    return ctx.add(l, l.name, op, [x], attrs);
  };
}

const globalAvg: Converter = (ctx, l, [x]) => {
  channelsLast(ctx, l);
  if (cfg(l.config, 'keepdims', false)) ctx.fail(l, 'keepdims=true is not supported');
  const g = ctx.add(l, `${l.name}/pool`, 'globalavgpool', [x], {});
  return ctx.add(l, l.name, 'flatten', [g], { axis: 1 });
};

const flatten: Converter = (ctx, l, [x]) => {
  const xs = ctx.shape(x);
  const y = ctx.add(l, l.name, 'flatten', [x], { axis: 1 });
  if (xs.length === 4 && xs[2] * xs[3] > 1) ctx.flattened.set(y, [xs[2], xs[3], xs[1]]);
  return y;
};

const addLayer: Converter = (ctx, l, inputs) => {
  if (inputs.length < 2) ctx.fail(l, `needs at least two inputs, got ${inputs.length}`);
  const marks = inputs.map((i) => JSON.stringify(ctx.flattened.get(i) ?? null));
  if (new Set(marks).size > 1) ctx.fail(l, 'adds a flattened NHWC map to a differently ordered tensor');
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) acc = ctx.add(l, i === inputs.length - 1 ? l.name : `${l.name}/${i}`, 'add', [acc, inputs[i]], {});
  if (ctx.flattened.get(inputs[0])) ctx.flattened.set(acc, ctx.flattened.get(inputs[0]) as [number, number, number]);
  return acc;
};

/** Element-wise layers keep the flatten marking of their input. */
function keepMark(c: Converter): Converter {
  return (ctx, l, inputs) => {
    const y = c(ctx, l, inputs);
    const m = ctx.flattened.get(inputs[0]);
    if (m && y !== inputs[0] && ctx.shape(y).length === 2) ctx.flattened.set(y, m);
    return y;
  };
}

export const TFJS_CONVERTERS: Record<string, Converter> = {
  Dense: dense,
  Conv2D: conv(false),
  DepthwiseConv2D: conv(true),
  BatchNormalization: batchNorm,
  Activation: keepMark((ctx, l, [x]) => activation(ctx, l, x, cfg(l.config, 'activation', 'linear'), l.name)),
  ReLU: keepMark(relu),
  PReLU: prelu,
  MaxPooling2D: pool('maxpool'),
  AveragePooling2D: pool('avgpool'),
  GlobalAveragePooling2D: globalAvg,
  Flatten: flatten,
  Add: addLayer,
  Dropout: (_ctx, _l, [x]) => x,
};
