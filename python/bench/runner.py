"""Shared pieces of the bench drivers: run `tritscope_torch.train` (alone or under the torchrun shim) and collect
its `done` event, evaluate a `.tnn` with Tritscope's two engines (`tritscope eval`), write padded Fashion-MNIST as
.npy for the TypeScript side, and keep a JSON ledger so an interrupted driver resumes where it stopped.

Runs are started with `nice -n 10` by default: the machines here are shared and the drivers run for hours.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CLI = os.path.join(REPO, "dist", "cli.js")
sys.path.insert(0, os.path.join(REPO, "python"))

from tritscope_torch import data as data_mod  # noqa: E402


def env():
    return dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"), PYTHONWARNINGS="ignore")


def nice_prefix(level):
    return ["nice", "-n", str(level)] if level else []


def train(args, nproc=1, nice=10, log=None):
    """Runs the trainer with `args` (a list, `--progress json` added) on `nproc` processes; returns the done event
    plus the wall time. Raises with the last error event when it fails."""
    launch = [sys.executable, "-m", "tritscope_torch.torchrun", "--standalone", "--nproc_per_node", str(nproc), "-m", "tritscope_torch.train"] \
        if nproc > 1 else [sys.executable, "-m", "tritscope_torch.train"]
    cmd = nice_prefix(nice) + launch + list(map(str, args)) + ["--progress", "json"]
    t0 = time.time()
    done, error = None, None
    with open(log or os.devnull, "a") as lf:
        lf.write("$ %s\n" % " ".join(cmd))
        lf.flush()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=lf, text=True, env=env(), cwd=REPO)
        for line in p.stdout:
            lf.write(line)
            lf.flush()
            if not line.startswith("{"):
                continue
            e = json.loads(line)
            if e.get("type") == "done":
                done = e
            elif e.get("type") == "error":
                error = e.get("message")
        rc = p.wait()
    if rc != 0 or done is None:
        raise RuntimeError("training failed (exit %d): %s" % (rc, error or "no done event; see %s" % log))
    done["wallSeconds"] = time.time() - t0
    return done


def tnn_eval(tnn, data_spec, engine, nice=10, limit=None):
    """`tritscope eval --json` top-1 of a .tnn (or .onnx) with the given engine, on the first `limit` samples."""
    cmd = nice_prefix(nice) + ["node", CLI, "eval", tnn, "--data", data_spec, "--json", "--engine", engine]
    cmd += ["--limit", str(limit)] if limit else []
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if r.returncode != 0:
        raise RuntimeError("tritscope eval %s (%s) failed: %s" % (tnn, engine, r.stderr.strip()[-400:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def padded_npy(folder, split, size=32, limit=None):
    """Fashion-MNIST `split`, zero-padded to size × size (as `--pad-to`), as uint8 npy files; returns the npy spec."""
    tag = "fmnist-%s-pad%d%s" % (split, size, "-n%d" % limit if limit else "")
    xf, yf = os.path.join(folder, tag + "-x.npy"), os.path.join(folder, tag + "-y.npy")
    if not (os.path.exists(xf) and os.path.exists(yf)):
        ds = data_mod.pad_to(data_mod.load_dataset("fashion-mnist:%s" % split), size).subset(limit)
        np.save(xf, np.ascontiguousarray(ds.images[:, 0], dtype=np.uint8))  # [n, H, W]: the TS loader adds the channel
        np.save(yf, ds.labels.astype(np.int64))
    return "npy:%s,%s" % (xf, yf)


class Ledger:
    """results.json in the work folder: finished steps are not run again."""

    def __init__(self, folder):
        self.path = os.path.join(folder, "results.json")
        self.data = json.load(open(self.path)) if os.path.exists(self.path) else {}

    def get(self, key):
        return self.data.get(key)

    def put(self, key, value):
        self.data[key] = value
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1)
        os.replace(tmp, self.path)

    def step(self, key, fn):
        if key not in self.data:
            print("[%s] %s …" % (time.strftime("%H:%M:%S"), key), flush=True)
            self.put(key, fn())
        return self.data[key]


def per_epoch(done):
    """Median wall seconds per epoch (the machine is shared: a median is less at the mercy of a busy spell)."""
    s = sorted(done.get("epochSeconds") or [])
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2 if s else float("nan")
