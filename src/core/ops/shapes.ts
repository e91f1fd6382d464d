/**
 * Shape inference over the IR with the ops' own rules (registry.ts), used at
 * load time (the `.tnn` reader, the importers), by the executors before each
 * layer and by the cost model. Shapes include the batch dimension (dim 0).
 * Every value is capped before anyone allocates it, so a hostile file (stride
 * 0, pads of 10⁹, a [1, 2²⁰, 2²⁰] input) fails here with the layer's name.
 */
import { ExecutionError } from '../errors';
import type { Graph, Layer } from '../graph/types';
import { sizeOf } from '../tensor';
import { checkAttrs, failLayer } from './attrs';
import { fmt } from './geometry';
import { specOf } from './registry';
import type { WeightShapeFn } from './types';

import { MAX_ACTIVATION_ELEMENTS, MAX_INPUT_ELEMENTS, MAX_SAMPLE_ELEMENTS } from '../limits';

const dimsOk = (s: readonly number[]): boolean => s.every((d) => Number.isSafeInteger(d) && d >= 1);

function checkSize(layer: Layer, out: number[]): void {
  if (!dimsOk(out)) failLayer(layer, `inferred output shape ${fmt(out)} has an empty or invalid dimension`);
  const total = sizeOf(out), perSample = sizeOf(out.slice(1));
  if (perSample > MAX_SAMPLE_ELEMENTS) failLayer(layer, `output shape ${fmt(out)} holds ${perSample} values per sample, above the limit of ${MAX_SAMPLE_ELEMENTS} (2^26)`);
  if (total > MAX_ACTIVATION_ELEMENTS) failLayer(layer, `output shape ${fmt(out)} holds ${total} values, above the limit of ${MAX_ACTIVATION_ELEMENTS} (2^28) per tensor; use a smaller batch`);
}

/**
 * The output shape of one layer, after checking its attributes, its weight
 * roles and its input count against the op's spec. `weightShape(role)` gives a
 * weight's shape (dequantized shape for ternary ones) or undefined when absent.
 */
export function layerOutputShape(layer: Layer, inputs: number[][], weightShape: WeightShapeFn): number[] {
  const spec = specOf(layer);
  const { min, max } = spec.inputs;
  if (inputs.length < min || inputs.length > max) failLayer(layer, `expects ${min === max ? min : `${min} to ${max}`} input(s), got ${inputs.length}`);
  checkAttrs(layer, spec.attrs);
  for (const role of Object.keys(layer.weights ?? {})) {
    if (!Object.hasOwn(spec.weights, role)) failLayer(layer, `unknown weight role '${role}' (known: ${Object.keys(spec.weights).join(', ') || 'none'})`);
  }
  for (const [role, need] of Object.entries(spec.weights)) if (need === 'required' && !weightShape(role)) failLayer(layer, `missing weight '${role}'`);
  const out = spec.shape(layer, inputs, weightShape);
  checkSize(layer, out);
  return out;
}

/** A graph input's per-sample shape: positive integer dims, at most MAX_INPUT_ELEMENTS values. */
export function checkInputShape(name: string, shape: readonly number[]): void {
  if (!dimsOk(shape)) throw new ExecutionError(`graph input '${name}': shape ${fmt(shape)} must hold positive integers`);
  const n = sizeOf(shape);
  if (n > MAX_INPUT_ELEMENTS) throw new ExecutionError(`graph input '${name}': shape ${fmt(shape)} holds ${n} values per sample, above the limit of ${MAX_INPUT_ELEMENTS} (2^25)`);
}

/** Infers every value's shape for a given batch size from the graph inputs. */
export function inferShapes(graph: Graph, weightShape: (layer: Layer, role: string) => number[] | undefined, batch = 1): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  if (!graph.inputs.length) throw new ExecutionError(`graph '${graph.name}' has no input`);
  for (const input of graph.inputs) {
    checkInputShape(input.name, input.shape);
    shapes.set(input.name, [batch, ...input.shape]);
  }
  for (const layer of graph.layers) {
    const ins = layer.inputs.map((n) => {
      const s = shapes.get(n);
      if (!s) failLayer(layer, `input value '${n}' is not produced by the graph input or an earlier layer`);
      return s;
    });
    const out = layerOutputShape(layer, ins, (role) => weightShape(layer, role));
    for (const o of layer.outputs) shapes.set(o, out);
  }
  return shapes;
}
