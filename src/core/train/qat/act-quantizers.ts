/**
 * Input-activation quantizers for W+A QAT; each method's strategy picks one.
 *
 * Both ternarize with Eq. 9's normalization taken about zero (μ = 0): the IR's
 * ternary activation has no zero-point (code 0 must mean exactly 0, or the
 * zeros after ReLU and the next conv's zero padding would turn into −α), so
 * Eq. 9 here is z̃ = γ·x·0.5/(0.43σ) with σ the running RMS of x (EMA,
 * momentum 0.9, a constant for the gradient). 'half-gaussian' (input after
 * ReLU, seed paper §3.3's note) then only uses codes 0 and +1; 'gaussian'
 * (after RPReLU, which can go negative) uses all three.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { UNIFORM_Z } from '../../quant/common';
import { f32, scalarVar, type ActStats, type ActVariant, type FoldedQuant, type QatActQuantizer, type QatSettings } from './strategy';
import { biSteTernarize, steTernarize, ternaryCode } from './ternary-ops';

/** Running σ (RMS), E|x| and a third statistic on the device (no sync per step), shared by both quantizers. */
abstract class RunningActQuantizer implements QatActQuantizer {
  readonly vars: tfjs.Variable[] = [];
  protected readonly running: tfjs.Variable;
  protected initialised = false;

  constructor(protected readonly tf: Tf, readonly name: string, readonly variant: ActVariant) {
    this.running = tf.variable(tf.tensor1d([1, 1, 1]), false, `${name}/running_stats`);
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

  /** The third running statistic for a batch (`a` = |x|, `meanAbs` = E|x|). */
  protected abstract thirdStat(a: tfjs.Tensor, meanAbs: tfjs.Tensor): tfjs.Tensor;
  /** Initialises learnable parameters from the first batch's RMS σ. */
  protected abstract initFrom(sigma: tfjs.Tensor): void;

  /** Updates the running statistics from a training batch (the first call initialises them). */
  observe(x: tfjs.Tensor): void {
    const tf = this.tf;
    tf.tidy(() => {
      const a = tf.abs(x);
      const ma = tf.mean(a);
      const now = tf.stack([tf.sqrt(tf.add(tf.mean(tf.square(x)), 1e-12)), ma, this.thirdStat(a, ma)]);
      if (!this.initialised) {
        this.running.assign(now);
        this.initFrom(tf.gather(now, 0));
      } else {
        this.running.assign(tf.add(tf.mul(this.running, 0.9), tf.mul(now, 0.1)));
      }
    });
    this.initialised = true;
  }

  protected checkInitialised(): void {
    if (!this.initialised) throw new Error(`activation quantizer ${this.name}: statistics not initialised`);
  }

  abstract forward(x: tfjs.Tensor): tfjs.Tensor;
  abstract fold(): FoldedQuant;

  evalForward(x: tfjs.Tensor): tfjs.Tensor {
    const q = this.fold();
    const tf = this.tf;
    return tf.mul(ternaryCode(tf, x, tf.scalar(q.pos), tf.scalar(q.neg)), q.scalePos);
  }

  dispose(): void {
    this.running.dispose();
  }
}

/** TWN's rule on activations (Eq. 2–3 with running statistics): Δ = 0.7·E|x|, α = E_{|x|>Δ}|x|, plain STE; nothing learned. */
export class TwnActQuantizer extends RunningActQuantizer {
  /** Eq. 3's factor (TWN's `twnFactor` option, 0.7 by default). */
  private readonly factor: number;

  constructor(tf: Tf, name: string, variant: ActVariant, s: QatSettings) {
    super(tf, name, variant);
    this.factor = typeof s.options.twnFactor === 'number' ? s.options.twnFactor : 0.7;
  }

  protected thirdStat(a: tfjs.Tensor, ma: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    const above = tf.cast(tf.greater(a, tf.mul(ma, this.factor)), 'float32');
    return tf.div(tf.sum(tf.mul(a, above)), tf.maximum(tf.sum(above), 1));
  }

  protected initFrom(): void {}

