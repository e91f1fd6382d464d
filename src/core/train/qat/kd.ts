/**
 * Losses of the two-stage knowledge distillation (seed paper Eq. 10–11).
 * L_kd(y_s, y_t) = Σ_k p_t,k·(log p_t,k − log p_s,k), the KL divergence from the
 * teacher's to the student's output probabilities (Hinton et al. 2015 at
 * temperature T = 1; with T ≠ 1 both are softened and the loss scaled by T²).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend';

/** Mean over the batch of KL(p_teacher ‖ softmax(studentLogits / T))·T². */
export function kdLoss(tf: Tf, studentLogits: tfjs.Tensor, teacherProbs: tfjs.Tensor, temperature = 1): tfjs.Scalar {
  return tf.tidy(() => {
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature));
    const pt = temperature === 1 ? teacherProbs : tf.softmax(tf.div(tf.log(tf.clipByValue(teacherProbs, 1e-12, 1)), temperature));
    const logPt = tf.log(tf.clipByValue(pt, 1e-12, 1));
    const kl = tf.sum(tf.mul(pt, tf.sub(logPt, logPs)), -1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tfjs.Scalar;
  });
}

/** Mean cross-entropy of integer labels under softmax(logits). */
export function ceLoss(tf: Tf, logits: tfjs.Tensor, labels: tfjs.Tensor1D): tfjs.Scalar {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[logits.rank - 1]), logP), -1))) as tfjs.Scalar;
  });
}

/** Eq. 11: λ·L_kd + (1 − λ)·L_ce (stage 1 of the two-stage scheme uses λ = 1, Eq. 10). */
export function distillationLoss(tf: Tf, logits: tfjs.Tensor, labels: tfjs.Tensor1D, teacherProbs: tfjs.Tensor | undefined, lambda: number): tfjs.Scalar {
  if (!teacherProbs || lambda <= 0) return ceLoss(tf, logits, labels);
  if (lambda >= 1) return kdLoss(tf, logits, teacherProbs);
  return tf.tidy(() => tf.add(tf.mul(kdLoss(tf, logits, teacherProbs), lambda), tf.mul(ceLoss(tf, logits, labels), 1 - lambda)) as tfjs.Scalar);
}
