/**
 * Requests between the debugger runtime (src/debug, in the extension host or the
 * standalone adapter) and the inference worker (src/workers/inference.ts) that
 * owns the packed engine's Stepper; they travel in ./rpc.ts envelopes. Only
 * summaries, slices and downsampled views cross the boundary, never whole
 * activations, so a step costs a few kilobytes of structured clone.
 */
import type { Graph, LayerQuantStats, ActQuant, WeightQuant } from '../core/graph/types';
import type { SubStepKind } from '../core/engine/stepper-types';
import type { ActivationView } from './activationView';

/** Names one tensor of one layer's state (or a model weight) inside the worker. */
export interface TensorRef {
  layer: number;
  kind: 'input' | 'output' | 'sub' | 'float' | 'weight';
  /** Input/sub-step index, or the weight tensor's name. */
  key: number | string;
}

/** Statistics of a tensor's values (trits present when every value is −1, 0 or +1). */
export interface ValueSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  /** Present when every value is −1, 0 or +1 (a ternary tensor before scaling). */
  trits?: { neg: number; zero: number; pos: number };
}

export interface TensorSummary extends ValueSummary {
  name: string;
  shape: number[];
  /** 'trits' for packed ternary weights; 'f32' otherwise. */
  dtype: 'f32' | 'trits';
  ref: TensorRef;
}

export interface FloatComparison {
  output: TensorSummary;
  /** ‖t − f‖₂ / ‖f‖₂ (the engine's Divergence.relL2). */
  relL2: number;
  cosine: number;
  /** Share of the float output's top-k entries (k = min(5, size)) that are also the ternary output's top-k. */
  topKAgreement: number;
}

export interface SubStepSummary {
  kind: SubStepKind;
  label: string;
  ternary: boolean;
  output: TensorSummary;
}

export interface LayerStepSummary {
  index: number;
  name: string;
  op: string;
  inputs: TensorSummary[];
  output: TensorSummary;
  subSteps: SubStepSummary[];
  float?: FloatComparison;
  weights: TensorSummary[];
  quant: { weight?: WeightQuant; activation?: ActQuant; stats?: LayerQuantStats };
  /** Zero share of the ternary weights, else of the output. */
  sparsity: number;
  timeMs: number;
}

export interface ModelInfo {
  graph: Graph;
  /** Shape of every stored tensor (for the listing's `16→32 3×3`). */
  shapes: Record<string, number[]>;
  inputShape: number[];
}

export interface FinalSummary {
  predicted: number;
  predictedLabel: string;
  probabilities: number[];
  labels: string[];
  floatPredicted?: number;
  floatPredictedLabel?: string;
  agree?: boolean;
  topKAgreement?: number;
}

/** The reduced tensor of the activation view (shared with the webview). */
export type LayerView = ActivationView;

export interface EngineLoadOptions {
  model: string;
  input: string;
  compareFloat: boolean;
  subSteps: boolean;
}

export type EngineRequest =
  | { type: 'load'; options: EngineLoadOptions }
  | { type: 'setInput'; input: string }
  | { type: 'state'; index: number }
  | { type: 'slice'; ref: TensorRef; start: number; count: number }
  | { type: 'final' }
  | { type: 'view'; index: number; subStep: number };

export interface EngineResults {
  load: ModelInfo;
  setInput: { inputShape: number[] };
  state: LayerStepSummary;
  slice: number[];
  final: FinalSummary;
  view: LayerView;
}

