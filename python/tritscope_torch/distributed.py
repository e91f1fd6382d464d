"""DistributedDataParallel plumbing for the trainer: the same script runs alone or under
`torchrun --nproc_per_node N` (gloo on CPU, nccl on GPU); only rank 0 writes files and progress;
all ranks agree on stopping when any of them is interrupted (SIGINT/SIGTERM)."""
import os
import signal

import torch
import torch.distributed as dist


class Context:
    def __init__(self, device):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.distributed = self.world > 1
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda":
            if not torch.cuda.is_available():
                raise RuntimeError("--device cuda: no CUDA device is available")
            torch.cuda.set_device(self.local_rank)
            self.device = torch.device("cuda", self.local_rank)
        else:
            self.device = torch.device("cpu")
        if self.distributed and not dist.is_initialized():
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")

    @property
    def main(self):
        return self.rank == 0

    @property
    def backend(self):
        return dist.get_backend() if self.distributed else None

    def all_sum(self, values):
        """Sums a list of floats over all ranks (one small collective)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device if self.device.type == "cuda" else "cpu")
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def broadcast_module(self, module):
        """Rank 0's parameters and buffers everywhere (after state set up by a forward on local data)."""
        if not self.distributed:
            return
        with torch.no_grad():
            for t in list(module.parameters()) + list(module.buffers()):
                if t.dtype == torch.bool:  # gloo has no bool
                    u = t.data.to(torch.uint8)
                    dist.broadcast(u, 0)
                    t.data.copy_(u.bool())
                else:
                    dist.broadcast(t.data, 0)

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def close(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()


class StopFlag:
    """SIGINT/SIGTERM set a flag instead of raising mid-step; `should_stop` ORs it over all ranks each step,
    so every rank leaves the loop at the same step (nobody is left waiting in a collective)."""

    def __init__(self):
        self.signum = None
        self._old = {}
        for s in (signal.SIGINT, signal.SIGTERM):
            self._old[s] = signal.signal(s, self._handle)

    def _handle(self, signum, frame):
        self.signum = signum

    def restore(self):
        for s, h in self._old.items():
            signal.signal(s, h)

    @property
    def exit_code(self):
        return 128 + (self.signum or signal.SIGTERM)
