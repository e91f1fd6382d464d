"""A float ONNX model as a trainable `nn.Module`, so the PyTorch trainer takes the same source files as
`tritscope quantize` (`--model model.onnx`): the VS Code task runs one job definition on either backend.

Covers the ops of Tritscope's CNN importer (src/core/ops) that training needs: Conv, BatchNormalization,
Relu, LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape to (N, −1), Gemm, MatMul, Add,
Concat, Identity, Dropout, and a final Softmax (dropped: the trainer's losses take logits, and the argmax
is the same). Every ONNX node becomes its own submodule (each Relu too), called in graph order, so that
`torch.fx` traces it and `ternarize` finds first/last layers and the ReLUs to turn into RPReLU.

Needs the `onnx` package (Debian python3-onnx, or pip install onnx) to parse the protobuf.
"""
import os
import re

import numpy as np
import torch
from torch import nn

MAX_ONNX_BYTES = 2 << 30  # protobuf's own limit


class OnnxModelError(ValueError):
    pass


class ConstAdd(nn.Module):
    """x + c for an Add whose other input is an initializer (a bias after MatMul)."""

    def __init__(self, value):
        super().__init__()
        self.value = nn.Parameter(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))

    def forward(self, x):
        return x + self.value


class OnnxNet(nn.Module):
    """Runs `plan`: (kind, module name or axis, input names, output name) in graph order."""

    def __init__(self, modules, plan, input_name, output_name, input_shape):
        super().__init__()
        for name, m in modules:
            self.add_module(name, m)
        self._plan, self._input, self._output = plan, input_name, output_name
        self.input_shape = input_shape

    def forward(self, x):
        env = {self._input: x}
        for kind, arg, ins, out in self._plan:
            xs = [env[i] for i in ins]
            if kind == "module":
                env[out] = getattr(self, arg)(*xs)
            elif kind == "add":
                env[out] = xs[0] + xs[1]
            else:  # concat
                env[out] = torch.cat(xs, arg)
        return env[self._output]


def _attrs(node):
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _module_name(hint, used):
    base = re.sub(r"[^0-9A-Za-z_]", "_", hint).strip("_") or "node"
    if base[0].isdigit():
        base = "n_" + base
    name, k = base, 1
    while name in used:
        k += 1
        name = "%s_%d" % (base, k)
    used.add(name)
    return name


def _pads2d(where, a):
    pads = list(a.get("pads", [0, 0, 0, 0]))
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise OnnxModelError("%s: auto_pad=%s is not supported (export with explicit pads)" % (where, a["auto_pad"]))
    if len(pads) != 4 or pads[0] != pads[2] or pads[1] != pads[3]:
        raise OnnxModelError("%s: asymmetric pads %s are not supported" % (where, pads))
    return pads[0], pads[1]


def _conv(where, a, w, b):
    if w.ndim != 4:
        raise OnnxModelError("%s: weight has shape %s; only 2-D convolutions are supported" % (where, list(w.shape)))
    groups = int(a.get("group", 1))
    cout, cin_g, kh, kw = (int(d) for d in w.shape)
    if list(a.get("kernel_shape", [kh, kw])) != [kh, kw]:
        raise OnnxModelError("%s: kernel_shape %s disagrees with the weight's %s" % (where, a["kernel_shape"], [kh, kw]))
    m = nn.Conv2d(cin_g * groups, cout, (kh, kw), tuple(a.get("strides", [1, 1])), _pads2d(where, a),
                  tuple(a.get("dilations", [1, 1])), groups, bias=b is not None)
    m.weight.data.copy_(torch.from_numpy(w))
    if b is not None:
        if b.shape != (cout,):
            raise OnnxModelError("%s: bias has shape %s, expected [%d]" % (where, list(b.shape), cout))
        m.bias.data.copy_(torch.from_numpy(b))
    return m


def _linear(where, w, b, trans_b, alpha=1.0, beta=1.0):
    if w.ndim != 2:
        raise OnnxModelError("%s: weight has shape %s, expected a matrix" % (where, list(w.shape)))
    w = w if trans_b else w.T
    out_f, in_f = (int(d) for d in w.shape)
    m = nn.Linear(in_f, out_f, bias=b is not None)
    m.weight.data.copy_(torch.from_numpy(np.ascontiguousarray(w * alpha, dtype=np.float32)))
    if b is not None:
        b = np.asarray(b, dtype=np.float32).reshape(-1)
        if b.shape != (out_f,):
            raise OnnxModelError("%s: bias has shape %s, expected [%d]" % (where, list(b.shape), out_f))
        m.bias.data.copy_(torch.from_numpy(b * beta))
    return m


def _pool(where, op, a):
    k = tuple(a.get("kernel_shape", []))
    if len(k) != 2:
        raise OnnxModelError("%s: kernel_shape %s; only 2-D pooling is supported" % (where, list(k)))
    stride, pad = tuple(a.get("strides", [1, 1])), _pads2d(where, a)
    ceil = bool(a.get("ceil_mode", 0))
    if op == "MaxPool":
        return nn.MaxPool2d(k, stride, pad, ceil_mode=ceil)
    return nn.AvgPool2d(k, stride, pad, ceil_mode=ceil, count_include_pad=bool(a.get("count_include_pad", 0)))


