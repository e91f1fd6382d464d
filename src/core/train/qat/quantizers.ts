/**
 * Per-layer quantizer state for QAT: learnable thresholds, scales and γ, and
 * the float-unit thresholds the exported `.tnn` stores.
 *
 * - 'asym-uniform' (the seed paper): Eq. 9 normalization z̃ = γ·(z − μ)·0.5/(0.43σ)
 *   (optional: `uniform`), asymmetric learnable Δp, Δn (optional: `asymmetric`;
 *   symmetric ties Δn = −Δp), one symmetric scale α (Eq. 6, 8), trained by bi-STE.
 *   Because the normalization is affine with γ·0.5/(0.43σ) > 0, z̃ > Δp ⇔
 *   z > μ + Δp·0.43σ/(0.5γ): γ, μ and σ fold exactly into float-unit thresholds
 *   at export (this is how γ is "absorbed" — the layer's output never carries γ).
 * - 'twn' (Eq. 2–3): Δ = 0.7·E|w|, α = E_{|w|>Δ}|w| recomputed every step, plain STE.
 * - 'ttq' (Eq. 4–5): Δ = 0.05·max|w| (TTQ's code), learned αp, αn.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { biSteTernarize, steTernarize, stopGradient, ternaryCode, ttqTernarize } from './ternary-ops';

export type QatMethod = 'asym-uniform' | 'twn' | 'ttq';
export type ActVariant = 'gaussian' | 'half-gaussian';

export interface QuantizerOptions {
  method: QatMethod;
  /** Eq. 9 uniform-distribution normalization with learnable γ (asym-uniform only). */
  uniform: boolean;
  /** Independent Δp, Δn (asym-uniform only); false ties Δn = −Δp. */
  asymmetric: boolean;
}

/** Eq. 9's constant: ±0.43σ split a Gaussian into equal thirds, mapped to ±0.5. */
export const UNIFORM_HALF_WIDTH = 0.43;

export interface FoldedQuant {
  /** Float-unit thresholds (what the `.tnn` stores), float32-rounded. */
  pos: number;
  neg: number;
  scalePos: number;
  scaleNeg: number;
  gamma: number | null;
  mu?: number;
  sigma?: number;
}

function meanStd(v: Float32Array): { mu: number; sigma: number } {
  let s = 0, q = 0;
  for (const x of v) { s += x; q += x * x; }
  const mu = s / v.length;
  return { mu, sigma: Math.sqrt(Math.max(1e-12, q / v.length - mu * mu)) };
}

function meanAbsAbove(v: Float32Array, t: number): number {
  let s = 0, n = 0;
  for (const x of v) if (Math.abs(x) > t) { s += Math.abs(x); n++; }
  return n ? s / n : t;
}

const f32 = Math.fround;

