/**
 * The float model a `.tnn` was ternarized from, rebuilt from its stored latent
 * float weights: ternary layers use their latent weights and no activation is
 * ternarized. This is what "compare with float" means to a user — where the
 * ternary model parts from its float original. Without latent weights the best
 * available reference is the dequantized ternary model itself (kind says which).
 * QAT's latent weights are trained *for* ternarization (Eq. 9 normalization, the
 * BatchNorm after them fitted to α·T), so they are no float original either.
 */
import { isPacked, type FloatModel, type Layer, type TnnModel } from '../graph/types';
import type { Tensor } from '../tensor';

export interface FloatOriginal {
  model: FloatModel | TnnModel;
  kind: 'latent-float' | 'dequantized-ternary';
}

export function floatOriginal(tnn: TnnModel): FloatOriginal {
  const quantized = tnn.graph.layers.filter((l) => l.weightQuant);
  const latentOk = quantized.every((l) => {
    const t = l.weightQuant!.latent ? tnn.tensors.get(l.weightQuant!.latent) : undefined;
    return t !== undefined && !isPacked(t);
  });
  const trainedTernary = String(tnn.provenance.method ?? '').startsWith('qat');
  if (!latentOk || trainedTernary) return { model: tnn, kind: 'dequantized-ternary' };
  const layers: Layer[] = tnn.graph.layers.map((l) => {
    const { weightQuant, actQuant: _actQuant, ...rest } = l;
    return weightQuant ? { ...rest, weights: { ...l.weights, weight: weightQuant.latent! } } : rest;
  });
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of tnn.tensors) if (!isPacked(t)) tensors.set(name, t);
  return {
    model: { graph: { ...tnn.graph, layers }, tensors, source: { file: tnn.provenance.sourceFile ?? '', sha256: tnn.provenance.sourceSha256 ?? '', format: 'tnn' } },
    kind: 'latent-float',
  };
}
