"""Losses of the two-stage knowledge distillation, seed paper Eq. 10–11 (mirrors src/core/train/qat/kd.ts).

L_kd(y_s, y_t) = Σ_k p_t,k·(log p_t,k − log p_s,k): the KL divergence from the teacher's to the
student's output probabilities (Hinton et al. 2015 at temperature T = 1; with T ≠ 1 both are
softened and the loss is scaled by T²).
"""
import torch
import torch.nn.functional as F

# Eq. 11's trade-off as the seed paper sets it (§4.1, Fig. 3).
DEFAULT_LAMBDA = 0.9


def kd_loss(student_logits, teacher_probs, temperature=1.0):
    """Mean over the batch of KL(p_teacher ‖ softmax(student_logits / T))·T² (kd.ts kdLoss)."""
    log_ps = F.log_softmax(student_logits / temperature, dim=-1)
    if temperature == 1:
        pt = teacher_probs
    else:
        pt = F.softmax(torch.log(torch.clamp(teacher_probs, 1e-12, 1)) / temperature, dim=-1)
    log_pt = torch.log(torch.clamp(pt, 1e-12, 1))
    kl = torch.sum(pt * (log_pt - log_ps), dim=-1)
    return torch.mean(kl) * (temperature * temperature)


def ce_loss(logits, labels):
    """Mean cross-entropy of integer labels under softmax(logits) (kd.ts ceLoss)."""
    log_p = F.log_softmax(logits, dim=-1)
    return -torch.mean(torch.sum(F.one_hot(labels.long(), logits.shape[-1]).to(log_p.dtype) * log_p, dim=-1))


def distill_loss(student_logits, labels, teacher_logits=None, lam=DEFAULT_LAMBDA, teacher_probs=None, temperature=1.0):
    """Eq. 11: λ·L_kd(y_s, y_t) + (1 − λ)·L_ce(y_s, y_gt); Eq. 10 (stage 1) is λ = 1.

    Pass the teacher as logits (`teacher_logits`, softmaxed here) or as probabilities
    (`teacher_probs`). Without a teacher, or with λ ≤ 0, it is the plain cross-entropy.
    """
    if teacher_probs is None and teacher_logits is not None:
        teacher_probs = F.softmax(teacher_logits.detach(), dim=-1)
    if teacher_probs is None or lam <= 0:
        return ce_loss(student_logits, labels)
    teacher_probs = teacher_probs.detach()
    if lam >= 1:
        return kd_loss(student_logits, teacher_probs, temperature)
    return kd_loss(student_logits, teacher_probs, temperature) * lam + ce_loss(student_logits, labels) * (1 - lam)


def plan_stages(weights=True, acts=True, kd=False, two_stage=False, lam=DEFAULT_LAMBDA):
    """The stages of train-qat.ts planStages: two-stage (§3.4) trains ternary activations only with
    L = L_kd (Eq. 10, λ = 1), then weights + activations with Eq. 11; otherwise one stage."""
    lam = lam if kd else 0.0
    if two_stage and weights and acts:
        return [{"stage": 1, "weights": False, "acts": True, "lambda": 1.0 if kd else 0.0},
                {"stage": 2, "weights": True, "acts": True, "lambda": lam}]
    return [{"stage": 1, "weights": weights, "acts": acts, "lambda": lam}]
