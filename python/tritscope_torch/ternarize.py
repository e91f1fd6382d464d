"""ternarize(): a copy of a float model with its Conv2d/Linear layers made ternary.

Mirrors the TypeScript choices: first and last weight layers stay float by default (seed paper
§4.1; src/core/quant/model.ts resolveKeepFloat), ReLUs feeding ternary layers become RPReLU when
activations are ternary (qat-net.ts), the activation variant is 'half-gaussian' for a plain ReLU
input and 'gaussian' otherwise. The source model is never modified.
"""
import copy
import operator
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import quant
from .modules import RPReLU, TernaryConv2d, TernaryLinear, TernaryMixin
from .quantizers import QAT_METHODS

# Value-preserving layers between an activation and the layer that reads it (qat-net.ts PASS_THROUGH).
_PASS_MODULES = (nn.MaxPool2d, nn.AvgPool2d, nn.Flatten, nn.Dropout, nn.Identity)
_PASS_FUNCTIONS = (torch.flatten, F.max_pool2d, F.avg_pool2d, F.dropout)
_PASS_METHODS = ("view", "reshape", "flatten", "contiguous")
_ADD = (operator.add, torch.add, operator.iadd)


def ternary_modules(model):
    """(qualified name, module) of every ternary layer, in registration order."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, TernaryMixin)]


def _is_weight_layer(m):
    return type(m) in (nn.Conv2d, nn.Linear)


def _trace(model):
    try:
        import torch.fx
        return torch.fx.symbolic_trace(model)
    except Exception as e:  # noqa: BLE001 - any tracing failure means "no graph analysis"
        warnings.warn("tritscope_torch.ternarize: torch.fx cannot trace %s (%s); using module registration "
                      "order for first/last and no RPReLU" % (type(model).__name__, str(e).splitlines()[0][:120]))
        return None


def _weight_layers_in_order(model, gm):
    mods = dict(model.named_modules())
    if gm is not None:
        seen, order = set(), []
        for node in gm.graph.nodes:
            if node.op == "call_module" and node.target not in seen and _is_weight_layer(mods.get(node.target)):
                seen.add(node.target)
                order.append(node.target)
        return order
    return [n for n, m in model.named_modules() if _is_weight_layer(m)]


def resolve_keep_float(spec, layers):
    """`keep_float` → set of layer names kept float (model.ts resolveKeepFloat): 'first', 'last', 'none' or names."""
    if spec is None:
        tokens = ["first", "last"]
    elif isinstance(spec, str):
        tokens = [t.strip() for t in spec.split(",") if t.strip()]
    else:
        tokens = list(spec)
    keep = set()
    if tokens == ["none"]:
        return keep
    for t in tokens:
        if t == "first":
            if layers:
                keep.add(layers[0])
        elif t == "last":
            if layers:
                keep.add(layers[-1])
        elif t == "none":
            raise ValueError("keep_float: 'none' cannot be combined with other entries (got %r)" % (tokens,))
        elif t not in layers:
            raise ValueError("keep_float: the model has no Conv2d/Linear layer %r (weight layers: %s)" % (t, ", ".join(layers) or "none"))
        else:
            keep.add(t)
    return keep


def _is_pass(node, mods):
    if node.op == "call_module":
        return isinstance(mods.get(node.target), _PASS_MODULES)
    if node.op == "call_function":
        return node.target in _PASS_FUNCTIONS
    return node.op == "call_method" and node.target in _PASS_METHODS


def _channels_of(node, mods):
    """qat-net.ts channelsOf: the nearest upstream BatchNorm / conv / dense says how many channels a value has."""
    while node is not None:
        if node.op == "call_module":
            m = mods.get(node.target)
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                return m.num_features
            if isinstance(m, nn.Conv2d):
                return m.out_channels
            if isinstance(m, nn.Linear):
                return m.out_features
        args = [a for a in node.args if isinstance(a, torch.fx.Node)]
        node = args[0] if args else None
    return None


def _producer(node, mods):
    """The node that made `node`'s first input, skipping pass-through layers."""
    args = [a for a in node.args if isinstance(a, torch.fx.Node)]
    p = args[0] if args else None
    while p is not None and _is_pass(p, mods):
        args = [a for a in p.args if isinstance(a, torch.fx.Node)]
        p = args[0] if args else None
    return p


def _readers(node, mods):
    """The nodes that read `node`'s value, looking through pass-through layers."""
    out = []
    for u in node.users:
        out.extend(_readers(u, mods) if _is_pass(u, mods) else [u])
    return out


