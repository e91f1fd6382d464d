/** `tritscope inspect` without --json: the summary as an aligned text table. */
import { alignColumns, printable } from '../text';
import type { InspectSummary, LayerSummary } from './summary';

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(digits));
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)}%`);

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function row(l: LayerSummary): string[] {
  const t = l.trits;
  const total = t ? t.neg + t.zero + t.pos : 0;
  return [
    printable(l.name),
    printable(l.op),
    printable(l.ternary ? (l.method ?? 'ternary') : 'float'),
    l.shape.length ? l.shape.join('×') : '-',
    String(l.params),
    l.thresholds ? `${num(l.thresholds.neg)} / ${num(l.thresholds.pos)}` : '-',
    l.scale ? (l.scale.pos === l.scale.neg ? num(l.scale.pos) : `${num(l.scale.neg)} / ${num(l.scale.pos)}`) : '-',
    t && total ? `${pct(t.neg / total)} ${pct(t.zero / total)} ${pct(t.pos / total)}` : '-',
    num(l.entropyBits, 3),
    num(l.relError, 3),
    l.actQuant ? `${l.actQuant.variant} ${num(l.actQuant.thresholds.neg, 3)}/${num(l.actQuant.thresholds.pos, 3)}` : '-',
  ];
}

export function formatSummaryTable(s: InspectSummary): string {
  const p = s.provenance;
  const head: string[] = [`format tnn v${s.version}`];
  if (p.sourceFile) head.push(`source ${p.sourceFile}${p.sourceSha256 ? ` (sha256 ${String(p.sourceSha256).slice(0, 12)}…)` : ''}`);
  if (p.method) head.push(`method ${p.method}`);
  if (p.dataset) head.push(`data ${p.dataset}`);
  if (typeof p.floatAccuracy === 'number' || typeof p.ternaryAccuracy === 'number') head.push(`accuracy float ${pct(p.floatAccuracy)} → ternary ${pct(p.ternaryAccuracy)}`);
  head.push(`tool ${p.toolVersion}, ${p.date}`);
  const header = ['layer', 'op', 'weights', 'shape', 'params', 'Δn / Δp', 'α', '−1 0 +1', 'H bits', 'rel.err', 'act quant'];
  const table = alignColumns([header, ...s.layers.map(row)], new Set([4, 8, 9]));
  const t = s.totals;
  const ratio = t.weightBytes ? (t.fp32Bytes / t.weightBytes).toFixed(1) : '-';
  const latent = t.latentBytes ? `, of which ${bytes(t.latentBytes)} latent float weights` : '';
  const foot = `totals: ${t.params} params, ${t.trits} trits at ${t.bitsPerTrit.toFixed(2)} bits; weights ${bytes(t.weightBytes)} vs float32 ${bytes(t.fp32Bytes)} (${ratio}× smaller); file ${bytes(t.bytes)}${latent}`;
  return `${head.map(printable).join('\n')}\n\n${table}\n\n${foot}\n`;
}
