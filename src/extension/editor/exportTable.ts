/** The editor's layer table as Markdown or CSV (for "Export summary"). Pure, no `vscode`. */
import type { LayerRow, ModelView } from '../../shared/messages';

export const TABLE_COLUMNS: Array<{ title: string; get: (r: LayerRow) => string }> = [
  { title: 'layer', get: (r) => r.name },
  { title: 'op', get: (r) => r.op },
  { title: 'shape', get: (r) => r.shape.join('×') },
  { title: 'Δp', get: (r) => num(r.deltaP) },
  { title: 'Δn', get: (r) => num(r.deltaN) },
  { title: 'αp', get: (r) => num(r.alphaP) },
  { title: 'αn', get: (r) => num(r.alphaN) },
  { title: 'γ', get: (r) => num(r.gamma) },
  { title: '−1', get: (r) => (r.trits ? String(r.trits.neg) : '') },
  { title: '0', get: (r) => (r.trits ? String(r.trits.zero) : '') },
  { title: '+1', get: (r) => (r.trits ? String(r.trits.pos) : '') },
  { title: 'sparsity', get: (r) => num(r.sparsity) },
  { title: 'entropy (bits)', get: (r) => num(r.entropyBits) },
  { title: 'rel. error', get: (r) => num(r.relError) },
  { title: 'MACs', get: (r) => (r.cost ? String(r.cost.macs.total) : '') },
  { title: 'MAC kind', get: (r) => r.cost?.macKind ?? '' },
  { title: 'energy (pJ)', get: (r) => (r.cost ? num(r.cost.energyPj) : '') },
  { title: 'weight memory (bits)', get: (r) => (r.cost ? String(r.cost.memoryBits) : '') },
];

function num(v: number | null): string {
  return v === null ? '' : String(Number(v.toPrecision(6)));
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(view: ModelView): string {
  const lines = [TABLE_COLUMNS.map((c) => csvCell(c.title)).join(',')];
  for (const r of view.layers) lines.push(TABLE_COLUMNS.map((c) => csvCell(c.get(r))).join(','));
  return lines.join('\n') + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function tableToMarkdown(view: ModelView, profileName: string | null): string {
  const h = view.header;
  const out = [
    `# ${mdCell(h.modelName)} (${mdCell(h.fileName)})`,
    '',
    `- method: ${h.method ?? 'n/a'}`,
    `- parameters: ${h.params} (ternary ${h.ternaryParams})`,
    `- file size: ${h.fileBytes} bytes (float32: ${h.float32Bytes} bytes)`,
    ...(h.bitsPerTrit !== null ? [`- bits per trit: ${h.bitsPerTrit.toFixed(3)}`] : []),
    ...(h.floatAccuracy !== null ? [`- float accuracy: ${h.floatAccuracy}`] : []),
    ...(h.ternaryAccuracy !== null ? [`- ternary accuracy: ${h.ternaryAccuracy}`] : []),
    ...(profileName ? [`- cost profile: ${profileName}`] : []),
    '',
    `| ${TABLE_COLUMNS.map((c) => mdCell(c.title)).join(' | ')} |`,
    `|${TABLE_COLUMNS.map(() => '---').join('|')}|`,
    ...view.layers.map((r) => `| ${TABLE_COLUMNS.map((c) => mdCell(c.get(r))).join(' | ')} |`),
  ];
  return out.join('\n') + '\n';
}
