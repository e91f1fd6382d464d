/**
 * fast-check generator of random valid TnnModels: a short chain of layers with
 * float and packed trit tensors. Valid includes "shapes infer" (the reader runs
 * every op's shape rule at load), so each layer's weights and attributes are
 * derived from the shape reaching it; names, float bit patterns, trits and all
 * quantization metadata stay arbitrary.
 */
import fc from 'fast-check';
import { packTrits } from '../../../src/core/format/index';
import { QUANTIZER_IDS } from '../../../src/core/quant/index';
import type { ActQuant, AttrValue, Layer, LayerQuantStats, StoredTensor, TnnModel, WeightQuant } from '../../../src/core/graph/types';

// JSON cannot carry -0, NaN or ±Infinity in metadata, and the format requires finite numbers there.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
const magnitude = finite.map((v) => Math.abs(v) + 0);
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor', '0', '10')).filter((s) => s !== '__metadata__');
const shape = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 3 });
const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Every float32 bit pattern, NaN payloads and -0 included: the data region must round-trip bit-exactly. */
const floatTensor = shape.chain((s) =>
  fc.uint8Array({ minLength: count(s) * 4, maxLength: count(s) * 4 }).map((b) => ({ shape: s, data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) })),
);
const tritTensor = shape.chain((s) =>
  fc.array(fc.constantFrom(-1, 0, 1), { minLength: count(s), maxLength: count(s) }).map((t) => ({ kind: 'trits' as const, shape: s, count: count(s), bytes: packTrits(Int8Array.from(t)) })),
);

/** Random bytes and trits that tensors of a shape decided later are cut from (cyclically). */
const bytePool = fc.uint8Array({ minLength: 4, maxLength: 512 });
const tritPool = fc.array(fc.constantFrom(-1, 0, 1), { minLength: 1, maxLength: 200 });
function floatFrom(pool: Uint8Array, at: number, s: number[]): StoredTensor {
  const b = new Uint8Array(count(s) * 4).map((_, i) => pool[(at + i) % pool.length]);
  return { shape: s, data: new Float32Array(b.buffer) };
}
function tritsFrom(pool: number[], at: number, s: number[]): StoredTensor {
  const t = Int8Array.from({ length: count(s) }, (_, i) => pool[(at + i) % pool.length]);
  return { kind: 'trits', shape: s, count: t.length, bytes: packTrits(t) };
}

const attrValue: fc.Arbitrary<AttrValue> = fc.oneof(finite, fc.array(finite, { maxLength: 4 }), fc.string({ maxLength: 8 }), fc.boolean());
// fc.dictionary builds null-prototype objects; JSON.parse gives plain ones.
const attrs = fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constant('__proto__')), attrValue, { maxKeys: 3 }).map((d) => ({ ...d }));

/** fast-check may build null-prototype objects; JSON.parse gives plain ones, and deepStrictEqual compares prototypes. */
function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
  return v;
}

/** Adds optional keys only when present, so the object deep-equals its JSON round trip. */
function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) (base as Record<string, unknown>)[k] = v;
  return base;
}

const normalization = fc.record({ gamma: fc.option(finite), mu: fc.option(finite), sigma: fc.option(magnitude) });

const weightQuant = fc.record({
  // Known methods and names no version knows yet: the reader takes any non-empty string.
  method: fc.oneof(fc.constantFrom<WeightQuant['method']>(...QUANTIZER_IDS), name),
  tp: finite, tn: finite, sp: magnitude, sn: magnitude, norm: normalization,
  options: fc.option(attrs), keepLatent: fc.boolean(),
});

const actQuant: fc.Arbitrary<ActQuant> = fc
  .record({ tp: finite, tn: finite, scale: magnitude, norm: normalization, variant: fc.constantFrom<ActQuant['variant']>('gaussian', 'half-gaussian') })
  .map((a) => withOptional({ thresholds: { pos: a.tp, neg: a.tn }, scale: a.scale, gamma: a.norm.gamma, variant: a.variant } as ActQuant, { mu: a.norm.mu, sigma: a.norm.sigma }));

const stats: fc.Arbitrary<LayerQuantStats> = fc.record({
  trits: fc.record({ neg: fc.nat(), zero: fc.nat(), pos: fc.nat() }),
  sparsity: finite, entropyBits: finite, relError: finite, cosine: finite,
});

const layerSpec = fc.record({
  op: fc.constantFrom('dense', 'conv2d', 'relu', 'batchnorm', 'flatten', 'prelu', 'identity'),
  /** Knobs the layer's geometry is derived from (output features, kernel, stride, pads, bias present, …). */
  knobs: fc.array(fc.nat(1000), { minLength: 8, maxLength: 8 }),
  epsilon: magnitude,
  quant: fc.option(weightQuant),
  act: fc.option(actQuant),
});