def _analyse_inputs(gm, targets):
    """For each ternary target: (ReLU module name or None, 'relu-module' | 'relu-function' | None, channels)."""
    mods = dict(gm.named_modules())
    sites = {}  # ReLU module name → list of call nodes
    for node in gm.graph.nodes:
        if node.op == "call_module" and isinstance(mods.get(node.target), nn.ReLU):
            sites.setdefault(node.target, []).append(node)
    feeding = {}
    for node in gm.graph.nodes:
        if node.op == "call_module" and node.target in targets:
            p = _producer(node, mods)
            kind, relu = None, None
            if p is not None and p.op == "call_module" and isinstance(mods.get(p.target), nn.ReLU):
                kind, relu = "relu-module", p.target
            elif p is not None and (p.op == "call_function" and p.target in (F.relu, torch.relu)
                                    or p.op == "call_method" and p.target == "relu"):
                kind = "relu-function"
            feeding.setdefault(node.target, (relu, kind, p))
    return feeding, sites, mods


def _set_module(root, name, new):
    parent, _, leaf = name.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, leaf, new)


def ternarize(model, method="asym-uniform", keep_float=("first", "last"), activations="float", *, uniform=True,
              asymmetric=True, rprelu=None, ptq=False, seed=0, gamma=None, twn_factor=None, ttq_t=None):
    """A copy of `model` whose nn.Conv2d / nn.Linear layers (except `keep_float`) are ternary.

    method: twn | ttq | asym-uniform | alemdar | stochastic. activations: "float" or "ternary".
    ptq=False (default): quantization-aware training state, initialised as src/core/train/qat does.
    ptq=True: the weights are quantized once by the post-training quantizer of src/core/quant (exact
    port in tritscope_torch.quant) and frozen; ternary activations then need calibrate(model, batch).
    rprelu (default: activations == "ternary", QAT only): ReLU modules feeding ternary layers become RPReLU.
    """
    if method not in QAT_METHODS:
        raise ValueError("method must be one of %s, got %r" % (", ".join(QAT_METHODS), method))
    if activations not in ("float", "ternary"):
        raise ValueError("activations must be 'float' or 'ternary', got %r" % (activations,))
    if rprelu is None:
        rprelu = activations == "ternary" and not ptq
    if rprelu and ptq:
        raise ValueError("rprelu: post-training quantization (ptq=True) keeps the float model's activations; use rprelu=False")
    if any(isinstance(m, TernaryMixin) for m in model.modules()):
        raise ValueError("ternarize: the model already has ternary layers")
    model = copy.deepcopy(model)
    gm = _trace(model)
    order = _weight_layers_in_order(model, gm)
    keep = resolve_keep_float(keep_float, order)
    targets = [n for n in order if n not in keep]
    if not targets:
        warnings.warn("tritscope_torch.ternarize: no layer to ternarize (weight layers: %s, kept float: %s)" % (order, sorted(keep)))

    feeding, sites, mods = _analyse_inputs(gm, set(targets)) if gm is not None else ({}, {}, {})
    replace_relu = {}  # ReLU module name → channels
    if rprelu and activations == "ternary" and gm is not None:
        for t in targets:
            relu, kind, _ = feeding.get(t, (None, None, None))
            if kind == "relu-module" and relu not in replace_relu:
                calls = sites[relu]
                # Replaceable only if every call of this ReLU module feeds at least one ternary layer: the export
                # finds each IR relu by walking back from a ternary layer and turns it into the IR's rprelu
                # (for all its readers, as the RPReLU module serves all of them here). One channel count for all calls.
                each_call_feeds_ternary = all(any(u.op == "call_module" and u.target in targets for u in _readers(c, mods))
                                              for c in calls)
                chans = {_channels_of(c.args[0], mods) for c in calls}
                if each_call_feeds_ternary and len(chans) == 1 and None not in chans:
                    replace_relu[relu] = chans.pop()
                else:
                    warnings.warn("tritscope_torch.ternarize: ReLU module %r is also called where no ternary layer reads it "
                                  "(or its channel count is unclear); it stays a ReLU" % relu)
            elif kind == "relu-function":
                warnings.warn("tritscope_torch.ternarize: the input of %r comes from a functional relu, which cannot "
                              "become RPReLU; use an nn.ReLU module" % t)

    for name in targets:
        m = model.get_submodule(name)
        relu, kind, _ = feeding.get(name, (None, None, None))
        variant = "half-gaussian" if kind is not None and relu not in replace_relu else "gaussian"
        cls = TernaryConv2d if isinstance(m, nn.Conv2d) else TernaryLinear
        t = cls.from_float(m, method, activations, uniform, asymmetric, variant)
        if relu in replace_relu:
            t.input_rprelu = relu
        if ptq:
            trits, q = quant.quantize_weights(method, m.weight.detach().cpu().numpy(), seed=seed, gamma=gamma,
                                              twn_factor=twn_factor, ttq_t=ttq_t, name="layer %r" % name)
            t.ptq = {"trits": trits, "quant": q}
            t.act_quant = None
            t.weight.requires_grad_(False)
            for p in t.weight_quant.parameters():
                p.requires_grad_(False)
        _set_module(model, name, t)
    for relu, channels in replace_relu.items():
        r = RPReLU(channels).to(next(model.parameters()).device)
        r.train(model.get_submodule(relu).training)
        _set_module(model, relu, r)
    return model


