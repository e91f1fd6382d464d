/** `tritscope inspect <weights-only model>` without --json: facts, the tensor table by block, totals and the token cost bound. */
import { alignColumns } from '../text';
import type { WeightsInspectSummary, WeightsLayerSummary } from './summary';

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(digits));
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function row(l: WeightsLayerSummary): string[] {
  const t = l.trits;
  const total = t ? t.neg + t.zero + t.pos : 0;
  return [
    l.block === null ? '' : String(l.block),
    l.name,
    l.dtype,
    l.shape.join('×') || '-',
    String(l.params),
    t && total ? `${pct(t.neg / total)} ${pct(t.zero / total)} ${pct(t.pos / total)}` : l.decoded ? (l.ternary ? '-' : 'float') : 'not decoded',
    num(l.entropyBits, 3),
    l.scales && l.scales.count ? `${num(l.scales.min, 3)} / ${num(l.scales.mean, 3)} / ${num(l.scales.max, 3)}` : '-',
    l.bitsPerWeight.toFixed(4).replace(/\.?0+$/, ''),
  ];
}

export function formatWeightsTable(s: WeightsInspectSummary): string {
  const m = s.model;
  const head = [
    `format ${s.format}${s.version !== null ? ` v${s.version}` : ''}${m.architecture ? `, architecture ${m.architecture}` : ''}${m.name ? `, ${m.name}` : ''}`,
    `${m.parameters} parameters (${m.ternaryParameters} ternary) in ${m.blocks} blocks; file ${humanBytes(m.fileBytes)}; ${m.bitsPerWeight.toFixed(4)} bits/weight overall`,
    `context ${m.contextLength ?? '-'}, vocabulary ${m.vocabularySize ?? '-'}; types ${m.byType.map((t) => `${t.dtype} ${t.bitsPerWeight.toFixed(4)} b/w`).join(', ')}`,
  ];
  const header = ['blk', 'tensor', 'type', 'shape', 'params', '−1 0 +1', 'H bits', 'scale min/mean/max', 'bits/w'];
  const table = alignColumns([header, ...s.layers.map(row)], new Set([0, 4, 6, 8]));
  const t = s.totals;
  const c = s.cost;
  const foot = [
    `totals: ${t.trits} trits (−1 ${t.tritCounts.neg}, 0 ${t.tritCounts.zero}, +1 ${t.tritCounts.pos}) at ${t.bitsPerTrit.toFixed(4)} bits; all tensors ${t.bitsPerWeight.toFixed(4)} bits/weight; ${humanBytes(t.weightBytes)} vs float32 ${humanBytes(t.fp32Bytes)}`,
    c.bytesPerToken > 0
      ? `per generated token: ${humanBytes(c.bytesPerToken)} read (matmul ${humanBytes(c.matmulBytes)}${c.tiedEmbedding ? ', tied embedding as output' : ''}) → ≤ ${c.tokensPerSecond.toFixed(1)} tokens/s at ${c.bandwidthGBs} GB/s`
      : 'per generated token: no matrix weights to read (no bandwidth bound)',
    ...s.notes.map((n) => `note: ${n}`),
  ];
  return `${head.join('\n')}\n\n${table}\n\n${foot.join('\n')}\n`;
}