  forward(x: tfjs.Tensor): tfjs.Tensor {
    this.checkInitialised();
    const tf = this.tf;
    const d = tf.mul(tf.gather(this.running, 1), this.factor).reshape([]) as tfjs.Scalar;
    return steTernarize(tf, x, d, tf.neg(d) as tfjs.Scalar, tf.gather(this.running, 2).reshape([]) as tfjs.Scalar);
  }

  fold(): FoldedQuant {
    const s = this.stats ?? { sigma: 1, meanAbs: 1, twnAlpha: 1 };
    const d = f32(this.factor * s.meanAbs);
    return { pos: d, neg: -d, scalePos: s.twnAlpha, scaleNeg: s.twnAlpha, gamma: null };
  }
}

/**
 * The seed paper's activation quantizer: learnable Δp, Δn (or Δ with
 * `asymmetric` off), α and, with `uniform`, Eq. 9's γ; trained by bi-STE (Eq. 7).
 */
export class LearnedActQuantizer extends RunningActQuantizer {
  private readonly dp: tfjs.Variable;
  private readonly dn?: tfjs.Variable;
  private readonly gamma?: tfjs.Variable;
  private readonly alpha: tfjs.Variable;

  constructor(tf: Tf, name: string, variant: ActVariant, private readonly s: QatSettings) {
    super(tf, name, variant);
    this.dp = scalarVar(tf, this.vars, name, 'act_delta_p', 0.5);
    if (s.asymmetric) this.dn = scalarVar(tf, this.vars, name, 'act_delta_n', -0.5);
    if (s.uniform) this.gamma = scalarVar(tf, this.vars, name, 'act_gamma', 1);
    this.alpha = scalarVar(tf, this.vars, name, 'act_alpha', 1);
  }

  protected thirdStat(_a: tfjs.Tensor, ma: tfjs.Tensor): tfjs.Tensor {
    return ma;
  }

  protected initFrom(sigma: tfjs.Tensor): void {
    const tf = this.tf;
    // α starts near the mean magnitude of the outer third, in activation units.
    this.alpha.assign(tf.mul(sigma, this.s.uniform ? 1.2 : 1.0));
    if (!this.s.uniform) {
      this.dp.assign(tf.mul(sigma, UNIFORM_Z));
      this.dn?.assign(tf.mul(sigma, -UNIFORM_Z));
    }
  }

  forward(x: tfjs.Tensor): tfjs.Tensor {
    this.checkInitialised();
    const tf = this.tf;
    const dn = (this.dn ?? tf.neg(this.dp)) as tfjs.Scalar;
    if (!this.gamma) return biSteTernarize(tf, x, this.dp as tfjs.Scalar, dn, this.alpha as tfjs.Scalar);
    // Eq. 9 about zero folded into x-unit thresholds Δ/(γk), k = 0.5/(0.43σ) (same function and gradients, see asym-uniform's weights).
    const sigma = tf.gather(this.running, 0).reshape([]);
    const unit = tf.div(tf.mul(sigma, UNIFORM_Z / 0.5), tf.maximum(this.gamma, 1e-3));
    return biSteTernarize(tf, x, tf.mul(this.dp, unit) as tfjs.Scalar, tf.mul(dn, unit) as tfjs.Scalar, this.alpha as tfjs.Scalar);
  }

  fold(): FoldedQuant {
    const s = this.stats ?? { sigma: 1, meanAbs: 1, twnAlpha: 1 };
    const dp = this.dp.dataSync()[0];
    const dn = this.dn ? this.dn.dataSync()[0] : -dp;
    const alpha = this.alpha.dataSync()[0];
    if (!this.gamma) return { pos: f32(dp), neg: f32(dn), scalePos: alpha, scaleNeg: alpha, gamma: null };
    const g = Math.max(1e-3, this.gamma.dataSync()[0]);
    const unit = (UNIFORM_Z * s.sigma) / (0.5 * g);
    return { pos: f32(dp * unit), neg: f32(dn * unit), scalePos: alpha, scaleNeg: alpha, gamma: g, mu: 0, sigma: s.sigma };
  }
}

export const twnActs = (tf: Tf, name: string, variant: ActVariant, s: QatSettings): QatActQuantizer => new TwnActQuantizer(tf, name, variant, s);
export const learnedActs = (tf: Tf, name: string, variant: ActVariant, s: QatSettings): QatActQuantizer => new LearnedActQuantizer(tf, name, variant, s);
