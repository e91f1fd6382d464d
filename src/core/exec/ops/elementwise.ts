/** Per-element and per-channel ops of the reference executor. Channel = axis 1 (NCHW or [N, C]). */
import { tensor, type Tensor } from '../../tensor';

/** Applies f(value, channel) to every element; channel is axis 1 (0 for rank-1 tensors). */
function mapChannels(x: Tensor, f: (v: number, ch: number) => number): Tensor {
  const y = tensor(x.shape);
  const c = x.shape.length > 1 ? x.shape[1] : 1;
  const inner = x.shape.length > 2 ? x.data.length / (x.shape[0] * c) : 1;
  for (let start = 0, plane = 0; start < x.data.length; start += inner, plane++) {
    const ch = plane % c;
    for (let i = start; i < start + inner; i++) y.data[i] = f(x.data[i], ch);
  }
  return y;
}

/** A per-channel parameter vector, or a scalar broadcast to all channels. */
const at = (p: Float32Array, ch: number): number => (p.length === 1 ? p[0] : p[ch]);

export function batchnorm(x: Tensor, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): Tensor {
  return mapChannels(x, (v, ch) => (at(gamma, ch) * (v - at(mean, ch))) / Math.sqrt(at(variance, ch) + eps) + at(beta, ch));
}

export function prelu(x: Tensor, slope: Float32Array): Tensor {
  return mapChannels(x, (v, ch) => (v >= 0 ? v : v * at(slope, ch)));
}

/** RPReLU (Liu et al. 2020, ReActNet): y = prelu(x − shiftIn) + shiftOut, per channel. */
export function rprelu(x: Tensor, slope: Float32Array, shiftIn: Float32Array, shiftOut: Float32Array): Tensor {
  return mapChannels(x, (v, ch) => {
    const u = v - at(shiftIn, ch);
    return (u >= 0 ? u : u * at(slope, ch)) + at(shiftOut, ch);
  });
}

export function unary(x: Tensor, f: (v: number) => number): Tensor {
  const y = tensor(x.shape);
  for (let i = 0; i < x.data.length; i++) y.data[i] = f(x.data[i]);
  return y;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const y = tensor(a.shape);
  for (let i = 0; i < a.data.length; i++) y.data[i] = a.data[i] + b.data[i];
  return y;
}

/** Numerically stable softmax along `axis` (already normalized to 0..rank-1). */
export function softmax(x: Tensor, axis: number): Tensor {
  const y = tensor(x.shape);
  const len = x.shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < x.shape.length; i++) inner *= x.shape[i];
  const outer = x.data.length / (len * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, x.data[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(x.data[base + k * inner] - max);
      for (let k = 0; k < len; k++) y.data[base + k * inner] = Math.exp(x.data[base + k * inner] - max) / sum;
    }
  }
  return y;
}
