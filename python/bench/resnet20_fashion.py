"""The seed paper's architecture trained here (issue #17 item 4): CIFAR ResNet-20 (option-B shortcuts) on
Fashion-MNIST zero-padded to 32×32, all runs under `python -m tritscope_torch.torchrun --nproc_per_node N` (DDP,
gloo on CPU):

  1. float              --method float, Adam + cosine, pad-4 crop + flip
  2. paper W+A          asym-uniform (Eq. 9 uniform normalization, asymmetric Δp/Δn, bi-STE), ternary activations with
                        RPReLU, two-stage KD from the float model (stage 1 λ = 1, stage 2 λ = 0.9), E epochs per stage
  3. TWN W+A            twn weights (Δ = 0.7·E|W|), ternary activations, one stage of 2E epochs, cross-entropy only
                        (TWN as published has no distillation): the same number of epochs and steps as 2.
  4. TWN W+A + KD       (--ablation) TWN weights with the paper's two-stage KD, to separate quantizer from schedule

Each `.tnn` is then evaluated by `tritscope eval` with the reference and the packed engine on the same 10,000 padded
test images PyTorch scored. The ledger (<work>/results.json) makes the driver resumable; a markdown table is printed.

usage: /usr/bin/python3 python/bench/resnet20_fashion.py --work /tmp/rn20 [--limit 15000] [--float-epochs 8]
       [--qat-epochs 3] [--nproc 2] [--batch 64] [--ref-limit 2000] [--ablation]
"""
import argparse
import os
import sys

from runner import Ledger, padded_npy, per_epoch, tnn_eval, train

MODEL = "tritscope_torch.models:resnet20"


def main(argv):
    a = argparse.ArgumentParser()
    a.add_argument("--work", required=True)
    a.add_argument("--limit", type=int, default=15000, help="training images (the first N of the 60,000)")
    a.add_argument("--float-epochs", type=int, default=8)
    a.add_argument("--qat-epochs", type=int, default=3, help="epochs per stage of the paper's two-stage schedule")
    a.add_argument("--nproc", type=int, default=2)
    a.add_argument("--batch", type=int, default=64, help="global mini-batch (split over the processes)")
    a.add_argument("--lr", type=float, default=3e-3)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--ref-limit", type=int, default=2000, help="test images the (slow) reference executor scores")
    a.add_argument("--ablation", action="store_true", help="also TWN W+A with the paper's two-stage KD")
    args = a.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)  # noqa: E731
    log = w("train.log")
    ledger = Ledger(args.work)
    if args.batch % args.nproc:
        sys.exit("--batch must be a multiple of --nproc")
    common = ["--model", MODEL, "--data", "fashion-mnist:train", "--pad-to", "32", "--limit", args.limit,
              "--batch", args.batch // args.nproc, "--lr", args.lr, "--seed", args.seed, "--augment", "--force"]
    ledger.put("budget", {"trainImages": args.limit, "testImages": 10000, "floatEpochs": args.float_epochs,
                          "qatEpochsPerStage": args.qat_epochs, "nproc": args.nproc, "globalBatch": args.batch, "lr": args.lr})

    ledger.step("float", lambda: train(common + ["--method", "float", "--epochs", args.float_epochs, "-o", w("float.pt"),
                                                 "--onnx", w("float.onnx")], args.nproc, log=log))
    qat = common + ["--weights", w("float.pt"), "--activations", "ternary"]
    runs = [("paper", ["--method", "asym-uniform", "--kd", "--two-stage", "--lambda", "0.9", "--epochs", args.qat_epochs]),
            ("twn", ["--method", "twn", "--epochs", 2 * args.qat_epochs])]
    if args.ablation:
        runs.append(("twn-kd", ["--method", "twn", "--kd", "--two-stage", "--lambda", "0.9", "--epochs", args.qat_epochs]))
    for key, extra in runs:
        ledger.step(key, lambda: train(qat + extra + ["-o", w(key + ".tnn")], args.nproc, log=log))

    # The packed engine scores all 10,000 test images; the reference executor (plain loops, ~7 ms per image for
    # ResNet-20 here) the first --ref-limit, against the packed engine and PyTorch on the same images.
    test, n_ref = padded_npy(args.work, "test"), args.ref_limit
    # The float model scored in one process from float.pt (train.py before the DDP evaluation fix mixed the ranks' BN statistics).
    ledger.step("torch:float:10000", lambda: torch_float_top1(w("float.pt"), 10000))
    ledger.step("torch:float:%d" % n_ref, lambda: torch_float_top1(w("float.pt"), n_ref))
    ledger.step("eval:float.onnx:reference:%d" % n_ref, lambda: tnn_eval(w("float.onnx"), test, "reference", limit=n_ref))
    for key, _ in runs:
        ledger.step("eval:%s:packed" % key, lambda: tnn_eval(w(key + ".tnn"), test, "packed"))
        for engine in ("reference", "packed"):
            ledger.step("eval:%s:%s:%d" % (key, engine, n_ref), lambda: tnn_eval(w(key + ".tnn"), test, engine, limit=n_ref))
    print(table(ledger, runs, args))


def torch_float_top1(weights, limit):
    """PyTorch's top-1 of the float model on the first `limit` padded test images (what the reference engine sees)."""
    import numpy as np
    import torch
    from tritscope_torch import data as data_mod
    from tritscope_torch.models import resnet20
    m = resnet20(1, 10)
    m.load_state_dict(torch.load(weights, map_location="cpu"))
    ds = data_mod.pad_to(data_mod.load_dataset("fashion-mnist:test"), 32).subset(limit)
    x, y = ds.batch(np.arange(len(ds)))
    with torch.no_grad():
        return {"top1": float((m.eval()(torch.from_numpy(x)).argmax(-1).numpy() == y).mean()), "n": len(ds)}


def table(ledger, runs, args):
    f, n = ledger.get("float"), args.ref_limit
    pct = lambda v: "%.2f" % (100 * v)  # noqa: E731
    rows = ["| run | top-1 PyTorch (10k) | top-1 .tnn packed (10k) | first %d: PyTorch / packed / reference | epochs | s/epoch |" % n,
            "|---|---|---|---|---|---|",
            "| float | %s | — | %s / — / %s (ONNX) | %d | %.0f |" % (pct(ledger.get("torch:float:10000")["top1"]), pct(ledger.get("torch:float:%d" % n)["top1"]),
                                                          pct(ledger.get("eval:float.onnx:reference:%d" % n)["top1"]), args.float_epochs, per_epoch(f))]
    for key, _ in runs:
        d = ledger.get(key)
        g = lambda e: pct(ledger.get("eval:%s:%s" % (key, e))["top1"])  # noqa: E731
        rows.append("| %s | %s | %s | — / %s / %s | %d | %.0f |" % (key, pct(d["accuracy"]), g("packed"), g("packed:%d" % n),
                                                                   g("reference:%d" % n), len(d["epochSeconds"]), per_epoch(d)))
    return "\n".join(rows)

if __name__ == "__main__":
    main(sys.argv[1:])
