/**
 * Synthetic ternary models for the editor and cost tests and the editor
 * benchmark (scripts/bench-editor.mjs). Deterministic (LCG seeded).
 */
import { packTrits } from '../../../src/core/format/index';
import type { Layer, StoredTensor, TnnModel } from '../../../src/core/graph/types';
import { tensor } from '../../../src/core/tensor';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

export interface EditorModelOptions {
  /** Output channels of each 3×3 conv (input 3×32×32 unless `inputShape`). */
  channels: number[];
  /** Keep latent float weights (histograms) for ternary layers. */
  latent?: boolean;
  classes?: number;
  inputShape?: [number, number, number];
  seed?: number;
  name?: string;
}

/** conv(+bn+relu)×n → global pool → flatten → dense; first conv and last dense stay float. */
export function buildEditorModel(o: EditorModelOptions): TnnModel {
  const r = lcg(o.seed ?? 7);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const tensors = new Map<string, StoredTensor>();
  const layers: Layer[] = [];
  let prev = 'input';
  const push = (l: Omit<Layer, 'inputs' | 'outputs'>) => {
    layers.push({ ...l, inputs: [prev], outputs: [l.name] });
    prev = l.name;
  };
  const floatT = (name: string, shape: number[], std: number) => {
    const t = tensor(shape);
    for (let i = 0; i < t.data.length; i++) t.data[i] = std * gauss();
    tensors.set(name, t);
    return name;
  };
  const constT = (name: string, shape: number[], v: number) => {
    tensors.set(name, tensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v)));
    return name;
  };
  // TWN-style ternarization of Gaussian latents: Δ = 0.7·E|w| (seed paper Eq. 3).
  const ternary = (name: string, shape: number[], std: number): Pick<Layer, 'weightQuant'> => {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    let abs = 0;
    for (let i = 0; i < n; i++) { w[i] = std * gauss(); abs += Math.abs(w[i]); }
    const delta = (0.7 * abs) / n;
    const trits = new Int8Array(n);
    for (let i = 0; i < n; i++) trits[i] = w[i] > delta ? 1 : w[i] < -delta ? -1 : 0;
    tensors.set(`${name}.trits`, { kind: 'trits', shape, count: n, bytes: packTrits(trits) });
    if (o.latent) tensors.set(`${name}.latent`, { shape, data: w });
    return {
      weightQuant: {
        method: 'twn', thresholds: { pos: delta, neg: -delta }, scale: { pos: 1.2 * delta, neg: 1.2 * delta }, gamma: null,
        trits: `${name}.trits`, ...(o.latent ? { latent: `${name}.latent` } : {}),
      },
    };
  };
  const [cin0] = o.inputShape ?? [3, 32, 32];
  let cin = cin0;
  o.channels.forEach((cout, i) => {
    const shape = [cout, cin, 3, 3];
    const std = Math.sqrt(2 / (cin * 9));
    const name = `conv${i + 1}`;
    const stride = i > 0 && i % 2 === 0 ? 2 : 1;
    push({
      name, op: 'conv2d', attrs: { strides: [stride, stride], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
      ...(i === 0 ? { weights: { weight: floatT(`${name}.weight`, shape, std) } } : { weights: { weight: `${name}.trits` }, ...ternary(name, shape, std) }),
    });
    push({ name: `bn${i + 1}`, op: 'batchnorm', attrs: { epsilon: 1e-5 }, weights: {
      gamma: floatT(`bn${i + 1}.gamma`, [cout], 0.1), beta: floatT(`bn${i + 1}.beta`, [cout], 0.1),
      mean: floatT(`bn${i + 1}.mean`, [cout], 0.1), var: constT(`bn${i + 1}.var`, [cout], 1) } });
    push({ name: `relu${i + 1}`, op: 'relu', attrs: {}, weights: {} });
    cin = cout;
  });
  push({ name: 'gap', op: 'globalavgpool', attrs: {}, weights: {} });
  push({ name: 'flatten', op: 'flatten', attrs: { axis: 1 }, weights: {} });
  const classes = o.classes ?? 10;
  push({ name: 'fc', op: 'dense', attrs: {}, weights: { weight: floatT('fc.weight', [classes, cin], 0.1), bias: floatT('fc.bias', [classes], 0.01) } });
  return {
    graph: { name: o.name ?? 'editor-test-cnn', inputs: [{ name: 'input', shape: o.inputShape ?? [3, 32, 32] }], outputs: ['fc'], layers },
    tensors,
    provenance: {
      toolVersion: 'test', date: '2026-01-01T00:00:00.000Z', method: 'twn', options: { deltaFactor: 0.7 },
      sourceFile: 'editor-test-cnn.onnx', floatAccuracy: 0.91, ternaryAccuracy: 0.885, dataset: 'synthetic',
    },
  };
}

/** Channel plan whose ternary convs hold about `targetTrits` trits (ResNet-50 has ~25 M weights). */
export function channelsForTrits(targetTrits: number): number[] {
  const channels = [64];
  let trits = 0;
  let c = 64;
  while (trits < targetTrits) {
    const next = Math.min(c * 2, 1024);
    const add = next * c * 9;
    if (trits + add > targetTrits * 1.05 && trits > 0) break;
    channels.push(next);
    trits += add;
    c = next;
  }
  return channels;
}
