"""The smoke-run harness: the user's training script, stopped after a few optimizer steps.

Run by torchlint in the user's interpreter, never imported by torchlint itself (it imports
torch): ``python harness.py --steps 5 --timeout 300 --events FILE -- SCRIPT [ARGS...]``.
The script runs as ``python SCRIPT ARGS`` would run it (``runpy``, ``__name__ == "__main__"``),
unchanged; torch's documented hooks watch it:

* ``torch.optim.optimizer.register_optimizer_step_pre_hook`` / ``..._post_hook``: the gradient
  norm and the parameters left without a gradient before each step; after it, the step's record.
  After the last step the script goes on to its next forward pass: an evaluation (a forward under
  ``torch.no_grad()``) runs once, so that its layers' mode is seen even when it follows the
  training steps instead of sitting in their loop; a training forward, a backward or a step stop
  the script first (:class:`SmokeStop`, a ``BaseException`` that the script's ``except
  Exception`` lets through). Code that takes longer than :data:`GRACE_S` to get there is stopped.
* ``torch.nn.modules.module.register_module_forward_pre_hook`` / ``..._forward_hook``: whether
  autocast was on in the model's forward, and dropout or batch-norm layers run in training mode
  under ``torch.no_grad()`` (an evaluation in train mode).
* ``Tensor.backward`` and ``GradScaler.scale``, wrapped: the loss, unscaled.
* The DataLoader iterator's ``__next__``, wrapped: the time spent waiting for data, the batch size.

Each event is one JSON line appended to FILE (flushed at once, so that a run stopped from outside
keeps its steps): ``start``, one ``step`` per optimizer step, and ``end`` with the outcome.
Only the standard library and torch are imported.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import runpy
import sys
import sysconfig
import threading
import time
import traceback
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = os.path.abspath(__file__)
#: How a run ends. ``completed``: every step asked for ran; ``finished``: the script ended on its
#: own after at least one step. The others are failures.
COMPLETED, FINISHED, NO_STEP, ERROR, OUT_OF_MEMORY, TIMEOUT, NO_TORCH = (
    "completed", "finished", "no-step", "error", "out-of-memory", "timeout", "no-torch",
)
AUTOCAST_DEVICES = ("cuda", "cpu")
MiB = 2**20
#: Seconds (or twice the slowest step, if longer) the script may run after its last step to
#: reach its next forward pass.
GRACE_S = 10.0


class SmokeStop(BaseException):
    """Raised after the last step asked for: ends the script wherever it is."""


class Events:
    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
        self.lock = threading.Lock()
        self.ended = False

    def write(self, kind: str, **fields) -> None:
        """Append one event; the first ``end`` is the last event (a timer's and the script's may race)."""
        with self.lock:
            if self.ended:
                return
            self.ended = kind == "end"
            self.file.write(json.dumps({"event": kind, **fields}, default=str) + "\n")
            self.file.flush()


def _library_paths() -> tuple[str, ...]:
    paths = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(os.path.abspath(path) + os.sep for path in paths)


LIBRARIES = _library_paths()


def user_frame(frames: list[traceback.FrameSummary]) -> dict | None:
    """The innermost frame of the user's code: not the harness, the standard library or a package."""
    for frame in reversed(frames):
        filename = os.path.abspath(frame.filename)
        if filename != HERE and not filename.startswith(LIBRARIES) and not frame.filename.startswith("<"):
            return {"file": filename, "line": frame.lineno, "function": frame.name, "code": (frame.line or "").strip()}
    return None


def batch_size(batch, depth: int = 0) -> int | None:
    """The leading dimension of the first tensor in a batch (a tensor, a sequence or a mapping)."""
    shape = getattr(batch, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    if isinstance(batch, Mapping):
        items = list(batch.values())
    elif isinstance(batch, (list, tuple)):
        items = list(batch)
    else:
        return None
    for item in items[:8] if depth < 3 else ():
        found = batch_size(item, depth + 1)
        if found is not None:
            return found
    return None


def peak_rss_mib() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (MiB if sys.platform == "darwin" else 1024), 1)


