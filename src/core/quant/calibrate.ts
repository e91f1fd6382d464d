/**
 * Activation calibration for W+A ternary models: each ternary layer's input
 * activations are observed on a data sample (reference executor) and an
 * ActQuant is fitted to them.
 *
 * - Inputs with negative values: the seed paper's Eq. 9 rule as for weights,
 *   thresholds μ ± 0.43σ/γ (γ = 1), so each trit holds ≈ 1/3 of a Gaussian.
 * - Non-negative inputs (after ReLU, Eq. 9's "half of the Gaussian" note): only
 *   0 and +1 can occur, so the entropy-maximising split is two equal halves; the
 *   threshold is the sample median. We use the empirical median rather than a
 *   half-normal formula because post-ReLU data carry a point mass at exactly 0
 *   that no Gaussian fit describes. If over half the values are 0 the median is
 *   0 and every positive value becomes +1 (the most even split available).
 *
 * Calibration is sequential: layer k is calibrated with the activations of the
 * layers before it already ternarized, so its statistics are those it will see.
 */
import { runReference } from '../exec/reference';
import { ExecutionError, throwIfInterrupted } from '../errors';
import type { ActQuant, Layer, TnnModel } from '../graph/types';
import type { Tensor } from '../tensor';
import { meanStd } from './common';
import { uniformThresholds } from './asym-uniform';
import { alemdar } from './alemdar';

/** Fits the ActQuant for one layer's observed input values. */
export function fitActQuant(x: Float32Array): ActQuant {
  const { mu, sigma } = meanStd(x);
  let min = Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] < min) min = x[i];
  if (min >= 0) {
    const sorted = Float32Array.from(x).sort();
    const median = sorted.length ? sorted[(sorted.length - 1) >> 1] : 0;
    let sum = 0, n = 0;
    for (let i = 0; i < x.length; i++) if (x[i] > median) { sum += x[i]; n++; }
    // L2-optimal scale for the +1 set: mean of the values mapped to +1.
    return { thresholds: { pos: median, neg: 0 }, scale: n ? sum / n : 0, gamma: null, mu, sigma, variant: 'half-gaussian' };
  }
  const gamma = 1;
  const thresholds = uniformThresholds(mu, sigma, gamma);
  let dot = 0, nnz = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v > thresholds.pos) { dot += v; nnz++; } else if (v < thresholds.neg) { dot -= v; nnz++; }
  }
  return { thresholds, scale: nnz ? Math.max(0, dot / nnz) : 0, gamma, mu, sigma, variant: 'gaussian' };
}

/** Values fed to the L2 search: at most this many, taken at a fixed stride (deterministic). */
const L2_SAMPLE_LIMIT = 200_000;

/**
 * Alternative to the entropy rule: the thresholds and scale minimising
 * ‖x − α·T‖² (the alemdar search on the activations). Not the seed paper's
 * choice, but after post-training quantization (no QAT to adapt the network)
 * it usually loses less accuracy: the median rule turns every nonzero pixel
 * of a mostly-black image into +α.
 */
export function fitActQuantL2(x: Float32Array): ActQuant {
  const stride = Math.max(1, Math.ceil(x.length / L2_SAMPLE_LIMIT));
  const sample = new Float32Array(Math.ceil(x.length / stride));
  for (let i = 0, j = 0; i < x.length; i += stride, j++) sample[j] = x[i];
  const q = alemdar(sample);
  const { mu, sigma } = meanStd(x);
  let min = Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] < min) min = x[i];
  return { thresholds: q.quant.thresholds, scale: q.quant.scale.pos, gamma: null, mu, sigma, variant: min >= 0 ? 'half-gaussian' : 'gaussian' };
}

/** Thrown from the layer callback once the wanted value is captured, to skip the rest of the pass. */
class Captured extends Error {}

/** The values feeding `layer` (its first input) for `input`, in `model` as configured now. */
function captureLayerInput(model: TnnModel, layer: Layer, input: Tensor): Float32Array {
  const want = layer.inputs[0];
  if (model.graph.inputs.some((g) => g.name === want)) return input.data;
  let got: Float32Array | undefined;
  try {
    runReference(model, input, (l, out) => {
      if (l.outputs.includes(want)) {
        got = out.data;
        throw new Captured();
      }
    });
  } catch (e) {
    if (!(e instanceof Captured)) throw e;
  }
  if (!got) throw new ExecutionError(`layer '${layer.name}': input '${want}' was never produced`);
  return got;
}

export interface CalibrateOptions {
  /** Fits an ActQuant to a layer's observed inputs (default fitActQuant). */
  fit?: (x: Float32Array, layer: Layer) => ActQuant;
  onLayer?: (layer: Layer, index: number, total: number) => void;
  /** Checked before each layer (each costs a forward pass over the batch); the loop yields in between so a signal handler can run. */
  signal?: AbortSignal;
}

/**
 * Sets `actQuant` on every layer of `model` that has a weightQuant, in graph
 * order, from the activations `input` produces. Mutates `model` (a model being built).
 */
export async function calibrateActivations(model: TnnModel, input: Tensor, opts: CalibrateOptions = {}): Promise<void> {
  const fit = opts.fit ?? fitActQuant;
  const targets = model.graph.layers.filter((l) => l.weightQuant);
  for (const [i, layer] of targets.entries()) {
    await yieldToEvents();
    throwIfInterrupted(opts.signal, `calibration of '${model.graph.name}'`);
    layer.actQuant = fit(captureLayerInput(model, layer, input), layer);
    opts.onLayer?.(layer, i + 1, targets.length);
  }
}

/** Lets pending events (a SIGINT handler, a worker message) run between synchronous chunks of work. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
