"""Same numbers as the TypeScript core, both ways through files:
1. Python quantizes the weights of an ONNX file; `tritscope quantize` quantizes the same file; the `.tnn`
   is read back by test/tools/read_tnn.py: Δp, Δn, α (both scales), γ, μ, σ within 1e-6 relative, trits equal.
2. Python exports post-training quantization (ternarize(ptq=True) → export_tnn); `tritscope assemble`
   re-derives every layer with the TypeScript quantizers and refuses differences over 1e-6.
"""
import os
import sys
import unittest
import warnings

import numpy as np
import torch
from torch import nn

from helpers import SAMPLES, cli, onnx_initializers, read, rel, tempdir

import tritscope_torch as tt
from tritscope_torch import quant
from tritscope_torch.export import ExportError, assemble, export_onnx, write_sidecar

QUANTITIES = ("thresholds.pos", "thresholds.neg", "scale.pos", "scale.neg", "gamma", "mu", "sigma")
FIGURES = {}


def pick(q, key):
    a, _, b = key.partition(".")
    return q.get(a) if not b else q[a][b]


def edge_case_model():
    """Weights that stress tie rules and summation: a coarse grid (many equal values, alemdar groups), a skewed
    layer (μ far from 0), exact zeros, a constant layer (σ = 0), a 4-weight layer, and a plain Gaussian one."""
    g = torch.Generator().manual_seed(3)
    m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
                      nn.Conv2d(8, 4, 1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 16), nn.ReLU(),
                      nn.Linear(16, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        m[0].weight.copy_(torch.round(torch.randn(m[0].weight.shape, generator=g) * 4) / 16)   # grid: ties everywhere
        m[2].weight.copy_(torch.randn(m[2].weight.shape, generator=g) * 0.05 + 0.03)          # skewed
        w = torch.randn(m[4].weight.shape, generator=g) * 0.2
        w[w.abs() < 0.1] = 0
        m[4].weight.copy_(w)                                                                    # exact zeros
        m[7].weight.copy_(torch.randn(m[7].weight.shape, generator=g) * 0.1)                    # Gaussian
        m[9].weight.fill_(0.25)                                                                 # constant: σ = 0
        m[11].weight.copy_(torch.tensor([[0.5, -0.25, 0.125, -1.0]]))                           # 4 weights
    return m


def compare_with_cli(test, onnx, folder, tag, extra_cli=(), **py_opts):
    inits = onnx_initializers(onnx)
    worst = {k: 0.0 for k in QUANTITIES}
    trits_total = 0
    for method in quant.QUANT_METHODS:
        out = os.path.join(folder, "%s-%s.tnn" % (tag, method))
        cli("quantize", onnx, "-o", out, "--method", method, "--keep-float", "none", "--seed", "7", "--force", *extra_cli)
        r = read(out)
        test.assertTrue(r["checksum_ok"])
        test.assertGreater(len(r["quant"]), 0)
        for layer, q in r["quant"].items():
            wq = q["weightQuant"]
            trits, pq = quant.quantize_weights(method, inits[wq["latent"]], seed=7, **py_opts)
            ts_trits = np.asarray(r["tensors"][wq["trits"]]["values"], dtype=np.int8)
            np.testing.assert_array_equal(trits, ts_trits, "%s %s %s: trits" % (tag, method, layer))
            trits_total += trits.size
            for k in QUANTITIES:
                a, b = pick(pq, k), pick(wq, k)
                if a is None and b is None:
                    continue
                test.assertIsNotNone(a, "%s %s %s: %s missing in python" % (tag, method, layer, k))
                test.assertIsNotNone(b, "%s %s %s: %s missing in the .tnn" % (tag, method, layer, k))
                d = rel(a, b)
                test.assertLessEqual(d, 1e-6, "%s %s %s %s: python %r vs tritscope %r" % (tag, method, layer, k, a, b))
                worst[k] = max(worst[k], d)
    FIGURES[tag] = (worst, trits_total)
    return worst


class PythonAgainstCli(unittest.TestCase):
    """Direction 1: Python's quantizers against `tritscope quantize`, read back with read_tnn.py."""

    def test_sample_cnn_all_methods(self):
        onnx = os.path.join(SAMPLES, "fashion-cnn.onnx")
        self.assertTrue(os.path.isfile(onnx), onnx)
        compare_with_cli(self, onnx, tempdir(self), "sample-cnn")

    def test_edge_case_weights_all_methods(self):
        folder = tempdir(self)
        onnx = os.path.join(folder, "edge.onnx")
        export_onnx(edge_case_model(), torch.zeros(1, 1, 6, 6), onnx)
        compare_with_cli(self, onnx, folder, "edge-cases")

    def test_non_default_options(self):
        folder = tempdir(self)
        onnx = os.path.join(folder, "edge.onnx")
        export_onnx(edge_case_model(), torch.zeros(1, 1, 6, 6), onnx)
        compare_with_cli(self, onnx, folder, "options", ("--gamma", "1.3", "--twn-factor", "0.55", "--ttq-t", "0.2"),
                         gamma=1.3, twn_factor=0.55, ttq_t=0.2)


class TypeScriptRederivesPython(unittest.TestCase):
    """Direction 2: Python's post-training export, re-derived by `tritscope assemble` with the TypeScript quantizers."""

    def test_every_method(self):
        folder = tempdir(self)
        model = edge_case_model()
        x = torch.rand(1, 1, 6, 6)
        worst = {k: 0.0 for k in QUANTITIES}
        for method in quant.QUANT_METHODS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = tt.ternarize(model, method, keep_float="none", ptq=True, seed=7)
            out = os.path.join(folder, "%s.tnn" % method)
            res = tt.export_tnn(t, x, out)
            self.assertTrue(res.assembled)
            d = res.report["rederived"]
            self.assertEqual(d["layers"], 6, method)
            self.assertEqual(d["tritMismatches"], 0, method)
            for k, v in d["maxRelDiff"].items():
                self.assertLessEqual(v, 1e-6, "%s %s" % (method, k))
                worst[k] = max(worst[k], v)
            # What the .tnn stores is what Python computed, number for number.
            r = read(out)
            py = {n + ".weight": m.ptq for n, m in tt.ternary_modules(t)}
            for layer, q in r["quant"].items():
                wq, p = q["weightQuant"], py[q["weightQuant"]["latent"]]
                np.testing.assert_array_equal(np.asarray(r["tensors"][wq["trits"]]["values"], dtype=np.int8), p["trits"].ravel())
                for k in QUANTITIES:
                    self.assertEqual(pick(wq, k), pick(p["quant"], k), "%s %s %s" % (method, layer, k))
        FIGURES["rederived"] = (worst, None)

    def test_tampered_sidecar_is_refused(self):
        folder = tempdir(self)
        t = tt.ternarize(edge_case_model(), "twn", keep_float="none", ptq=True)
        m = dict(tt.ternary_modules(t))["7"]
        m.ptq["quant"]["thresholds"]["pos"] *= 1 + 1e-4
        onnx, side = os.path.join(folder, "m.onnx"), os.path.join(folder, "m.quant.safetensors")
        export_onnx(t, torch.rand(1, 1, 6, 6), onnx)
        write_sidecar(side, t)
        with self.assertRaises(ExportError) as e:
            assemble(onnx, side, os.path.join(folder, "m.tnn"))
        self.assertIn("thresholds.pos", str(e.exception))
        self.assertFalse(os.path.exists(os.path.join(folder, "m.tnn")))


def tearDownModule():
    for tag, (worst, trits) in sorted(FIGURES.items()):
        sys.stderr.write("equivalence %-12s max relative difference %s%s\n" % (
            tag, " ".join("%s=%.1e" % (k, v) for k, v in worst.items()), "" if trits is None else ", %d trits equal" % trits))


if __name__ == "__main__":
    unittest.main()
