"""`--model model.onnx`: a float ONNX model as a trainable module. Checked against Tritscope's own ONNX executor
(`tritscope eval` of the same file, an independent implementation), against the PyTorch module an ONNX was exported
from (residual adds, shortcuts), and end to end: the trainer on the sample ONNX writes a `.tnn`."""
import json
import os
import subprocess
import unittest

import numpy as np
import torch

from helpers import SAMPLES, agreement, cli, tempdir
from test_train import PY, env, events

from tritscope_torch import data as data_mod
from tritscope_torch.export import export_onnx
from tritscope_torch.models import resnet20
from tritscope_torch.onnx_model import OnnxModelError, load_onnx_model
from tritscope_torch.ternarize import ternarize, ternary_modules

SAMPLE_ONNX = os.path.join(SAMPLES, "fashion-cnn.onnx")


class OnnxModel(unittest.TestCase):
    def test_sample_cnn_predicts_what_tritscope_eval_predicts(self):
        folder = tempdir(self)
        m = load_onnx_model(SAMPLE_ONNX).eval()
        ds = data_mod.load_dataset("fashion-mnist:test").subset(300)
        x, _ = ds.batch(np.arange(len(ds)))
        with torch.no_grad():
            pred = m(torch.from_numpy(x)).argmax(-1).numpy()
        # The ONNX file evaluated by Tritscope's reference executor, the labels being PyTorch's predictions.
        self.assertGreaterEqual(agreement(SAMPLE_ONNX, x, pred, "reference", folder), 0.995)

    def test_residual_graph_round_trips_through_onnx(self):
        folder = tempdir(self)
        torch.manual_seed(3)
        ref = resnet20(1, 10).eval()
        for mod in ref.modules():  # non-trivial BN statistics, so a wrong BN mapping shows
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
        x = torch.rand(3, 1, 32, 32)
        f = os.path.join(folder, "rn.onnx")
        export_onnx(ref, x[:1], f)
        m = load_onnx_model(f).eval()
        with torch.no_grad():
            diff = (m(x) - ref(x)).abs().max().item()
        self.assertLess(diff, 1e-4)
        self.assertEqual(m.input_shape, [1, 32, 32])
        # 19 convs + fc; ternarize keeps the first and last float and finds an RPReLU site per ternary conv input.
        names = [n for n, _ in ternary_modules(ternarize(m, "asym-uniform", activations="ternary"))]
        self.assertEqual(len(names), 20)

    def test_unsupported_op_and_missing_file_are_named(self):
        with self.assertRaisesRegex(OnnxModelError, "nope.onnx: not found"):
            load_onnx_model("/nonexistent/nope.onnx")
        import onnx
        from onnx import helper, TensorProto
        folder = tempdir(self)
        g = helper.make_graph([helper.make_node("Sin", ["x"], ["y"], name="s")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
        f = os.path.join(folder, "sin.onnx")
        onnx.save(helper.make_model(g), f)
        with self.assertRaisesRegex(OnnxModelError, r"node 0 \(Sin 's'\): op Sin is not supported"):
            load_onnx_model(f)

    def test_trainer_takes_the_sample_onnx_and_writes_a_tnn(self):
        folder = tempdir(self)
        out = os.path.join(folder, "from-onnx.tnn")
        r = subprocess.run([PY, "-m", "tritscope_torch.train", "--model", SAMPLE_ONNX, "--data", "fashion-mnist:train",
                            "--limit", "256", "--test-limit", "300", "--epochs", "1", "--kd", "--two-stage", "-o", out,
                            "--progress", "json"], capture_output=True, text=True, env=env(), timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        done = [e for e in events(r.stdout) if e["type"] == "done"][0]
        # The float accuracy is the sample model's own (its ONNX weights were loaded, not a fresh initialisation).
        tritscope_float = json.loads(cli("eval", SAMPLE_ONNX, "--data", "fashion-mnist:test", "--limit", "300", "--json").stdout)["top1"]
        self.assertAlmostEqual(done["floatAccuracy"], tritscope_float, delta=0.004)
        ev = json.loads(cli("eval", out, "--data", "fashion-mnist:test", "--limit", "300", "--json").stdout)
        self.assertAlmostEqual(ev["top1"], done["accuracy"], delta=0.01)

    def test_input_shape_mismatch_is_a_usage_error(self):
        folder = tempdir(self)
        r = subprocess.run([PY, "-m", "tritscope_torch.train", "--model", SAMPLE_ONNX, "--data", "fashion-mnist:train", "--pad-to", "32",
                            "--limit", "64", "-o", os.path.join(folder, "x.tnn"), "--progress", "json"],
                           capture_output=True, text=True, env=env(), timeout=300)
        self.assertEqual(r.returncode, 2)
        err = [e for e in events(r.stdout) if e["type"] == "error"][0]["message"]
        self.assertIn("the model's input is 1x28x28 per sample, the data's 1x32x32", err)


if __name__ == "__main__":
    unittest.main()