/** A layer valid for input shape `x` (batch included): its op (relu when the op cannot take `x`), attributes, weight shapes, output shape. */
function geometry(op: string, k: number[], x: number[], epsilon: number): { op: Layer['op']; attrs: Layer['attrs']; weights: Record<string, number[]>; out: number[]; ternary: boolean } {
  const c = x[1];
  const pick = (i: number, lo: number, hi: number) => lo + (k[i] % (hi - lo + 1));
  switch (op) {
    case 'dense': {
      const o = pick(0, 1, 4);
      return { op: 'dense', attrs: {}, weights: { weight: [o, x[x.length - 1]], ...(k[1] % 2 ? { bias: [o] } : {}) }, out: [...x.slice(0, -1), o], ternary: true };
    }
    case 'conv2d': {
      if (x.length !== 4) break;
      const o = pick(0, 1, 3), kh = pick(2, 1, x[2]), kw = pick(3, 1, x[3]), s0 = pick(4, 1, 2), p = pick(5, 0, 1);
      const oh = Math.floor((x[2] + 2 * p - kh) / s0) + 1, ow = Math.floor((x[3] + 2 * p - kw) / s0) + 1;
      return {
        op: 'conv2d', attrs: { strides: [s0, s0], pads: [p, p, p, p], dilations: [1, 1], group: 1 },
        weights: { weight: [o, c, kh, kw], ...(k[1] % 2 ? { bias: [o] } : {}) }, out: [x[0], o, oh, ow], ternary: true,
      };
    }
    case 'batchnorm':
      return { op: 'batchnorm', attrs: { epsilon }, weights: { gamma: [c], beta: [c], mean: [c], var: [c] }, out: x, ternary: false };
    case 'prelu':
      return { op: 'prelu', attrs: {}, weights: { slope: [k[0] % 2 ? c : 1] }, out: x, ternary: false };
    case 'flatten':
      return { op: 'flatten', attrs: k[0] % 2 ? { axis: 1 } : {}, weights: {}, out: [x[0], count(x.slice(1))], ternary: false };
    case 'identity':
      return { op: 'identity', attrs: {}, weights: {}, out: x, ternary: false };
  }
  return { op: 'relu', attrs: {}, weights: {}, out: x, ternary: false };
}

export const modelArbitrary: fc.Arbitrary<TnnModel> = fc
  .record({
    graphName: fc.string({ maxLength: 10 }),
    names: fc.uniqueArray(name, { minLength: 40, maxLength: 40 }),
    specs: fc.array(layerSpec, { minLength: 1, maxLength: 4 }),
    inputShape: fc.oneof(fc.constant([3, 2]), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))),
    bytes: bytePool,
    trits: tritPool,
    extra: fc.array(fc.oneof(floatTensor, tritTensor), { maxLength: 2 }),
    labels: fc.option(fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 })),
    provenance: fc.record({ method: fc.option(fc.string({ maxLength: 8 })), floatAccuracy: fc.option(finite), options: fc.option(attrs) }),
    withStats: fc.boolean(),
    stats,
  })
  .map((r) => {
    // Names are drawn from one unique pool so tensors, layers and values never collide by accident.
    let next = 0;
    const fresh = () => r.names[next++];
    const tensors = new Map<string, StoredTensor>();
    const layers: Layer[] = [];
    const input = fresh();
    let value = input;
    let shape = [1, ...r.inputShape];
    let at = 0;
    for (const s of r.specs) {
      const g = geometry(s.op, s.knobs, shape, s.epsilon);
      const quant = g.ternary ? s.quant : null;
      const weights: Record<string, string> = {};
      for (const [role, ws] of Object.entries(g.weights)) {
        const n = fresh();
        // A ternary layer's weight is its packed trits (weightQuant.trits); every other weight is float.
        tensors.set(n, role === 'weight' && quant ? tritsFrom(r.trits, at, ws) : floatFrom(r.bytes, at, ws));
        at += count(ws);
        weights[role] = n;
      }
      const layer: Layer = { name: fresh(), op: g.op, inputs: [value], outputs: [fresh()], attrs: g.attrs, weights };
      if (quant) {
        const q = quant;
        const tritsName = weights.weight;
        const wq = withOptional(
          { method: q.method, thresholds: { pos: q.tp, neg: q.tn }, scale: { pos: q.sp, neg: q.sn }, gamma: q.norm.gamma, trits: tritsName } as WeightQuant,
          { mu: q.norm.mu, sigma: q.norm.sigma, options: q.options },
        );
        if (q.keepLatent) {
          wq.latent = fresh();
          tensors.set(wq.latent, floatFrom(r.bytes, at, g.weights.weight));
        }
        layer.weightQuant = wq;
      }
      if (s.act) layer.actQuant = s.act;
      layers.push(layer);
      value = layer.outputs[0];
      shape = g.out;
    }
    for (const t of r.extra) tensors.set(fresh(), t);
    const graph = withOptional({ name: r.graphName, inputs: [{ name: input, shape: [...r.inputShape] }], outputs: [value], layers }, { labels: r.labels });
    const provenance = withOptional({ toolVersion: '0.1.0', date: '2026-11-22T12:00:00.000Z', sourceFile: 'm.onnx' }, r.provenance);
    const model: TnnModel = { graph: plain(graph), tensors, provenance: plain(provenance) };
    if (r.withStats) model.layerStats = plain({ [layers[0].name]: r.stats });
    return model;
  });
