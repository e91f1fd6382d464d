"""Post-training ternary quantizers, ported operation for operation from
src/core/quant/{common,twn,ttq,asym-uniform,alemdar,stochastic}.ts.

Exactness rules (so the numbers equal the TypeScript ones, not just approximately):
- weights are float32; every statistic is accumulated in float64 *left to right*
  like the TypeScript loops (`np.cumsum` is a sequential sum, unlike `np.sum`);
- expressions keep the TypeScript evaluation order (e.g. TWN's (0.7·Σ|w|)/n);
- thresholds stay float64 here (src/core/quant does not round them to float32;
  the QAT fold in quantizers.py does, as src/core/train/qat/quantizers.ts does);
- ties go to 0 (Eq. 6: +1 iff w > Δp, −1 iff w < Δn).
"""
import math

import numpy as np

# Φ⁻¹(2/3) rounded as in the seed paper's Eq. 9 (asym-uniform.ts UNIFORM_Z).
UNIFORM_Z = 0.43
# Eq. 8's thresholds in the normalized domain Z̃ (asym-uniform.ts NORMALIZED_THRESHOLD).
NORMALIZED_THRESHOLD = 0.5

QUANT_METHODS = ("twn", "ttq", "asym-uniform", "alemdar", "stochastic")


class QuantError(ValueError):
    """Weights or options a quantizer cannot work with; the message names the tensor."""


def f32(x):
    """Math.fround: the nearest float32, as a Python float."""
    return float(np.float32(x))


def seq_sum(a):
    """Left-to-right float64 sum, the order of a TypeScript `for` loop (0 when empty)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    return float(np.cumsum(a)[-1]) if a.size else 0.0


def as_weights(w, name="weights"):
    """float32 weights flattened in C order, as float64 values (exact), after checkWeights (common.ts)."""
    w32 = np.ascontiguousarray(np.asarray(w, dtype=np.float32)).ravel()
    if w32.size == 0:
        raise QuantError("%s: cannot ternarize an empty weight tensor" % name)
    bad = np.flatnonzero(~np.isfinite(w32))
    if bad.size:
        raise QuantError("%s: weight [%d] is %r, expected a finite number" % (name, bad[0], float(w32[bad[0]])))
    return w32.astype(np.float64)


def apply_thresholds(w, pos, neg):
    """Seed paper Eq. 6 (common.ts applyThresholds): +1 when w > pos, −1 when w < neg, else 0."""
    w = np.asarray(w, dtype=np.float64)
    return ((w > pos).astype(np.int8) - (w < neg).astype(np.int8)).astype(np.int8)


def optimal_scale(w, trits):
    """α = Σ W_i·T_i / Σ T_i² over the nonzero trits, clamped at 0 (common.ts optimalScale)."""
    nz = trits != 0
    nnz = int(nz.sum())
    if not nnz:
        return 0.0
    dot = seq_sum(trits[nz].astype(np.float64) * w[nz])
    return max(0.0, dot / nnz)


def mean_std(w):
    """Mean and population σ, two passes (common.ts meanStd)."""
    n = w.size
    if not n:
        return 0.0, 0.0
    mu = seq_sum(w) / n
    d = w - mu
    return mu, math.sqrt(seq_sum(d * d) / n)


def _result(trits, method, thresholds, scale, gamma, mu=None, sigma=None, options=None):
    q = {"method": method, "thresholds": {"pos": thresholds[0], "neg": thresholds[1]},
         "scale": {"pos": scale[0], "neg": scale[1]}, "gamma": gamma}
    if mu is not None:
        q["mu"] = mu
        q["sigma"] = sigma
    if options is not None:
        q["options"] = options
    return trits, q


def twn(w, factor=0.7, name="weights"):
    """Ternary Weight Networks, seed paper Eq. 2–3 (twn.ts)."""
    if not (factor >= 0) or not math.isfinite(factor):
        raise QuantError("%s: TWN factor must be a finite number >= 0, got %r" % (name, factor))
    w = as_weights(w, name)
    # Eq. 3: Δ = 0.7·E(|W|), computed as (factor·Σ|w|)/n like twn.ts.
    delta = (factor * seq_sum(np.abs(w))) / w.size
    trits = apply_thresholds(w, delta, -delta)  # Eq. 2
    nz = trits != 0
    n = int(nz.sum())
    alpha = seq_sum(np.abs(w[nz])) / n if n else 0.0  # Eq. 3's α
    return _result(trits, "twn", (delta, -delta), (alpha, alpha), None, options={"factor": factor})


def ttq(w, t=0.05, name="weights"):
    """TTQ's post-training starting point, seed paper Eq. 4–5 (ttq.ts): Δ = t·max|W|, αp/αn region means."""
    if not (0 <= t <= 1):
        raise QuantError("%s: TTQ threshold fraction t must be in [0, 1], got %r" % (name, t))
    w = as_weights(w, name)
    delta = t * float(np.max(np.abs(w)))
    trits = apply_thresholds(w, delta, -delta)
    p, m = trits > 0, trits < 0
    n_p, n_n = int(p.sum()), int(m.sum())
    alpha_p = seq_sum(w[p]) / n_p if n_p else 0.0
    alpha_n = seq_sum(-w[m]) / n_n if n_n else 0.0  # `sumN -= w[i]` ≡ Σ(−w) exactly
    return _result(trits, "ttq", (delta, -delta), (alpha_p, alpha_n), None, options={"t": t})