def load_onnx_model(path):
    """`path` (a float ONNX model) → `OnnxNet` with the initializers as its parameters and buffers."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise OnnxModelError("%s: reading ONNX models needs the onnx package: sudo apt-get install python3-onnx "
                             "(or python3 -m pip install onnx)" % path) from None
    if not os.path.isfile(path):
        raise OnnxModelError("%s: not found" % path)
    if os.path.getsize(path) > MAX_ONNX_BYTES:
        raise OnnxModelError("%s: %d bytes, larger than ONNX's 2 GiB limit" % (path, os.path.getsize(path)))
    try:
        g = onnx.load(path, load_external_data=False).graph
    except Exception as e:  # noqa: BLE001 - protobuf raises several types for a damaged file
        raise OnnxModelError("%s: not an ONNX model: %s" % (path, str(e).splitlines()[0][:200])) from None
    inits = {i.name: numpy_helper.to_array(i).astype(np.float32, copy=False) for i in g.initializer
             if i.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)}
    int_inits = {i.name: numpy_helper.to_array(i) for i in g.initializer if i.name not in inits}
    inputs = [i for i in g.input if i.name not in inits and i.name not in int_inits]
    if len(inputs) != 1 or len(g.output) != 1:
        raise OnnxModelError("%s: graph: training expects one input and one output, got %d and %d" % (path, len(inputs), len(g.output)))
    dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
    modules, plan, used, known = [], [], set(), {inputs[0].name}
    alias = {}
    nodes = list(g.node)
    final_softmax = nodes and nodes[-1].op_type == "Softmax" and nodes[-1].output[0] == g.output[0].name
    for idx, node in enumerate(nodes):
        op, a = node.op_type, _attrs(node)
        where = "%s: node %d (%s %r)" % (path, idx, op, node.name)
        ins = [alias.get(i, i) for i in node.input if i]
        data_in = [i for i in ins if i not in inits and i not in int_inits]
        missing = [i for i in data_in if i not in known]
        if missing:
            raise OnnxModelError("%s: input %r is produced by no earlier node (graph not in topological order?)" % (where, missing[0]))
        out = node.output[0]
        weight_name = next((i for i in ins if i in inits), None)
        hint = (weight_name.rsplit(".", 1)[0].rsplit("/", 1)[0] if weight_name else node.name or "%s_%d" % (op.lower(), idx))

        def module(m, args=None):
            plan.append(("module", _module_name(hint, used), args or data_in[:1], out))
            modules.append((plan[-1][1], m))

        if op in ("Identity", "Dropout") and ins[0] in inits:
            inits[out] = inits[ins[0]]  # the exporter's alias of a shared parameter
            continue
        if op in ("Identity", "Dropout"):
            alias[out] = data_in[0]
        elif op == "Softmax" and idx == len(nodes) - 1 and final_softmax:
            alias[out] = data_in[0]
        elif op == "Conv":
            module(_conv(where, a, inits[ins[1]], inits.get(ins[2]) if len(ins) > 2 else None))
        elif op == "BatchNormalization":
            scale, bias, mean, var = (inits[i] for i in ins[1:5])
            m = nn.BatchNorm2d(scale.shape[0], eps=float(a.get("epsilon", 1e-5)), momentum=1 - float(a.get("momentum", 0.9)))
            for t, v in ((m.weight, scale), (m.bias, bias), (m.running_mean, mean), (m.running_var, var)):
                t.data.copy_(torch.from_numpy(np.ascontiguousarray(v)))
            module(m)
        elif op == "Relu":
            module(nn.ReLU())
        elif op == "LeakyRelu":
            module(nn.LeakyReLU(float(a.get("alpha", 0.01))))
        elif op in ("MaxPool", "AveragePool"):
            module(_pool(where, op, a))
        elif op == "GlobalAveragePool":
            module(nn.AdaptiveAvgPool2d(1))
        elif op == "Flatten":
            if int(a.get("axis", 1)) != 1:
                raise OnnxModelError("%s: only axis=1 is supported" % where)
            module(nn.Flatten())
        elif op == "Reshape":
            shape = int_inits.get(ins[1]) if len(ins) > 1 else None
            if shape is None or len(shape) != 2 or int(shape[1]) != -1 or int(shape[0]) not in (0, 1, -1):
                raise OnnxModelError("%s: only a reshape to (N, -1) (a flatten) is supported" % where)
            module(nn.Flatten())
        elif op == "Gemm":
            if a.get("transA", 0):
                raise OnnxModelError("%s: transA=1 is not supported" % where)
            module(_linear(where, inits[ins[1]], inits.get(ins[2]) if len(ins) > 2 else None, bool(a.get("transB", 0)),
                           float(a.get("alpha", 1.0)), float(a.get("beta", 1.0))))
        elif op == "MatMul" and len(ins) == 2 and ins[1] in inits:
            module(_linear(where, inits[ins[1]], None, False))
        elif op == "Add" and len(data_in) == 2:
            plan.append(("add", None, data_in, out))
        elif op == "Add" and len(data_in) == 1 and any(i in inits for i in ins):
            module(ConstAdd(inits[next(i for i in ins if i in inits)]))
        elif op == "Concat":
            plan.append(("concat", int(a.get("axis", 1)), data_in, out))
        else:
            raise OnnxModelError("%s: op %s is not supported by the PyTorch trainer (supported: Conv, BatchNormalization, Relu, "
                                 "LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, Gemm, MatMul, Add, "
                                 "Concat, Identity, Dropout, a final Softmax)" % (where, op))
        known.add(out)
    output = alias.get(g.output[0].name, g.output[0].name)
    if output not in known:
        raise OnnxModelError("%s: graph output %r is produced by no node" % (path, g.output[0].name))
    return OnnxNet(modules, plan, inputs[0].name, output, dims[1:] if len(dims) > 1 else None)
