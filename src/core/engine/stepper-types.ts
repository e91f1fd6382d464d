/**
 * The contract between the packed engine (src/core/engine) and its consumers
 * (the debugger, `tritscope run --trace`). States are cached by the engine so a
 * caller can step back and re-run from any layer.
 */
import type { Layer } from '../graph/types';
import type { Divergence } from '../output-math';
import type { Tensor } from '../tensor';

export type SubStepKind = 'quantize-input' | 'ternary-matmul' | 'float-matmul' | 'scale' | 'bias-bn' | 'activation' | 'op';

export interface SubStep {
  kind: SubStepKind;
  label: string;
  output: Tensor;
  /** True when `output` holds trits (−1/0/+1) before scaling. */
  ternary: boolean;
}

/** Defined beside the other output math (run and the debugger use it too). */
export type { Divergence };

export interface LayerState {
  index: number;
  layer: Layer;
  inputs: Tensor[];
  output: Tensor;
  /** Present when sub-steps were requested. */
  subSteps?: SubStep[];
  /** Present with compareFloat: the reference executor's output for the same layer. */
  float?: { output: Tensor; divergence: Divergence };
  /** Engine time for this layer, ms. */
  timeMs: number;
}

export interface FinalResult {
  probabilities: Float32Array;
  /** Sample 0's raw output values (logits, or the probabilities of a softmax head): what the ranking uses. */
  scores: Float32Array;
  /** The whole graph output (every sample), when the stepper keeps it (the packed engine's does). */
  output?: Tensor;
  predicted: number;
  floatPredicted?: number;
  agree?: boolean;
  topKAgreement?: number;
}

export interface StepOptions {
  subSteps?: boolean;
  compareFloat?: boolean;
}

/** Random-access stepping over one input's forward pass. */
export interface Stepper {
  readonly layers: readonly Layer[];
  /** Index of the next layer to run; layers.length when finished. */
  readonly position: number;
  /** Runs the next layer (or returns its cached state) and advances. */
  step(): LayerState | undefined;
  /** Moves back one layer; returns the state now current, or undefined at the start. */
  back(): LayerState | undefined;
  /** Cached or computed state of layer i (runs up to i if needed). */
  stateAt(i: number): LayerState;
  /** With compareFloat: 'latent-float' = the float original rebuilt from stored latent weights; 'dequantized-ternary' otherwise. */
  readonly floatKind?: 'latent-float' | 'dequantized-ternary';
  /** Final prediction; runs to the end if needed. */
  final(): FinalResult;
}
