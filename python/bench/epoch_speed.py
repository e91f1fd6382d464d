"""Side-by-side speed of one QAT epoch: Tritscope's TF.js trainer (`tritscope quantize --qat`, wasm) against
`python -m tritscope_torch.train`, same model (samples/models/fashion-cnn.onnx), same data, same method
(asym-uniform W+A, two-stage KD, batch 64), same machine, runs alternated. Time per training step comes from
the JSON progress events both print (first to last event of each stage), so loading, teacher and evaluation
are excluded alike; the epoch time is that × the steps of a full Fashion-MNIST epoch (60,000 / 64).

usage: /usr/bin/python3 python/bench/epoch_speed.py [--reps 3] [--limit 2048] [--threads N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "python", "tests"))

import torch  # noqa: E402

from helpers import SAMPLES, onnx_initializers  # noqa: E402
from tritscope_torch.models import FASHION_CNN_ONNX  # noqa: E402

FULL_EPOCH_STEPS = 60000 / 64


def seconds_per_step(cmd, env=None):
    """Runs `cmd`, timestamps its progress lines, returns the mean seconds per step over all stages."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=REPO)
    first, last = {}, {}
    for line in p.stdout:
        if not line.startswith("{"):
            continue
        e = json.loads(line)
        if e.get("type") == "progress" and "stage" in e:
            t = time.time()
            first.setdefault(e["stage"], (t, e["step"]))
            last[e["stage"]] = (t, e["step"])
        if e.get("type") == "error":
            raise RuntimeError("%s: %s" % (cmd[:3], e.get("message")))
    if p.wait() != 0:
        raise RuntimeError("%s failed (exit %d)" % (" ".join(cmd[:4]), p.returncode))
    secs = sum(last[s][0] - first[s][0] for s in first)
    steps = sum(last[s][1] - first[s][1] for s in first)
    return secs / steps


def main(argv):
    a = argparse.ArgumentParser()
    a.add_argument("--reps", type=int, default=3)
    a.add_argument("--limit", type=int, default=2048)
    a.add_argument("--threads", type=int, help="torch threads (default: PyTorch's choice)")
    args = a.parse_args(argv)
    d = tempfile.mkdtemp(prefix="tritscope-bench-")
    weights = os.path.join(d, "float.pt")
    inits = onnx_initializers(os.path.join(SAMPLES, "fashion-cnn.onnx"))
    torch.save({k: torch.from_numpy(inits[v].copy()) for k, v in FASHION_CNN_ONNX.items()}, weights)
    common = ["--kd", "--two-stage", "--epochs", "1", "--limit", str(args.limit), "--test-limit", "200", "--batch", "64",
              "--data", "fashion-mnist:train", "--progress", "json"]
    tfjs = ["node", os.path.join(REPO, "dist", "cli.js"), "quantize", os.path.join(SAMPLES, "fashion-cnn.onnx"), "-o",
            os.path.join(d, "tfjs.tnn"), "--qat", "--force"] + common
    pt = [sys.executable, "-m", "tritscope_torch.train", "--model", "tritscope_torch.models:fashion_cnn", "--weights", weights,
          "-o", os.path.join(d, "torch.tnn"), "--force"] + common
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"), PYTHONWARNINGS="ignore")
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    t_tfjs, t_torch = [], []
    for r in range(args.reps):
        t_tfjs.append(seconds_per_step(tfjs))
        t_torch.append(seconds_per_step(pt, env))
        print("rep %d: TF.js %.1f ms/step, PyTorch %.1f ms/step" % (r + 1, 1000 * t_tfjs[-1], 1000 * t_torch[-1]), flush=True)
    m_tfjs, m_torch = statistics.median(t_tfjs), statistics.median(t_torch)
    print("median over %d runs: TF.js wasm %.0f s/epoch, PyTorch CPU %.0f s/epoch (sample CNN, W+A two-stage KD, batch 64, "
          "60,000 images): PyTorch is %.1fx faster" % (args.reps, m_tfjs * FULL_EPOCH_STEPS, m_torch * FULL_EPOCH_STEPS, m_tfjs / m_torch))


if __name__ == "__main__":
    main(sys.argv[1:])
