"""Shared test helpers: the built Tritscope CLI, the independent .tnn / ONNX readers in test/tools, temp folders.

Tests that need the CLI fail (they do not skip) when dist/cli.js is missing: `node esbuild.mjs` builds it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(REPO, "dist", "cli.js")
SAMPLES = os.path.join(REPO, "samples", "models")
sys.path.insert(0, os.path.join(REPO, "test", "tools"))
sys.path.insert(0, os.path.join(REPO, "python"))

import onnx_twn  # noqa: E402  (stdlib ONNX protobuf reader, test/tools)
import read_tnn  # noqa: E402  (stdlib .tnn reader written from docs/tnn-format.md)


def node():
    n = os.environ.get("TRITSCOPE_NODE") or shutil.which("node")
    if not n or not os.path.isfile(CLI):
        raise AssertionError("the Tritscope CLI is needed: node on PATH and %s (build with: node esbuild.mjs)" % CLI)
    return n


def cli(*args, check=True, timeout=600):
    r = subprocess.run([node(), CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if check and r.returncode != 0:
        raise AssertionError("tritscope %s failed (exit %d): %s" % (" ".join(map(str, args)), r.returncode, r.stderr.strip()[-600:]))
    return r


def read(tnn):
    return read_tnn.read(tnn, True)


def onnx_initializers(path):
    """{name: float32 array} of an ONNX file, decoded by test/tools/onnx_twn.py (no onnx package)."""
    with open(path, "rb") as f:
        _, inits = onnx_twn.decode_model(f.read())
    return {k: np.asarray(onnx_twn.tensor_values(t), dtype=np.float32).reshape(t["dims"]) for k, t in inits.items()
            if t["data_type"] in (onnx_twn.DT_FLOAT, onnx_twn.DT_DOUBLE)}


def tempdir(test):
    d = tempfile.mkdtemp(prefix="tritscope-py-")
    test.addCleanup(shutil.rmtree, d, True)
    return d


def agreement(tnn, x, pred, engine, folder):
    """Fraction of samples on which `tritscope eval --engine` predicts `pred` (PyTorch's classes) for inputs `x`:
    the predictions are given as the labels of an npy data set, so top-1 is the agreement."""
    xf, yf = os.path.join(folder, "agree-x.npy"), os.path.join(folder, "agree-y.npy")
    np.save(xf, np.ascontiguousarray(x, dtype=np.float32))
    np.save(yf, np.asarray(pred, dtype=np.int64))
    r = cli("eval", tnn, "--data", "npy:%s,%s" % (xf, yf), "--engine", engine, "--json")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["n"] == len(pred), out
    return out["top1"]


def rel(a, b):
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))
