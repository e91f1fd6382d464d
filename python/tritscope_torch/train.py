"""Quantization-aware training with PyTorch, alone or under torchrun (DDP):

  python -m tritscope_torch.train --model tritscope_torch.models:fashion_cnn --weights float.pt \\
      --data fashion-mnist:train --method asym-uniform --activations ternary --kd --two-stage \\
      --epochs 4 --batch 64 --lr 0.003 -o out.tnn --progress json [--resume]
  torchrun --nproc_per_node 2 -m tritscope_torch.train …   (the same arguments)

The loop mirrors src/core/train/qat/train-qat.ts: the float model is the KD teacher (Eq. 10–11),
two-stage training (§3.4) trains ternary activations first with λ = 1, then weights + activations
with λ = 0.9; Adam with a cosine-decayed learning rate per stage (or SGD with --optimizer sgd);
a checkpoint `<out>.ckpt` after every epoch (atomic) that --resume continues; the `.tnn` is written
only at the end (export_tnn → tritscope assemble). `--method float` trains the float model itself
and writes a state_dict (.pt). Only rank 0 writes files and progress events.
"""
import argparse
import copy
import hashlib
import importlib
import importlib.util
import inspect
import io
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import data as data_mod
from .distributed import Context, StopFlag
from .export import export_onnx, export_tnn
from .files import atomic_write
from .kd import DEFAULT_LAMBDA, distill_loss, plan_stages
from .modules import RPReLU
from .progress import Meter, Progress
from .quantizers import QAT_METHODS
from .ternarize import set_stage, ternarize, ternary_modules


