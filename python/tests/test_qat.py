"""The QAT pieces on their own: bi-STE / TTQ / STE gradients (Eq. 5, 7), quantizer state and folding,
the KD losses (Eq. 10–11), ternarize() and set_stage()."""
import math
import unittest
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import helpers  # noqa: F401  (sys.path)
import tritscope_torch as tt
from tritscope_torch import quant
from tritscope_torch.models import fashion_cnn, resnet20
from tritscope_torch.quantizers import ActQuantizer, WeightQuantizer, mean_abs_above, qat_mean_std
from tritscope_torch.ste import bi_ste, eq7_expectation, ste, ttq_ternarize

warnings.simplefilter("ignore")


def scalar(v):
    return torch.tensor(float(v), dtype=torch.float64, requires_grad=True)


class BiSte(unittest.TestCase):
    def test_gradients_are_the_derivative_of_eq7_expectation(self):
        dp, dn, alpha = 0.4, -0.7, 1.3
        z = torch.tensor([0.1, 0.3, 0.79, -0.2, -0.6, -1.3, 0.9, -1.5], dtype=torch.float64, requires_grad=True)
        p, n, a = scalar(dp), scalar(dn), scalar(alpha)
        y = bi_ste(z, p, n, a)
        # Forward: Eq. 8 (deterministic), ties to 0.
        expect = [alpha * (1 if v > dp else -1 if v < dn else 0) for v in z.tolist()]
        self.assertEqual(y.tolist(), expect)
        y.sum().backward()
        h = 1e-6
        for i, v in enumerate(z.tolist()):
            fd = (eq7_expectation(v + h, dp, dn, alpha) - eq7_expectation(v - h, dp, dn, alpha)) / (2 * h)
            self.assertAlmostEqual(z.grad[i].item(), fd, places=5, msg="dz at %g" % v)
        e = lambda dp_, dn_, a_: sum(eq7_expectation(v, dp_, dn_, a_) for v in z.tolist())  # noqa: E731
        self.assertAlmostEqual(p.grad.item(), (e(dp + h, dn, alpha) - e(dp - h, dn, alpha)) / (2 * h), places=4)
        self.assertAlmostEqual(n.grad.item(), (e(dp, dn + h, alpha) - e(dp, dn - h, alpha)) / (2 * h), places=4)
        # ∂/∂α = T(z), the forward code.
        self.assertAlmostEqual(a.grad.item(), sum(c / alpha for c in expect), places=9)

    def test_stochastic_forward_has_eq7_expectation(self):
        torch.manual_seed(0)
        z = torch.full((200_000,), 0.3)
        y = bi_ste(z, torch.tensor(0.5), torch.tensor(-0.5), torch.tensor(1.0), True)
        self.assertAlmostEqual(y.mean().item(), eq7_expectation(0.3, 0.5, -0.5, 1.0), delta=0.005)
        self.assertTrue(set(y.unique().tolist()) <= {0.0, 1.0})  # a positive value never becomes −1

    def test_ttq_gradients_follow_eq5(self):
        w = torch.tensor([0.5, -0.4, 0.01, -0.02, 0.3], dtype=torch.float64, requires_grad=True)
        ap, an = scalar(0.8), scalar(0.6)
        y = ttq_ternarize(w, torch.tensor(0.05, dtype=torch.float64), ap, an)
        self.assertEqual(y.tolist(), [0.8, -0.6, 0.0, 0.0, 0.8])
        g = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)
        y.backward(g)
        self.assertEqual(ap.grad.item(), 1.0 + 5.0)          # Σ over I_p
        self.assertEqual(an.grad.item(), -2.0)               # −Σ over I_n (αn is a magnitude)
        self.assertEqual(w.grad.tolist(), [0.8, 2 * 0.6, 3.0, 4.0, 5 * 0.8])

    def test_plain_ste_is_identity_backward(self):
        z = torch.tensor([0.2, -0.9, 2.0], requires_grad=True)
        ste(z, torch.tensor(0.5), torch.tensor(-0.5), torch.tensor(2.0)).sum().backward()
        self.assertEqual(z.grad.tolist(), [1.0, 1.0, 1.0])


