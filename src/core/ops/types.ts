/**
 * The contract of one IR op (docs/architecture.md, "Recipe: add an op"). Every
 * rule about an op lives in its module under src/core/ops/, typed by OpSpec, and
 * is registered by one line in registry.ts. Heavy dependencies appear here as
 * types only (TF.js, the ONNX importer), passed in by the caller, so bundles that
 * never train or import (webview, inspect worker, debug adapter) stay small.
 */
import type { Layer } from '../graph/types';
import type { Tensor } from '../tensor';
import type { AttrSchema } from './attrs';
import type { OnnxConverter, OnnxExportRule } from './onnx-api';
import type { TfTranslation } from './tf-api';

/** Shape of a weight role (dequantized shape for ternary weights); undefined when the layer has none. */
export type WeightShapeFn = (role: string) => number[] | undefined;
/** A weight role's float values (dequantized for ternary weights); undefined when absent. */
export type WeightFn = (role: string) => Tensor | undefined;

/** What the cost model (docs/cost-model.md) gives a cost rule; shapes include the batch (1). */
export interface CostInput {
  layer: Layer;
  inShapes: number[][];
  outShape: number[];
  weightShape: WeightShapeFn;
}

/**
 * How an op's work is counted per sample. MACs are costed by kind: 'layer' takes
 * it from the layer's quantization (ternary weights and/or ternarized input:
 * tt/tf/ff), 'float' is always float×float (e.g. a batchnorm folded to a·x+b).
 * An op that does no arithmetic worth costing says so, with the reason.
 */
export type CostRule =
  | {
      /** Role of the weight whose entries are the MAC operands (zero-skip statistics, MAC-weight memory). */
      macWeight?: string;
      macKind: 'layer' | 'float';
      count(io: CostInput): { macs: number; additions: number };
    }
  | { notCounted: string };

/** Geometry of a convolution lowered to im2col + GEMM by the packed engine. */
export interface ConvGeometry {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}

/**
 * A stage a matmul layer's epilogue can absorb when this layer follows it and
 * nobody else reads the intermediate. The engine applies stages in this order
 * (batchnorm → relu → maxpool) and fuses only in that order.
 */
export type EpilogueStage =
  | { stage: 'batchnorm'; gamma: Float32Array; beta: Float32Array; mean: Float32Array; var: Float32Array; epsilon: number }
  | { stage: 'relu' }
  | { stage: 'clip'; lo: number; hi: number }
  /** y = x + r where r is the layer's other input, computed before the matmul runs (a residual connection). */
  | { stage: 'residual' }
  /** Floor mode; padded cells are −∞. Needs a spatial (conv) head. */
  | { stage: 'maxpool'; kernel: number[]; strides: number[]; pads: number[] };

/** Dedicated packed-engine kernels an op may lower to (implemented by src/core/engine, injected at compile time). */
export interface EngineKernelSet {
  /** Floor-mode max pooling; `pads` (top, left, bottom, right) are −∞ cells, as the reference skips them. */
  maxPool(x: Tensor, window: { kernel: number[]; strides: number[]; pads: number[] }, outShape: number[]): Tensor;
}

export type LayerRun = (xs: Tensor[], outShape: number[]) => Tensor;

/** How the packed engine runs an op. */
export type EngineLowering =
  | {
      /** A GEMM on the packed kernels (the only lowering that takes ternary weights); conv geometry or undefined (dense). */
      kind: 'matmul';
      geometry(layer: Layer): ConvGeometry | undefined;
    }
  | {
      /** The reference kernel, unless `kernel` returns a dedicated one for this layer. */
      kind: 'reference';
      kernel?(layer: Layer, k: EngineKernelSet): LayerRun | undefined;
      /** The epilogue stage this layer can become after a matmul, if any. */
      epilogue?(layer: Layer, w: WeightFn): EpilogueStage | undefined;
    };

/** How quantization-aware training treats an op. */
export interface QatMapping {
  /** Weight roles trained as variables; any other role the layer has is a frozen variable. */
  trainable: readonly string[];
  /** Its 'weight' may be ternarized (post-training and QAT pick these layers). */
  ternary: boolean;
  /** Keeps its input's distribution (pooling, reshapes): QAT looks through it for the activation feeding a ternary layer. */
  passThrough: boolean;
  /**
   * A ReLU: its output is half-Gaussian (Eq. 9's note), and QAT may replace it by
   * RPReLU when it feeds a ternary layer (seed paper §4.1).
   */
  rectifier?: boolean;
}

export interface OpSpec {
  /** One line: what it computes, with the equation or the ONNX op it mirrors. */
  summary: string;
  /** Attribute schema; attributes it does not list are refused. */
  attrs: AttrSchema;
  /** How many activation inputs it reads. */
  inputs: { min: number; max: number };
  /** Weight roles; any other role is refused. */
  weights: Readonly<Record<string, 'required' | 'optional'>>;
  /** The output axis its optional 'bias' runs along: importers fold a following per-channel constant Add into it. */
  biasAxis?: 'channel' | 'last';
  /** Its output is a probability distribution (softmax): consumers take it as is instead of applying softmax. */
  outputsProbabilities?: boolean;
  /**
   * Output shape from input shapes (batch in dim 0). Attributes are already
   * checked against `attrs`; throws OpCheckError naming the layer.
   */
  shape(layer: Layer, inputs: number[][], weightShape: WeightShapeFn): number[];
  /** The reference kernel in plain float (the ground truth; also the packed engine's fallback). */
  run(layer: Layer, xs: Tensor[], outShape: number[], w: WeightFn): Tensor;
  cost: CostRule;
  onnx: {
    /** Converters keyed by ONNX op type (several ONNX ops may map to this op). */
    import: Readonly<Record<string, OnnxConverter>>;
    export: OnnxExportRule;
  };
  /** The TF.js translation (NHWC inside), shared by the bench baseline and QAT. */
  tf: TfTranslation | { unsupported: string };
  engine: EngineLowering;
  qat: QatMapping;
  /** Short geometry for listings, e.g. `16→32 3×3`; empty when there is nothing to say. */
  describe?(layer: Layer, weightShape: WeightShapeFn): string;
}
