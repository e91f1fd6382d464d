/** Per-layer deltas between two `.tnn` models (the `tritscope.compare` view). Pure, no `vscode`. */
import type { LayerRow, ModelView } from '../../shared/messages';

export interface LayerDelta {
  name: string;
  op: string;
  /** 'both' | only in the original ('a') | only in the modified ('b'). */
  presence: 'both' | 'a' | 'b';
  deltaP: [number | null, number | null];
  deltaN: [number | null, number | null];
  alphaP: [number | null, number | null];
  alphaN: [number | null, number | null];
  sparsity: [number | null, number | null];
  entropyBits: [number | null, number | null];
  relError: [number | null, number | null];
  /** Fraction of trits that differ, when both counts exist (lower bound from the histograms). */
  tritCountShift: number | null;
}

const pair = (a: LayerRow | undefined, b: LayerRow | undefined, k: 'deltaP' | 'deltaN' | 'alphaP' | 'alphaN' | 'sparsity' | 'entropyBits' | 'relError'): [number | null, number | null] =>
  [a?.[k] ?? null, b?.[k] ?? null];

export function compareModels(a: ModelView, b: ModelView): LayerDelta[] {
  const bByName = new Map(b.layers.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const rows: LayerDelta[] = [];
  const make = (x: LayerRow | undefined, y: LayerRow | undefined): LayerDelta => {
    const ta = x?.trits, tb = y?.trits;
    const n = ta ? ta.neg + ta.zero + ta.pos : 0;
    return {
      name: (x ?? y)!.name,
      op: (x ?? y)!.op,
      presence: x && y ? 'both' : x ? 'a' : 'b',
      deltaP: pair(x, y, 'deltaP'), deltaN: pair(x, y, 'deltaN'), alphaP: pair(x, y, 'alphaP'), alphaN: pair(x, y, 'alphaN'),
      sparsity: pair(x, y, 'sparsity'), entropyBits: pair(x, y, 'entropyBits'), relError: pair(x, y, 'relError'),
      // Half the L1 distance of the two count vectors: at least this many trits changed.
      tritCountShift: ta && tb && n ? (Math.abs(ta.neg - tb.neg) + Math.abs(ta.zero - tb.zero) + Math.abs(ta.pos - tb.pos)) / 2 / n : null,
    };
  };
  for (const l of a.layers) {
    seen.add(l.name);
    rows.push(make(l, bByName.get(l.name)));
  }
  for (const l of b.layers) if (!seen.has(l.name)) rows.push(make(undefined, l));
  return rows;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cell([x, y]: [number | null, number | null]): string {
  const f = (v: number | null) => (v === null ? '–' : Number(v.toPrecision(4)).toString());
  if (x === null || y === null) return `<td>${f(x)} → ${f(y)}</td>`;
  const d = y - x;
  const cls = d === 0 ? 'same' : 'changed';
  return `<td class="${cls}">${f(x)} → ${f(y)}${d ? ` <span class="delta">(${d > 0 ? '+' : ''}${Number(d.toPrecision(3))})</span>` : ''}</td>`;
}

/** Static HTML body (no script) for the comparison webview. */
export function compareHtmlBody(a: ModelView, b: ModelView): string {
  const rows = compareModels(a, b);
  const head = ['layer', 'op', 'Δp', 'Δn', 'αp', 'αn', 'sparsity', 'entropy', 'rel. error', 'trits moved ≥'];
  return `<h2 class="compare-title">${esc(a.header.fileName)} ↔ ${esc(b.header.fileName)}</h2>
<p class="compare-meta">${esc(a.header.method ?? 'n/a')} → ${esc(b.header.method ?? 'n/a')}; ternary accuracy ${a.header.ternaryAccuracy ?? '–'} → ${b.header.ternaryAccuracy ?? '–'}</p>
<table class="layers compare" id="compare-table"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr data-layer="${esc(r.name)}" class="presence-${r.presence}"><td>${esc(r.name)}${r.presence === 'both' ? '' : r.presence === 'a' ? ' (removed)' : ' (added)'}</td><td>${esc(r.op)}</td>${[r.deltaP, r.deltaN, r.alphaP, r.alphaN, r.sparsity, r.entropyBits, r.relError].map(cell).join('')}<td>${r.tritCountShift === null ? '–' : (100 * r.tritCountShift).toFixed(2) + ' %'}</td></tr>`).join('\n')}
</tbody></table>`;
}