class Quantizers(unittest.TestCase):
    def setUp(self):
        self.w = torch.randn(16, 8, 3, 3, generator=torch.Generator().manual_seed(1)) * 0.1 + 0.004

    def test_asym_uniform_starts_at_the_uniform_thirds(self):
        q = WeightQuantizer(self.w, "asym-uniform")
        w = self.w.numpy().ravel().astype(np.float64)
        mu, sigma = qat_mean_std(w)
        self.assertEqual(q.delta_p.item(), 0.5)
        self.assertEqual(q.delta_n.item(), -0.5)
        self.assertEqual(q.gamma.item(), 1.0)
        self.assertEqual(q.alpha.item(), np.float32(mean_abs_above(w, abs(mu) + 0.43 * sigma)))
        f = q.fold(self.w)
        # Eq. 9 folded: μ ± Δ·0.43σ/(0.5γ) rounded to float32.
        self.assertEqual(f["pos"], quant.f32(mu + 0.5 * (0.43 * sigma) / 0.5))
        self.assertEqual(f["neg"], quant.f32(mu - 0.5 * (0.43 * sigma) / 0.5))
        # About a third of a Gaussian layer on each side.
        code = quant.apply_thresholds(w, f["pos"], f["neg"])
        for c in (-1, 0, 1):
            self.assertAlmostEqual(float(np.mean(code == c)), 1 / 3, delta=0.05)

    def test_training_and_folded_thresholds_agree(self):
        for method in ("asym-uniform", "twn", "ttq", "alemdar", "stochastic"):
            q = WeightQuantizer(self.w, method)
            if method == "stochastic":
                continue  # the training forward samples
            train = q(self.w).detach()
            f = q.fold(self.w)
            code = quant.apply_thresholds(self.w.numpy().ravel().astype(np.float64), f["pos"], f["neg"])
            folded = np.where(code > 0, f["scalePos"], np.where(code < 0, -f["scaleNeg"], 0.0))
            # Float32 moments in the step vs float64 in the fold: at most a boundary weight may differ.
            self.assertLessEqual(int(np.sum(~np.isclose(train.numpy().ravel(), folded, rtol=1e-5, atol=0))), 2, method)

    def test_gamma_moves_the_thresholds(self):
        q = WeightQuantizer(self.w, "asym-uniform")
        a = q.fold(self.w)
        with torch.no_grad():
            q.gamma.fill_(2.0)
        b = q.fold(self.w)
        self.assertAlmostEqual(b["pos"] - b["mu"], (a["pos"] - a["mu"]) / 2, places=6)
        self.assertEqual(b["gamma"], 2.0)

    def test_activation_statistics(self):
        a = ActQuantizer("gaussian")
        x = torch.randn(1000, generator=torch.Generator().manual_seed(2))
        a.train()
        a(x)
        s = a.stats()
        self.assertAlmostEqual(s["sigma"], math.sqrt(float((x * x).mean()) + 1e-12), places=5)
        self.assertAlmostEqual(a.act_alpha.item(), 1.2 * s["sigma"], places=5)
        a(x * 2)
        self.assertAlmostEqual(a.stats()["sigma"], 0.9 * s["sigma"] + 0.1 * 2 * s["sigma"], places=4)
        a.eval()
        f = a.fold()
        y = a(x)
        expect = torch.where(x > f["pos"], f["scalePos"], torch.where(x < f["neg"], -f["scalePos"], 0.0))
        self.assertTrue(torch.equal(y, expect))
        self.assertEqual(f["mu"], 0.0)  # Eq. 9 about zero: code 0 stays exactly 0


class Distillation(unittest.TestCase):
    def test_eq10_eq11(self):
        g = torch.Generator().manual_seed(4)
        s, t = torch.randn(8, 10, generator=g), torch.randn(8, 10, generator=g)
        y = torch.randint(0, 10, (8,), generator=g)
        pt = F.softmax(t, -1)
        kl = float((pt * (torch.log(pt) - F.log_softmax(s, -1))).sum(-1).mean())
        ce = float(F.cross_entropy(s, y))
        self.assertAlmostEqual(float(tt.distill_loss(s, y, teacher_logits=t, lam=1.0)), kl, places=5)
        self.assertAlmostEqual(float(tt.distill_loss(s, y, teacher_logits=t, lam=0.0)), ce, places=5)
        self.assertAlmostEqual(float(tt.distill_loss(s, y, teacher_logits=t)), 0.9 * kl + 0.1 * ce, places=5)
        self.assertAlmostEqual(float(tt.distill_loss(s, y)), ce, places=5)
        self.assertAlmostEqual(float(tt.kd_loss(s, pt, temperature=2.0)), 4 * float(
            (F.softmax(t / 2, -1) * (F.log_softmax(t / 2, -1) - F.log_softmax(s / 2, -1))).sum(-1).mean()), places=4)

    def test_stage_plan(self):
        self.assertEqual(tt.plan_stages(kd=True, two_stage=True),
                         [{"stage": 1, "weights": False, "acts": True, "lambda": 1.0}, {"stage": 2, "weights": True, "acts": True, "lambda": 0.9}])
        self.assertEqual(tt.plan_stages(acts=False, kd=True, two_stage=True), [{"stage": 1, "weights": True, "acts": False, "lambda": 0.9}])
        self.assertEqual(tt.plan_stages(), [{"stage": 1, "weights": True, "acts": True, "lambda": 0.0}])