def uniform_thresholds(mu, sigma, gamma):
    """Eq. 8 on Eq. 9: μ ± 0.43σ/γ (asym-uniform.ts uniformThresholds, same operation order); 0, 0 when σ = 0."""
    if not (sigma > 0):
        return 0.0, 0.0
    half = (NORMALIZED_THRESHOLD * UNIFORM_Z * sigma) / (NORMALIZED_THRESHOLD * gamma)
    return mu + half, mu - half


def _check_gamma(gamma, name):
    if not (gamma > 0) or not math.isfinite(gamma):
        raise QuantError("%s: gamma (Eq. 9) must be a finite number > 0, got %r" % (name, gamma))


def asym_uniform(w, gamma=1.0, name="weights"):
    """The seed paper's method (asym-uniform.ts): Eq. 9 normalization, asymmetric Eq. 8 thresholds, L2-optimal α."""
    w = as_weights(w, name)
    _check_gamma(gamma, name)
    mu, sigma = mean_std(w)
    pos, neg = uniform_thresholds(mu, sigma, gamma)
    trits = apply_thresholds(w, pos, neg)
    alpha = optimal_scale(w, trits)
    return _result(trits, "asym-uniform", (pos, neg), (alpha, alpha), gamma, mu, sigma)


# ---- stochastic (Eq. 7) -------------------------------------------------------------------------

_MASK32 = np.uint64(0xFFFFFFFF)


def _imul(a, b):
    return (a * b) & _MASK32  # uint64 products wrap mod 2^64, which keeps the low 32 bits (Math.imul)


def mulberry32_draws(seed32, n):
    """The first n numbers of src/core/rng.ts mulberry32(seed32), vectorized: its state is a plain counter."""
    k = np.arange(1, n + 1, dtype=np.uint64)
    t = (np.uint64(seed32) + k * np.uint64(0x6D2B79F5)) & _MASK32
    t = _imul(t ^ (t >> np.uint64(15)), t | np.uint64(1))
    t = t ^ ((t + _imul(t ^ (t >> np.uint64(7)), t | np.uint64(61))) & _MASK32)
    return (t ^ (t >> np.uint64(14))).astype(np.float64) / 4294967296.0


def quant_rng_seed(seed):
    """src/core/quant/rng.ts createRng: (trunc(seed) ^ 0x9e3779b9) >>> 0."""
    return (int(math.trunc(seed)) & 0xFFFFFFFF) ^ 0x9E3779B9


def stochastic_probability(w, pos, neg):
    """Eq. 7 probability that w becomes +1 (w > 0) or −1 (w < 0) (stochastic.ts stochasticProbability)."""
    w = np.asarray(w, dtype=np.float64)
    p = np.zeros_like(w)
    gt, lt = w > 0, w < 0
    p[gt] = np.minimum(1.0, w[gt] / (2 * pos)) if pos > 0 else 1.0
    p[lt] = np.minimum(1.0, w[lt] / (2 * neg)) if neg < 0 else 1.0
    return p


def stochastic(w, seed=0, gamma=1.0, name="weights"):
    """Stochastic ternarization, seed paper Eq. 7 with the Eq. 9 thresholds (stochastic.ts): one draw per weight in index order."""
    w = as_weights(w, name)
    _check_gamma(gamma, name)
    mu, sigma = mean_std(w)
    pos, neg = uniform_thresholds(mu, sigma, gamma)
    u = mulberry32_draws(quant_rng_seed(seed), w.size)
    hit = u < stochastic_probability(w, pos, neg)
    trits = np.where(hit, np.where(w > 0, 1, -1), 0).astype(np.int8)
    alpha = optimal_scale(w, trits)
    return _result(trits, "stochastic", (pos, neg), (alpha, alpha), gamma, mu, sigma, options={"seed": seed})


# ---- alemdar (greedy dichotomic search, Eq. 6) -------------------------------------------------

