/**
 * The reference executor: a plain float interpreter of the IR, the ground truth
 * the packed engine and the importers are checked against. For a TnnModel each
 * ternary layer's trits are dequantized to +scale.pos / 0 / −scale.neg and, when
 * the layer ternarizes its input (W+A models), the input is ternarized first.
 */
import { ExecutionError } from '../errors';
import { unpackTrits } from '../format/index';
import { isPacked, type ActQuant, type FloatModel, type Layer, type PackedTrits, type StoredTensor, type TnnModel, type WeightQuant } from '../graph/types';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { checkInputShape, layerOutputShape, specOf } from '../ops/index';

export type LayerCallback = (layer: Layer, output: Tensor, index: number) => void;

/**
 * Another implementation of some layers' float arithmetic (the engine's f64 GEMM for conv/dense,
 * engine/float-reference.ts): the layer's output, or undefined to run the op's reference kernel.
 * It must give the reference kernel's result bit for bit: ReferenceSteps stays the reference.
 */
export type FloatLayerKernel = (layer: Layer, xs: Tensor[], outShape: number[], w: (role: string) => Tensor | undefined) => Tensor | undefined;

/**
 * Dequantized ternary weights (seed paper Eq. 6's ternary values times the
 * layer scales): trit k of the flattened weight → +scale.pos, 0 or −scale.neg.
 */
export function dequantizeTrits(packed: PackedTrits, quant: Pick<WeightQuant, 'scale'>): Tensor {
  const trits = unpackTrits(packed.bytes, packed.count);
  if (trits.length !== sizeOf(packed.shape)) {
    throw new ExecutionError(`trits tensor: ${trits.length} trits do not fill shape [${packed.shape.join(',')}]`);
  }
  const out = tensor(packed.shape);
  const pos = quant.scale.pos, neg = -quant.scale.neg;
  for (let i = 0; i < trits.length; i++) out.data[i] = trits[i] > 0 ? pos : trits[i] < 0 ? neg : 0;
  return out;
}

function scaleTrits(t: Tensor, quant: Pick<WeightQuant, 'scale'>): Tensor {
  const pos = quant.scale.pos, neg = -quant.scale.neg;
  return { shape: t.shape, data: t.data.map((v) => (v > 0 ? pos : v < 0 ? neg : 0)) };
}

/**
 * Ternarizes activations: x > thresholds.pos → +scale, x < thresholds.neg → −scale,
 * else 0 (ties go to 0, as in seed paper Eq. 6). Both sides are compared as
 * float32 (thresholds rounded with Math.fround), so a float32 engine comparing
 * f32 activations with f32 thresholds matches bit for bit.
 */
export function ternarizeActivation(x: Tensor, aq: Pick<ActQuant, 'thresholds' | 'scale'>): Tensor {
  const y = tensor(x.shape);
  const pos = Math.fround(aq.thresholds.pos), neg = Math.fround(aq.thresholds.neg);
  const s = aq.scale;
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    y.data[i] = v > pos ? s : v < neg ? -s : 0;
  }
  return y;
}

/** Resolves a layer's weight tensors, dequantizing trits where the layer is ternary. */
class WeightResolver {
  private readonly cache = new Map<string, Tensor>();
  constructor(private readonly tensors: Map<string, StoredTensor>) {}

