"""Differentiable ternarization ops for QAT, mirroring src/core/train/qat/ternary-ops.ts.

Conventions: z → +1 when z > Δp, −1 when z < Δn, else 0 — strict comparisons, ties to 0
(seed paper Eq. 6 / src/core/graph/types.ts), so a forward pass equals the reference
executor's ternarization bit for bit. Δn ≤ 0 ≤ Δp are signed thresholds (0-d tensors).
"""
import torch


def ternary_code(z, dp, dn):
    """T(z): the ternary code {−1, 0, +1} of seed paper Eq. 8 (deterministic form of Eq. 7)."""
    return (z > dp).to(z.dtype) - (z < dn).to(z.dtype)


def eq7_expectation(z, dp, dn, alpha):
    """E[ẑ](z) of seed paper Eq. 7: α·clip(z/2Δp, 0, 1) − α·clip(z/2Δn, 0, 1) (plain floats; tests' finite differences)."""
    clip = lambda v: min(1.0, max(0.0, v))  # noqa: E731
    return alpha * clip(z / (2 * dp)) - alpha * clip(z / (2 * dn))


class BiSTE(torch.autograd.Function):
    """bi-STE (seed paper §3.2, ternary-ops.ts biSteTernarize): forward α·T(z) (Eq. 8), or with
    `stochastic` a draw from Eq. 7; backward the derivative of Eq. 7's expectation:
      ∂ẑ/∂z  = α/(2Δp) on (0, 2Δp),  α/(2|Δn|) on (2Δn, 0),  0 elsewhere;
      ∂ẑ/∂Δp = −α·z/(2Δp²) on (0, 2Δp);  ∂ẑ/∂Δn = α·z/(2Δn²) on (2Δn, 0);  ∂ẑ/∂α = T(z).
    """

    @staticmethod
    def forward(ctx, z, dp, dn, alpha, stochastic=False):
        if stochastic:
            # Eq. 7 (as stochastic.ts reads it): +1 w.p. clip(z/2Δp, 0, 1), −1 w.p. clip(z/2Δn, 0, 1).
            u = torch.rand_like(z)
            p_pos = torch.clamp(z / (2 * dp), 0, 1)
            p_neg = torch.clamp(z / (2 * dn), 0, 1)
            code = ((z > 0) & (u < p_pos)).to(z.dtype) - ((z < 0) & (u < p_neg)).to(z.dtype)
        else:
            code = ternary_code(z, dp, dn)
        ctx.save_for_backward(z, dp, dn, alpha, code)
        return code * alpha

    @staticmethod
    def backward(ctx, dy):
        z, dp, dn, alpha, code = ctx.saved_tensors
        # Per element: s = 1/(2Δp) for z > 0 else 1/(2|Δn|); r = z·s is the position inside
        # the linear part of E[ẑ]/α, the open interval |r| < 1 on either side.
        inv_p, inv_n = 0.5 / dp, 0.5 / torch.abs(dn)
        pos = (z > 0).to(z.dtype)
        s = pos * (inv_p - inv_n) + inv_n
        r = z * s
        dy_in = dy * (torch.abs(r) < 1).to(dy.dtype)
        dz = dy_in * s * alpha
        # ∂/∂Δp = −(α/Δp)·r on the positive side; ∂/∂Δn = (α/|Δn|)·r on the negative side.
        g = dy_in * r
        g_pos = torch.sum(g * pos)
        ddp = -(alpha / dp) * g_pos
        ddn = (alpha / torch.abs(dn)) * (torch.sum(g) - g_pos)
        da = torch.sum(dy * code)
        return dz, ddp.reshape(dp.shape), ddn.reshape(dn.shape), da.reshape(alpha.shape), None


class TTQTernarize(torch.autograd.Function):
    """TTQ (Zhu et al. 2017; seed paper Eq. 4–5; ternary-ops.ts ttqTernarize): forward αp·[w > Δ] − αn·[w < −Δ];
    backward ∂L/∂αp = Σ_{I_p} ∂L/∂ŵ, ∂L/∂αn = −Σ_{I_n} ∂L/∂ŵ, latent weights scaled by αp, 1, αn per region."""

    @staticmethod
    def forward(ctx, w, delta, ap, an):
        pos = (w > delta).to(w.dtype)
        neg = (w < -delta).to(w.dtype)
        ctx.save_for_backward(pos, neg, ap, an)
        return pos * ap - neg * an

    @staticmethod
    def backward(ctx, dy):
        pos, neg, ap, an = ctx.saved_tensors
        zero_region = 1 - pos - neg
        dw = dy * (pos * ap + zero_region + neg * an)
        return dw, None, torch.sum(dy * pos).reshape(ap.shape), (-torch.sum(dy * neg)).reshape(an.shape)


class STE(torch.autograd.Function):
    """Plain STE (TWN, Eq. 2; ternary-ops.ts steTernarize): forward α·T(z) with fixed Δ and α, backward identity on z."""

    @staticmethod
    def forward(ctx, z, dp, dn, alpha):
        return ternary_code(z, dp, dn) * alpha

    @staticmethod
    def backward(ctx, dy):
        return dy, None, None, None


def bi_ste(z, dp, dn, alpha, stochastic=False):
    return BiSTE.apply(z, dp, dn, alpha, stochastic)


def ttq_ternarize(w, delta, ap, an):
    return TTQTernarize.apply(w, delta, ap, an)


def ste(z, dp, dn, alpha):
    return STE.apply(z, dp, dn, alpha)
