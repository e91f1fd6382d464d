/**
 * Structural validation of the Graph stored in `__metadata__.graph`
 * (docs/tnn-format.md §5): shapes of every field, unique layer names, known ops,
 * inputs defined before use, and every tensor a layer names present with the
 * dtype the runtime expects.
 */
import { ExecutionError } from '../errors';
import type { ActQuant, AttrValue, Graph, Layer } from '../graph/types';
import { inferShapes, OP_TYPES, OpCheckError } from '../ops/index';
import { Checker, describe, type Json } from './check';

/** The op table's names (src/core/ops/registry.ts). */
export const KNOWN_OPS = OP_TYPES;

const ACT_VARIANTS = ['gaussian', 'half-gaussian'] as const satisfies readonly ActQuant['variant'][];

function checkAttr(c: Checker, v: unknown, field: string): AttrValue {
  if (typeof v === 'number') return c.finite(v, field);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x, i) => c.finite(x, `${field}[${i}]`));
  return c.fail(field, `expected a finite number, number array, string or boolean, found ${describe(v)}`);
}

function checkAttrs(c: Checker, v: unknown, field: string): void {
  const o = c.object(v, field);
  for (const [k, x] of Object.entries(o)) checkAttr(c, x, `${field}.${k}`);
}

/** thresholds {pos, neg}: finite; the Eq. 6 tie rule is applied by consumers, not stored. */
function checkThresholds(c: Checker, v: unknown, field: string): void {
  const o = c.object(v, field);
  c.finite(o.pos, `${field}.pos`);
  c.finite(o.neg, `${field}.neg`);
}

function checkNormalization(c: Checker, o: Json, field: string): void {
  if (o.gamma !== null) c.finite(o.gamma, `${field}.gamma`);
  c.optional(o, 'mu', field, (v, f) => c.finite(v, f));
  c.optional(o, 'sigma', field, (v, f) => c.finite(v, f));
}

function checkWeightQuant(c: Checker, v: unknown, field: string): void {
  const o = c.object(v, field);
  // Any method name: dequantization does not depend on it, so a newer file's method still reads (shown as stored).
  c.nonEmptyString(o.method, `${field}.method`);
  checkThresholds(c, o.thresholds, `${field}.thresholds`);
  const scale = c.object(o.scale, `${field}.scale`);
  c.nonNegative(scale.pos, `${field}.scale.pos`);
  c.nonNegative(scale.neg, `${field}.scale.neg`);
  checkNormalization(c, o, field);
  c.nonEmptyString(o.trits, `${field}.trits`);
  c.optional(o, 'latent', field, (x, f) => c.nonEmptyString(x, f));
  c.optional(o, 'options', field, (x, f) => checkAttrs(c, x, f));
}

function checkActQuant(c: Checker, v: unknown, field: string): void {
  const o = c.object(v, field);
  checkThresholds(c, o.thresholds, `${field}.thresholds`);
  c.nonNegative(o.scale, `${field}.scale`);
  checkNormalization(c, o, field);
  c.oneOf(o.variant, ACT_VARIANTS, `${field}.variant`);
}

/** Validates an untrusted parsed graph and returns it typed (extra keys are kept). */
export function checkGraph(c: Checker, value: unknown, field: string): Graph {
  const g = c.object(value, field);
  c.string(g.name, `${field}.name`);
  const defined = new Set<string>();
  c.array(g.inputs, `${field}.inputs`).forEach((input, i) => {
    const f = `${field}.inputs[${i}]`;
    const o = c.object(input, f);
    const name = c.nonEmptyString(o.name, `${f}.name`);
    c.shape(o.shape, `${f}.shape`);
    if (defined.has(name)) c.fail(`${f}.name`, `duplicate graph input ${JSON.stringify(name)}`);
    defined.add(name);
  });
  const layerNames = new Set<string>();
  c.array(g.layers, `${field}.layers`).forEach((layer, i) => {
    const f = `${field}.layers[${i}]`;
    const o = c.object(layer, f);
    const name = c.nonEmptyString(o.name, `${f}.name`);
    if (layerNames.has(name)) c.fail(`${f}.name`, `duplicate layer name ${JSON.stringify(name)}`);
    layerNames.add(name);
    c.oneOf(o.op, KNOWN_OPS, `${f}.op`);
    c.stringArray(o.inputs, `${f}.inputs`).forEach((input, j) => {
      if (!defined.has(input)) c.fail(`${f}.inputs[${j}]`, `layer ${JSON.stringify(name)} reads ${JSON.stringify(input)}, which is neither a graph input nor an output of an earlier layer`);
    });
    const outputs = c.stringArray(o.outputs, `${f}.outputs`);
    if (outputs.length === 0) c.fail(`${f}.outputs`, 'expected at least one output');
    outputs.forEach((out, j) => {
      if (out.length === 0) c.fail(`${f}.outputs[${j}]`, 'expected a non-empty value name');
      if (defined.has(out)) c.fail(`${f}.outputs[${j}]`, `value ${JSON.stringify(out)} is already defined (each value is produced once)`);
      defined.add(out);
    });
    checkAttrs(c, o.attrs, `${f}.attrs`);
    const weights = c.object(o.weights, `${f}.weights`);
    for (const [role, t] of Object.entries(weights)) c.nonEmptyString(t, `${f}.weights.${role}`);
    c.optional(o, 'weightQuant', f, (x, ff) => checkWeightQuant(c, x, ff));
    c.optional(o, 'actQuant', f, (x, ff) => checkActQuant(c, x, ff));
  });
  c.stringArray(g.outputs, `${field}.outputs`).forEach((out, i) => {
    if (!defined.has(out)) c.fail(`${field}.outputs[${i}]`, `graph output ${JSON.stringify(out)} is not produced by any layer or graph input`);
  });
  c.optional(g, 'labels', field, (x, f) => c.stringArray(x, f));
  return g as unknown as Graph;
}