class Ternarize(unittest.TestCase):
    def test_source_model_is_untouched(self):
        m = fashion_cnn()
        before = {k: v.clone() for k, v in m.state_dict().items()}
        t = tt.ternarize(m, activations="ternary")
        t.train()
        t(torch.rand(8, 1, 28, 28)).sum().backward()
        self.assertEqual([type(x) for x in m.modules()], [type(x) for x in fashion_cnn().modules()])
        for k, v in m.state_dict().items():
            self.assertTrue(torch.equal(v, before[k]), k)

    def test_sample_cnn_layout(self):
        t = tt.ternarize(fashion_cnn(), activations="ternary")
        self.assertEqual([n for n, _ in tt.ternary_modules(t)], ["conv2", "conv3", "dense1"])
        self.assertEqual([n for n, m in t.named_modules() if isinstance(m, tt.RPReLU)], ["relu1", "relu2", "relu3"])
        self.assertEqual({n: m.input_rprelu for n, m in tt.ternary_modules(t)}, {"conv2": "relu1", "conv3": "relu2", "dense1": "relu3"})
        w = tt.ternarize(fashion_cnn(), activations="float")
        self.assertFalse(any(isinstance(m, tt.RPReLU) for m in w.modules()))
        self.assertTrue(all(m.act_quant is None for _, m in tt.ternary_modules(w)))

    def test_keep_float(self):
        names = lambda t: [n for n, _ in tt.ternary_modules(t)]  # noqa: E731
        self.assertEqual(names(tt.ternarize(fashion_cnn(), keep_float="none")), ["conv1", "conv2", "conv3", "dense1", "dense2"])
        self.assertEqual(names(tt.ternarize(fashion_cnn(), keep_float="first,conv3")), ["conv2", "dense1", "dense2"])
        with self.assertRaisesRegex(ValueError, "no Conv2d/Linear layer 'conv9'"):
            tt.ternarize(fashion_cnn(), keep_float=["conv9"])
        with self.assertRaisesRegex(ValueError, "'none' cannot be combined"):
            tt.ternarize(fashion_cnn(), keep_float="none,first")
        with self.assertRaisesRegex(ValueError, "method must be one of"):
            tt.ternarize(fashion_cnn(), "binary")

    def test_resnet20_option_b(self):
        r = resnet20(in_channels=1)
        self.assertEqual(sum(isinstance(m, nn.Conv2d) for m in r.modules()), 19 + 2)  # 19 convs + 2 projection shortcuts
        t = tt.ternarize(r, activations="ternary")
        names = [n for n, _ in tt.ternary_modules(t)]
        self.assertEqual(len(names), 20)  # all but the first conv and the fc
        self.assertNotIn("conv1", names)
        # The stem ReLU and every block's two ReLUs but the last one (which feeds the float fc) become RPReLU.
        self.assertEqual(sum(isinstance(m, tt.RPReLU) for m in t.modules()), 18)
        self.assertEqual(dict(tt.ternary_modules(t))["layers.3.shortcut.0"].input_rprelu, "layers.2.relu2")
        t.train()
        self.assertEqual(tuple(t(torch.rand(2, 1, 32, 32)).shape), (2, 10))

    def test_set_stage(self):
        t = tt.ternarize(fashion_cnn(), activations="ternary")
        tt.set_stage(t, weights=False, acts=True)
        m = dict(tt.ternary_modules(t))["conv2"]
        self.assertFalse(any(p.requires_grad for p in m.weight_quant.parameters()))
        self.assertTrue(all(p.requires_grad for p in m.act_quant.parameters()))
        t.eval()
        self.assertTrue(torch.equal(m.effective_weight(), m.weight))  # float weights in stage 1
        tt.set_stage(t, weights=True)
        self.assertTrue(all(p.requires_grad for p in m.weight_quant.parameters()))
        self.assertLessEqual(len(torch.unique(m.effective_weight())), 3)

    def test_ptq_calibration(self):
        g = torch.Generator().manual_seed(5)
        t = tt.ternarize(fashion_cnn(), "asym-uniform", activations="ternary", ptq=True)
        tt.calibrate(t, torch.rand(32, 1, 28, 28, generator=g))
        acts = {n: m.fixed_act for n, m in tt.ternary_modules(t)}
        self.assertEqual({a["variant"] for a in acts.values()}, {"half-gaussian"})  # ReLU inputs: median split
        self.assertTrue(all(a["thresholds"]["neg"] == 0.0 and a["scale"] > 0 for a in acts.values()))


if __name__ == "__main__":
    unittest.main()