class _Side:
    """Distinct magnitudes descending with prefix counts and float64 sums (alemdar.ts sideTable)."""

    def __init__(self, mags):
        desc = np.sort(mags)[::-1]
        if desc.size:
            ends = np.flatnonzero(np.append(desc[1:] != desc[:-1], True))
            self.values = desc[ends]
            self.count = np.concatenate(([0.0], (ends + 1).astype(np.float64)))
            # sideTable adds each value in turn to a running total: the sequential prefix sum.
            self.sum = np.concatenate(([0.0], np.cumsum(desc)[ends]))
        else:
            self.values = np.zeros(0)
            self.count = np.zeros(1)
            self.sum = np.zeros(1)
        self.n = int(self.values.size)

    def groups_above(self, threshold):
        """Number of groups strictly beyond `threshold` (values are descending)."""
        return int(np.searchsorted(-self.values, -threshold, side="left"))


def _dichotomic_argmax(f, hi, start):
    """alemdar.ts dichotomicArgmax: ternary search over [0, hi], then a hill-climb."""
    lo, top = 0, hi
    while top - lo > 2:
        m1 = lo + (top - lo) // 3
        m2 = top - (top - lo) // 3
        if f(m1) < f(m2):
            lo = m1 + 1
        else:
            top = m1 if m2 - 1 < m1 else m2 - 1
    best = start
    for k in range(lo, top + 1):
        if f(k) > f(best):
            best = k
    while True:
        if best > 0 and f(best - 1) > f(best):
            best -= 1
        elif best < hi and f(best + 1) > f(best):
            best += 1
        else:
            return best


def _best_common_cut(P, N):
    """alemdar.ts bestCommonMagnitudeCut, vectorized: every common-magnitude cut, first strict maximum wins."""
    if not (P.n or N.n):
        return 0, 0
    union = np.unique(np.concatenate((P.values, N.values)))[::-1]
    # After the step at magnitude m the loop has taken every group with value ≥ m on each side.
    g = np.searchsorted(-P.values, -union, side="right")
    h = np.searchsorted(-N.values, -union, side="right")
    n = P.count[g] + N.count[h]
    s = P.sum[g] + N.sum[h]
    scores = (s * s) / n  # n ≥ 1 at every step
    k = int(np.argmax(scores))
    if scores[k] > 0.0:  # score(0, 0) = 0 is the loop's starting best
        return int(g[k]), int(h[k])
    return 0, 0


def alemdar(w, max_rounds=64, name="weights"):
    """Asymmetric thresholds by greedy dichotomic search (alemdar.ts), Eq. 6, one L2-optimal α."""
    w = as_weights(w, name)
    P = _Side(w[w > 0])
    N = _Side(-w[w < 0])

    def score(g, h):
        n = P.count[g] + N.count[h]
        s = P.sum[g] + N.sum[h]
        return (s * s) / n if n else 0.0

    twn_delta = (0.7 * seq_sum(np.abs(w))) / w.size
    state = [P.groups_above(twn_delta), N.groups_above(twn_delta)]

    def alternate():
        for _ in range(max_rounds):
            g, h = state
            g2 = _dichotomic_argmax(lambda k: score(k, h), P.n, g)
            h2 = _dichotomic_argmax(lambda k: score(g2, k), N.n, h)
            state[0], state[1] = g2, h2
            if g2 == g and h2 == h:
                break

    alternate()
    cg, ch = _best_common_cut(P, N)
    if score(cg, ch) > score(*state):
        state[0], state[1] = cg, ch
        alternate()
    g, h = state
    # Thresholds sit on the first excluded value (ties go to 0, Eq. 6), or at 0 when all are kept.
    pos = float(P.values[g]) if g < P.n else 0.0
    neg = -float(N.values[h]) if h < N.n else 0.0
    trits = apply_thresholds(w, pos, neg)
    alpha = optimal_scale(w, trits)
    return _result(trits, "alemdar", (pos, neg), (alpha, alpha), None, options={"maxRounds": max_rounds})


def quantize_weights(method, w, seed=0, gamma=None, twn_factor=None, ttq_t=None, name=None):
    """One entry point over the five quantizers (methods.ts quantizeWeights).

    Returns (trits int8 array in C order of `w`, quant dict with the WeightQuant fields).
    """
    name = name or "weights"
    if method == "twn":
        return twn(w, 0.7 if twn_factor is None else twn_factor, name)
    if method == "ttq":
        return ttq(w, 0.05 if ttq_t is None else ttq_t, name)
    if method == "asym-uniform":
        return asym_uniform(w, 1.0 if gamma is None else gamma, name)
    if method == "alemdar":
        return alemdar(w, name=name)
    if method == "stochastic":
        return stochastic(w, seed, 1.0 if gamma is None else gamma, name)
    raise QuantError("%s: unknown quantization method %r (expected %s)" % (name, method, ", ".join(QUANT_METHODS)))
