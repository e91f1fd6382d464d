"""Ternary drop-in replacements for nn.Conv2d / nn.Linear, and RPReLU.

A ternary layer keeps its float ("latent") weight as `weight`, so its parameter names and
state_dict keys are those of the layer it replaces. Switches (set by ternarize.set_stage):
- quant_weights: the forward uses ternary weights (QAT: WeightQuantizer; or frozen PTQ trits);
- quant_acts: the layer's input is ternarized first (ActQuantizer), as the IR's actQuant does.
In eval mode the weights are the folded ones (quantizers.ts prepareEval/dequantFolded) and the
activations use the folded thresholds, so eval predictions equal the exported `.tnn`'s.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .quantizers import ActQuantizer, WeightQuantizer, folded_code


class _Exporting:
    """Set while export_tnn traces the float-equivalent graph (plain float layers, ReLU placeholders)."""
    active = False


def exporting():
    return _Exporting.active


def dequantize(trits, scale_pos, scale_neg, like):
    """+1 ↦ +scale.pos, −1 ↦ −scale.neg, 0 ↦ 0 (WeightQuant's contract), float32 on `like`'s device."""
    t = torch.as_tensor(np.asarray(trits, dtype=np.int8).reshape(tuple(like.shape)), device=like.device)
    out = torch.zeros(like.shape, dtype=torch.float32, device=like.device)
    out[t > 0] = scale_pos
    out[t < 0] = -scale_neg
    return out


class TernaryMixin:
    """Shared state and forward of TernaryConv2d / TernaryLinear."""

    def _adopt(self, src, method, activations, uniform, asymmetric, act_variant):
        """Takes the float layer's weights, bias and train/eval mode, then sets up the quantizers."""
        with torch.no_grad():
            self.weight.copy_(src.weight)
            if src.bias is not None:
                self.bias.copy_(src.bias)
        self.train(src.training)
        self._init_ternary(method, activations, uniform, asymmetric, act_variant)
        return self

    def _init_ternary(self, method, activations, uniform, asymmetric, act_variant):
        self.method = method
        dev = self.weight.device
        self.weight_quant = WeightQuantizer(self.weight, method, uniform, asymmetric).to(dev)
        self.act_quant = ActQuantizer(act_variant, method, uniform, asymmetric).to(dev) if activations == "ternary" else None
        self.quant_weights = True
        self.quant_acts = activations == "ternary"
        # Qualified name of the RPReLU feeding this layer (through pooling/flatten), for export.
        self.input_rprelu = None
        # Frozen post-training quantization: {"trits": int8 array, "quant": WeightQuant fields} (ptq=True).
        self.ptq = None
        # Frozen activation quantization fitted by calibrate(): ActQuant fields.
        self.fixed_act = None
        self._eval_cache = None

    def _plain(self, x, w):
        raise NotImplementedError

    def effective_weight(self):
        if not self.quant_weights:
            return self.weight
        if self.ptq is not None:
            q = self.ptq["quant"]
            return self._cached(("ptq",), lambda: dequantize(self.ptq["trits"], q["scale"]["pos"], q["scale"]["neg"], self.weight))
        if self.training:
            return self.weight_quant(self.weight)
        key = tuple((p._version, p.data_ptr()) for p in [self.weight, *self.weight_quant.parameters()])
        return self._cached(key, self._folded_weight)

    def _cached(self, key, make):
        key = (key, self.weight.device)
        if self._eval_cache is None or self._eval_cache[0] != key:
            with torch.no_grad():
                self._eval_cache = (key, make())
        return self._eval_cache[1]

    def _folded_weight(self):
        fq = self.weight_quant.fold(self.weight)
        code = folded_code(self.weight.detach().cpu().float().numpy().ravel().astype(np.float64), fq)
        return dequantize(code, fq["scalePos"], fq["scaleNeg"], self.weight)

    def quantize_input(self, x):
        if not self.quant_acts:
            return x
        if self.fixed_act is not None:
            a = self.fixed_act
            # reference.ts ternarizeActivation: thresholds rounded to float32, compared as float32.
            pos, neg = float(np.float32(a["thresholds"]["pos"])), float(np.float32(a["thresholds"]["neg"]))
            return ((x > pos).to(x.dtype) - (x < neg).to(x.dtype)) * float(np.float32(a["scale"]))
        return self.act_quant(x) if self.act_quant is not None else x

    def forward(self, x):
        if exporting():
            return self._plain(x, self.weight)
        return self._plain(self.quantize_input(x), self.effective_weight())

    def _ternary_extra(self):
        return "method=%s, quant_weights=%s, quant_acts=%s%s" % (
            self.method, self.quant_weights, self.quant_acts, ", ptq" if self.ptq is not None else "")


class TernaryConv2d(TernaryMixin, nn.Conv2d):
    @classmethod
    def from_float(cls, conv, method, activations="float", uniform=True, asymmetric=True, act_variant="gaussian"):
        m = cls(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, conv.dilation,
                conv.groups, conv.bias is not None, conv.padding_mode, device=conv.weight.device, dtype=conv.weight.dtype)
        return m._adopt(conv, method, activations, uniform, asymmetric, act_variant)

    def _plain(self, x, w):
        return self._conv_forward(x, w, self.bias)

    def extra_repr(self):
        return super().extra_repr() + ", " + self._ternary_extra()


class TernaryLinear(TernaryMixin, nn.Linear):
    @classmethod
    def from_float(cls, lin, method, activations="float", uniform=True, asymmetric=True, act_variant="gaussian"):
        m = cls(lin.in_features, lin.out_features, lin.bias is not None, device=lin.weight.device, dtype=lin.weight.dtype)
        return m._adopt(lin, method, activations, uniform, asymmetric, act_variant)

    def _plain(self, x, w):
        return F.linear(x, w, self.bias)

    def extra_repr(self):
        return super().extra_repr() + ", " + self._ternary_extra()


class RPReLU(nn.Module):
    """RPReLU (Liu et al. 2020, ReActNet; seed paper §4.1): y = prelu(x − shiftIn) + shiftOut, per channel.

    Starts as an exact ReLU (slope 0, no shifts) so the student starts as the teacher. On the first
    training batch shiftOut is set to −(per-channel mean of the ReLU output) (qat-net.ts): Eq. 9 subtracts
    μ before ternarizing, but the IR's ternary activation has no zero-point, so RPReLU's learnable
    shift-out carries it and the ternarizer sees zero-mean inputs (ReLU zeros → −1, strong → +1).
    """

    def __init__(self, channels):
        super().__init__()
        self.slope = nn.Parameter(torch.zeros(channels))
        self.shift_in = nn.Parameter(torch.zeros(channels))
        self.shift_out = nn.Parameter(torch.zeros(channels))
        self.register_buffer("centred", torch.zeros((), dtype=torch.uint8))

    def extra_repr(self):
        return "channels=%d" % self.slope.numel()

    def _view(self, p, x):
        return p.view(-1, *([1] * (x.dim() - 2)))

    def forward(self, x):
        if exporting():
            return F.relu(x)  # placeholder: the sidecar turns this ReLU into the IR's rprelu
        if x.shape[1] != self.slope.numel():
            raise RuntimeError("RPReLU: input has %d channels, the module %d" % (x.shape[1], self.slope.numel()))
        if self.training and not bool(self.centred):
            with torch.no_grad():
                dims = [d for d in range(x.dim()) if d != 1]
                self.shift_out.copy_(-F.relu(x).mean(dim=dims))
                self.centred.fill_(1)
        return F.prelu(x - self._view(self.shift_in, x), self.slope) + self._view(self.shift_out, x)
