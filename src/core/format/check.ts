/**
 * Small typed checks over untrusted JSON: each returns the value with its
 * static type or throws TnnFormatError naming the file and the field path.
 */
import { TnnFormatError } from '../errors';
import { jsonLimitViolation, type JsonLimits } from '../json-limits';

export type Json = Record<string, unknown>;

/**
 * Bounds on the JSON-encoded metadata strings (graph, provenance, …), checked
 * before JSON.parse. A graph nests about 6 levels (graph → layers → layer →
 * weightQuant → thresholds); ResNet-50's holds a few thousand values.
 */
export const METADATA_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxValues: 4_000_000 };

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? typeof v;
  return `${typeof v} ${s.length > 40 ? s.slice(0, 37) + '...' : s}`;
}

export class Checker {
  constructor(readonly file: string) {}

  fail(field: string, detail: string): never {
    throw new TnnFormatError(this.file, field, detail);
  }

  object(v: unknown, field: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `expected an object, found ${describe(v)}`);
    return v as Json;
  }

  array(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, `expected an array, found ${describe(v)}`);
    return v;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, `expected a string, found ${describe(v)}`);
    return v;
  }

  nonEmptyString(v: unknown, field: string): string {
    const s = this.string(v, field);
    if (s.length === 0) this.fail(field, 'expected a non-empty string');
    return s;
  }

  finite(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `expected a finite number, found ${describe(v)}`);
    return v;
  }

  nonNegative(v: unknown, field: string): number {
    const n = this.finite(v, field);
    if (n < 0) this.fail(field, `expected a number ≥ 0, found ${n}`);
    return n;
  }

  nonNegInt(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(field, `expected a non-negative integer, found ${describe(v)}`);
    return v;
  }

  shape(v: unknown, field: string): number[] {
    const a = this.array(v, field);
    return a.map((d, i) => this.nonNegInt(d, `${field}[${i}]`));
  }

  stringArray(v: unknown, field: string): string[] {
    return this.array(v, field).map((s, i) => this.string(s, `${field}[${i}]`));
  }

  optional<T>(o: Json, key: string, field: string, check: (v: unknown, f: string) => T): T | undefined {
    return o[key] === undefined ? undefined : check(o[key], `${field}.${key}`);
  }

  oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(field, `expected one of ${allowed.join(', ')}, found ${describe(v)}`);
    return v as T;
  }

  /** Parses a JSON-encoded metadata string. */
  json(text: string, field: string): unknown {
    const over = jsonLimitViolation(text, METADATA_JSON_LIMITS);
    if (over) this.fail(field, over);
    try {
      return JSON.parse(text);
    } catch (e) {
      this.fail(field, `is not valid JSON: ${(e as Error).message}`);
    }
  }
}