  get(layer: Layer, role: string): Tensor | undefined {
    const key = `${layer.name}\u0000${role}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let t: Tensor | undefined;
    if (role === 'weight' && layer.weightQuant) {
      const stored = this.tensors.get(layer.weightQuant.trits);
      if (!stored) throw new ExecutionError(`layer '${layer.name}': trits tensor '${layer.weightQuant.trits}' is missing`);
      // Unpacked trits (a float tensor of −1/0/+1) are scaled the same way as packed ones.
      t = isPacked(stored) ? dequantizeTrits(stored, layer.weightQuant) : scaleTrits(stored, layer.weightQuant);
    } else {
      const name = layer.weights[role];
      if (name === undefined) return undefined;
      const stored = this.tensors.get(name);
      if (!stored) throw new ExecutionError(`layer '${layer.name}': weight '${role}' names tensor '${name}', which is missing`);
      t = isPacked(stored) ? dequantizeTrits(stored, { scale: { pos: 1, neg: 1 } }) : stored;
    }
    this.cache.set(key, t);
    return t;
  }
}

/** One layer in plain float: its op's reference kernel (also the packed engine's path for layers it does not lower). */
export function runFloatLayer(layer: Layer, xs: Tensor[], outShape: number[], w: (role: string) => Tensor | undefined): Tensor {
  return specOf(layer).run(layer, xs, outShape, w);
}

/**
 * The reference executor one layer at a time: layer i runs when its output is
 * first asked for (and every layer before it). The debugger's float comparison
 * uses this so a step costs one reference layer, not a whole forward pass up front.
 */
export class ReferenceSteps {
  private readonly weights: WeightResolver;
  private readonly values: Map<string, Tensor>;
  private readonly outputs: Tensor[] = [];

  constructor(private readonly model: FloatModel | TnnModel, input: Tensor, private readonly onLayer?: LayerCallback, private readonly kernel?: FloatLayerKernel) {
    const gin = model.graph.inputs[0];
    if (!gin) throw new ExecutionError(`graph '${model.graph.name}' has no input`);
    checkInputShape(gin.name, gin.shape);
    const expected = gin.shape.join(',');
    if (input.shape.length !== gin.shape.length + 1 || input.shape.slice(1).join(',') !== expected) {
      throw new ExecutionError(`input '${gin.name}': expected shape [N,${expected}], got [${input.shape.join(',')}]`);
    }
    if (input.data.length !== sizeOf(input.shape)) {
      throw new ExecutionError(`input '${gin.name}': ${input.data.length} values do not fill shape [${input.shape.join(',')}]`);
    }
    this.weights = new WeightResolver(model.tensors as Map<string, StoredTensor>);
    this.values = new Map<string, Tensor>([[gin.name, input]]);
  }

  /** Output of layer `index` (runs the layers before it first, once). */
  outputAt(index: number): Tensor {
    const layers = this.model.graph.layers;
    if (!Number.isInteger(index) || index < 0 || index >= layers.length) throw new ExecutionError(`reference: layer index ${index} is outside 0..${layers.length - 1}`);
    while (this.outputs.length <= index) this.runLayer(this.outputs.length);
    return this.outputs[index];
  }

  /** The value named by graph.outputs[0], after running every layer. */
  result(): Tensor {
    const graph = this.model.graph;
    if (graph.layers.length) this.outputAt(graph.layers.length - 1);
    const outName = graph.outputs[0];
    const out = outName === undefined ? undefined : this.values.get(outName);
    if (!out) throw new ExecutionError(`graph output '${outName}' is not produced by any layer`);
    return out;
  }

  /** A value computed so far (the graph input or a layer output), by name; undefined when not (yet) computed. */
  valueOf(name: string): Tensor | undefined {
    return this.values.get(name);
  }

  private runLayer(index: number): void {
    const layer = this.model.graph.layers[index];
    let xs = layer.inputs.map((n) => {
      const v = this.values.get(n);
      if (!v) throw new ExecutionError(`layer '${layer.name}': input value '${n}' is not produced by the graph input or an earlier layer`);
      return v;
    });
    if (layer.actQuant) xs = xs.map((x) => ternarizeActivation(x, layer.actQuant as ActQuant));
    const w = (role: string): Tensor | undefined => this.weights.get(layer, role);
    const outShape = layerOutputShape(layer, xs.map((x) => x.shape), (role) => w(role)?.shape);
    const y = this.kernel?.(layer, xs, outShape, w) ?? runFloatLayer(layer, xs, outShape, w);
    for (const o of layer.outputs) this.values.set(o, y);
    this.outputs.push(y);
    this.onLayer?.(layer, y, index);
  }
}

/**
 * Runs a float or ternary model on `input` (batch in dim 0; per-sample shape must
 * equal graph.inputs[0].shape). `onLayer` sees every layer's output in order.
 * Returns the value named by graph.outputs[0].
 */
export function runReference(model: FloatModel | TnnModel, input: Tensor, onLayer?: LayerCallback): Tensor {
  return new ReferenceSteps(model, input, onLayer).result();
}
