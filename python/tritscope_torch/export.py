"""export_tnn(): a ternarized PyTorch model → Tritscope `.tnn`, through Tritscope's own ONNX importer.

Design (one graph importer for the whole project):
1. The float-equivalent graph goes to ONNX (torch.onnx.export, opset 13, TorchScript exporter):
   ternary layers as plain Conv/Gemm with their latent float weights, no activation quantization,
   each RPReLU as the ReLU it replaced. BatchNorm is kept as is (TrainingMode.PRESERVE on an eval
   model), never folded into the conv before it: the trits belong to the conv's own weights.
2. A sidecar (safetensors) holds what ONNX cannot say, keyed by the ONNX initializer name of each
   ternary layer's weight (= the PyTorch parameter name): trits (I8), thresholds, scales, γ/μ/σ,
   method and options, the input activation quantization, and the RPReLU feeding the layer.
3. `tritscope assemble model.onnx sidecar -o out.tnn` (src/core/quant/external.ts) imports the ONNX,
   validates every sidecar field as hostile input, checks the trits against the thresholds and
   re-derives post-training entries with the TypeScript quantizers, then writes the `.tnn` atomically.
Without node or the built CLI, the ONNX and the sidecar are left next to the target and the message
says which command finishes the job on another machine.
"""
import inspect
import json
import os
import shutil
import subprocess
import tempfile
import warnings

import numpy as np
import torch

from . import modules
from .files import atomic_write, safetensors_bytes
from .quantizers import folded_code
from .ternarize import ternary_modules

SIDECAR_FORMAT = "tritscope-quant"
SIDECAR_VERSION = "1"
OPSET = 13


class ExportError(RuntimeError):
    pass


class ExportResult:
    def __init__(self, path, assembled, onnx=None, sidecar=None, command=None, report=None):
        self.path, self.assembled, self.onnx, self.sidecar, self.command, self.report = path, assembled, onnx, sidecar, command, report

    def __repr__(self):
        return "ExportResult(path=%r, assembled=%r)" % (self.path, self.assembled)


def _unwrap(model):
    return model.module if isinstance(model, (torch.nn.parallel.DistributedDataParallel, torch.nn.DataParallel)) else model


def _act_entry(m):
    if m.fixed_act is not None:  # calibrate(): the ActQuant fields already
        return {k: v for k, v in m.fixed_act.items() if k in ("thresholds", "scale", "gamma", "mu", "sigma", "variant")}
    q = m.act_quant.fold()
    act = {"thresholds": {"pos": q["pos"], "neg": q["neg"]}, "scale": q["scalePos"], "gamma": q["gamma"], "variant": m.act_quant.variant}
    if "mu" in q:
        act["mu"], act["sigma"] = q["mu"], q["sigma"]
    return act


def sidecar_entries(model):
    """(entries, tensors): the sidecar's per-layer JSON and its arrays, for the model's current stage."""
    model = _unwrap(model)
    entries, tensors = [], {}
    for name, m in ternary_modules(model):
        weight = name + ".weight"
        e = {"weight": weight, "module": name}
        if m.quant_weights:
            w = m.weight.detach().cpu().float().numpy()
            if m.ptq is not None:
                trits, q = m.ptq["trits"], m.ptq["quant"]
                e.update({"method": q["method"], "origin": "ptq", "thresholds": dict(q["thresholds"]), "scale": dict(q["scale"]),
                          "gamma": q["gamma"], "options": dict(q.get("options", {}))})
                if "mu" in q:
                    e["mu"], e["sigma"] = q["mu"], q["sigma"]
            else:
                fq = m.weight_quant.fold(w)
                trits = folded_code(w.ravel().astype(np.float64), fq)
                wq = m.weight_quant
                e.update({"method": m.method, "origin": "qat", "thresholds": {"pos": fq["pos"], "neg": fq["neg"]},
                          "scale": {"pos": fq["scalePos"], "neg": fq["scaleNeg"]}, "gamma": fq["gamma"],
                          "options": {"qat": True, "uniform": wq.uniform, "asymmetric": wq.asymmetric}})
                if "mu" in fq:
                    e["mu"], e["sigma"] = fq["mu"], fq["sigma"]
            e["trits"] = weight + ".trits"
            tensors[e["trits"]] = np.asarray(trits, dtype=np.int8).reshape(w.shape)
        if m.quant_acts:
            e["actQuant"] = _act_entry(m)
        if m.input_rprelu:
            r = model.get_submodule(m.input_rprelu)
            e["inputRprelu"] = {}
            for role, p in (("slope", r.slope), ("shiftIn", r.shift_in), ("shiftOut", r.shift_out)):
                key = "%s.%s" % (m.input_rprelu, role)
                tensors[key] = p.detach().cpu().float().numpy().copy()
                e["inputRprelu"][role] = key
        if len(e) > 2:
            entries.append(e)
    return entries, tensors


