/**
 * The graph IR shared by importers, quantizers, the `.tnn` format, the reference
 * executor and the packed engine. One layer = one op. Layouts are ONNX's:
 * activations NCHW (batch first), conv weights OIHW, dense weights [out, in]
 * (y = x·Wᵀ + b). Importers of NHWC formats (TF.js) convert to this layout.
 */
import type { OpType } from '../ops/index';
import type { KnownMethod } from '../quant/registry';
import type { Tensor } from '../tensor';

/** An op name: a key of the op table (src/core/ops/registry.ts), whose modules document each op's attributes and weights. */
export type { OpType };

export type AttrValue = number | number[] | string | boolean;

/**
 * How a weight tensor is ternarized. Thresholds and scales are in the units of
 * the layer's float weights: w → +1 when w > thresholds.pos, −1 when
 * w < thresholds.neg, else 0 (ties go to 0, seed paper Eq. 6). The dequantized
 * value of +1 is +scale.pos and of −1 is −scale.neg (both magnitudes ≥ 0).
 */
export interface WeightQuant {
  /**
   * The quantizer that produced the trits (src/core/quant/registry.ts). Open:
   * dequantization never depends on it, so files from newer versions, with
   * methods this one does not know, still read and run.
   */
  method: KnownMethod | (string & {});
  thresholds: { pos: number; neg: number };
  scale: { pos: number; neg: number };
  /** Uniform-distribution normalization (Eq. 9) parameters, asym-uniform only. */
  gamma: number | null;
  mu?: number;
  sigma?: number;
  /** Name of the packed U8 trits tensor (replaces attrs' float `weight` at run time). */
  trits: string;
  /** Name of the stored latent float weights, when kept (for histograms / re-quantization). */
  latent?: string;
  options?: Record<string, AttrValue>;
}

/** Ternarization of a layer's *input* activations (W+A ternary models). */
export interface ActQuant {
  thresholds: { pos: number; neg: number };
  scale: number;
  gamma: number | null;
  mu?: number;
  sigma?: number;
  /** 'gaussian' or 'half-gaussian' (after ReLU, Eq. 9's note). */
  variant: 'gaussian' | 'half-gaussian';
}

export interface Layer {
  name: string;
  op: OpType;
  /** Value names consumed (the graph input name, or a previous layer's output). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Role → tensor name, e.g. { weight: 'conv2.weight', bias: 'conv2.bias' }. */
  weights: Record<string, string>;
  /** Present when the layer's weights are ternary. */
  weightQuant?: WeightQuant;
  /** Present when the layer's input activations are ternarized. */
  actQuant?: ActQuant;
}

export interface GraphInput {
  name: string;
  /** Per-sample shape without the batch dimension, e.g. [1, 28, 28]. */
  shape: number[];
}

export interface Graph {
  name: string;
  inputs: GraphInput[];
  outputs: string[];
  layers: Layer[];
  /** Optional class labels for classifier outputs. */
  labels?: string[];
}

/** 5-trits-per-byte packed ternary tensor, see docs/tnn-format.md. */
export interface PackedTrits {
  kind: 'trits';
  shape: number[];
  count: number;
  bytes: Uint8Array;
}

export type StoredTensor = Tensor | PackedTrits;

export function isPacked(t: StoredTensor): t is PackedTrits {
  return (t as PackedTrits).kind === 'trits';
}

export interface ModelSource {
  file: string;
  sha256: string;
  format: 'onnx' | 'tfjs-layers' | 'tnn' | 'synthetic';
}

/** A float model as produced by an importer. */
export interface FloatModel {
  graph: Graph;
  tensors: Map<string, Tensor>;
  source: ModelSource;
}

export interface Provenance {
  sourceFile?: string;
  sourceSha256?: string;
  method?: string;
  options?: Record<string, AttrValue>;
  dataset?: string;
  floatAccuracy?: number;
  ternaryAccuracy?: number;
  toolVersion: string;
  date: string;
  [k: string]: unknown;
}

/** A loaded or to-be-written `.tnn` model. */
export interface TnnModel {
  graph: Graph;
  tensors: Map<string, StoredTensor>;
  provenance: Provenance;
  /** Per-layer statistics computed at quantization time (trit counts, entropy, errors). */
  layerStats?: Record<string, LayerQuantStats>;
}

export interface LayerQuantStats {
  trits: { neg: number; zero: number; pos: number };
  sparsity: number;
  entropyBits: number;
  relError: number;
  cosine: number;
}
