/**
 * Attribute schemas of the IR ops: names, kinds, bounds and defaults, checked
 * once for every reader of a layer (the `.tnn` graph check, the importers, the
 * executors). An attribute a schema does not list is refused, so a file that
 * asks for a variant this version does not implement (say, ceil-mode pooling)
 * fails with its name instead of being computed differently in silence.
 */
import { ExecutionError } from '../errors';
import type { AttrValue, Layer } from '../graph/types';

/** A layer breaks an op rule; names the layer, the op and, when one is to blame, the attribute. */
export class OpCheckError extends ExecutionError {
  constructor(readonly layer: string, readonly op: string, readonly detail: string, readonly attr?: string) {
    super(`layer '${layer}' (${op}): ${attr !== undefined ? `attribute '${attr}': ` : ''}${detail}`);
  }
}

export function failLayer(layer: Layer, detail: string, attr?: string): never {
  throw new OpCheckError(layer.name, String(layer.op), detail, attr);
}

type Dflt<T> = T | ((attrs: Record<string, AttrValue>) => T);

export interface IntsSpec {
  kind: 'ints';
  /** Exact number of values, when fixed. */
  length?: number;
  /** Lower bound of every value. */
  min?: number;
  default?: Dflt<number[]>;
  help: string;
}

/** One attribute: its kind, bounds, default (absent = required) and a line of help. */
export type AttrSpec =
  | { kind: 'int'; min?: number; max?: number; default?: number; help: string }
  | { kind: 'float'; min?: number; default?: number; help: string }
  | IntsSpec;

export type AttrSchema = Readonly<Record<string, AttrSpec>>;

/** The value type a schema entry reads as. */
type ValueOf<A extends AttrSpec> = A extends { kind: 'ints' } ? number[] : number;
export type AttrValues<S extends AttrSchema> = { [K in keyof S]: ValueOf<S[K]> };

/** Positive integers, e.g. strides, kernel sizes, dilations. */
export const posInts = (length: number, dflt: Dflt<number[]> | undefined, help: string): IntsSpec => ({ kind: 'ints', length, min: 1, default: dflt, help });
/** Non-negative integers, e.g. pads. */
export const nonNegInts = (length: number, dflt: number[], help: string): IntsSpec => ({ kind: 'ints', length, min: 0, default: dflt, help });

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(String).join(',')}]` : String(v));

function checkInt(layer: Layer, key: string, v: unknown, min: number | undefined, max: number | undefined, at = ''): number {
  const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : 'an integer';
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) failLayer(layer, `${at}expected ${what}, got ${describe(v)}`, key);
  if (min !== undefined && v < min) failLayer(layer, `${at}expected ${what}, got ${v}`, key);
  if (max !== undefined && v > max) failLayer(layer, `${at}expected at most ${max}, got ${v}`, key);
  return v;
}

function checkOne(layer: Layer, key: string, spec: AttrSpec, v: unknown): AttrValue {
  switch (spec.kind) {
    case 'int':
      return checkInt(layer, key, v, spec.min, spec.max);
    case 'float':
      if (typeof v !== 'number' || Number.isNaN(v)) failLayer(layer, `expected a number, got ${describe(v)}`, key);
      if (spec.min !== undefined && !(v >= spec.min)) failLayer(layer, `expected a number ≥ ${spec.min}, got ${v}`, key);
      return v;
    case 'ints': {
      if (!Array.isArray(v)) failLayer(layer, `expected a list of integers, got ${describe(v)}`, key);
      if (spec.length !== undefined && v.length !== spec.length) failLayer(layer, `expected ${spec.length} values, got ${describe(v)}`, key);
      v.forEach((x, i) => checkInt(layer, key, x, spec.min, undefined, `[${i}]: `));
      return v as number[];
    }
  }
}

/**
 * Reads the attributes `schema` lists (a subset of the op's schema is fine),
 * each checked and with its default applied. Throws OpCheckError naming the
 * layer and the attribute.
 */
export function readAttrs<S extends AttrSchema>(layer: Layer, schema: S): AttrValues<S> {
  const attrs = layer.attrs ?? {};
  const out: Record<string, AttrValue> = {};
  for (const [key, spec] of Object.entries(schema)) {
    let v: unknown = attrs[key];
    if (v === undefined) {
      const d = spec.default;
      if (d === undefined) failLayer(layer, 'missing (required)', key);
      v = typeof d === 'function' ? d(attrs) : d;
    }
    out[key] = checkOne(layer, key, spec, v);
  }
  return out as AttrValues<S>;
}

/** Checks a layer's attributes against its op's full schema: every value, and no attribute the schema does not list. */
export function checkAttrs(layer: Layer, schema: AttrSchema): void {
  for (const key of Object.keys(layer.attrs ?? {})) {
    if (!Object.hasOwn(schema, key)) {
      const known = Object.keys(schema);
      failLayer(layer, `unknown attribute (${known.length ? `known: ${known.join(', ')}` : 'this op takes none'})`, key);
    }
  }
  readAttrs(layer, schema);
}
