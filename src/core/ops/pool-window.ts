/** What max and average pooling share: the window attributes, the shape rule, the ONNX converter and exporter. */
import type * as tfjs from '@tensorflow/tfjs';
import type { Layer, OpType } from '../graph/types';
import { sizeOf } from '../tensor';
import { failLayer, nonNegInts, posInts, readAttrs, type AttrSchema } from './attrs';
import { fmt, needRank, windowOut } from './geometry';
import { pair, resolvePads, type OnnxAttrOut, type OnnxConverter, type OnnxExportContext } from './onnx-api';
import type { CostRule } from './types';
import type { TfOpContext, TfTensor } from './tf-api';

export const WINDOW_ATTRS = {
  kernel: posInts(2, undefined, 'window size along H and W (required)'),
  strides: posInts(2, (a) => a.kernel as number[], 'window step along H and W (default: the kernel size)'),
  pads: nonNegInts(4, [0, 0, 0, 0], 'padding: top, left, bottom, right (ignored cells, not zeros)'),
  ceilMode: { kind: 'int', min: 0, max: 1, default: 0, help: 'output size rounded up (1, ONNX ceil_mode; a last window starting past the input is dropped) or down (0)' },
} as const satisfies AttrSchema;

export function windowShape(layer: Layer, [x]: number[][]): number[] {
  needRank(layer, x, 4);
  const a = readAttrs(layer, WINDOW_ATTRS);
  const [k0, k1] = a.kernel, [s0, s1] = a.strides, [pt, pl, pb, pr] = a.pads;
  // ONNX pooling (and onnxruntime) require every pad smaller than the kernel: a window never lies wholly in padding.
  if (pt >= k0 || pb >= k0 || pl >= k1 || pr >= k1) failLayer(layer, `${fmt(a.pads)} must each be smaller than the kernel ${fmt(a.kernel)}`, 'pads');
  const ceil = a.ceilMode === 1;
  const oh = windowOut(x[2], k0, s0, pt, pb, 1, ceil);
  const ow = windowOut(x[3], k1, s1, pl, pr, 1, ceil);
  if (oh < 1 || ow < 1) failLayer(layer, `kernel [${k0},${k1}] larger than padded input ${fmt(x)}`);
  return [x[0], x[1], oh, ow];
}

export const unpadded = (layer: Layer): boolean => readAttrs(layer, WINDOW_ATTRS).pads.every((p) => p === 0);
/** Unpadded and in floor mode: every window lies inside the input (the engine's dedicated kernels and TF.js 'valid'). */
export const plainWindows = (layer: Layer): boolean => unpadded(layer) && readAttrs(layer, WINDOW_ATTRS).ceilMode === 0;

/** k·k − 1 additions (or comparisons, costed as additions) per output element. */
export const windowCost: CostRule = {
  macKind: 'layer',
  count: ({ layer, outShape }) => {
    const [k0, k1] = readAttrs(layer, WINDOW_ATTRS).kernel;
    return { macs: 0, additions: sizeOf(outShape) * Math.max(0, k0 * k1 - 1) };
  },
};

export function onnxPool(op: Extract<OpType, 'maxpool' | 'avgpool'>): OnnxConverter {
  return (ctx, node, a) => {
    const x = ctx.dynamic(node, 0);
    const xs = ctx.shapeOf(node, 0);
    if (xs.length !== 4) ctx.fail(node, `only 2-D pooling (NCHW input) is supported, input shape is [${xs}]`);
    const dil = a.ints('dilations');
    if (dil && dil.some((d) => d !== 1)) ctx.fail(node, `dilations [${dil}] are not supported for pooling`);
    if (node.output?.[1] && ctx.readers.get(node.output[1])) ctx.fail(node, 'the Indices output is not supported');
    if (op === 'maxpool') a.accept('storage_order'); // the layout of the Indices output only
    const kernel = pair(ctx, node, a, 'kernel_shape', []);
    const strides = pair(ctx, node, a, 'strides', [1, 1]);
    const pads = resolvePads(ctx, node, a, xs.slice(2), kernel, strides, [1, 1]);
    const attrs: Record<string, number | number[]> = { kernel, strides, pads };
    // Ceil mode is kept only where it changes the output size, so every other path sees a plain floor-mode pool.
    const ceil = (i: number, b: number, e: number): boolean => windowOut(xs[i + 2], kernel[i], strides[i], b, e, 1, true) !== windowOut(xs[i + 2], kernel[i], strides[i], b, e);
    if (a.int('ceil_mode', 0) && (ceil(0, pads[0], pads[2]) || ceil(1, pads[1], pads[3]))) attrs.ceilMode = 1;
    if (op === 'avgpool') attrs.countIncludePad = a.int('count_include_pad', 0);
    ctx.addLayer(node, op, [x], attrs, {});
  };
}

export function windowExportAttrs(layer: Layer, e: OnnxExportContext): OnnxAttrOut[] {
  const a = readAttrs(layer, WINDOW_ATTRS);
  return [e.int('ceil_mode', a.ceilMode), e.ints('kernel_shape', a.kernel), e.ints('pads', a.pads), e.ints('strides', a.strides)];
}

export const padError = (layer: Layer): string | undefined =>
  plainWindows(layer) ? undefined : unpadded(layer) ? 'ceil-mode pooling is not supported by the TF.js translation' : `padded pooling is not supported by the TF.js translation, got pads [${readAttrs(layer, WINDOW_ATTRS).pads}]`;

/** Max pooling pads with −∞ cells, which never win a window: TF.js pads explicitly, then pools 'valid'. Floor mode only. */
export const maxPadError = (layer: Layer): string | undefined =>
  readAttrs(layer, WINDOW_ATTRS).ceilMode === 0 ? undefined : 'ceil-mode pooling is not supported by the TF.js translation';

export function tfPool(kind: 'max' | 'avg', layer: Layer, ctx: TfOpContext, x: TfTensor): TfTensor {
  const a = readAttrs(layer, WINDOW_ATTRS);
  const k = a.kernel as [number, number], s = a.strides as [number, number];
  if (kind === 'avg') return ctx.tf.avgPool(x as tfjs.Tensor4D, k, s, 'valid');
  const [pt, pl, pb, pr] = a.pads;
  const padded = a.pads.some((p) => p !== 0) ? ctx.tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]], -Infinity) : x;
  return ctx.tf.maxPool(padded as tfjs.Tensor4D, k, s, 'valid');
}

export const describeWindow = (layer: Layer): string => (Array.isArray(layer.attrs.kernel) ? layer.attrs.kernel.join('×') : '');
