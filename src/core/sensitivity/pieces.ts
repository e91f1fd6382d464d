/**
 * The building blocks of every configuration a sweep runs: each weight layer is
 * ternarized once (the same call quantizeModel makes, so a piece equals what
 * `tritscope quantize` writes for that layer), and any keep-float set is then
 * assembled from the float model and those pieces without quantizing again.
 */
import { packTrits } from '../format/index';
import type { FloatModel, Layer, LayerQuantStats, PackedTrits, StoredTensor, TnnModel, WeightQuant } from '../graph/types';
import { QuantError } from '../quant/common';
import { ternarizeLayer, weightLayers } from '../quant/model';
import { quantizerSpec } from '../quant/registry';
import { resolveOptions, type OptionValue, type OptionValues } from '../quant/spec';
import { quantStats } from '../quant/stats';
import { TOOL_VERSION } from '../version';

export interface TernaryPiece {
  tritsName: string;
  packed: PackedTrits;
  quant: WeightQuant;
  stats: LayerQuantStats;
}

export interface SweepPieces {
  float: FloatModel;
  method: string;
  options: OptionValues;
  seed: number;
  /** The weight layers (conv2d/dense with a weight tensor), in graph order. */
  candidates: Layer[];
  /** Graph index of each candidate. */
  indexOf: Map<string, number>;
  pieces: Map<string, TernaryPiece>;
  /** The model with exactly the layers in `ternary` ternarized (names of candidates). */
  assemble(ternary: ReadonlySet<string>): TnnModel;
}

export interface PieceOptions {
  method: string;
  options?: Readonly<Record<string, OptionValue | undefined>>;
  seed?: number;
  signal?: AbortSignal;
  onLayer?: (done: number, total: number, name: string) => void;
}

function uniqueName(base: string, taken: ReadonlyMap<string, unknown>, also: ReadonlySet<string>): string {
  let name = base;
  for (let i = 1; taken.has(name) || also.has(name); i++) name = `${base}.${i}`;
  return name;
}

export async function quantizePieces(float: FloatModel, o: PieceOptions): Promise<SweepPieces> {
  const spec = quantizerSpec(o.method);
  const options = resolveOptions(spec, o.options);
  const seed = o.seed ?? 0;
  const candidates = weightLayers(float.graph.layers);
  if (!candidates.length) throw new QuantError(`model '${float.graph.name}' has no conv2d or dense layer with weights: nothing to analyse`);
  const indexOf = new Map(candidates.map((l) => [l.name, float.graph.layers.indexOf(l)]));
  const pieces = new Map<string, TernaryPiece>();
  const usedNames = new Set<string>();
  for (const layer of candidates) {
    if (o.signal?.aborted) throw new QuantError(`sensitivity analysis of '${float.graph.name}' cancelled`);
    const wName = layer.weights.weight;
    const w = float.tensors.get(wName);
    if (!w) throw new QuantError(`${float.source.file}: layer '${layer.name}': weight tensor '${wName}' is missing`);
    const { trits, quant } = ternarizeLayer(spec, options, layer, wName, w.data, seed);
    const tritsName = uniqueName(`${wName}.trits`, float.tensors, usedNames);
    usedNames.add(tritsName);
    pieces.set(layer.name, {
      tritsName,
      packed: { kind: 'trits', shape: [...w.shape], count: trits.length, bytes: packTrits(trits) },
      quant: { ...quant, trits: tritsName, latent: wName },
      stats: quantStats(w.data, trits, quant),
    });
    o.onLayer?.(pieces.size, candidates.length, layer.name);
    // Let a cancel (SIGTERM handler, worker message) run between layers of a large model.
    await new Promise((r) => setImmediate(r));
  }

  const assemble = (ternary: ReadonlySet<string>): TnnModel => {
    const tensors = new Map<string, StoredTensor>(float.tensors);
    const layerStats: Record<string, LayerQuantStats> = {};
    const layers = float.graph.layers.map((l) => {
      const p = ternary.has(l.name) ? pieces.get(l.name) : undefined;
      if (!p) return l; // shared, never written to
      tensors.set(p.tritsName, p.packed);
      layerStats[l.name] = p.stats;
      return { ...l, weights: { ...l.weights, weight: p.tritsName }, weightQuant: p.quant };
    });
    const keep = candidates.filter((l) => !ternary.has(l.name)).map((l) => l.name);
    return {
      graph: { ...float.graph, layers },
      tensors,
      layerStats,
      provenance: { toolVersion: TOOL_VERSION, date: '', method: o.method, options: { keepFloat: keep.join(',') || 'none' } },
    };
  };
  return { float, method: o.method, options, seed, candidates, indexOf, pieces, assemble };
}
