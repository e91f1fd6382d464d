/**
 * DOM of the weights-only viewer's header (model facts, bits per weight by
 * stored type, notes, metadata) and of the cost section (bytes read per
 * generated token, the tokens/s bound at a bandwidth the user sets).
 */
import type { TokenCostView, TypeTotals, WeightsHeaderView } from '../../src/shared/weightsView';
import { el } from '../parts';
import { fmtBytes, fmtCount, fmtPercent } from '../table';
import { fmtBits, fmtDecimalBytes, fmtRate, tokensPerSecond } from './model';

function fact(label: string, value: string | Node, id: string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { id }, value)];
}

function typeChips(h: WeightsHeaderView): HTMLElement {
  const ternary = new Set(h.byType.filter((t) => t.ternary).map((t) => t.dtype.replace(/ \(packed trits\)$/, '')));
  return el('span', { class: 'chips' }, ...h.quantTypes.map((t) => el('span', { class: `chip${ternary.has(t) ? ' ternary' : ''}`, title: ternary.has(t) ? 'ternary' : '' }, t)));
}

export function byTypeTable(byType: readonly TypeTotals[]): HTMLElement {
  const head = el('tr', {}, ...['stored type', 'tensors', 'parameters', 'size', 'bits / weight'].map((t, i) => el('th', i ? { class: 'num' } : {}, t)));
  const rows = byType.map((t) =>
    el('tr', { 'data-type': t.dtype },
      el('td', {}, t.dtype, t.ternary ? el('span', { class: 'kind ternary' }, ' ternary') : ''),
      el('td', { class: 'num' }, String(t.tensors)),
      el('td', { class: 'num' }, fmtCount(t.elements)),
      el('td', { class: 'num' }, fmtBytes(t.bytes)),
      el('td', { class: 'num bits' }, fmtBits(t.bitsPerWeight))));
  return el('table', { class: 'by-type', id: 'weights-by-type' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

export function renderWeightsHeader(h: WeightsHeaderView): HTMLElement {
  const title = h.name ?? h.fileName;
  const facts = el('dl', { class: 'facts', id: 'weights-facts' },
    ...fact('format', `${h.formatLabel}${h.version !== null ? ` v${h.version}` : ''}`, 'fact-format'),
    ...fact('architecture', h.architecture ?? '–', 'fact-architecture'),
    ...fact('parameters', `${fmtCount(h.parameters)} (${fmtCount(h.ternaryParameters)} in ternary tensors)`, 'fact-params'),
    ...fact('file size', `${fmtDecimalBytes(h.fileBytes)} (${fmtBytes(h.fileBytes)}); header ${fmtBytes(h.headerBytes)} read to show this`, 'fact-size'),
    ...fact('bits / weight', `${fmtBits(h.bitsPerWeight)} overall, ${fmtBits(h.ternaryBitsPerWeight)} in ternary tensors`, 'fact-bits'),
    ...fact('context length', h.contextLength === null ? '–' : String(h.contextLength), 'fact-context'),
    ...fact('vocabulary', h.vocabularySize === null ? '–' : String(h.vocabularySize), 'fact-vocab'),
    ...fact('blocks', String(h.blocks), 'fact-blocks'),
    ...fact('types present', typeChips(h), 'fact-types'),
  );
  return el('header', { class: 'model-header weights-header' },
    el('h1', { id: 'model-name' }, title, el('span', { class: 'file-name' }, ` ${h.fileName}`)),
    el('div', { class: 'header-grid' }, facts, byTypeTable(h.byType)),
    h.notes.length ? el('ul', { class: 'notes', id: 'weights-notes' }, ...h.notes.map((n) => el('li', {}, n))) : null,
    h.metadata.length ? el('details', { class: 'provenance', id: 'weights-metadata' }, el('summary', {}, `Metadata (${h.metadata.length} keys shown)`),
      el('dl', { class: 'facts' }, ...h.metadata.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))) : null,
  );
}

const ROLE_TEXT: Record<string, string> = {
  attn_q: 'attention Q', attn_k: 'attention K', attn_v: 'attention V', attn_qkv: 'attention QKV', attn_output: 'attention output',
  ffn_gate: 'FFN gate', ffn_up: 'FFN up', ffn_down: 'FFN down', output: 'output head',
};
const ENCODING_TEXT: Record<string, string> = { packed: 'packed, 5 trits per byte', twoBit: '2 bits per trit', int8: 'int8 per trit', float32: 'float32 per weight' };

/**
 * The cost section; `bandwidth` is the current GB/s. Returns the section and a function that refreshes
 * the tokens/s figures when the bandwidth or the cost (data-decided ternary tensors) changes.
 */
export function renderCost(input: HTMLElement): { section: HTMLElement; update(cost: TokenCostView, bandwidthGBs: number): void } {
  const figures = el('dl', { class: 'facts', id: 'cost-facts' });
  const roles = el('tbody', {});
  const encodings = el('tbody', {});
  const section = el('section', { class: 'cost', id: 'weights-cost', 'aria-labelledby': 'cost-title' },
    el('h2', { id: 'cost-title' }, 'Memory cost of one generated token'),
    el('p', { class: 'hint' }, 'At batch size 1 every matrix a token multiplies through is read from memory once, so tokens/s ≤ bandwidth ÷ bytes per token (KV cache, activations and compute ignored).'),
    el('label', { class: 'bandwidth-label' }, 'Memory bandwidth (GB/s) ', input),
    // Left: the figures and what other weight encodings would give; right: bytes by matrix role.
    el('div', { class: 'cost-grid' },
      el('div', { class: 'cost-left' },
        figures,
        el('table', { class: 'by-type', id: 'cost-encodings' }, el('thead', {}, el('tr', {}, ...['ternary matrices stored as', 'bytes / token', 'tokens / s ≤'].map((t, i) => el('th', i ? { class: 'num' } : {}, t)))), encodings)),
      el('table', { class: 'by-type', id: 'cost-by-role' }, el('thead', {}, el('tr', {}, ...['matrices', 'tensors', 'bytes / token', 'share'].map((t, i) => el('th', i ? { class: 'num' } : {}, t)))), roles)),
  );
  const update = (cost: TokenCostView, bandwidthGBs: number) => {
    const tps = tokensPerSecond(cost.bytesPerToken, bandwidthGBs);
    figures.replaceChildren(
      ...fact('bytes read per token', `${fmtDecimalBytes(cost.bytesPerToken)} (${fmtBytes(cost.bytesPerToken)})`, 'cost-bytes'),
      ...fact('matrix multiplies', fmtDecimalBytes(cost.matmulBytes), 'cost-matmul'),
      ...fact('embedding row, norms, scales', fmtDecimalBytes(cost.otherBytes), 'cost-other'),
      ...fact('tokens / s bound', `≤ ${fmtRate(tps)} tokens/s at ${bandwidthGBs} GB/s`, 'cost-tps'),
      ...(cost.tiedEmbedding ? fact('output head', 'tied to the token embedding (read as the output matrix)', 'cost-tied') : []),
    );
    roles.replaceChildren(...cost.byRole.map((r) => el('tr', {},
      el('td', {}, ROLE_TEXT[r.role] ?? r.role), el('td', { class: 'num' }, String(r.tensors)),
      el('td', { class: 'num' }, fmtDecimalBytes(r.bytes)), el('td', { class: 'num' }, fmtPercent(r.bytes / cost.bytesPerToken)))));
    encodings.replaceChildren(...cost.encodings.map((e) => el('tr', { 'data-encoding': e.encoding },
      el('td', {}, ENCODING_TEXT[e.encoding] ?? e.encoding), el('td', { class: 'num' }, fmtDecimalBytes(e.bytesPerToken)),
      el('td', { class: 'num' }, fmtRate(tokensPerSecond(e.bytesPerToken, bandwidthGBs))))));
    encodings.closest('table')?.toggleAttribute('hidden', !cost.encodings.length);
  };
  return { section, update };
}
