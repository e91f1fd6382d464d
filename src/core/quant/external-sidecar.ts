/**
 * The quantization sidecar written by the PyTorch package (python/tritscope_torch/export.py):
 * a safetensors file whose `__metadata__` says what an ONNX float graph cannot —
 * each ternary layer's trits, thresholds, scales, γ/μ/σ, input-activation
 * quantization and the RPReLU feeding it — keyed by the ONNX initializer name
 * of the layer's weight. Every field is validated as hostile input; errors name
 * the file and the field (`<file>: layers[2].thresholds.pos: …`).
 *
 * __metadata__: format "tritscope-quant", version "1", layers (JSON array),
 * provenance (JSON object, optional), labels (JSON array of strings, optional).
 * Tensors: trits as I8 in the weight's shape, RPReLU parameters as F32 vectors.
 */
import { QUANTIZER_IDS } from './registry';
import { Checker, decodeToFloat32, describe, parseSafetensorsHeader, type Json, type TensorEntry } from '../format/index';
import type { ActQuant, AttrValue, WeightQuant } from '../graph/types';

export const SIDECAR_FORMAT = 'tritscope-quant';
export const SIDECAR_VERSION = '1';
const MAX_ENTRIES = 100_000;
const MAX_OPTIONS = 64;
const MAX_LABELS = 100_000;
const ORIGINS = ['qat', 'ptq'] as const;
const VARIANTS = ['gaussian', 'half-gaussian'] as const;
const ENTRY_KEYS = new Set(['weight', 'module', 'method', 'origin', 'trits', 'thresholds', 'scale', 'gamma', 'mu', 'sigma', 'options', 'actQuant', 'inputRprelu']);
const WEIGHT_KEYS = ['method', 'origin', 'trits', 'thresholds', 'scale', 'gamma'] as const;

export interface SidecarWeights {
  method: WeightQuant['method'];
  origin: (typeof ORIGINS)[number];
  trits: Int8Array;
  shape: number[];
  thresholds: { pos: number; neg: number };
  scale: { pos: number; neg: number };
  gamma: number | null;
  mu?: number;
  sigma?: number;
  options: Record<string, AttrValue>;
}

export interface SidecarRprelu {
  slope: Float32Array;
  shiftIn: Float32Array;
  shiftOut: Float32Array;
  /** Sidecar tensor names, to report and to tell shared RPReLUs apart. */
  names: string[];
}

export interface SidecarEntry {
  /** ONNX initializer name of the layer's weight. */
  weight: string;
  field: string;
  weights?: SidecarWeights;
  actQuant?: ActQuant;
  inputRprelu?: SidecarRprelu;
}

export interface QuantSidecar {
  file: string;
  entries: SidecarEntry[];
  provenance: Record<string, AttrValue | Record<string, AttrValue>>;
  labels?: string[];
}

function attr(c: Checker, v: unknown, field: string): AttrValue {
  if (typeof v === 'number') return c.finite(v, field);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.length <= 4096) return v.map((x, i) => c.finite(x, `${field}[${i}]`));
  return c.fail(field, `expected a finite number, number array, string or boolean, found ${describe(v)}`);
}

function attrs(c: Checker, v: unknown, field: string): Record<string, AttrValue> {
  const o = c.object(v, field);
  const keys = Object.keys(o);
  if (keys.length > MAX_OPTIONS) c.fail(field, `${keys.length} entries, at most ${MAX_OPTIONS} allowed`);
  return Object.fromEntries(keys.map((k) => [k, attr(c, o[k], `${field}.${k}`)]));
}

function pair(c: Checker, v: unknown, field: string, nonNegative: boolean): { pos: number; neg: number } {
  const o = c.object(v, field);
  const num = (x: unknown, f: string) => (nonNegative ? c.nonNegative(x, f) : c.finite(x, f));
  return { pos: num(o.pos, `${field}.pos`), neg: num(o.neg, `${field}.neg`) };
}

function gammaOf(c: Checker, v: unknown, field: string): number | null {
  if (v === null) return null;
  const g = c.finite(v, field);
  if (!(g > 0)) c.fail(field, `expected null or a number > 0 (Eq. 9's γ), found ${g}`);
  return g;
}

function normalization(c: Checker, o: Json, field: string): { mu?: number; sigma?: number } {
  const mu = c.optional(o, 'mu', field, (v, f) => c.finite(v, f));
  const sigma = c.optional(o, 'sigma', field, (v, f) => c.nonNegative(v, f));
  return { ...(mu !== undefined ? { mu } : {}), ...(sigma !== undefined ? { sigma } : {}) };
}

