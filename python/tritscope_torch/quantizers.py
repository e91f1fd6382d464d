"""Per-layer QAT quantizer state, mirroring src/core/train/qat/quantizers.ts.

- 'asym-uniform' (the seed paper): Eq. 9 normalization z̃ = γ·(z − μ)·0.5/(0.43σ) (optional `uniform`),
  learnable asymmetric Δp, Δn (optional `asymmetric`; else Δn = −Δp), one symmetric α (Eq. 6, 8),
  trained by bi-STE. The normalization is affine with γ·0.5/(0.43σ) > 0, so z̃ > Δp ⇔
  z > μ + Δp·0.43σ/(0.5γ): γ, μ and σ fold exactly into float-unit thresholds (`fold`), which is
  how γ is "absorbed" — the layer's output never carries γ.
- 'twn' (Eq. 2–3): Δ = 0.7·E|w|, α = E_{|w|>Δ}|w| recomputed every step, plain STE.
- 'ttq' (Eq. 4–5): Δ = 0.05·max|w| (TTQ's code), learned αp, αn.
Two methods the TypeScript QAT does not train, added here on the same pattern:
- 'stochastic': asym-uniform's learnable state, but the training forward draws the trits from
  Eq. 7 (bi-STE's backward is the derivative of exactly that expectation); eval and export use
  Eq. 8's deterministic rule, so the exported trits obey the stored thresholds.
- 'alemdar' (Eq. 6): the greedy search of src/core/quant/alemdar.ts on the current weights every
  step (statistics, constants for the gradient, as TWN's), plain STE.

`fold` reproduces the TypeScript `fold` number for number: float64 arithmetic on the float32
values, sequential sums (quant.seq_sum), the one-pass σ of quantizers.ts (not the two-pass σ of
src/core/quant/common.ts), thresholds rounded to float32 with Math.fround (quant.f32).
"""
import math

import numpy as np
import torch
from torch import nn

from . import quant
from .ste import bi_ste, ste, ternary_code, ttq_ternarize

QAT_METHODS = ("asym-uniform", "twn", "ttq", "stochastic", "alemdar")
# Eq. 9's constant: ±0.43σ split a Gaussian into equal thirds, mapped to ±0.5 (quantizers.ts UNIFORM_HALF_WIDTH).
UNIFORM_HALF_WIDTH = 0.43


def qat_mean_std(w):
    """quantizers.ts meanStd: one pass, σ = sqrt(max(1e-12, E[w²] − μ²))."""
    mu = quant.seq_sum(w) / w.size
    return mu, math.sqrt(max(1e-12, quant.seq_sum(w * w) / w.size - mu * mu))


def mean_abs_above(w, t):
    """quantizers.ts meanAbsAbove: mean |w| over |w| > t, or t when none is."""
    a = np.abs(w[np.abs(w) > t])
    return quant.seq_sum(a) / a.size if a.size else t


def _np64(t):
    return t.detach().to("cpu", torch.float32).numpy().ravel().astype(np.float64)


def _item(p):
    return float(p.detach().to("cpu", torch.float32).item())


def _scalar(value):
    """A float32 0-d parameter (tf.variable(tf.scalar(x)) rounds to float32 as well)."""
    return nn.Parameter(torch.tensor(float(value), dtype=torch.float32))


def folded_code(w, fq):
    """quantizers.ts codeWithFolded: float32 w against the float32 thresholds, ties to 0."""
    return quant.apply_thresholds(w, fq["pos"], fq["neg"])