class Watch:
    """What the hooks saw since the last optimizer step, and the records so far."""

    def __init__(self, torch, events: Events, steps: int) -> None:
        self.torch = torch
        self.events = events
        self.steps = steps
        self.done = 0
        #: The last step ran: the next training forward, backward or step stops the script.
        self.stopping = False
        self.slowest = 0.0
        self.last = 0.0  # when the previous step ended (0 until the loop starts)
        self.data_seconds = 0.0
        self.batch_size: int | None = None
        self.loss: Any = None  # a tensor
        self.autocast: set[str] = set()
        self.forward_seen = False
        self.depth = 0
        self.roots: weakref.WeakSet = weakref.WeakSet()
        self.scaled: dict[int, object] = {}  # id(scaled loss) -> loss
        self.scaler: Any = None  # a GradScaler
        self.pending: dict = {}
        self.loaders: list[dict] = []
        self.train_mode_eval: dict[str, dict] = {}  # layer class -> count, line of the call

    # -- the loop's start and its data ----------------------------------------------------

    def begin(self) -> None:
        if not self.last:
            self.last = time.perf_counter()

    def fetched(self, seconds: float, batch) -> None:
        self.data_seconds += seconds
        size = batch_size(batch)
        if size is not None:
            self.batch_size = size

    # -- forward, backward -------------------------------------------------------------------

    def forward_pre(self, module, _inputs) -> None:
        torch = self.torch
        if self.depth == 0:
            if self.stopping and torch.is_grad_enabled():
                raise SmokeStop
            self.begin()
            self.forward_seen = True
            self.roots.add(module)
            for device in AUTOCAST_DEVICES:
                if torch.is_autocast_enabled(device):
                    self.autocast.add(f"{device} {str(torch.get_autocast_dtype(device)).removeprefix('torch.')}")
        self.depth += 1
        if module.training and not torch.is_grad_enabled() and isinstance(module, self.train_only_layers()):
            name = type(module).__name__
            seen = self.train_mode_eval.get(name)
            if seen is None:  # where the model was called, once per kind of layer
                where = user_frame(traceback.extract_stack()[:-1])
                seen = self.train_mode_eval[name] = {"count": 0, "line": where["line"] if where else None}
            seen["count"] += 1

    def forward_post(self, _module, _inputs, _output) -> None:
        self.depth = max(0, self.depth - 1)
        if self.stopping and self.depth == 0:  # the evaluation after the last step ran its forward
            raise SmokeStop

    def train_only_layers(self) -> tuple[type, ...]:
        nn = self.torch.nn
        return (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)

    def backward(self, tensor) -> None:
        if self.stopping:
            raise SmokeStop
        self.loss = self.scaled.pop(id(tensor), tensor)

    # -- the optimizer step ---------------------------------------------------------------------

    def before_step(self, optimizer, _args, _kwargs) -> None:
        if self.stopping:
            raise SmokeStop
        torch = self.torch
        params = [p for group in optimizer.param_groups for p in group["params"]]
        grads = [p.grad.detach() for p in params if p.grad is not None]
        norm = None
        if grads:
            norms = torch.stack([torch.linalg.vector_norm(g.float()).cpu() for g in grads])
            norm = float(torch.linalg.vector_norm(norms))
        missing = [p for p in params if p.requires_grad and p.grad is None]
        names = {id(p): name for root in list(self.roots) for name, p in root.named_parameters()}
        device = params[0].device if params else None
        self.pending = {
            "grad_norm": norm,
            "grad_finite": None if norm is None else math.isfinite(norm),
            "no_grad": [names.get(id(p), f"parameter of shape {tuple(p.shape)}") for p in missing],
            "parameters": len(params),
            "device": str(device) if device is not None else None,
            "param_dtype": str(params[0].dtype).removeprefix("torch.") if params else None,
            "lr": optimizer.param_groups[0].get("lr") if optimizer.param_groups else None,
        }

    def after_step(self, _optimizer, _args, _kwargs) -> None:
        torch = self.torch
        now = time.perf_counter()
        self.begin()
        self.done += 1
        loss = None
        if self.loss is not None and self.loss.numel() == 1:
            loss = float(self.loss.detach().float())
        record = {
            "step": self.done,
            "seconds": now - self.last,
            "data_seconds": self.data_seconds,
            "loss": loss,
            "loss_finite": None if loss is None else math.isfinite(loss),
            "autocast": sorted(self.autocast),
            "forward_seen": self.forward_seen,
            "scaler_scale": self.scale(),
            "batch_size": self.batch_size,
            **self.pending,
            **self.memory(),
        }
        self.events.write("step", **record)
        self.slowest = max(self.slowest, record["seconds"])
        self.last = time.perf_counter()
        self.data_seconds = 0.0
        self.loss = None
        self.autocast = set()
        self.forward_seen = False
        self.pending = {}
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        if self.done >= self.steps:
            self.stop_soon()

    def stop_soon(self) -> None:
        """Let the script run on to its next forward pass, for at most the grace time."""
        self.stopping = True

        def expire() -> None:
            self.events.write("end", outcome=COMPLETED, error=None, **self.end_fields())
            os._exit(0)

        timer = threading.Timer(max(GRACE_S, 2 * self.slowest), expire)
        timer.daemon = True
        timer.start()

    def scale(self) -> float | None:
        scaler = self.scaler
        if scaler is None or not scaler.is_enabled():
            return None
        return float(scaler.get_scale())

    def memory(self) -> dict:
        torch = self.torch
        found: dict = {"rss_mib": peak_rss_mib()}
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            found["allocated_mib"] = round(torch.cuda.max_memory_allocated() / MiB, 1)
            found["reserved_mib"] = round(torch.cuda.max_memory_reserved() / MiB, 1)
        return found

    def end_fields(self) -> dict:
        return {"steps_done": self.done, "loaders": self.loaders, "train_mode_eval": self.train_mode_eval}


