/**
 * Technology profiles: the built-in ones in ./profiles/*.json (data of the cost
 * model, bundled at build time) and user files named by `tritscope.costProfilesFile`, validated
 * field by field so a bad file gets an error naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { TritscopeError } from '../errors';
import binaryCmos from './profiles/binary-cmos-2bit.json';
import cntfet from './profiles/cntfet-ternary.json';
import float32Mac from './profiles/float32-mac.json';
import int8Mac from './profiles/int8-mac.json';
import { WEIGHT_ENCODINGS, type OpCost, type SourcedNumber, type TechProfile } from './types';

/** A profile file or value violates the profile schema (docs/cost-model.md). */
export class ProfileError extends TritscopeError {}

export const DEFAULT_PROFILE_ID = 'binary-cmos-2bit';
const OP_KEYS = ['macTT', 'macTF', 'macFF', 'add'] as const;

function fail(file: string, field: string, expected: string, got: unknown): never {
  const shown = got === undefined ? 'missing' : `got ${JSON.stringify(got)?.slice(0, 60)}`;
  throw new ProfileError(`${file}: ${field}: expected ${expected}, ${shown}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sourced(v: unknown, file: string, field: string): SourcedNumber {
  if (!isObject(v)) fail(file, field, 'an object {value, source, assumption}', v);
  if (typeof v.value !== 'number' || !Number.isFinite(v.value) || v.value < 0) fail(file, `${field}.value`, 'a finite number ≥ 0', v.value);
  if (typeof v.source !== 'string' || !v.source.trim()) fail(file, `${field}.source`, 'a non-empty string citing where the number comes from', v.source);
  if (typeof v.assumption !== 'boolean') fail(file, `${field}.assumption`, 'true or false', v.assumption);
  return { value: v.value, source: v.source, assumption: v.assumption };
}

/** Validate one profile object; `field` prefixes field paths (e.g. `profiles[2]`). */
export function validateProfile(v: unknown, file: string, field = ''): TechProfile {
  const at = (k: string) => (field ? `${field}.${k}` : k);
  if (!isObject(v)) fail(file, field || '(root)', 'a profile object', v);
  for (const k of ['id', 'name'] as const)
    if (typeof v[k] !== 'string' || !(v[k] as string).trim()) fail(file, at(k), 'a non-empty string', v[k]);
  if (v.description !== undefined && typeof v.description !== 'string') fail(file, at('description'), 'a string', v.description);
  if (typeof v.weightEncoding !== 'string' || !(WEIGHT_ENCODINGS as readonly string[]).includes(v.weightEncoding))
    fail(file, at('weightEncoding'), `one of ${WEIGHT_ENCODINGS.join(', ')}`, v.weightEncoding);
  if (!isObject(v.ops)) fail(file, at('ops'), `an object with ${OP_KEYS.join(', ')}`, v.ops);
  const ops = {} as Record<(typeof OP_KEYS)[number], OpCost>;
  for (const k of OP_KEYS) {
    const op = v.ops[k];
    if (!isObject(op)) fail(file, at(`ops.${k}`), 'an object {transistors, energyPj}', op);
    ops[k] = { transistors: sourced(op.transistors, file, at(`ops.${k}.transistors`)), energyPj: sourced(op.energyPj, file, at(`ops.${k}.energyPj`)) };
  }
  return {
    id: v.id as string,
    name: v.name as string,
    description: (v.description as string | undefined) ?? '',
    weightEncoding: v.weightEncoding as TechProfile['weightEncoding'],
    ops,
    origin: file,
  };
}

/** The profiles shipped with Tritscope, default first. */
export function builtinProfiles(): TechProfile[] {
  return [binaryCmos, cntfet, float32Mac, int8Mac].map((p) => validateProfile(p, `src/core/cost/profiles/${p.id}.json`));
}

/** Parse a user profiles file: one profile object, an array, or {profiles: [...]}. */
export function parseProfilesText(text: string, file: string): TechProfile[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(json)) return json.map((p, i) => validateProfile(p, file, `[${i}]`));
  if (isObject(json) && Array.isArray(json.profiles)) return json.profiles.map((p, i) => validateProfile(p, file, `profiles[${i}]`));
  return [validateProfile(json, file)];
}

export async function loadProfilesFile(file: string): Promise<TechProfile[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ProfileError(`${file}: cannot read the cost profiles file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseProfilesText(text, file);
}

/** Built-in profiles plus those of `userFile`; a user profile replaces a built-in of the same id. */
export async function loadProfiles(userFile?: string): Promise<TechProfile[]> {
  const all = builtinProfiles();
  if (!userFile) return all;
  for (const p of await loadProfilesFile(userFile)) {
    const i = all.findIndex((q) => q.id === p.id);
    if (i >= 0) all[i] = p;
    else all.push(p);
  }
  return all;
}

export function findProfile(profiles: TechProfile[], id: string): TechProfile {
  const p = profiles.find((q) => q.id === id);
  if (!p) throw new ProfileError(`cost profile "${id}" not found; available: ${profiles.map((q) => q.id).join(', ')}`);
  return p;
}