class WeightQuantizer(nn.Module):
    """Ternarizes one layer's weights during QAT; created from the float weights `w0`."""

    def __init__(self, w0, method="asym-uniform", uniform=True, asymmetric=True):
        super().__init__()
        if method not in QAT_METHODS:
            raise ValueError("unknown QAT method %r (expected %s)" % (method, ", ".join(QAT_METHODS)))
        self.method, self.uniform, self.asymmetric = method, uniform, asymmetric
        w = _np64(w0)
        if method in ("asym-uniform", "stochastic"):
            mu, sigma = qat_mean_std(w)
            mean_abs = quant.seq_sum(np.abs(w)) / w.size
            # Normalized units start at the uniform thirds (±0.5); raw units at TWN's 0.7·E|w|.
            d = 0.5 if uniform else 0.7 * mean_abs
            self.delta_p = _scalar(d)
            self.delta_n = _scalar(-d) if asymmetric else None
            self.gamma = _scalar(1.0) if uniform else None
            self.alpha = _scalar(mean_abs_above(w, abs(mu) + UNIFORM_HALF_WIDTH * sigma if uniform else d))
        elif method == "ttq":
            d = 0.05 * float(np.max(np.abs(w)))
            p, m = w > d, w < -d
            # TTQ's code starts αp = αn = 1; layers' weights are ~0.1, so start at the region means (as quantizers.ts).
            self.alpha_p = _scalar(quant.seq_sum(w[p]) / p.sum() if p.any() else d)
            self.alpha_n = _scalar(quant.seq_sum(-w[m]) / m.sum() if m.any() else d)

    def extra_repr(self):
        return "method=%s, uniform=%s, asymmetric=%s" % (self.method, self.uniform, self.asymmetric)

    def _neg_threshold(self):
        return self.delta_n if self.delta_n is not None else -self.delta_p

    def forward(self, w):
        """The fake-quantized weights of the training forward pass."""
        if self.method == "twn":
            # Eq. 3's Δ and α are statistics of the current weights, constants for the gradient. Computed on the
            # device in float64 (no host sync per step); export and eval use the exact `fold`.
            a = w.detach().double().abs()
            d = (0.7 * a.mean()).float().double()  # f32(0.7·meanAbs), as fold
            above = (a > d).double()
            n = above.sum()
            alpha = torch.where(n > 0, (a * above).sum() / torch.clamp(n, min=1), d)
            return ste(w, d.float(), -d.float(), alpha.float())
        if self.method == "alemdar":
            fq = self.fold(w)
            return ste(w, w.new_tensor(fq["pos"]), w.new_tensor(fq["neg"]), w.new_tensor(fq["scalePos"]))
        if self.method == "ttq":
            delta = (torch.max(torch.abs(w)) * 0.05).detach()
            return ttq_ternarize(w, delta, self.alpha_p, self.alpha_n)
        tp, tn = self._weight_unit_thresholds(w)
        return bi_ste(w, tp, tn, self.alpha, self.method == "stochastic")

    def _weight_unit_thresholds(self, w):
        # Eq. 9 then Eq. 8 on z̃ = γk(w − μ), k = 0.5/(0.43σ), is Eq. 8 on w with thresholds μ + Δ/(γk)
        # (quantizers.ts weightUnitThresholds; μ, σ are constants for the gradient).
        dn = self._neg_threshold()
        if self.gamma is None:
            return self.delta_p, dn
        wd = w.detach()
        mu = wd.mean()
        sigma = torch.sqrt(wd.var(unbiased=False) + 1e-12)
        unit = sigma * (UNIFORM_HALF_WIDTH / 0.5) / torch.clamp(self.gamma, min=1e-3)  # 1/(γk)
        return mu + self.delta_p * unit, mu + dn * unit

    def fold(self, w):
        """Float-unit thresholds and scales of the current state (quantizers.ts fold): what eval and export use."""
        w = _np64(w) if torch.is_tensor(w) else np.asarray(w, dtype=np.float64).ravel()
        if self.method == "twn":
            mean_abs = quant.seq_sum(np.abs(w)) / w.size
            d = quant.f32(0.7 * mean_abs)
            a = mean_abs_above(w, d)
            return {"pos": d, "neg": -d, "scalePos": a, "scaleNeg": a, "gamma": None}
        if self.method == "alemdar":
            trits, q = quant.alemdar(w)
            # Thresholds are weight values (float32-exact); α is alemdar's L2-optimal scale.
            return {"pos": quant.f32(q["thresholds"]["pos"]), "neg": quant.f32(q["thresholds"]["neg"]),
                    "scalePos": q["scale"]["pos"], "scaleNeg": q["scale"]["neg"], "gamma": None}
        if self.method == "ttq":
            d = quant.f32(0.05 * float(np.max(np.abs(w))))
            return {"pos": d, "neg": -d, "scalePos": _item(self.alpha_p), "scaleNeg": _item(self.alpha_n), "gamma": None}
        dp = _item(self.delta_p)
        dn = _item(self.delta_n) if self.delta_n is not None else -dp
        alpha = _item(self.alpha)
        if self.gamma is None:
            return {"pos": quant.f32(dp), "neg": quant.f32(dn), "scalePos": alpha, "scaleNeg": alpha, "gamma": None}
        mu, sigma = qat_mean_std(w)
        g = max(1e-3, _item(self.gamma))
        unit = (UNIFORM_HALF_WIDTH * sigma) / (0.5 * g)
        return {"pos": quant.f32(mu + dp * unit), "neg": quant.f32(mu + dn * unit), "scalePos": alpha,
                "scaleNeg": alpha, "gamma": g, "mu": mu, "sigma": sigma}


