"""export_tnn → `tritscope assemble` → Tritscope's executors give PyTorch's predictions.

The headline check: the sample CNN, trained here a few hundred QAT steps from the sample float weights,
exported W-only and W+A, run by the reference executor and the packed engine on the first 1,000
Fashion-MNIST test images: ≥ 99.9 % agreement with PyTorch's own predictions (eval mode).
"""
import os
import subprocess
import sys
import unittest
import warnings

import numpy as np
import torch

from helpers import SAMPLES, agreement, cli, onnx_initializers, read, tempdir

import tritscope_torch as tt
from tritscope_torch import data, quant
from tritscope_torch.models import FASHION_CNN_ONNX, fashion_cnn, resnet20

warnings.simplefilter("ignore")
FIGURES = []


def sample_float_cnn():
    """samples/models/fashion-cnn.onnx's float weights in the PyTorch sample CNN (the TS trainer's starting point)."""
    inits = onnx_initializers(os.path.join(SAMPLES, "fashion-cnn.onnx"))
    m = fashion_cnn()
    m.load_state_dict({k: torch.from_numpy(inits[v].copy()) for k, v in FASHION_CNN_ONNX.items()}, strict=False)
    return m


def qat(model, train, steps, method="asym-uniform", activations="ternary", seed=0, batch=64):
    """A short two-stage KD run through the public API (the same as the trainer's loop, without DDP)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    teacher = model.eval()
    t = tt.ternarize(model, method, activations=activations)
    for st in tt.plan_stages(acts=activations == "ternary", kd=True, two_stage=activations == "ternary"):
        tt.set_stage(t, st["weights"], st["acts"])
        opt = torch.optim.Adam([p for p in t.parameters() if p.requires_grad], 3e-3)
        t.train()
        for _ in range(steps):
            x, y = train.batch(rng.integers(0, len(train), batch))
            x, y = torch.from_numpy(x), torch.from_numpy(y)
            with torch.no_grad():
                tp = torch.softmax(teacher(x), -1)
            loss = tt.distill_loss(t(x), y, teacher_probs=tp, lam=st["lambda"])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return t.eval()


class Agreement(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.train = data.load_dataset("fashion-mnist:train").subset(20_000)
        x, cls.labels = data.load_dataset("fashion-mnist:test").subset(1000).batch(np.arange(1000))
        cls.x = x
        cls.float = sample_float_cnn()

    def check(self, activations, steps):
        folder = tempdir(self)
        m = qat(self.float, self.train, steps, activations=activations)
        with torch.no_grad():
            pred = m(torch.from_numpy(self.x)).argmax(-1).numpy()
        out = os.path.join(folder, "cnn-%s.tnn" % activations)
        res = tt.export_tnn(m, torch.from_numpy(self.x[:1]), out, provenance={"method": "qat-asym-uniform"})
        self.assertTrue(res.assembled)
        self.assertEqual(res.report["ternaryWeights"], 3)
        self.assertEqual(res.report["ternaryActivations"], 3 if activations == "ternary" else 0)
        self.assertEqual(res.report["rprelu"], 3 if activations == "ternary" else 0)
        r = read(out)
        self.assertTrue(r["checksum_ok"])
        for engine in ("reference", "packed"):
            a = agreement(out, self.x, pred, engine, folder)
            FIGURES.append("agreement %-7s %-9s %.1f %% of 1000 (PyTorch top-1 %.1f %%)" % (
                "W+A" if activations == "ternary" else "W", engine, 100 * a, 100 * float(np.mean(pred == self.labels))))
            self.assertGreaterEqual(a, 0.999, "%s %s" % (activations, engine))

    def test_weights_only(self):
        self.check("float", 150)

    def test_weights_and_activations(self):
        self.check("ternary", 100)


class Methods(unittest.TestCase):
    def test_every_qat_method_exports_consistently(self):
        """Each method's fold is what the assembler finds consistent with the trits, and the executors agree."""
        folder = tempdir(self)
        train = data.load_dataset("fashion-mnist:train").subset(2000)
        x, _ = data.load_dataset("fashion-mnist:test").subset(200).batch(np.arange(200))
        base = sample_float_cnn()
        for method in ("twn", "ttq", "alemdar", "stochastic"):
            m = qat(base, train, 8, method=method)
            with torch.no_grad():
                pred = m(torch.from_numpy(x)).argmax(-1).numpy()
            out = os.path.join(folder, "%s.tnn" % method)
            res = tt.export_tnn(m, torch.from_numpy(x[:1]), out)
            self.assertEqual(res.report["tritsChecked"], 16 * 8 * 9 + 32 * 16 * 9 + 64 * 288, method)
            q = read(out)["quant"]
            self.assertEqual({v["weightQuant"]["method"] for v in q.values()}, {method})
            if method in ("twn", "stochastic"):  # twn has its own activation fold; ttq/alemdar share asym-uniform's
                self.assertGreaterEqual(agreement(out, x, pred, "reference", folder), 0.995, method)

    def test_resnet20_with_shortcuts_and_shared_rprelu(self):
        folder = tempdir(self)
        g = torch.Generator().manual_seed(0)
        m = tt.ternarize(resnet20(in_channels=1), activations="ternary")
        m.train()
        for _ in range(3):  # statistics, centring, BN running stats
            m(torch.rand(16, 1, 32, 32, generator=g))
        m.eval()
        x = torch.rand(16, 1, 32, 32, generator=g)  # the reference executor runs ResNet-20 at ~4 images/s
        with torch.no_grad():
            pred = m(x).argmax(-1).numpy()
        out = os.path.join(folder, "resnet20.tnn")
        res = tt.export_tnn(m, x[:1], out)
        self.assertEqual((res.report["ternaryWeights"], res.report["ternaryActivations"], res.report["rprelu"]), (20, 20, 18))
        self.assertGreaterEqual(agreement(out, x.numpy(), pred, "reference", folder), 15 / 16)
        self.assertGreaterEqual(agreement(out, x.numpy(), pred, "packed", folder), 15 / 16)