class UsageError(ValueError):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m tritscope_torch.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="MODULE:FACTORY or path/file.py:FACTORY returning an nn.Module")
    p.add_argument("--weights", help="float state_dict (.pt) to start from")
    p.add_argument("--data", required=True, help="training data spec (fashion-mnist[:train], idx:, npy:, cifar10:DIR, images:DIR)")
    p.add_argument("--test-data", help="evaluation data spec (default: the held-out split of --data, else --data)")
    p.add_argument("--method", default="asym-uniform", choices=list(QAT_METHODS) + ["float"])
    p.add_argument("--activations", default="ternary", choices=["float", "ternary"])
    p.add_argument("--keep-float", default="first,last")
    p.add_argument("--kd", action="store_true", help="knowledge distillation from the float model (Eq. 10-11)")
    p.add_argument("--two-stage", action="store_true", help="stage 1 ternary activations, stage 2 weights + activations")
    p.add_argument("--lambda", dest="lam", type=float, default=DEFAULT_LAMBDA, help="Eq. 11's trade-off (default 0.9)")
    p.add_argument("--epochs", type=int, default=1, help="epochs per stage")
    p.add_argument("--batch", type=int, default=64, help="mini-batch size per process")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 0.003 Adam, 0.1 SGD)")
    p.add_argument("--optimizer", default="adam", choices=["adam", "sgd"])
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--limit", type=int, help="train on the first N samples")
    p.add_argument("--test-limit", type=int, help="evaluate on the first N held-out samples")
    p.add_argument("--pad-to", type=int, help="zero-pad images to N x N (e.g. Fashion-MNIST to 32 for ResNet-20)")
    p.add_argument("--augment", action="store_true", help="random crop (pad 4) and horizontal flip, as the seed paper on CIFAR")
    p.add_argument("--no-uniform", action="store_true", help="ablation: no Eq. 9 uniform normalization")
    p.add_argument("--symmetric", action="store_true", help="ablation: symmetric thresholds (Δn = −Δp)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("-o", "--out", required=True, help=".tnn (QAT) or .pt (--method float)")
    p.add_argument("--onnx", help="--method float: also write the float model as ONNX")
    p.add_argument("--progress", choices=["json"], help="JSON-lines progress events on stdout")
    p.add_argument("--resume", action="store_true", help="continue from <out>.ckpt")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    a = p.parse_args(argv)
    for k in ("epochs", "batch"):
        if getattr(a, k) < 1:
            raise UsageError("--%s expects an integer >= 1, got %d" % (k, getattr(a, k)))
    if not 0 <= a.lam <= 1:
        raise UsageError("--lambda expects a number in [0, 1], got %g" % a.lam)
    if a.method == "float":
        if not a.out.endswith(".pt"):
            raise UsageError("--method float writes a state_dict: -o must end in .pt, got %r" % a.out)
    elif not a.out.lower().endswith(".tnn"):
        raise UsageError("-o must end in .tnn, got %r" % a.out)
    if a.two_stage and a.activations == "float":
        raise UsageError("--two-stage trains ternary activations first; it cannot be combined with --activations float")
    if a.lr is None:
        a.lr = 0.1 if a.optimizer == "sgd" else 3e-3
    return a


def load_factory(spec):
    mod, sep, name = spec.rpartition(":")
    if not sep or not mod or not name:
        raise UsageError("--model expects MODULE:FACTORY, got %r" % spec)
    if mod.endswith(".py"):
        if not os.path.isfile(mod):
            raise UsageError("--model: %s not found" % mod)
        s = importlib.util.spec_from_file_location("tritscope_user_model", mod)
        m = importlib.util.module_from_spec(s)
        s.loader.exec_module(m)
    else:
        m = importlib.import_module(mod)
    f = getattr(m, name, None)
    if not callable(f):
        raise UsageError("--model: %s has no callable %r" % (mod, name))
    return f


def _torch_load(path):
    kw = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kw["weights_only"] = True
    try:
        return torch.load(path, **kw)
    except FileNotFoundError:
        raise UsageError("%s: not found" % path) from None
    except Exception as e:  # noqa: BLE001 - unpickling errors come in many types
        raise UsageError("%s: not a PyTorch state_dict file: %s" % (path, str(e).splitlines()[0][:200])) from None


def build_float(args, ds):
    factory = load_factory(args.model)
    params = inspect.signature(factory).parameters
    kwargs = {k: v for k, v in (("in_channels", ds.sample_shape[0]), ("num_classes", ds.classes)) if k in params}
    model = factory(**kwargs)
    if args.weights:
        state = _torch_load(args.weights)
        if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
            state = state["state_dict"]
        if not isinstance(state, dict):
            raise UsageError("%s: expected a state_dict (dict of tensors)" % args.weights)
        try:
            model.load_state_dict(state)
        except RuntimeError as e:
            raise UsageError("%s: does not fit %s: %s" % (args.weights, args.model, str(e).splitlines()[0][:300])) from None
    return model


def config_key(args):
    keys = ("model", "weights", "data", "test_data", "method", "activations", "keep_float", "kd", "two_stage", "lam", "epochs",
            "batch", "lr", "optimizer", "momentum", "weight_decay", "limit", "pad_to", "augment", "no_uniform", "symmetric", "seed")
    return hashlib.sha256(json.dumps({k: getattr(args, k) for k in keys}, sort_keys=True).encode()).hexdigest()


def augment(x, gen):
    """Pad 4, random 32×32-style crop back to the input size, random horizontal flip (per sample)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (n,), generator=gen)
    dx = torch.randint(0, 9, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
        out[i] = crop.flip(-1) if flip[i] else crop
    return out


def shard_indices(n, ctx, epoch, seed, shuffle=True):
    """DistributedSampler's split: a seeded permutation padded to a multiple of the world size, every world-th index."""
    if shuffle:
        g = torch.Generator()
        g.manual_seed(seed + epoch)
        order = torch.randperm(n, generator=g).numpy()
    else:
        order = np.arange(n)
    total = int(math.ceil(n / ctx.world)) * ctx.world
    order = np.concatenate([order, order[:total - n]]) if total > n else order
    return order[ctx.rank:total:ctx.world]


@torch.no_grad()
def evaluate(model, ds, ctx, batch=500):
    """Top-1 over `ds`, each rank a shard, summed over ranks."""
    was = model.training
    model.eval()
    idx = np.arange(ctx.rank, len(ds), ctx.world)
    correct = 0
    for s in range(0, len(idx), batch):
        x, y = ds.batch(idx[s:s + batch])
        pred = model(torch.from_numpy(x).to(ctx.device)).argmax(-1).cpu().numpy()
        correct += int((pred == y).sum())
    model.train(was)
    c, n = ctx.all_sum([correct, len(idx)])
    return c / n if n else 0.0


def _needs_init(model):
    for _, m in ternary_modules(model):
        if m.quant_acts and m.act_quant is not None and not bool(m.act_quant.initialised):
            return True
    return any(isinstance(r, RPReLU) and not bool(r.centred) for r in model.modules())


def save_checkpoint(path, meta, model, opt):
    """`<out>.ckpt`, atomically. Everything that is not a tensor travels as JSON text, so the file loads with
    torch.load(weights_only=True) on every PyTorch version (1.13's safe unpickler has no floats)."""
    o = opt.state_dict()
    payload = {"meta": json.dumps(meta), "model": model.state_dict(), "opt_state": o["state"], "opt_groups": json.dumps(o["param_groups"])}
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write(path, buf.getvalue())


def load_checkpoint(path, config):
    c = _torch_load(path)
    try:
        meta = json.loads(c["meta"])
        groups = json.loads(c["opt_groups"])
        for g in groups:
            if isinstance(g.get("betas"), list):
                g["betas"] = tuple(g["betas"])
        c.update(meta)
        c["optimizer"] = {"state": c.pop("opt_state"), "param_groups": groups}
    except (TypeError, KeyError, ValueError, AttributeError):
        raise UsageError("%s: not a tritscope_torch checkpoint (delete it to start over)" % path) from None
    if c.get("config") != config:
        raise UsageError("%s: config: the checkpoint was written by a run with different options (delete it or rerun with the same options)" % path)
    return c


def make_optimizer(args, params):
    if args.optimizer == "sgd":
        return torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    return torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)


