/**
 * The `tritscope inspect --json` object: one entry per layer in graph order with
 * its quantization parameters and statistics, and model totals. Other tools
 * (editor, cost model, scripts) rely on these keys; add keys, never rename them.
 */
import { countPackedTrits, TNN_VERSION, unpackTrits } from '../format/index';
import { isPacked, type ActQuant, type Layer, type LayerQuantStats, type Provenance, type TnnModel } from '../graph/types';
import { entropyBits, quantStats } from '../quant/stats';
import { sizeOf } from '../tensor';

export interface LayerSummary {
  name: string;
  op: string;
  ternary: boolean;
  /** Shape of the layer's weight tensor (logical shape for trits); [] for layers without weights. */
  shape: number[];
  thresholds: { pos: number; neg: number } | null;
  /** Magnitudes: +1 ↦ +pos, −1 ↦ −neg; equal for symmetric-scale methods. */
  scale: { pos: number; neg: number } | null;
  gamma: number | null;
  trits: { neg: number; zero: number; pos: number } | null;
  entropyBits: number | null;
  relError: number | null;
  sparsity: number | null;
  cosine: number | null;
  method: string | null;
  /** Number of weight values of the layer (all roles; trits count once each). */
  params: number;
  actQuant: ActQuant | null;
}

export interface SummaryTotals {
  params: number;
  /** Ternary weights in the model. */
  trits: number;
  /** Size of the `.tnn` file. */
  bytes: number;
  /** Stored bits per ternary weight in the packed tensors (8/5 = 1.6 for 5-per-byte packing). */
  bitsPerTrit: number;
  /** Size of the same parameters as float32. */
  fp32Bytes: number;
  /** Bytes of the parameters as stored for inference: packed trits + float32 tensors (no latents, no header). */
  weightBytes: number;
  /** Bytes of latent float weights kept in the file for histograms / re-quantization. */
  latentBytes: number;
}

export interface InspectSummary {
  format: 'tnn';
  version: number;
  provenance: Provenance;
  layers: LayerSummary[];
  totals: SummaryTotals;
}

/** Statistics for a ternary layer: the stored ones, else recomputed from latent weights, else counts only. */
function ternaryStats(model: TnnModel, layer: Layer): Partial<LayerQuantStats> & { trits: LayerQuantStats['trits'] } | null {
  const q = layer.weightQuant;
  if (!q) return null;
  const stored = model.layerStats?.[layer.name];
  if (stored) return stored;
  const packed = model.tensors.get(q.trits);
  if (!packed || !isPacked(packed)) return null;
  const latent = q.latent !== undefined ? model.tensors.get(q.latent) : undefined;
  if (latent && !isPacked(latent) && latent.data.length === packed.count) {
    return quantStats(latent.data, unpackTrits(packed.bytes, packed.count), q);
  }
  const trits = countPackedTrits(packed.bytes, packed.count);
  const n = packed.count;
  return { trits, sparsity: n ? trits.zero / n : 0, entropyBits: n ? entropyBits([trits.neg, trits.zero, trits.pos]) : 0 };
}

function layerParams(model: TnnModel, layer: Layer): { params: number; shape: number[] } {
  let params = 0;
  let shape: number[] = [];
  for (const [role, name] of Object.entries(layer.weights)) {
    const t = model.tensors.get(name);
    if (!t) continue;
    const n = isPacked(t) ? t.count : sizeOf(t.shape); // the shape, not data.length: a lazily decoded tensor stays undecoded
    params += n;
    if (role === 'weight') shape = [...t.shape];
  }
  return { params, shape };
}

export function summarizeTnn(model: TnnModel, fileBytes: number): InspectSummary {
  const layers: LayerSummary[] = model.graph.layers.map((layer) => {
    const q = layer.weightQuant;
    const st = ternaryStats(model, layer);
    const { params, shape } = layerParams(model, layer);
    return {
      name: layer.name,
      op: layer.op,
      ternary: Boolean(q),
      shape,
      thresholds: q ? { ...q.thresholds } : null,
      scale: q ? { ...q.scale } : null,
      gamma: q ? q.gamma ?? null : null,
      trits: st ? { ...st.trits } : null,
      entropyBits: st?.entropyBits ?? null,
      relError: st?.relError ?? null,
      sparsity: st?.sparsity ?? null,
      cosine: st?.cosine ?? null,
      method: q?.method ?? null,
      params,
      actQuant: layer.actQuant ? { ...layer.actQuant } : null,
    };
  });
  // Totals over the tensors the graph uses once each (shared weights count once; latent copies not at all).
  const used = new Set<string>();
  for (const l of model.graph.layers) for (const name of Object.values(l.weights)) used.add(name);
  let params = 0, trits = 0, tritBytes = 0, floatParams = 0;
  for (const name of used) {
    const t = model.tensors.get(name);
    if (!t) continue;
    if (isPacked(t)) {
      trits += t.count;
      tritBytes += t.bytes.length;
      params += t.count;
    } else {
      params += sizeOf(t.shape);
      floatParams += sizeOf(t.shape);
    }
  }
  const latent = new Set<string>();
  for (const l of model.graph.layers) if (l.weightQuant?.latent !== undefined && !used.has(l.weightQuant.latent)) latent.add(l.weightQuant.latent);
  let latentBytes = 0;
  for (const name of latent) {
    const t = model.tensors.get(name);
    if (t && !isPacked(t)) latentBytes += 4 * sizeOf(t.shape);
  }
  return {
    format: 'tnn',
    version: Number(TNN_VERSION),
    provenance: model.provenance,
    layers,
    totals: {
      params,
      trits,
      bytes: fileBytes,
      bitsPerTrit: trits ? (8 * tritBytes) / trits : 0,
      fp32Bytes: 4 * params,
      weightBytes: tritBytes + 4 * floatParams,
      latentBytes,
    },
  };
}
