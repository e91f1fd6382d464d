/** Node texts of the graph view: the visible short label and the accessible name. Pure. */
import type { GraphNode } from './graphModel';

/**
 * Keeps the end of a long name ("…layer1.0/conv1/Conv"): exported names are
 * paths whose distinguishing part is the tail.
 */
export function shortLabel(name: string, maxChars: number): string {
  if (name.length <= maxChars) return name;
  return `…${name.slice(name.length - (maxChars - 1))}`;
}

/** Characters of a label that fit in `width` px at the node font (average glyph ≈ 0.6 em). */
export function charsFor(width: number, fontPx: number): number {
  return Math.max(4, Math.floor(width / (fontPx * 0.6)));
}

export function nodeAriaLabel(n: GraphNode, metric: { label: string; text: string | null } | null): string {
  if (n.kind !== 'layer') return `graph ${n.kind} ${n.name}`;
  const parts = [`${n.op} layer ${n.name}`];
  if (n.detail) parts.push(`output ${n.detail}`);
  parts.push(n.ternary ? 'ternary weights' : 'float');
  if (metric) parts.push(`${metric.label} ${metric.text ?? 'no value'}`);
  return parts.join(', ');
}
