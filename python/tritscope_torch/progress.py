"""Training progress as the Tritscope CLI prints it with `--progress json` (src/cli/commands/train-progress.ts,
read by src/extension/quantize/jobArgs.ts parseProgressLine), with the protocol version the shared
type in src/shared/progress.ts carries: one JSON object a line on stdout, `version: 1`.

  {"version":1,"type":"progress","stage":1,"epoch":1,"epochs":3,"step":120,"steps":468,"loss":…,"acc":…,"etaSeconds":…}
  {"version":1,"type":"done","output":"out.tnn","accuracy":0.88,…}
  {"version":1,"type":"error","message":"…"}
Log lines go to stderr in every mode, so stdout stays JSON-only.
"""
import json
import math
import sys
import time

PROTOCOL_VERSION = 1


class Progress:
    def __init__(self, mode=None, enabled=True, out=None, err=None):
        self.mode, self.enabled = mode, enabled
        self.out, self.err = out or sys.stdout, err or sys.stderr

    def _emit(self, event):
        if self.enabled:
            self.out.write(json.dumps(dict(version=PROTOCOL_VERSION, **event), allow_nan=False, separators=(",", ":")) + "\n")
            self.out.flush()

    def log(self, line):
        if self.enabled:
            self.err.write(line.rstrip("\n") + "\n")
            self.err.flush()

    def progress(self, stage, epoch, epochs, step, steps, loss, acc, eta):
        if self.mode == "json":
            self._emit({"type": "progress", "stage": stage, "epoch": epoch, "epochs": epochs, "step": step, "steps": steps,
                        "loss": _finite(loss), "acc": _finite(acc), "etaSeconds": int(round(eta))})

    def done(self, output, accuracy=None, **extra):
        event = {"type": "done", "output": output}
        if accuracy is not None:
            event["accuracy"] = accuracy
        event.update(extra)
        if self.mode == "json":
            self._emit(event)
        else:
            self.log("wrote %s%s" % (output, "" if accuracy is None else " (test top-1 %.2f %%)" % (100 * accuracy)))

    def error(self, message):
        if self.mode == "json":
            self._emit({"type": "error", "message": message})


def _finite(v):
    v = float(v)
    return v if math.isfinite(v) else None


class Meter:
    """Running mean of loss/accuracy over an epoch and the ETA of the stage (progress.ts ProgressMeter)."""

    def __init__(self, total_steps):
        self.total, self.done, self.t0 = total_steps, 0, time.time()
        self.reset_epoch()

    def reset_epoch(self):
        self.loss_sum = self.acc_sum = 0.0
        self.count = 0

    def add(self, loss, acc, count=1):
        self.loss_sum += loss
        self.acc_sum += acc
        self.count += count
        self.done += 1

    @property
    def loss(self):
        return self.loss_sum / self.count if self.count else 0.0

    @property
    def acc(self):
        return self.acc_sum / self.count if self.count else 0.0

    @property
    def eta(self):
        per = (time.time() - self.t0) / max(1, self.done)
        return per * max(0, self.total - self.done)
