/**
 * Builds what the `.tnn` editor shows (src/shared/messages.ts ModelView) from a
 * parsed model. Pure: runs in the inspect worker, never imports `vscode`.
 */
import { displayModelName } from '../../core/graph/display-name';
import { isPacked, type TnnModel } from '../../core/graph/types';
import type { InspectSummary, LayerSummary } from '../../core/inspect/summary';
import type { CostNumbers, LayerCost, ModelCost } from '../../core/cost';
import type { CostView, HeaderView, LayerRow, ModelView } from '../../shared/messages';

/** Shannon entropy of the trit distribution in bits; at most log2 3 (seed paper's equal-thirds optimum). */
export function tritEntropy(c: { neg: number; zero: number; pos: number }): number {
  const n = c.neg + c.zero + c.pos;
  if (!n) return 0;
  let h = 0;
  for (const k of [c.neg, c.zero, c.pos]) if (k) h -= (k / n) * Math.log2(k / n);
  return h;
}

export function costView(c: LayerCost | CostNumbers): CostView {
  return {
    macKind: 'macKind' in c ? c.macKind : null,
    macs: { ...c.macs },
    additions: c.additions,
    memoryBits: c.memoryBits,
    skippableMacs: c.zeroSkip.skippableMacs,
    weightZeroFraction: c.zeroSkip.weightZeroFraction,
    energyPj: c.energyPj,
    energySkipPj: c.energySkipPj,
  };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function headerView(model: TnnModel, summary: InspectSummary, filePath: string): HeaderView {
  const p = model.provenance;
  const provenance: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (k !== 'options' && v !== undefined && v !== null) provenance[k] = text(v);
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.options ?? {})) options[k] = text(v);
  const methods = [...new Set(summary.layers.flatMap((l) => (l.method ? [l.method] : [])))];
  const t = summary.totals;
  return {
    fileName: filePath.split(/[\\/]/).pop() ?? filePath,
    filePath,
    modelName: displayModelName(model.graph.name, filePath),
    method: p.method ?? (methods.length ? methods.join(', ') : null),
    options,
    provenance,
    params: t.params,
    ternaryParams: t.trits,
    fileBytes: t.bytes,
    float32Bytes: t.fp32Bytes,
    bitsPerTrit: t.trits ? t.bitsPerTrit : null,
    floatAccuracy: typeof p.floatAccuracy === 'number' ? p.floatAccuracy : null,
    ternaryAccuracy: typeof p.ternaryAccuracy === 'number' ? p.ternaryAccuracy : null,
    sourceFile: typeof p.sourceFile === 'string' ? p.sourceFile : null,
  };
}

function layerRow(model: TnnModel, l: LayerSummary, index: number, cost: LayerCost | undefined): LayerRow {
  const layer = model.graph.layers[index];
  const latent = layer?.weightQuant?.latent;
  return {
    index,
    name: l.name,
    op: l.op,
    shape: l.shape.length ? [...l.shape] : cost ? cost.outputShape : [],
    outputShape: cost ? cost.outputShape : null,
    ternary: l.ternary,
    actTernary: l.actQuant !== null,
    method: l.method,
    deltaP: l.thresholds?.pos ?? null,
    deltaN: l.thresholds?.neg ?? null,
    alphaP: l.scale?.pos ?? null,
    alphaN: l.scale?.neg ?? null,
    gamma: l.gamma,
    trits: l.trits ? { ...l.trits } : null,
    sparsity: l.sparsity,
    entropyBits: l.entropyBits ?? (l.trits ? tritEntropy(l.trits) : null),
    relError: l.relError,
    hasLatent: !!(latent && model.tensors.has(latent)),
    cost: cost ? costView(cost) : null,
    inputs: layer ? [...layer.inputs] : [],
    outputs: layer ? [...layer.outputs] : [],
  };
}

/** The editor's view of a model: rows are the `inspect --json` layers (same Δ, α, stats), plus cost. */
export function buildModelView(model: TnnModel, summary: InspectSummary, filePath: string, cost: ModelCost | null, parseMs: number): ModelView {
  const byName = new Map(cost?.layers.map((c) => [c.name, c]) ?? []);
  return {
    header: headerView(model, summary, filePath),
    layers: summary.layers.map((l, i) => layerRow(model, l, i, byName.get(l.name))),
    totals: cost ? costView(cost.totals) : null,
    parseMs,
    inputs: model.graph.inputs.map((i) => i.name),
    outputs: [...model.graph.outputs],
  };
}

/** Histogram of a layer's latent float weights: `bins` equal-width bins over [min, max]. */
export function latentHistogram(model: TnnModel, layerName: string, bins = 64): { counts: Float64Array; min: number; max: number } | null {
  const layer = model.graph.layers.find((l) => l.name === layerName);
  const latent = layer?.weightQuant?.latent;
  const t = latent ? model.tensors.get(latent) : undefined;
  if (!t || isPacked(t)) return null;
  let min = Infinity, max = -Infinity;
  for (const v of t.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Float64Array(bins);
  if (!(max > min)) {
    counts[0] = t.data.length;
    return { counts, min, max: min };
  }
  const scale = bins / (max - min);
  for (const v of t.data) counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
  return { counts, min, max };
}
