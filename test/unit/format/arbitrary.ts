/** fast-check generator of random valid TnnModels: a short chain of layers with float and packed trit tensors. */
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
  attrs,
  quant: fc.option(weightQuant),
  act: fc.option(actQuant),
  trits: tritTensor,
  floats: fc.array(floatTensor, { minLength: 0, maxLength: 2 }),
  latent: floatTensor,
});

export const modelArbitrary: fc.Arbitrary<TnnModel> = fc
  .record({
    graphName: fc.string({ maxLength: 10 }),
    names: fc.uniqueArray(name, { minLength: 40, maxLength: 40 }),
    specs: fc.array(layerSpec, { minLength: 1, maxLength: 4 }),
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
    for (const s of r.specs) {
      const weights: Record<string, string> = {};
      s.floats.forEach((t, i) => {
        const n = fresh();
        tensors.set(n, t);
        weights[i === 0 ? 'bias' : `w${i}`] = n;
      });
      const layer: Layer = { name: fresh(), op: s.op as Layer['op'], inputs: [value], outputs: [fresh()], attrs: s.attrs, weights };
      if (s.quant) {
        const q = s.quant;
        const tritsName = fresh();
        tensors.set(tritsName, s.trits);
        const wq = withOptional(
          { method: q.method, thresholds: { pos: q.tp, neg: q.tn }, scale: { pos: q.sp, neg: q.sn }, gamma: q.norm.gamma, trits: tritsName } as WeightQuant,
          { mu: q.norm.mu, sigma: q.norm.sigma, options: q.options },
        );
        if (q.keepLatent) {
          wq.latent = fresh();
          tensors.set(wq.latent, s.latent);
        }
        layer.weightQuant = wq;
      }
      if (s.act) layer.actQuant = s.act;
      layers.push(layer);
      value = layer.outputs[0];
    }
    for (const t of r.extra) tensors.set(fresh(), t);
    const graph = withOptional({ name: r.graphName, inputs: [{ name: input, shape: [3, 2] }], outputs: [value], layers }, { labels: r.labels });
    const provenance = withOptional({ toolVersion: '0.1.0', date: '2026-11-22T12:00:00.000Z', sourceFile: 'm.onnx' }, r.provenance);
    const model: TnnModel = { graph: plain(graph), tensors, provenance: plain(provenance) };
    if (r.withStats) model.layerStats = plain({ [layers[0].name]: r.stats });
    return model;
  });
