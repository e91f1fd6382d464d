/** Small DOM builders of the model viewer: element helper, header, layer details. */
import type { CostView, HeaderView, LayerRow } from '../src/shared/messages';
import { fmt, fmtBytes, fmtCount, fmtEnergy, fmtPercent, LOG2_3, tritFractions } from './table';

type Child = Node | string | null | undefined | false;

/** createElement with attributes and children; text is always set as text (never parsed as HTML). */
export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

function fact(label: string, value: string, id?: string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', id ? { id } : {}, value)];
}

export function renderHeader(h: HeaderView, totals: CostView | null): HTMLElement {
  const ratio = h.fileBytes ? h.float32Bytes / h.fileBytes : 0;
  const facts = el('dl', { class: 'facts', id: 'header-facts' },
    ...fact('method', h.method ?? '–', 'fact-method'),
    ...fact('parameters', `${fmtCount(h.params)} (${fmtCount(h.ternaryParams)} trits)`, 'fact-params'),
    ...fact('file size', `${fmtBytes(h.fileBytes)} — float32 weights would take ${fmtBytes(h.float32Bytes)}${
      ratio >= 1 ? ` (${ratio.toFixed(1)}× more)` : ratio > 0 ? ' (the file is larger: it keeps latent float weights)' : ''}`, 'fact-size'),
    ...fact('bits per trit', h.bitsPerTrit === null ? '–' : h.bitsPerTrit.toFixed(3), 'fact-bits'),
    ...(h.floatAccuracy !== null || h.ternaryAccuracy !== null
      ? fact('accuracy (float / ternary)', `${fmtPercent(h.floatAccuracy)} / ${fmtPercent(h.ternaryAccuracy)}`, 'fact-accuracy') : []),
    ...(totals ? fact('MACs per sample', `${fmtCount(totals.macs.total)} (tt ${fmtCount(totals.macs.tt)}, tf ${fmtCount(totals.macs.tf)}, ff ${fmtCount(totals.macs.ff)})`, 'fact-macs') : []),
    ...(totals ? fact('energy per sample', `${fmtEnergy(totals.energyPj)} (${fmtEnergy(totals.energySkipPj)} skipping zeros)`, 'fact-energy') : []),
  );
  const opts = Object.entries(h.options);
  const prov = Object.entries(h.provenance).filter(([k]) => k !== 'method');
  return el('header', { class: 'model-header' },
    el('h1', { id: 'model-name' }, h.modelName, el('span', { class: 'file-name' }, ` ${h.fileName}`)),
    facts,
    opts.length ? el('p', { class: 'options', id: 'method-options' }, 'options: ', opts.map(([k, v]) => `${k}=${v}`).join(', ')) : null,
    prov.length ? el('details', { class: 'provenance', id: 'provenance' }, el('summary', {}, 'Provenance'),
      el('dl', { class: 'facts' }, ...prov.flatMap(([k, v]) => fact(k, v)))) : null,
  );
}

/** −1 / 0 / +1 proportions as a tiny stacked bar (widths set through CSSOM, allowed by the CSP). */
export function tritBar(row: LayerRow): HTMLElement {
  const f = tritFractions(row.trits);
  if (!f) return el('span', { class: 'trit-bar-none' });
  const bar = el('span', { class: 'trit-bar', role: 'img' });
  bar.setAttribute('aria-label', `−1 ${fmtPercent(f[0])}, 0 ${fmtPercent(f[1])}, +1 ${fmtPercent(f[2])}`);
  bar.title = bar.getAttribute('aria-label')!;
  (['neg', 'zero', 'pos'] as const).forEach((k, i) => {
    const s = el('span', { class: `trit-${k}` });
    s.style.width = `${(100 * f[i]).toFixed(2)}%`;
    bar.append(s);
  });
  return bar;
}

export function renderDetails(r: LayerRow): HTMLElement[] {
  const c = r.cost;
  const facts = el('dl', { class: 'facts', id: 'details-facts' },
    ...fact('op', r.op),
    ...fact('weight shape', r.shape.join('×') || '–'),
    ...fact('output shape', r.outputShape?.join('×') ?? '–'),
    ...fact('weights', r.ternary ? `ternary (${r.method})` : 'float'),
    ...fact('input activations', r.actTernary ? 'ternarized' : 'float'),
    ...(r.ternary ? [
      ...fact('thresholds Δn / Δp', `${fmt(r.deltaN)} / ${fmt(r.deltaP)}`),
      ...fact('scales αn / αp', `${fmt(r.alphaN)} / ${fmt(r.alphaP)}`),
      ...fact('γ', fmt(r.gamma)),
      ...fact('trits −1 / 0 / +1', r.trits ? `${r.trits.neg} / ${r.trits.zero} / ${r.trits.pos}` : '–'),
      ...fact('entropy', r.entropyBits === null ? '–' : `${r.entropyBits.toFixed(3)} of ${LOG2_3.toFixed(3)} bits`),
      ...fact('relative error', fmt(r.relError)),
    ] : []),
    ...(c ? [
      ...fact('MACs', `${fmtCount(c.macs.total)}${c.macKind ? ` (${c.macKind})` : ''}`),
      ...fact('additions', fmtCount(c.additions)),
      ...fact('weight memory', `${fmtCount(c.memoryBits)} bits`),
      ...fact('zero-skippable MACs', `${fmtCount(c.skippableMacs)}${c.weightZeroFraction !== null ? ` (${fmtPercent(c.weightZeroFraction)} zero weights)` : ''}`),
      ...fact('energy', `${fmtEnergy(c.energyPj)} (${fmtEnergy(c.energySkipPj)} skipping zeros)`),
    ] : []),
  );
  const out = [el('h2', { id: 'details-title' }, r.name), facts];
  if (r.hasLatent) {
    const canvas = el('canvas', { id: 'histogram-canvas', role: 'img', 'aria-label': `histogram of ${r.name} latent float weights with Δn and Δp` });
    out.push(el('figure', { class: 'chart histogram', id: 'chart-histogram' }, el('figcaption', {}, 'Latent float weights with Δn, Δp'), el('div', { class: 'chart-body' }, canvas)));
  } else if (r.ternary) {
    out.push(el('p', { class: 'hint' }, 'No latent float weights stored in this file: no histogram.'));
  }
  return out;
}
