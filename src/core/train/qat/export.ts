/**
 * QatNet → TnnModel: trained float tensors back in IR layouts (OIHW, [out,in]),
 * ternary weights as packed trits with float-unit thresholds (γ, μ, σ of
 * Eq. 9 folded in, see quantizers.ts), ternary input activations as ActQuant,
 * RPReLU layers as IR `rprelu`. The source FloatModel is never modified.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { packTrits } from '../../format/index';
import type { ActQuant, Graph, Layer, LayerQuantStats, Provenance, StoredTensor, TnnModel, WeightQuant } from '../../graph/types';
import { irParam } from '../../ops/index';
import { quantStats } from '../../quant/index';
import type { Tensor } from '../../tensor';
import { TOOL_VERSION } from '../../version';
import type { Tf } from '../backend';
import type { QatNet } from './qat-net';
import { codeWithFolded, type FoldedQuant } from './quantizers';

/** A trained variable back in the IR layout of its layer's op (the inverse of the op's TF layout). */
function toIr(tf: Tf, v: tfjs.Tensor, layer: Layer, role: string): Tensor {
  return irParam(tf, layer, role, v);
}

function uniqueName(base: string, taken: Map<string, unknown>): string {
  let n = base, i = 1;
  while (taken.has(n)) n = `${base}.${i++}`;
  return n;
}

export interface ExportInfo {
  method: string;
  options: Record<string, string | number | boolean>;
  dataset?: string;
  floatAccuracy?: number;
  ternaryAccuracy?: number;
  extra?: Record<string, unknown>;
}

export function exportTnn(tf: Tf, net: QatNet, info: ExportInfo): TnnModel {
  const src = net.model;
  const graph: Graph = JSON.parse(JSON.stringify(src.graph)) as Graph;
  const tensors = new Map<string, StoredTensor>();
  for (const [k, t] of src.tensors) tensors.set(k, { shape: [...t.shape], data: Float32Array.from(t.data) });
  const layerStats: Record<string, LayerQuantStats> = {};
  for (const layer of graph.layers) {
    const vars = net.vars.get(layer.name) ?? {};
    if (net.rpreluLayers.has(layer.name)) {
      layer.op = 'rprelu';
      layer.weights = {};
      for (const role of ['slope', 'shiftIn', 'shiftOut']) {
        const name = uniqueName(`${layer.name}.${role}`, tensors);
        tensors.set(name, toIr(tf, vars[role], layer, role));
        layer.weights[role] = name;
      }
      continue;
    }
    for (const [role, v] of Object.entries(vars)) {
      const name = layer.weights[role];
      if (name) tensors.set(name, toIr(tf, v, layer, role));
    }
    if (net.quantWeights && net.weightQ.has(layer.name)) exportWeights(tf, net, layer, tensors, layerStats);
    const aq = net.quantActs ? net.actQ.get(layer.name) : undefined;
    if (aq) {
      const q = aq.fold();
      const act: ActQuant = { thresholds: { pos: q.pos, neg: q.neg }, scale: q.scalePos, gamma: q.gamma, variant: aq.variant };
      if (q.mu !== undefined) act.mu = q.mu;
      if (q.sigma !== undefined) act.sigma = q.sigma;
      layer.actQuant = act;
    }
  }
  const provenance: Provenance = {
    sourceFile: src.source.file,
    sourceSha256: src.source.sha256,
    method: info.method,
    options: info.options,
    dataset: info.dataset,
    floatAccuracy: info.floatAccuracy,
    ternaryAccuracy: info.ternaryAccuracy,
    toolVersion: TOOL_VERSION,
    date: new Date().toISOString(),
    ...(info.extra ?? {}),
  };
  return { graph, tensors, provenance, layerStats };
}

function exportWeights(tf: Tf, net: QatNet, layer: Layer, tensors: Map<string, StoredTensor>, stats: Record<string, LayerQuantStats>): void {
  const q = net.weightQ.get(layer.name)!;
  const v = net.vars.get(layer.name)!.weight;
  const folded: FoldedQuant = q.fold(v.dataSync() as Float32Array);
  const ir = toIr(tf, v, layer, 'weight');
  const trits = codeWithFolded(ir.data, folded);
  const wName = layer.weights.weight;
  const tritsName = uniqueName(`${wName}.trits`, tensors);
  tensors.set(tritsName, { kind: 'trits', shape: [...ir.shape], count: trits.length, bytes: packTrits(trits) });
  layer.weights.weight = tritsName;
  const wq: WeightQuant = {
    method: q.opts.method,
    thresholds: { pos: folded.pos, neg: folded.neg },
    scale: { pos: folded.scalePos, neg: folded.scaleNeg },
    gamma: folded.gamma,
    trits: tritsName,
    latent: wName,
    options: q.exportOptions(),
  };
  if (folded.mu !== undefined) wq.mu = folded.mu;
  if (folded.sigma !== undefined) wq.sigma = folded.sigma;
  layer.weightQuant = wq;
  stats[layer.name] = quantStats(ir.data, trits, wq);
}
