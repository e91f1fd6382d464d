/** Shape arithmetic shared by several op modules (sliding windows, axes, broadcasting). Shapes include the batch (dim 0). */
import type { Layer } from '../graph/types';
import { sizeOf } from '../tensor';
import { failLayer } from './attrs';

export const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Output size of a sliding window in floor mode (ONNX Conv/Pool with ceil_mode=0):
 * ⌊(in + padBegin + padEnd − ((k − 1)·dilation + 1)) / stride⌋ + 1.
 * Ceil mode (pooling's ceil_mode=1) rounds up instead, but, as PyTorch does, drops
 * a last window that would start beyond the input and its begin padding.
 */
export function windowOut(inSize: number, k: number, stride: number, padBegin: number, padEnd: number, dilation = 1, ceil = false): number {
  const span = inSize + padBegin + padEnd - ((k - 1) * dilation + 1);
  if (!ceil) return Math.floor(span / stride) + 1;
  const out = Math.ceil(span / stride) + 1;
  return (out - 1) * stride >= inSize + padBegin ? out - 1 : out;
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
