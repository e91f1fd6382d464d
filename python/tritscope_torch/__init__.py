"""tritscope_torch: Tritscope's ternary quantization for PyTorch (seed paper Eq. 2-11).

    model = ternarize(float_model, method="asym-uniform", activations="ternary")
    loss = distill_loss(model(x), y, teacher(x), lam=0.9)
    export_tnn(model, x[:1], "model.tnn")

See docs/pytorch.md in the Tritscope repository.
"""
from .export import ExportError, ExportResult, export_onnx, export_tnn, write_sidecar
from .kd import DEFAULT_LAMBDA, ce_loss, distill_loss, kd_loss, plan_stages
from .modules import RPReLU, TernaryConv2d, TernaryLinear
from .quant import QUANT_METHODS, QuantError, quantize_weights
from .quantizers import ActQuantizer, WeightQuantizer
from .ternarize import calibrate, set_stage, ternarize, ternary_modules

__version__ = "0.1.0"

__all__ = [
    "ternarize", "set_stage", "calibrate", "ternary_modules", "distill_loss", "kd_loss", "ce_loss", "plan_stages",
    "DEFAULT_LAMBDA", "export_tnn", "export_onnx", "write_sidecar", "ExportResult", "ExportError", "quantize_weights",
    "QUANT_METHODS", "QuantError", "TernaryConv2d", "TernaryLinear", "RPReLU", "WeightQuantizer", "ActQuantizer",
]