def set_stage(model, weights=None, acts=None):
    """Switches ternary weights / activations on or off (two-stage training, §3.4) and which quantizer
    parameters train: those of a switched-off quantizer get requires_grad=False (so DDP sees no unused ones)."""
    for _, m in ternary_modules(model):
        if weights is not None:
            m.quant_weights = bool(weights)
        if acts is not None:
            m.quant_acts = bool(acts) and (m.act_quant is not None or m.fixed_act is not None or m.ptq is not None)
        m._eval_cache = None
        for p in m.weight_quant.parameters():
            p.requires_grad_(m.quant_weights and m.ptq is None)
        if m.act_quant is not None:
            for p in m.act_quant.parameters():
                p.requires_grad_(m.quant_acts)
    return model


def execution_order(model, x):
    """Ternary layers in the order a forward pass on `x` first calls them."""
    order, hooks = [], []
    for name, m in ternary_modules(model):
        hooks.append(m.register_forward_pre_hook(lambda mod, inp, name=name: order.append(name) if name not in order else None))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return order


class _Captured(Exception):
    pass


def fit_act_quant(x):
    """src/core/quant/calibrate.ts fitActQuant: Eq. 9 thresholds μ ± 0.43σ for signed inputs; for
    non-negative inputs the median split (half-Gaussian note of Eq. 9) and the mean of the +1 set."""
    x32 = np.ascontiguousarray(x.detach().cpu().float().numpy()).ravel()
    v = x32.astype(np.float64)
    mu, sigma = quant.mean_std(v)
    if v.size and float(v.min()) >= 0:
        median = float(np.sort(x32)[(x32.size - 1) >> 1])
        above = v[v > median]
        scale = quant.seq_sum(above) / above.size if above.size else 0.0
        return {"thresholds": {"pos": median, "neg": 0.0}, "scale": scale, "gamma": None, "mu": mu, "sigma": sigma, "variant": "half-gaussian"}
    pos, neg = quant.uniform_thresholds(mu, sigma, 1.0)
    terms = np.where(v > pos, v, np.where(v < neg, -v, 0.0))[(v > pos) | (v < neg)]
    scale = max(0.0, quant.seq_sum(terms) / terms.size) if terms.size else 0.0
    return {"thresholds": {"pos": pos, "neg": neg}, "scale": scale, "gamma": 1.0, "mu": mu, "sigma": sigma, "variant": "gaussian"}


def fit_act_quant_l2(x):
    """calibrate.ts fitActQuantL2: the alemdar search on ≤ 200 000 values taken at a fixed stride."""
    v = np.ascontiguousarray(x.detach().cpu().float().numpy()).ravel().astype(np.float64)
    stride = max(1, -(-v.size // 200_000))
    _, q = quant.alemdar(v[::stride])
    mu, sigma = quant.mean_std(v)
    return {"thresholds": dict(q["thresholds"]), "scale": q["scale"]["pos"], "gamma": None, "mu": mu, "sigma": sigma,
            "variant": "half-gaussian" if float(v.min()) >= 0 else "gaussian"}


def calibrate(model, x, thresholds="uniform"):
    """Post-training activation calibration (calibrate.ts calibrateActivations): each ternary layer's
    input quantization is fitted on the activations `x` produces with the earlier layers already
    ternarized. Sets `fixed_act` on every ternary layer and switches ternary activations on."""
    fit = {"uniform": fit_act_quant, "l2": fit_act_quant_l2}.get(thresholds)
    if fit is None:
        raise ValueError("thresholds must be 'uniform' or 'l2', got %r" % (thresholds,))
    was_training = model.training
    model.eval()
    mods = dict(ternary_modules(model))
    for m in mods.values():
        m.fixed_act = None
        m.quant_acts = False
    try:
        for name in execution_order(model, x):
            m = mods[name]
            got = []

            def hook(mod, inp, got=got):
                got.append(inp[0])
                raise _Captured()
            h = m.register_forward_pre_hook(hook)
            try:
                with torch.no_grad():
                    model(x)
            except _Captured:
                pass
            finally:
                h.remove()
            m.fixed_act = fit(got[0])
            m.quant_acts = True
    finally:
        model.train(was_training)
    return model