function actQuant(c: Checker, v: unknown, field: string): ActQuant {
  const o = c.object(v, field);
  for (const k of Object.keys(o)) if (!['thresholds', 'scale', 'gamma', 'mu', 'sigma', 'variant'].includes(k)) c.fail(`${field}.${k}`, 'unknown key');
  return {
    thresholds: pair(c, o.thresholds, `${field}.thresholds`, false),
    scale: c.nonNegative(o.scale, `${field}.scale`),
    gamma: gammaOf(c, o.gamma, `${field}.gamma`),
    ...normalization(c, o, field),
    variant: c.oneOf(o.variant, VARIANTS, `${field}.variant`),
  };
}

/** Reads the sidecar's tensors by name, each at most once per role check. */
class Tensors {
  private readonly byName = new Map<string, TensorEntry>();
  readonly used = new Set<string>();
  constructor(private readonly c: Checker, private readonly bytes: Uint8Array, private readonly dataStart: number, entries: TensorEntry[]) {
    for (const e of entries) this.byName.set(e.name, e);
  }

  private get(name: unknown, field: string, dtype: 'I8' | 'F32'): TensorEntry {
    const n = this.c.nonEmptyString(name, field);
    const e = this.byName.get(n);
    if (!e) this.c.fail(field, `names tensor '${n}', which the sidecar does not contain`);
    if (e.dtype !== dtype) this.c.fail(field, `tensor '${n}' has dtype ${e.dtype}; expected ${dtype}`);
    this.used.add(n);
    return e;
  }

  trits(name: unknown, field: string): { trits: Int8Array; shape: number[] } {
    const e = this.get(name, field, 'I8');
    const trits = new Int8Array(this.bytes.buffer.slice(this.bytes.byteOffset + this.dataStart + e.begin, this.bytes.byteOffset + this.dataStart + e.end));
    for (let i = 0; i < trits.length; i++) {
      if (trits[i] < -1 || trits[i] > 1) this.c.fail(field, `tensor '${e.name}' element ${i} (byte ${this.dataStart + e.begin + i}) is ${trits[i]}; trits must be -1, 0 or +1`);
    }
    return { trits, shape: e.shape };
  }

  vector(name: unknown, field: string): Float32Array {
    const e = this.get(name, field, 'F32');
    if (e.shape.length !== 1) this.c.fail(field, `tensor '${e.name}' has shape [${e.shape.join(',')}]; expected a vector (one value per channel)`);
    const data = decodeToFloat32(this.bytes.subarray(this.dataStart + e.begin, this.dataStart + e.end), 'F32', e.shape[0]);
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) this.c.fail(field, `tensor '${e.name}' element ${bad} is ${data[bad]}; expected finite numbers`);
    return data;
  }

  unused(): string[] {
    return [...this.byName.keys()].filter((n) => !this.used.has(n));
  }
}

function weightsOf(c: Checker, o: Json, field: string, t: Tensors): SidecarWeights | undefined {
  const present = WEIGHT_KEYS.filter((k) => o[k] !== undefined);
  if (present.length === 0) return undefined;
  const missing = WEIGHT_KEYS.filter((k) => o[k] === undefined);
  if (missing.length) c.fail(`${field}.${missing[0]}`, `missing (a ternary weight entry needs ${WEIGHT_KEYS.join(', ')})`);
  const { trits, shape } = t.trits(o.trits, `${field}.trits`);
  return {
    method: c.oneOf(o.method, QUANTIZER_IDS, `${field}.method`),
    origin: c.oneOf(o.origin, ORIGINS, `${field}.origin`),
    trits,
    shape,
    thresholds: pair(c, o.thresholds, `${field}.thresholds`, false),
    scale: pair(c, o.scale, `${field}.scale`, true),
    gamma: gammaOf(c, o.gamma, `${field}.gamma`),
    ...normalization(c, o, field),
    options: o.options === undefined ? {} : attrs(c, o.options, `${field}.options`),
  };
}

function rpreluOf(c: Checker, v: unknown, field: string, t: Tensors): SidecarRprelu {
  const o = c.object(v, field);
  for (const k of Object.keys(o)) if (!['slope', 'shiftIn', 'shiftOut'].includes(k)) c.fail(`${field}.${k}`, 'unknown key (expected slope, shiftIn, shiftOut)');
  const slope = t.vector(o.slope, `${field}.slope`);
  const shiftIn = t.vector(o.shiftIn, `${field}.shiftIn`);
  const shiftOut = t.vector(o.shiftOut, `${field}.shiftOut`);
  if (shiftIn.length !== slope.length || shiftOut.length !== slope.length) c.fail(field, `slope, shiftIn and shiftOut have ${slope.length}, ${shiftIn.length} and ${shiftOut.length} values; expected one per channel each`);
  return { slope, shiftIn, shiftOut, names: [o.slope, o.shiftIn, o.shiftOut] as string[] };
}