/** What tnn.ts knows about each stored tensor, enough to check references and shapes. */
export interface TensorKind {
  dtype: string;
  packed: boolean;
  /** Logical shape (a packed tensor's trit shape). */
  shape: number[];
}

/** §5: every tensor a layer names exists with the dtype the executor will need. */
export function checkTensorReferences(c: Checker, graph: Graph, tensors: Map<string, TensorKind>, latent: Set<string>, field: string): void {
  graph.layers.forEach((layer: Layer, i) => {
    const f = `${field}.layers[${i}]`;
    const quant = layer.weightQuant;
    for (const [role, name] of Object.entries(layer.weights)) {
      const t = tensors.get(name);
      if (!t) c.fail(`${f}.weights.${role}`, `layer ${JSON.stringify(layer.name)} names tensor ${JSON.stringify(name)}, which is not in the file`);
      const ok = t.packed ? quant?.trits === name : t.dtype === 'F32';
      if (!ok) c.fail(`${f}.weights.${role}`, `tensor ${JSON.stringify(name)} is ${t.packed ? 'packed trits (only allowed as the layer\'s weightQuant.trits)' : t.dtype}, expected F32`);
    }
    if (quant) {
      const t = tensors.get(quant.trits);
      if (!t) c.fail(`${f}.weightQuant.trits`, `packed tensor ${JSON.stringify(quant.trits)} of layer ${JSON.stringify(layer.name)} is not in the file`);
      if (!t.packed) c.fail(`${f}.weightQuant.trits`, `tensor ${JSON.stringify(quant.trits)} is ${t.dtype} but not listed in __metadata__.trit_tensors, expected packed U8 trits`);
      if (quant.latent !== undefined) {
        const l = tensors.get(quant.latent);
        if (!l) c.fail(`${f}.weightQuant.latent`, `latent tensor ${JSON.stringify(quant.latent)} of layer ${JSON.stringify(layer.name)} is not in the file`);
        if (l.packed || l.dtype !== 'F32') c.fail(`${f}.weightQuant.latent`, `tensor ${JSON.stringify(quant.latent)} is ${l.packed ? 'packed trits' : l.dtype}, expected F32`);
        if (!latent.has(quant.latent)) c.fail(`${f}.weightQuant.latent`, `tensor ${JSON.stringify(quant.latent)} is not listed in __metadata__.latent_tensors`);
      }
    }
  });
}

/**
 * §5: shape inference with every op's own rule at load (batch 1), so a graph
 * that cannot run (stride 0, fractional or huge pads, an input or activation
 * over the size limits, mismatched weights) is refused before anything is
 * allocated. The error names the layer and, when one is to blame, the attribute.
 */
export function checkGraphShapes(c: Checker, graph: Graph, tensors: Map<string, TensorKind>, field: string): void {
  if (!graph.inputs.length) return; // nothing to infer: checkGraph has already refused layers that read nothing
  try {
    inferShapes(graph, (layer, role) => {
      const name = role === 'weight' && layer.weightQuant ? layer.weightQuant.trits : layer.weights[role];
      return name === undefined ? undefined : tensors.get(name)?.shape;
    });
  } catch (e) {
    if (e instanceof OpCheckError) {
      const i = graph.layers.findIndex((l) => l.name === e.layer);
      c.fail(`${field}.layers[${i}]${e.attr !== undefined ? `.attrs.${e.attr}` : ''}`, e.message);
    }
    if (e instanceof ExecutionError) c.fail(`${field}.inputs`, e.message);
    throw e;
  }
}
