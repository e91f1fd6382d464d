/**
 * Which nodes differ between two models, for the compare view's graphs. Pure.
 *
 * Layers are matched by name. A layer present in both is *changed* when any of
 * these differ (numbers beyond a relative tolerance of 1e-6, so a float32
 * round trip is not a change):
 *  - op        the operation;
 *  - shape     the weight shape or the output shape;
 *  - quant     ternary or float weights, ternarized inputs, method, Δp, Δn, αp, αn, γ;
 *  - trits     the −1/0/+1 counts, sparsity, entropy or relative error;
 *  - wiring    the values it consumes (its incoming edges).
 * Only in the first model: *removed*; only in the second: *added*.
 */
import type { LayerRow } from '../../src/shared/messages';

export type ChangeKind = 'same' | 'changed' | 'added' | 'removed';
export type ChangeReason = 'op' | 'shape' | 'quant' | 'trits' | 'wiring';

export interface NodeChange {
  kind: ChangeKind;
  reasons: ChangeReason[];
}

export const REL_TOL = 1e-6;

export function sameNumber(x: number | null | undefined, y: number | null | undefined, tol = REL_TOL): boolean {
  if (x === null || x === undefined || y === null || y === undefined) return (x ?? null) === (y ?? null);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  return Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y));
}

const sameList = <T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined) =>
  (a ?? null) === (b ?? null) || (!!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]));

export function layerChanges(a: LayerRow, b: LayerRow): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  if (a.op !== b.op) reasons.push('op');
  if (!sameList(a.shape, b.shape) || !sameList(a.outputShape, b.outputShape)) reasons.push('shape');
  const quantNums = (['deltaP', 'deltaN', 'alphaP', 'alphaN', 'gamma'] as const).every((k) => sameNumber(a[k], b[k]));
  if (a.ternary !== b.ternary || a.actTernary !== b.actTernary || a.method !== b.method || !quantNums) reasons.push('quant');
  const counts = (r: LayerRow) => (r.trits ? [r.trits.neg, r.trits.zero, r.trits.pos] : null);
  const tritNums = (['sparsity', 'entropyBits', 'relError'] as const).every((k) => sameNumber(a[k], b[k]));
  if (!sameList(counts(a), counts(b)) || !tritNums) reasons.push('trits');
  // Wiring is compared only when both views carry it (older views have no inputs).
  if (a.inputs && b.inputs && !sameList(a.inputs, b.inputs)) reasons.push('wiring');
  return reasons;
}

/** Layer name → change, for every layer of either model. */
export function diffLayers(a: readonly LayerRow[], b: readonly LayerRow[]): Map<string, NodeChange> {
  const out = new Map<string, NodeChange>();
  const bBy = new Map(b.map((r) => [r.name, r]));
  const aNames = new Set(a.map((r) => r.name));
  for (const r of a) {
    const other = bBy.get(r.name);
    if (!other) { out.set(r.name, { kind: 'removed', reasons: [] }); continue; }
    const reasons = layerChanges(r, other);
    out.set(r.name, { kind: reasons.length ? 'changed' : 'same', reasons });
  }
  for (const r of b) if (!aNames.has(r.name)) out.set(r.name, { kind: 'added', reasons: [] });
  return out;
}

export function changeSummary(d: ReadonlyMap<string, NodeChange>): Record<ChangeKind, number> {
  const s: Record<ChangeKind, number> = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const c of d.values()) s[c.kind]++;
  return s;
}