class Run:
    def __init__(self, args, ctx, progress, stop):
        self.args, self.ctx, self.progress, self.stop = args, ctx, progress, stop
        self.t0 = time.time()
        self.ckpt = args.out + ".ckpt"
        self.config = config_key(args)
        self.epoch_seconds = []

    def load_data(self):
        a = self.args
        train = data_mod.load_dataset(a.data, for_training=True)
        test_spec = a.test_data or data_mod.test_spec_for(a.data)
        test = data_mod.load_dataset(test_spec) if test_spec else train
        if a.pad_to:
            train, test = data_mod.pad_to(train, a.pad_to), data_mod.pad_to(test, a.pad_to)
        self.train, self.test = train.subset(a.limit), test.subset(a.test_limit)
        if self.train.sample_shape != self.test.sample_shape:
            raise UsageError("%s: samples are %s, the training samples %s" % (self.test.name, self.test.sample_shape, self.train.sample_shape))

    def stage_loop(self, model, teacher, st, start_epoch, resume_opt):
        a, ctx = self.args, self.ctx
        set_stage(model, weights=st["weights"], acts=st["acts"])
        steps = int(math.ceil(int(math.ceil(len(self.train) / ctx.world)) / a.batch))
        model.train()
        if _needs_init(model):
            # Activation statistics and RPReLU centring come from the first batch; rank 0's values everywhere.
            x, _ = self.train.batch(shard_indices(len(self.train), ctx, 0, a.seed)[:a.batch])
            with torch.no_grad():
                model(torch.from_numpy(x).to(ctx.device))
        ctx.broadcast_module(model)
        net = model
        if ctx.distributed:
            net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[ctx.local_rank] if ctx.device.type == "cuda" else None)
        opt = make_optimizer(a, [p for p in model.parameters() if p.requires_grad])
        if resume_opt is not None:
            opt.load_state_dict(resume_opt)
        meter = Meter(steps * (a.epochs - start_epoch))
        report_every = max(1, steps // 50)
        gen = torch.Generator()
        gen.manual_seed(a.seed * 7919 + ctx.rank)
        t_stage = time.time()
        for e in range(start_epoch, a.epochs):
            meter.reset_epoch()
            t_epoch = time.time()
            order = shard_indices(len(self.train), ctx, st["stage"] * 100 + e, a.seed * 1000)
            for s in range(steps):
                for g in opt.param_groups:  # cosine decay over the stage (train-qat.ts)
                    g["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * (e * steps + s) / (a.epochs * steps)))
                x, y = self.train.batch(order[s * a.batch:(s + 1) * a.batch])
                x, y = torch.from_numpy(x).to(ctx.device), torch.from_numpy(y).to(ctx.device)
                if a.augment:
                    x = augment(x.cpu(), gen).to(ctx.device)
                tp = None
                if teacher is not None and st["lambda"] > 0:
                    with torch.no_grad():
                        tp = F.softmax(teacher(x), dim=-1)
                logits = net(x)
                loss = distill_loss(logits, y, teacher_probs=tp, lam=st["lambda"])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                n = int(y.shape[0])
                flag, loss_sum, correct, count = ctx.all_sum([1.0 if self.stop.signum else 0.0, float(loss) * n,
                                                              float((logits.argmax(-1) == y).sum()), n])
                meter.add(loss_sum, correct, count)
                if (s + 1) % report_every == 0 or s + 1 == steps:
                    self.progress.progress(st["stage"], e + 1, a.epochs, s + 1, steps, meter.loss, meter.acc, meter.eta)
                if flag > 0:
                    return False
            self.epoch_seconds.append(time.time() - t_epoch)
            self.progress.log("train: stage %d epoch %d/%d loss %.4f train acc %.2f%% (%.1f s)" % (
                st["stage"], e + 1, a.epochs, meter.loss, 100 * meter.acc, self.epoch_seconds[-1]))
            if ctx.main:
                save_checkpoint(self.ckpt, {"config": self.config, "stage": st["stage"], "epoch": e + 1, "elapsed": time.time() - self.t0},
                                model, opt)
        self.progress.log("train: stage %d took %.1f s" % (st["stage"], time.time() - t_stage))
        return True

    def run(self):
        a, ctx = self.args, self.ctx
        # Rank 0's view decides for every rank, so no rank is left waiting in a collective.
        if ctx.all_sum([1.0 if ctx.main and not a.force and not a.resume and os.path.exists(a.out) else 0.0])[0] > 0:
            raise UsageError("%s: output exists; pass --force to overwrite it" % a.out)
        torch.manual_seed(a.seed)
        self.load_data()
        float_model = build_float(a, self.train).to(ctx.device)
        float_acc = evaluate(float_model, self.test, ctx)
        if a.method == "float":
            model, teacher, stages = float_model, None, [{"stage": 1, "weights": False, "acts": False, "lambda": 0.0}]
        else:
            model = ternarize(float_model, a.method, a.keep_float, a.activations, uniform=not a.no_uniform, asymmetric=not a.symmetric)
            model = model.to(ctx.device)
            teacher = copy.deepcopy(float_model).eval() if a.kd else None
            stages = plan_stages(weights=True, acts=a.activations == "ternary", kd=a.kd, two_stage=a.two_stage, lam=a.lam)
            self.progress.log("train: float top-1 %.2f%% on %d samples; ternary layers: %s" % (
                100 * float_acc, len(self.test), ", ".join(n for n, _ in ternary_modules(model))))
        resume = None
        if a.resume and os.path.exists(self.ckpt):
            resume = load_checkpoint(self.ckpt, self.config)
            model.load_state_dict(resume["model"])
            self.progress.log("train: resuming from %s (stage %d, %d epochs done)" % (self.ckpt, resume["stage"], resume["epoch"]))
        for st in stages:
            if self.stopping():
                return self.cancelled()
            start, opt_state = 0, None
            if resume is not None:
                if resume["stage"] > st["stage"]:
                    continue
                if resume["stage"] == st["stage"]:
                    start, opt_state = resume["epoch"], resume["optimizer"]
            if not self.stage_loop(model, teacher, st, start, opt_state):
                return self.cancelled()
        accuracy = evaluate(model, self.test, ctx)
        if self.stopping():
            return self.cancelled()
        if ctx.main:
            self.write(model, float_acc, accuracy)
        ctx.barrier()
        return 0

    def stopping(self):
        """Whether any rank was interrupted (a collective: every rank calls it at the same point)."""
        return self.ctx.all_sum([1.0 if self.stop.signum else 0.0])[0] > 0

    def cancelled(self):
        name = {2: "SIGINT", 15: "SIGTERM"}.get(self.stop.signum, "signal %s" % self.stop.signum)
        self.progress.error("training cancelled (%s)%s" % (name, "; checkpoint kept at %s for --resume" % self.ckpt if os.path.exists(self.ckpt) else ""))
        return self.stop.exit_code

    def write(self, model, float_acc, accuracy):
        a = self.args
        x, _ = self.test.batch(np.arange(1))
        example = torch.from_numpy(x).to(self.ctx.device)
        extra = {"floatAccuracy": float_acc, "backend": "pytorch-%s" % self.ctx.device.type, "world": self.ctx.world,
                 "epochSeconds": self.epoch_seconds}
        if a.method == "float":
            buf = io.BytesIO()
            torch.save(model.state_dict(), buf)
            atomic_write(a.out, buf.getvalue())
            if a.onnx:
                tmp = a.onnx + ".tmp.onnx"
                try:
                    export_onnx(model, example, tmp)
                    os.replace(tmp, a.onnx)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
        else:
            options = {"epochs": a.epochs, "batch": a.batch, "lr": a.lr, "optimizer": a.optimizer, "acts": a.activations == "ternary",
                       "kd": a.kd, "twoStage": a.two_stage, "lambda": a.lam, "uniform": not a.no_uniform, "asymmetric": not a.symmetric,
                       "seed": a.seed, "trainSamples": len(self.train), "world": self.ctx.world, "backend": extra["backend"]}
            prov = {"method": "qat-%s" % a.method, "options": options, "dataset": a.data, "floatAccuracy": float_acc,
                    "ternaryAccuracy": accuracy, "trainer": "tritscope_torch", "evalDataset": self.test.name, "evalSamples": len(self.test)}
            export_tnn(model, example, a.out, provenance=prov, labels=self.train.label_names)
        if os.path.exists(self.ckpt):
            os.unlink(self.ckpt)
        self.progress.done(a.out, accuracy, **extra)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    progress = Progress(mode="json" if "--progress" in argv and "json" in argv else None)
    stop = StopFlag()
    ctx = None
    try:
        args = parse_args(argv)
        ctx = Context(args.device)
        progress = Progress(mode=args.progress, enabled=ctx.main)
        return Run(args, ctx, progress, stop).run()
    except (UsageError, data_mod.DataError, ValueError, RuntimeError, OSError) as e:
        progress.error(str(e))
        if ctx is None or ctx.main:
            sys.stderr.write("tritscope_torch.train: %s\n" % e)
        return 2 if isinstance(e, UsageError) else 1
    finally:
        stop.restore()
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