def install(torch, watch: Watch, script: str) -> None:
    """torch's hooks and the few wrappers, all feeding ``watch``."""
    from torch.nn.modules import module
    from torch.optim import optimizer
    from torch.utils.data import DataLoader, dataloader

    optimizer.register_optimizer_step_pre_hook(watch.before_step)
    optimizer.register_optimizer_step_post_hook(watch.after_step)
    module.register_module_forward_pre_hook(watch.forward_pre)
    module.register_module_forward_hook(watch.forward_post, always_call=True)

    backward = torch.Tensor.backward

    def watched_backward(self, *args, **kwargs):
        watch.backward(self)
        return backward(self, *args, **kwargs)

    torch.Tensor.backward = watched_backward

    scale = torch.amp.GradScaler.scale

    def watched_scale(self, outputs):
        scaled = scale(self, outputs)
        watch.scaler = self
        if isinstance(outputs, torch.Tensor):
            watch.scaled[id(scaled)] = outputs
        return scaled

    torch.amp.GradScaler.scale = watched_scale

    fetch = dataloader._BaseDataLoaderIter.__next__

    def watched_next(self):
        watch.begin()
        start = time.perf_counter()
        batch = fetch(self)
        watch.fetched(time.perf_counter() - start, batch)
        return batch

    dataloader._BaseDataLoaderIter.__next__ = watched_next  # type: ignore[method-assign]

    init = DataLoader.__init__

    def watched_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        where = user_frame(traceback.extract_stack()[:-1])
        if where is not None and where["file"] == script:
            options = {"batch_size": self.batch_size, "num_workers": self.num_workers, "pin_memory": self.pin_memory}
            watch.loaders.append({"line": where["line"], **options})

    DataLoader.__init__ = watched_init  # type: ignore[method-assign]


def environment(torch) -> dict:
    cuda = torch.cuda.is_available()
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "devices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
    }


def stop_at(deadline: float, events: Events, watch: Watch | None) -> threading.Timer:
    """After ``deadline`` seconds, record where the script was and end the process."""
    main = threading.main_thread().ident

    def expire() -> None:
        frame = sys._current_frames().get(main) if main is not None else None
        where = user_frame(traceback.extract_stack(frame)) if frame is not None else None
        events.write("end", outcome=TIMEOUT, where=where, **(watch.end_fields() if watch else {}))
        os._exit(124)

    timer = threading.Timer(deadline, expire)
    timer.daemon = True
    timer.start()
    return timer


def run(script: str, args: list[str], steps: int, timeout: float, events: Events) -> int:
    started = time.monotonic()
    try:
        import torch
    except ImportError as missing:
        events.write("end", outcome=NO_TORCH, error={"type": "ImportError", "message": str(missing)})
        return 3
    watch = Watch(torch, events, steps)
    stop_at(max(0.0, timeout - (time.monotonic() - started)), events, watch)
    install(torch, watch, script)
    events.write("start", **environment(torch))
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(script)  # as `python SCRIPT` has it, not the harness's folder
    outcome: str = FINISHED
    error: dict | None = None
    try:
        runpy.run_path(script, run_name="__main__")
    except SmokeStop:
        outcome = COMPLETED
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            outcome, error = ERROR, describe(exit_)
    except BaseException as exception:  # noqa: BLE001 - every failure of the script is the report
        out_of_memory = getattr(torch, "OutOfMemoryError", torch.cuda.OutOfMemoryError)
        outcome = OUT_OF_MEMORY if isinstance(exception, out_of_memory) else ERROR
        error = describe(exception)
        if outcome == OUT_OF_MEMORY and torch.cuda.is_available():
            total = torch.cuda.get_device_properties(0).total_memory
            error.update(watch.memory(), total_mib=round(total / MiB, 1), batch_size=watch.batch_size)
    if outcome == FINISHED and watch.done == 0:
        outcome = NO_STEP
    elif outcome == FINISHED and watch.stopping:  # it ended on its own after the last step
        outcome = COMPLETED
    events.write("end", outcome=outcome, error=error, **watch.end_fields())
    return 0


def describe(exception: BaseException) -> dict:
    frames = traceback.extract_tb(exception.__traceback__)
    text = "".join(traceback.format_exception_only(type(exception), exception)).strip()
    return {
        "type": type(exception).__name__,
        "message": str(exception) if not isinstance(exception, SystemExit) else f"exit status {exception.code}",
        "summary": text,
        "where": user_frame(list(frames)),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--events", required=True)
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    script = str(Path(options.script).resolve())
    events = Events(options.events)
    status = run(script, options.args, options.steps, options.timeout, events)
    sys.stdout.flush()
    sys.stderr.flush()
    # Not the interpreter's exit: a stopped script's DataLoader workers and threads need no goodbye.
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