/** Ternarizes one layer's weights. Variables are created from the float weights `w0`. */
export class WeightQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private dp?: tfjs.Variable;
  private dn?: tfjs.Variable;
  private gamma?: tfjs.Variable;
  private alpha?: tfjs.Variable;
  private ap?: tfjs.Variable;
  private an?: tfjs.Variable;

  constructor(private readonly tf: Tf, readonly name: string, w0: Float32Array, readonly opts: QuantizerOptions) {
    const v = (x: number, n: string) => { const t = tf.variable(tf.scalar(x), true, `${name}/${n}`); this.vars.push(t); return t; };
    const { mu, sigma } = meanStd(w0);
    const meanAbs = w0.reduce((a, b) => a + Math.abs(b), 0) / w0.length;
    if (opts.method === 'asym-uniform') {
      // Normalized units start at the uniform thirds (±0.5); raw units at TWN's 0.7·E|w|.
      const d = opts.uniform ? 0.5 : 0.7 * meanAbs;
      this.dp = v(d, 'delta_p');
      if (opts.asymmetric) this.dn = v(-d, 'delta_n');
      if (opts.uniform) this.gamma = v(1, 'gamma');
      this.alpha = v(meanAbsAbove(w0, opts.uniform ? Math.abs(mu) + UNIFORM_HALF_WIDTH * sigma : d), 'alpha');
    } else if (opts.method === 'ttq') {
      const d = 0.05 * w0.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      let sp = 0, np = 0, sn = 0, nn = 0;
      for (const x of w0) { if (x > d) { sp += x; np++; } else if (x < -d) { sn -= x; nn++; } }
      // TTQ's code starts αp = αn = 1; our layers' weights are ~0.1, so start at the region means instead.
      this.ap = v(np ? sp / np : d, 'alpha_p');
      this.an = v(nn ? sn / nn : d, 'alpha_n');
    }
  }

  private negThreshold(): tfjs.Scalar {
    return (this.dn ?? this.tf.neg(this.dp!)) as tfjs.Scalar;
  }

  /** The fake-quantized weights used in the training forward pass. */
  forward(w: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    if (this.opts.method === 'twn') {
      // Eq. 3's Δ and α are statistics of the current weights: constants for the gradient (computed off the tape).
      const q = this.fold(w.dataSync() as Float32Array);
      return steTernarize(tf, w, tf.scalar(q.pos), tf.scalar(q.neg), tf.scalar(q.scalePos));
    }
    if (this.opts.method === 'ttq') {
      const delta = stopGradient(tf, tf.mul(tf.max(tf.abs(w)), 0.05)) as tfjs.Scalar;
      return ttqTernarize(tf, w, delta, this.ap as tfjs.Scalar, this.an as tfjs.Scalar);
    }
    // Eq. 9 then Eq. 8 on z̃ = γk(w − μ), k = 0.5/(0.43σ), is the same function as Eq. 8 on w with the
    // thresholds μ + Δ/(γk); the bi-STE derivatives agree by the chain rule (∂/∂w: α/(2Δp)·γk = α/(2·Δp/(γk)),
    // and Δp, Δn, γ get theirs through the scalar map). Thresholding w directly saves two full-size ops per step.
    const [tp, tn] = this.weightUnitThresholds(w);
    return biSteTernarize(tf, w, tp, tn, this.alpha as tfjs.Scalar);
  }

  private weightUnitThresholds(w: tfjs.Tensor): [tfjs.Scalar, tfjs.Scalar] {
    const tf = this.tf;
    const dn = this.negThreshold();
    if (!this.gamma) return [this.dp as tfjs.Scalar, dn];
    const { mean, variance } = tf.moments(w);
    const mu = stopGradient(tf, mean) as tfjs.Scalar;
    const sigma = stopGradient(tf, tf.sqrt(tf.add(variance, 1e-12))) as tfjs.Scalar;
    const unit = tf.div(tf.mul(sigma, UNIFORM_HALF_WIDTH / 0.5), tf.maximum(this.gamma, 1e-3)); // 1/(γk)
    return [tf.add(mu, tf.mul(this.dp!, unit)) as tfjs.Scalar, tf.add(mu, tf.mul(dn, unit)) as tfjs.Scalar];
  }

  /** Float-unit thresholds and scales of the current state (what export and eval use). */
  fold(w: Float32Array): FoldedQuant {
    const tf = this.tf;
    if (this.opts.method === 'twn') {
      const meanAbs = w.reduce((a, b) => a + Math.abs(b), 0) / w.length;
      const d = f32(0.7 * meanAbs);
      const a = meanAbsAbove(w, d);
      return { pos: d, neg: -d, scalePos: a, scaleNeg: a, gamma: null };
    }
    if (this.opts.method === 'ttq') {
      const d = f32(0.05 * w.reduce((a, b) => Math.max(a, Math.abs(b)), 0));
      return { pos: d, neg: -d, scalePos: this.ap!.dataSync()[0], scaleNeg: this.an!.dataSync()[0], gamma: null };
    }
    const dp = this.dp!.dataSync()[0];
    const dn = this.dn ? this.dn.dataSync()[0] : -dp;
    const alpha = this.alpha!.dataSync()[0];
    if (!this.gamma) return { pos: f32(dp), neg: f32(dn), scalePos: alpha, scaleNeg: alpha, gamma: null };
    const { mu, sigma } = meanStd(w);
    const g = Math.max(1e-3, this.gamma.dataSync()[0]);
    const unit = (UNIFORM_HALF_WIDTH * sigma) / (0.5 * g);
    void tf;
    return { pos: f32(mu + dp * unit), neg: f32(mu + dn * unit), scalePos: alpha, scaleNeg: alpha, gamma: g, mu, sigma };
  }
}