class ActQuantizer(nn.Module):
    """Ternarizes a layer's input activations (quantizers.ts ActQuantizer).

    Eq. 9's normalization is taken about zero (μ = 0): the IR's ternary activation has no zero-point
    (code 0 must mean exactly 0, or ReLU zeros and the next conv's zero padding would turn into −α),
    so z̃ = γ·x·0.5/(0.43σ) with σ the running RMS of x (EMA, momentum 0.9, a constant for the
    gradient). 'half-gaussian' (after ReLU, §3.3's note) only uses codes 0 and +1; 'gaussian'
    (after RPReLU, which can go negative) uses all three.
    """

    def __init__(self, variant="gaussian", method="asym-uniform", uniform=True, asymmetric=True):
        super().__init__()
        self.variant, self.method, self.uniform, self.asymmetric = variant, method, uniform, asymmetric
        # Running RMS σ, E|x| and TWN's α; `initialised` says whether a training batch has set them.
        self.register_buffer("running", torch.ones(3))
        # uint8, not bool: gloo (DDP on CPU) cannot broadcast bool buffers.
        self.register_buffer("initialised", torch.zeros((), dtype=torch.uint8))
        self.act_delta_p = self.act_delta_n = self.act_gamma = self.act_alpha = None
        if method != "twn":
            self.act_delta_p = _scalar(0.5)
            if asymmetric:
                self.act_delta_n = _scalar(-0.5)
            if uniform:
                self.act_gamma = _scalar(1.0)
            self.act_alpha = _scalar(1.0)

    def extra_repr(self):
        return "variant=%s, method=%s" % (self.variant, self.method)

    @torch.no_grad()
    def observe(self, x):
        """Updates the running statistics from a training batch (the first call initialises them and α)."""
        x = x.detach().float()
        a = x.abs()
        ma = a.mean()
        sigma = torch.sqrt((x * x).mean() + 1e-12)
        if self.method == "twn":
            above = (a > ma * 0.7).float()
            third = (a * above).sum() / torch.clamp(above.sum(), min=1)
        else:
            third = ma
        now = torch.stack([sigma, ma, third])
        if not bool(self.initialised):
            self.running.copy_(now)
            # α starts near the mean magnitude of the outer third, in activation units.
            if self.act_alpha is not None:
                self.act_alpha.copy_(sigma * (1.2 if self.uniform else 1.0))
            if self.act_delta_p is not None and not self.uniform:
                self.act_delta_p.copy_(sigma * UNIFORM_HALF_WIDTH)
                if self.act_delta_n is not None:
                    self.act_delta_n.copy_(sigma * -UNIFORM_HALF_WIDTH)
            self.initialised.fill_(1)
        else:
            self.running.mul_(0.9).add_(now * 0.1)

    def forward(self, x):
        if self.training:
            self.observe(x)
            return self._train_forward(x)
        return self.eval_forward(x)

    def _train_forward(self, x):
        if self.method == "twn":
            d = self.running[1] * 0.7
            return ste(x, d, -d, self.running[2])
        dn = self.act_delta_n if self.act_delta_n is not None else -self.act_delta_p
        if self.act_gamma is None:
            return bi_ste(x, self.act_delta_p, dn, self.act_alpha)
        # Eq. 9 about zero folded into x-unit thresholds Δ/(γk), k = 0.5/(0.43σ).
        unit = self.running[0] * (UNIFORM_HALF_WIDTH / 0.5) / torch.clamp(self.act_gamma, min=1e-3)
        return bi_ste(x, self.act_delta_p * unit, dn * unit, self.act_alpha)

    def stats(self):
        if not bool(self.initialised):
            return None
        sigma, mean_abs, twn_alpha = (float(v) for v in self.running.detach().cpu().float().tolist())
        return {"sigma": sigma, "meanAbs": mean_abs, "twnAlpha": twn_alpha}

    def fold(self):
        """quantizers.ts ActQuantizer.fold: x-unit float32 thresholds and the scale."""
        s = self.stats() or {"sigma": 1.0, "meanAbs": 1.0, "twnAlpha": 1.0}
        if self.method == "twn":
            d = quant.f32(0.7 * s["meanAbs"])
            return {"pos": d, "neg": -d, "scalePos": s["twnAlpha"], "scaleNeg": s["twnAlpha"], "gamma": None}
        dp = _item(self.act_delta_p)
        dn = _item(self.act_delta_n) if self.act_delta_n is not None else -dp
        alpha = _item(self.act_alpha)
        if self.act_gamma is None:
            return {"pos": quant.f32(dp), "neg": quant.f32(dn), "scalePos": alpha, "scaleNeg": alpha, "gamma": None}
        g = max(1e-3, _item(self.act_gamma))
        unit = (UNIFORM_HALF_WIDTH * s["sigma"]) / (0.5 * g)
        return {"pos": quant.f32(dp * unit), "neg": quant.f32(dn * unit), "scalePos": alpha, "scaleNeg": alpha,
                "gamma": g, "mu": 0.0, "sigma": s["sigma"]}

    def eval_forward(self, x):
        """Eval forward with the folded thresholds: exactly the reference executor's ternarizeActivation."""
        q = self.fold()
        return ternary_code(x, q["pos"], q["neg"]) * q["scalePos"]
