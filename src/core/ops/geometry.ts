/** Shape arithmetic shared by several op modules (sliding windows, axes, broadcasting). Shapes include the batch (dim 0). */
import type { Layer } from '../graph/types';
import { sizeOf } from '../tensor';
import { failLayer } from './attrs';

export const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Output size of a sliding window in floor mode (ONNX Conv/Pool with ceil_mode=0):
 * ⌊(in + padBegin + padEnd − ((k − 1)·dilation + 1)) / stride⌋ + 1.
 */
export function windowOut(inSize: number, k: number, stride: number, padBegin: number, padEnd: number, dilation = 1): number {
  return Math.floor((inSize + padBegin + padEnd - ((k - 1) * dilation + 1)) / stride) + 1;
}

/** Normalizes a possibly negative axis against a rank; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

export function needRank(layer: Layer, x: readonly number[], rank: number): void {
  if (x.length !== rank) failLayer(layer, `expects a rank-${rank} input, got shape ${fmt(x)}`);
}

/** A weight that is one value per channel (axis 1 of the input) or a single value broadcast to all. */
export function checkPerChannel(layer: Layer, x: readonly number[], role: string, s: number[] | undefined): void {
  if (!s) failLayer(layer, `missing weight '${role}'`);
  const c = x.length > 1 ? x[1] : 1;
  const n = sizeOf(s);
  if (n !== c && n !== 1) failLayer(layer, `weight '${role}' has ${n} elements, expected ${c} (one per channel) or 1`);
}

/**
 * Numpy broadcasting of two shapes of equal rank: each dim pair is equal or one
 * of them is 1 (ONNX "multidirectional broadcasting" once ranks are aligned).
 * Undefined when they do not broadcast.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  if (a.length !== b.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && a[i] !== 1 && b[i] !== 1) return undefined;
    out.push(a[i] === 1 ? b[i] : a[i]);
  }
  return out;
}

/** Row-major strides of a shape, with 0 on broadcast (size-1) dims of `shape` against `out`. */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = shape[i] === 1 && out[i] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}