/** Ternary code of `w` under folded thresholds (float32 comparisons, ties to 0). */
export function codeWithFolded(w: Float32Array, q: FoldedQuant): Int8Array {
  const out = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] > q.pos ? 1 : w[i] < q.neg ? -1 : 0;
  return out;
}

/** Dequantized weights under folded thresholds: the exact values the reference executor uses. */
export function dequantFolded(w: Float32Array, q: FoldedQuant): Float32Array {
  const c = codeWithFolded(w, q);
  const out = new Float32Array(w.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] > 0 ? q.scalePos : c[i] < 0 ? -q.scaleNeg : 0;
  return out;
}

/**
 * Ternarizes a layer's input activations with Eq. 9's normalization taken about
 * zero (μ = 0): the IR's ternary activation has no zero-point (code 0 must mean
 * exactly 0, or the zeros after ReLU and the next conv's zero padding would
 * turn into −α), so Eq. 9 here is z̃ = γ·x·0.5/(0.43σ) with σ the running RMS of
 * x (EMA, momentum 0.9, a constant for the gradient). 'half-gaussian' (input
 * after ReLU, seed paper §3.3's note) then only uses codes 0 and +1;
 * 'gaussian' (after RPReLU, which can go negative) uses all three.
 */
export interface ActStats { sigma: number; meanAbs: number; twnAlpha: number }