function provenanceOf(c: Checker, text: string | undefined): QuantSidecar['provenance'] {
  if (text === undefined) return {};
  const o = c.object(c.json(text, '__metadata__.provenance'), '__metadata__.provenance');
  const keys = Object.keys(o);
  if (keys.length > MAX_OPTIONS) c.fail('__metadata__.provenance', `${keys.length} keys, at most ${MAX_OPTIONS} allowed`);
  const out: QuantSidecar['provenance'] = {};
  for (const k of keys) {
    const f = `__metadata__.provenance.${k}`;
    if (k === 'options') out[k] = attrs(c, o[k], f);
    else if (k === 'floatAccuracy' || k === 'ternaryAccuracy') {
      const a = c.finite(o[k], f);
      if (a < 0 || a > 1) c.fail(f, `expected a fraction in [0, 1], found ${a}`);
      out[k] = a;
    } else out[k] = attr(c, o[k], f);
  }
  return out;
}

function labelsOf(c: Checker, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const a = c.array(c.json(text, '__metadata__.labels'), '__metadata__.labels');
  if (a.length > MAX_LABELS) c.fail('__metadata__.labels', `${a.length} labels, at most ${MAX_LABELS} allowed`);
  return a.map((s, i) => {
    const v = c.string(s, `__metadata__.labels[${i}]`);
    if (v.length > 1000) c.fail(`__metadata__.labels[${i}]`, 'longer than 1000 characters');
    return v;
  });
}

/** Parses and validates a sidecar file's bytes (the whole file). */
export function parseQuantSidecar(bytes: Uint8Array, file: string): QuantSidecar {
  const header = parseSafetensorsHeader(bytes, file);
  const c: Checker = new Checker(file); // typed, so that c.fail's `never` narrows
  const meta = header.metadata;
  if (!meta) c.fail('__metadata__', `missing; not a Tritscope quantization sidecar (expected format '${SIDECAR_FORMAT}')`);
  if (meta.format !== SIDECAR_FORMAT) c.fail('__metadata__.format', `expected '${SIDECAR_FORMAT}', found ${describe(meta.format)}`);
  if (meta.version !== SIDECAR_VERSION) c.fail('__metadata__.version', `version ${describe(meta.version)} is not supported (expected '${SIDECAR_VERSION}')`);
  if (meta.layers === undefined) c.fail('__metadata__.layers', 'missing');
  const layers = c.array(c.json(meta.layers, '__metadata__.layers'), '__metadata__.layers');
  if (layers.length > MAX_ENTRIES) c.fail('__metadata__.layers', `${layers.length} entries, at most ${MAX_ENTRIES} allowed`);
  const t = new Tensors(c, bytes, header.dataStart, header.entries);
  const seen = new Set<string>();
  const entries = layers.map((v, i): SidecarEntry => {
    const field = `layers[${i}]`;
    const o = c.object(v, field);
    for (const k of Object.keys(o)) if (!ENTRY_KEYS.has(k)) c.fail(`${field}.${k}`, `unknown key (expected ${[...ENTRY_KEYS].join(', ')})`);
    const weight = c.nonEmptyString(o.weight, `${field}.weight`);
    if (seen.has(weight)) c.fail(`${field}.weight`, `'${weight}' appears in more than one entry`);
    seen.add(weight);
    c.optional(o, 'module', field, (x, f) => c.string(x, f));
    const e: SidecarEntry = { weight, field, weights: weightsOf(c, o, field, t) };
    if (o.actQuant !== undefined) e.actQuant = actQuant(c, o.actQuant, `${field}.actQuant`);
    if (o.inputRprelu !== undefined) e.inputRprelu = rpreluOf(c, o.inputRprelu, `${field}.inputRprelu`, t);
    if (!e.weights && !e.actQuant && !e.inputRprelu) c.fail(field, 'says nothing: expected ternary weights, actQuant or inputRprelu');
    return e;
  });
  const unused = t.unused();
  if (unused.length) c.fail(`header["${unused[0]}"]`, `tensor is not referenced by any layer entry${unused.length > 1 ? ` (nor ${unused.length - 1} more)` : ''}`);
  return { file, entries, provenance: provenanceOf(c, meta.provenance), labels: labelsOf(c, meta.labels) };
}
