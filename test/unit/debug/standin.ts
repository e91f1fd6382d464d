/**
 * Test-only stand-in for the packed engine: a five-layer graph whose Stepper
 * produces deterministic tensors of the right shapes, sub-steps for the
 * ternary layers and a float reference whose divergence grows with depth.
 */
import type { Layer, TnnModel, PackedTrits } from '../../../src/core/graph/types';
import type { FinalResult, LayerState, Stepper, SubStep } from '../../../src/core/engine/stepper-types';
import { tensor, type Tensor } from '../../../src/core/tensor';
import type { EngineLoader } from '../../../src/debug/stepperHost';
import { StepperHost } from '../../../src/debug/stepperHost';
import { InProcessEngineConnection } from '../../../src/debug/engineClient';
import { divergence } from '../../../src/core/output-math';
import { DataError } from '../../../src/core/errors';

const wq = (trits: string) => ({ method: 'twn' as const, thresholds: { pos: 0.1, neg: -0.1 }, scale: { pos: 0.5, neg: 0.5 }, gamma: null, trits });
const aq = { thresholds: { pos: 0.2, neg: -0.2 }, scale: 1, gamma: null, variant: 'gaussian' as const };

export function standInModel(): TnnModel {
  const layers: Layer[] = [
    { name: 'conv1', op: 'conv2d', inputs: ['x'], outputs: ['c1'], attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 }, weights: { weight: 'conv1.trits', bias: 'conv1.bias' }, weightQuant: wq('conv1.trits'), actQuant: aq },
    { name: 'relu1', op: 'relu', inputs: ['c1'], outputs: ['r1'], attrs: {}, weights: {} },
    { name: 'flat', op: 'flatten', inputs: ['r1'], outputs: ['f'], attrs: { axis: 1 }, weights: {} },
    { name: 'fc', op: 'dense', inputs: ['f'], outputs: ['logits'], attrs: {}, weights: { weight: 'fc.trits' }, weightQuant: wq('fc.trits') },
    { name: 'prob', op: 'softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: -1 }, weights: {} },
  ];
  const packed = (shape: number[]): PackedTrits => {
    const count = shape.reduce((a, b) => a * b, 1);
    // Stand-in encoding (one byte per trit, +1 offset); the stand-in loader decodes it.
    return { kind: 'trits', shape, count, bytes: Uint8Array.from({ length: count }, (_, i) => (i * 7) % 3) };
  };
  return {
    graph: { name: 'standin', inputs: [{ name: 'x', shape: [1, 4, 4] }], outputs: ['probs'], layers, labels: ['cat', 'dog', 'eel'] },
    tensors: new Map<string, Tensor | PackedTrits>([
      ['conv1.trits', packed([2, 1, 3, 3])],
      ['conv1.bias', tensor([2], Float32Array.from([0.1, -0.1]))],
      ['fc.trits', packed([3, 32])],
    ]),
    provenance: { toolVersion: 'test', date: '2026-01-01' },
  };
}

const SHAPES = [[1, 2, 4, 4], [1, 2, 4, 4], [1, 32], [1, 3], [1, 3]];

function wave(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed) * (seed + 1));
}

export class StandInStepper implements Stepper {
  position = 0;
  readonly cache: LayerState[] = [];
  computed = 0;
  constructor(readonly model: TnnModel, readonly input: Tensor, readonly compareFloat: boolean, readonly subSteps: boolean) {}
  get layers(): readonly Layer[] { return this.model.graph.layers; }

  private compute(i: number): LayerState {
    this.computed++;
    const layer = this.layers[i];
    const prev = i === 0 ? this.input : this.cache[i - 1].output;
    const n = SHAPES[i].reduce((a, b) => a * b, 1);
    let data = wave(n, i + this.input.data[0]);
    if (layer.op === 'relu') data = prev.data.map((v) => Math.max(0, v));
    if (layer.op === 'flatten') data = Float32Array.from(prev.data);
    if (layer.op === 'softmax') { const m = Math.max(...prev.data); const e = prev.data.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); data = e.map((v) => v / s); }
    const output = tensor(SHAPES[i], data);
    const subs: SubStep[] = [];
    if (this.subSteps && layer.weightQuant) {
      if (layer.actQuant) subs.push({ kind: 'quantize-input', label: 'quantize input', output: tensor(prev.shape, prev.data.map((v) => Math.sign(Math.round(v)))), ternary: true });
      subs.push({ kind: 'ternary-matmul', label: 'ternary matmul', output: tensor(SHAPES[i], data.map((v) => Math.round(v * 2))), ternary: false });
      if (layer.actQuant) subs.push({ kind: 'scale', label: 'scale', output: tensor(SHAPES[i], data.map((v) => v * 0.9)), ternary: false });
      subs.push({ kind: 'bias-bn', label: 'bias/BN', output, ternary: false });
    } else if (this.subSteps) subs.push({ kind: 'op', label: layer.op, output, ternary: false });
    const state: LayerState = { index: i, layer, inputs: [prev], output, subSteps: this.subSteps ? subs : undefined, timeMs: 0.1 };
    if (this.compareFloat) {
      // Divergence grows with depth: 0.05·(i+1)² relative noise.
      const f = tensor(SHAPES[i], data.map((v, k) => v + Math.cos(k) * 0.05 * (i + 1) ** 2 * Math.abs(v)));
      state.float = { output: f, divergence: divergence(data, f.data) };
    }
    return state;
  }

  stateAt(i: number): LayerState {
    while (this.cache.length <= i) this.cache.push(this.compute(this.cache.length));
    return this.cache[i];
  }
  step(): LayerState | undefined {
    if (this.position >= this.layers.length) return undefined;
    return this.stateAt(this.position++);
  }
  back(): LayerState | undefined {
    if (this.position <= 1) { this.position = 0; return undefined; }
    this.position--;
    return this.stateAt(this.position - 1);
  }
  final(): FinalResult {
    const p = this.stateAt(this.layers.length - 1).output.data;
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return { probabilities: p, scores: p, predicted: best, floatPredicted: this.compareFloat ? best : undefined, agree: this.compareFloat ? true : undefined };
  }
}

export function standInLoader(model = standInModel()): EngineLoader & { steppers: StandInStepper[] } {
  const steppers: StandInStepper[] = [];
  return {
    steppers,
    async readModel(path) {
      if (path.includes('missing')) throw new DataError(`${path}: no such model file`);
      return model;
    },
    async readInput(spec, shape) {
      const m = /^random:(\d+)$/.exec(spec);
      if (!m) throw new DataError(`input '${spec}': the stand-in only knows random:<seed>`);
      return tensor([1, ...shape], Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Number(m[1]) + i / 100));
    },
    async createStepper(mdl, input, opts) {
      const s = new StandInStepper(mdl, input, opts.compareFloat, opts.subSteps);
      steppers.push(s);
      return s;
    },
    unpackTrits(bytes, count) { return Int8Array.from(bytes.subarray(0, count), (b) => b - 1); },
  };
}

export function standInConnection(): InProcessEngineConnection & { loader: ReturnType<typeof standInLoader> } {
  const loader = standInLoader();
  return Object.assign(new InProcessEngineConnection(new StepperHost(loader)), { loader });
}