export class ActQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private dp?: tfjs.Variable;
  private dn?: tfjs.Variable;
  private gamma?: tfjs.Variable;
  private alpha?: tfjs.Variable;
  /** Running RMS σ, E|x| and TWN's α, kept on the device (no sync per step). */
  private readonly running: tfjs.Variable;
  private initialised = false;

  constructor(private readonly tf: Tf, readonly name: string, readonly variant: ActVariant, readonly opts: QuantizerOptions) {
    this.running = tf.variable(tf.tensor1d([1, 1, 1]), false, `${name}/running_stats`);
    if (opts.method !== 'twn') {
      const v = (x: number, n: string) => { const t = tf.variable(tf.scalar(x), true, `${name}/${n}`); this.vars.push(t); return t; };
      this.dp = v(0.5, 'act_delta_p');
      if (opts.asymmetric) this.dn = v(-0.5, 'act_delta_n');
      if (opts.uniform) this.gamma = v(1, 'act_gamma');
      this.alpha = v(1, 'act_alpha');
    }
  }

  get stats(): ActStats | undefined {
    if (!this.initialised) return undefined;
    const [sigma, meanAbs, twnAlpha] = this.running.dataSync();
    return { sigma, meanAbs, twnAlpha };
  }

  set stats(s: ActStats | undefined) {
    if (!s) return;
    this.running.assign(this.tf.tensor1d([s.sigma, s.meanAbs, s.twnAlpha]));
    this.initialised = true;
  }

  /** Updates the running statistics from a training batch (the first call initialises them and α). */
  observe(x: tfjs.Tensor): void {
    const tf = this.tf;
    tf.tidy(() => {
      const a = tf.abs(x);
      const ma = tf.mean(a);
      const batch: tfjs.Tensor[] = [tf.sqrt(tf.add(tf.mean(tf.square(x)), 1e-12)), ma];
      if (this.opts.method === 'twn') {
        const above = tf.cast(tf.greater(a, tf.mul(ma, 0.7)), 'float32');
        batch.push(tf.div(tf.sum(tf.mul(a, above)), tf.maximum(tf.sum(above), 1)));
      } else batch.push(ma);
      const now = tf.stack(batch);
      if (!this.initialised) {
        this.running.assign(now);
        const sigma = tf.gather(now, 0);
        // α starts near the mean magnitude of the outer third, in activation units.
        if (this.alpha) this.alpha.assign(tf.mul(sigma, this.opts.uniform ? 1.2 : 1.0));
        if (this.dp && !this.opts.uniform) {
          this.dp.assign(tf.mul(sigma, UNIFORM_HALF_WIDTH));
          this.dn?.assign(tf.mul(sigma, -UNIFORM_HALF_WIDTH));
        }
      } else {
        this.running.assign(tf.add(tf.mul(this.running, 0.9), tf.mul(now, 0.1)));
      }
    });
    this.initialised = true;
  }

  forward(x: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    if (!this.initialised) throw new Error(`activation quantizer ${this.name}: statistics not initialised`);
    if (this.opts.method === 'twn') {
      const d = tf.mul(tf.gather(this.running, 1), 0.7).reshape([]) as tfjs.Scalar;
      return steTernarize(tf, x, d, tf.neg(d) as tfjs.Scalar, tf.gather(this.running, 2).reshape([]) as tfjs.Scalar);
    }
    const dn = (this.dn ?? tf.neg(this.dp!)) as tfjs.Scalar;
    if (!this.gamma) return biSteTernarize(tf, x, this.dp as tfjs.Scalar, dn, this.alpha as tfjs.Scalar);
    // Eq. 9 about zero folded into x-unit thresholds Δ/(γk), k = 0.5/(0.43σ) (same function and gradients, see WeightQuantizer).
    const sigma = tf.gather(this.running, 0).reshape([]);
    const unit = tf.div(tf.mul(sigma, UNIFORM_HALF_WIDTH / 0.5), tf.maximum(this.gamma, 1e-3));
    return biSteTernarize(tf, x, tf.mul(this.dp!, unit) as tfjs.Scalar, tf.mul(dn, unit) as tfjs.Scalar, this.alpha as tfjs.Scalar);
  }

  fold(): FoldedQuant {
    const s = this.stats ?? { sigma: 1, meanAbs: 1, twnAlpha: 1 };
    if (this.opts.method === 'twn') {
      const d = f32(0.7 * s.meanAbs);
      return { pos: d, neg: -d, scalePos: s.twnAlpha, scaleNeg: s.twnAlpha, gamma: null };
    }
    const dp = this.dp!.dataSync()[0];
    const dn = this.dn ? this.dn.dataSync()[0] : -dp;
    const alpha = this.alpha!.dataSync()[0];
    if (!this.gamma) return { pos: f32(dp), neg: f32(dn), scalePos: alpha, scaleNeg: alpha, gamma: null };
    const g = Math.max(1e-3, this.gamma.dataSync()[0]);
    const unit = (UNIFORM_HALF_WIDTH * s.sigma) / (0.5 * g);
    return { pos: f32(dp * unit), neg: f32(dn * unit), scalePos: alpha, scaleNeg: alpha, gamma: g, mu: 0, sigma: s.sigma };
  }

  /** Eval-mode forward with the folded thresholds: exactly ternarizeActivation of the reference executor. */
  evalForward(x: tfjs.Tensor): tfjs.Tensor {
    const q = this.fold();
    const tf = this.tf;
    return tf.mul(ternaryCode(tf, x, tf.scalar(q.pos), tf.scalar(q.neg)), q.scalePos);
  }

  dispose(): void {
    this.running.dispose();
  }
}