class WithoutCli(unittest.TestCase):
    def test_leaves_onnx_and_sidecar_and_the_command(self):
        folder = tempdir(self)
        m = tt.ternarize(fashion_cnn(), "twn")
        out = os.path.join(folder, "m.tnn")
        old = os.environ.get("TRITSCOPE_CLI")
        os.environ["TRITSCOPE_CLI"] = os.path.join(folder, "missing-cli.js")
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                res = tt.export_tnn(m, torch.rand(1, 1, 28, 28), out)
        finally:
            if old is None:
                del os.environ["TRITSCOPE_CLI"]
            else:
                os.environ["TRITSCOPE_CLI"] = old
        self.assertFalse(res.assembled)
        self.assertFalse(os.path.exists(out))
        self.assertTrue(any("tritscope assemble" in str(x.message) for x in w))
        self.assertEqual(sorted(os.listdir(folder)), ["m.onnx", "m.quant.safetensors"])  # no temp left behind
        # The printed command finishes the job elsewhere.
        args = res.command.split()[1:]
        cli(*args)
        self.assertEqual(len(read(out)["quant"]), 3)


class Calibration(unittest.TestCase):
    def compare(self, onnx, torch_model, x, y, folder, first):
        """`tritscope quantize --activations ternary` and calibrate() on the same samples. The first ternary layer's input
        is float in both: its ActQuant must agree to 1e-6. Deeper inputs come from ternary layers whose outputs hold many
        exactly tied values in float64 (TypeScript) that float32 convolutions (PyTorch) split by rounding, so a median
        can move by one tie group: there only the variant and 1e-3 are required."""
        xf, yf = os.path.join(folder, "x.npy"), os.path.join(folder, "y.npy")
        np.save(xf, x)
        np.save(yf, y)
        out = os.path.join(folder, "ts.tnn")
        cli("quantize", onnx, "-o", out, "--activations", "ternary", "--data", "npy:%s,%s" % (xf, yf),
            "--calibration-samples", str(len(y)), "--eval-limit", "1", "--force")
        t = tt.ternarize(torch_model, "asym-uniform", activations="ternary", ptq=True)
        tt.calibrate(t, torch.from_numpy(x))
        ours = dict(tt.ternary_modules(t))
        names = {n + ".weight": n for n in ours}
        names.update({n.replace(".", "/") + "/weight": n for n in ours})
        worst = 0.0
        for layer, q in read(out)["quant"].items():
            m = ours[names[q["weightQuant"]["latent"]]]
            ts, py = q["actQuant"], m.fixed_act
            self.assertEqual(ts["variant"], py["variant"], layer)
            for key in ("thresholds.pos", "thresholds.neg", "scale", "mu", "sigma"):
                a, b = (d[key.split(".")[0]][key.split(".")[1]] if "." in key else d[key] for d in (ts, py))
                d = 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))
                self.assertLessEqual(d, 1e-6 if names[q["weightQuant"]["latent"]] == first else 1e-3, "%s %s" % (layer, key))
                if names[q["weightQuant"]["latent"]] == first:
                    worst = max(worst, d)
            self.assertEqual(q["weightQuant"]["thresholds"], m.ptq["quant"]["thresholds"])
        return worst, {m.fixed_act["variant"] for m in ours.values()}

    def test_ptq_wa_matches_tritscope_quantize(self):
        folder = tempdir(self)
        x, y = data.load_dataset("fashion-mnist:test").subset(64).batch(np.arange(64))
        w1, v1 = self.compare(os.path.join(SAMPLES, "fashion-cnn.onnx"), sample_float_cnn(), x, y, folder, "conv2")
        self.assertEqual(v1, {"half-gaussian"})
        # A signed input (no ReLU before the ternary conv): the 'gaussian' rule, μ ± 0.43σ.
        g = torch.Generator().manual_seed(6)
        signed = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.Conv2d(4, 6, 3), torch.nn.Flatten(), torch.nn.Linear(6 * 24 * 24, 10))
        for p in signed.parameters():
            p.data.copy_(torch.randn(p.shape, generator=g) * 0.3)
        onnx = os.path.join(folder, "signed.onnx")
        from tritscope_torch.export import export_onnx
        export_onnx(signed, torch.zeros(1, 1, 28, 28), onnx)
        w2, v2 = self.compare(onnx, signed, x, y, folder, "1")
        self.assertEqual(v2, {"gaussian"})
        FIGURES.append("calibration W+A PTQ, first ternary layer: max relative difference of activation thresholds/scale/mu/sigma %.1e" % max(w1, w2))


def tearDownModule():
    for line in FIGURES:
        sys.stderr.write(line + "\n")


if __name__ == "__main__":
    unittest.main()
