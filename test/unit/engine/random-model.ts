/** Builds small random TnnModels directly (packTrits + hand-made graphs) for the engine's exactness tests. */
import { packTrits } from '../../../src/core/format/index';
import type { ActQuant, AttrValue, Layer, OpType, StoredTensor, TnnModel, WeightQuant } from '../../../src/core/graph/types';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { mulberry32 } from '../../../src/core/rng';

/** Deterministic PRNG so failures reproduce. */
export const rng = mulberry32;

export function randomTrits(r: () => number, n: number, pZero = 0.35): Int8Array {
  const t = new Int8Array(n);
  for (let i = 0; i < n; i++) t[i] = r() < pZero ? 0 : r() < 0.5 ? 1 : -1;
  return t;
}

export function randomTensor(r: () => number, shape: number[], lo = -1, hi = 1): Tensor {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * r();
  return t;
}

export class ModelBuilder {
  readonly layers: Layer[] = [];
  readonly tensors = new Map<string, StoredTensor>();
  private n = 0;
  constructor(private readonly r: () => number, readonly inputShape: number[]) {}

  private add(op: OpType, inputs: string[], attrs: Record<string, AttrValue> = {}, weights: Record<string, string> = {}, extra: Partial<Layer> = {}): string {
    const name = `${op}${this.n++}`;
    this.layers.push({ name, op, inputs, outputs: [`${name}:out`], attrs, weights, ...extra });
    return `${name}:out`;
  }

  private floatParam(name: string, shape: number[], lo: number, hi: number): string {
    this.tensors.set(name, randomTensor(this.r, shape, lo, hi));
    return name;
  }

  /** conv2d or dense; ternary when `tern` is given (asymmetric scales unless sym), W+A when `act` is given. */
  matmul(kind: 'conv2d' | 'dense', x: string, wShape: number[], attrs: Record<string, AttrValue>, tern?: { sym?: boolean; act?: ActQuant }, bias = true): string {
    const id = `w${this.n}`;
    const weights: Record<string, string> = {};
    if (bias) weights.bias = this.floatParam(`${id}.bias`, [wShape[0]], -0.2, 0.2);
    const fanIn = wShape.slice(1).reduce((a, b) => a * b, 1);
    const extra: Partial<Layer> = {};
    if (tern) {
      const count = wShape.reduce((a, b) => a * b, 1);
      const trits = randomTrits(this.r, count);
      this.tensors.set(`${id}.trits`, { kind: 'trits', shape: wShape, count, bytes: packTrits(trits) });
      const s = 1 / Math.sqrt(fanIn);
      const wq: WeightQuant = {
        method: tern.sym ? 'twn' : 'ttq', thresholds: { pos: 0.1, neg: -0.1 },
        scale: { pos: s * (0.8 + 0.4 * this.r()), neg: tern.sym ? 0 : s * (0.8 + 0.4 * this.r()) }, gamma: null, trits: `${id}.trits`,
      };
      if (tern.sym) wq.scale.neg = wq.scale.pos;
      extra.weightQuant = wq;
      if (tern.act) extra.actQuant = tern.act;
    } else {
      weights.weight = this.floatParam(`${id}.weight`, wShape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
    return this.add(kind, [x], attrs, weights, extra);
  }

  conv(x: string, cin: number, cout: number, k: number, attrs: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number } = {}, tern?: { sym?: boolean; act?: ActQuant }): string {
    const group = attrs.group ?? 1;
    return this.matmul('conv2d', x, [cout, cin / group, k, k], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group, ...attrs }, tern);
  }

  dense(x: string, cin: number, cout: number, tern?: { sym?: boolean; act?: ActQuant }): string {
    return this.matmul('dense', x, [cout, cin], {}, tern);
  }

  batchnorm(x: string, c: number): string {
    const id = `bn${this.n}`;
    return this.add('batchnorm', [x], { epsilon: 1e-5 }, {
      gamma: this.floatParam(`${id}.gamma`, [c], 0.5, 1.5), beta: this.floatParam(`${id}.beta`, [c], -0.2, 0.2),
      mean: this.floatParam(`${id}.mean`, [c], -0.2, 0.2), var: this.floatParam(`${id}.var`, [c], 0.5, 1.5),
    });
  }

  perChannel(op: 'prelu' | 'rprelu', x: string, c: number): string {
    const id = `${op}${this.n}`;
    const w: Record<string, string> = { slope: this.floatParam(`${id}.slope`, [c], 0, 0.3) };
    if (op === 'rprelu') {
      w.shiftIn = this.floatParam(`${id}.shiftIn`, [c], -0.1, 0.1);
      w.shiftOut = this.floatParam(`${id}.shiftOut`, [c], -0.1, 0.1);
    }
    return this.add(op, [x], {}, w);
  }

  op(op: OpType, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.add(op, inputs, attrs);
  }

  build(output: string, labels?: string[]): TnnModel {
    return {
      graph: { name: 'random', inputs: [{ name: 'input', shape: this.inputShape }], outputs: [output], layers: this.layers, labels },
      tensors: this.tensors,
      provenance: { toolVersion: 'test', date: '2026-01-01' },
    };
  }
}

/** Thresholds near ±0.3 so a good share of activations are nonzero trits. */
export const act = (r: () => number): ActQuant => ({
  thresholds: { pos: 0.2 + 0.2 * r(), neg: -(0.2 + 0.2 * r()) }, scale: 0.5 + r(), gamma: null, variant: 'gaussian',
});