def write_sidecar(path, model, provenance=None, labels=None):
    entries, tensors = sidecar_entries(model)
    meta = {"format": SIDECAR_FORMAT, "version": SIDECAR_VERSION, "layers": json.dumps(entries, allow_nan=False)}
    if provenance:
        meta["provenance"] = json.dumps(provenance, allow_nan=False)
    if labels:
        meta["labels"] = json.dumps([str(s) for s in labels])
    atomic_write(path, safetensors_bytes(tensors, meta))
    return entries


def export_onnx(model, example_input, path):
    """The float-equivalent graph (see the module doc) as ONNX opset 13; the model's state is restored."""
    model = _unwrap(model)
    was_training = model.training
    x = example_input[:1].detach()
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter keeps parameter names as initializer names
    model.eval()
    modules._Exporting.active = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.no_grad():
                torch.onnx.export(model, (x,), path, opset_version=OPSET, training=torch.onnx.TrainingMode.PRESERVE,
                                  do_constant_folding=True, input_names=["input"], output_names=["output"],
                                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **kwargs)
    finally:
        modules._Exporting.active = False
        model.train(was_training)


def find_cli():
    """(node, cli.js) when both exist: $TRITSCOPE_NODE or node on PATH; $TRITSCOPE_CLI or the repository's dist/cli.js."""
    node = os.environ.get("TRITSCOPE_NODE") or shutil.which("node")
    cli = os.environ.get("TRITSCOPE_CLI") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dist", "cli.js")
    cli = os.path.normpath(cli)
    if node and os.path.isfile(cli):
        return node, cli
    return None


def assemble(onnx_path, sidecar_path, out, cli=None, timeout=1800):
    """Runs `tritscope assemble`; returns its JSON report. Raises ExportError with the CLI's message."""
    node, cli_js = cli or find_cli() or (None, None)
    if not node:
        raise ExportError("tritscope CLI not found: set TRITSCOPE_CLI to dist/cli.js (and TRITSCOPE_NODE to node) or build it (node esbuild.mjs)")
    cmd = [node, cli_js, "assemble", onnx_path, sidecar_path, "-o", out, "--force", "--json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ExportError("tritscope assemble did not finish in %d s" % timeout) from None
    if r.returncode != 0:
        msg = [line for line in r.stderr.strip().splitlines() if line.strip()]
        raise ExportError("tritscope assemble failed: %s" % (msg[-1] if msg else "exit %d" % r.returncode))
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ExportError("tritscope assemble: unexpected output %r" % r.stdout[-200:]) from None


def _stem(path):
    return path[:-4] if path.lower().endswith(".tnn") else path


def export_tnn(model, example_input, path, provenance=None, labels=None, keep_intermediates=False, cli=None):
    """Writes `path` (.tnn) for the model as it is now (its stage's ternary weights and/or activations).

    Returns an ExportResult. When the Tritscope CLI is not available (no node, no dist/cli.js and no
    $TRITSCOPE_CLI), writes `<path stem>.onnx` and `<path stem>.quant.safetensors` instead and the
    result's `command` is the `tritscope assemble` line that finishes the job (printed as a warning).
    """
    if not str(path).lower().endswith(".tnn"):
        raise ExportError("%s: the output must end in .tnn" % path)
    path = os.fspath(path)
    out_dir = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(out_dir):
        raise ExportError("%s: folder %s does not exist" % (path, out_dir))
    found = cli or find_cli()
    stem = _stem(path)
    onnx_final, side_final = stem + ".onnx", stem + ".quant.safetensors"
    tmp = tempfile.mkdtemp(prefix=".tritscope-export-", dir=out_dir)
    try:
        onnx_tmp, side_tmp = os.path.join(tmp, "model.onnx"), os.path.join(tmp, "model.quant.safetensors")
        export_onnx(model, example_input, onnx_tmp)
        write_sidecar(side_tmp, model, provenance, labels)
        command = "tritscope assemble %s %s -o %s" % (onnx_final, side_final, path)
        if found is None or keep_intermediates:
            os.replace(onnx_tmp, onnx_final)
            os.replace(side_tmp, side_final)
            onnx_tmp, side_tmp = onnx_final, side_final
        if found is None:
            warnings.warn("tritscope_torch.export_tnn: the Tritscope CLI is not available here; finish with: %s" % command)
            return ExportResult(path, False, onnx_final, side_final, command)
        report = assemble(onnx_tmp, side_tmp, path, found)
        return ExportResult(path, True, onnx_final if keep_intermediates else None, side_final if keep_intermediates else None, command, report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
