"""A smoke training step: environment, devices, then a few AMP steps with AdamW and warmup-cosine.

Run by torchlint in the user's interpreter: ``python smoke.py --device auto --dtype auto``; then
the environment checks of :mod:`probes` (memory, versions, kernels, throughput, bandwidth, compile).
Progress goes to stderr as ``progress <percent> <message>`` lines; the report is one JSON object
on stdout. Only torch (and, when present, accelerate) is imported.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import probes  # type: ignore[import-not-found]  # beside this script, which runs by path


def progress(percent: int, message: str) -> None:
    print(f"progress {percent} {message}", file=sys.stderr, flush=True)


def environment(torch) -> dict:
    """What matters of ``python -m torch.utils.collect_env`` and ``accelerate env``."""
    from torch.utils import collect_env

    info = collect_env.get_env_info()
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "cuda_available": torch.cuda.is_available(),
        "cuda_runtime": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "nvidia_driver": info.nvidia_driver_version,
        "gpu_models": info.nvidia_gpu_models,
    }
    env.update(accelerate_environment())
    return env


def accelerate_environment() -> dict:
    """Accelerate's version and, when `accelerate config` was run, its mixed precision."""
    try:
        import accelerate
        from accelerate.commands.config.config_args import default_config_file, load_config_from_file
    except ImportError:
        return {"accelerate": None}
    found = {"accelerate": accelerate.__version__, "accelerate_config": None}
    if os.path.isfile(default_config_file):
        config = load_config_from_file(default_config_file)
        found["accelerate_config"] = {
            "path": default_config_file,
            "mixed_precision": str(getattr(config, "mixed_precision", None)),
            "num_processes": getattr(config, "num_processes", None),
        }
    return found


def devices(torch) -> list[dict]:
    found = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        capability = (props.major, props.minor)
        found.append(
            {
                "index": index,
                "name": props.name,
                "capability": f"{props.major}.{props.minor}",
                "memory_gib": round(props.total_memory / 2**30, 1),
                "bf16": capability >= (8, 0),
                "fp16": capability >= (5, 3),
                "tf32": capability >= (8, 0),
            }
        )
    return found


def choose(torch, device: str, dtype: str) -> tuple[str, str, list[str]]:
    notes = []
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu":
            notes.append("No CUDA device is available: the step ran on the CPU.")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"device {device!r} was asked for, but torch {torch.__version__} sees no CUDA device")
    if dtype == "auto":
        # CPUs and recent GPUs run bf16; older GPUs only fp16.
        cuda_without_bf16 = device.startswith("cuda") and not torch.cuda.is_bf16_supported()
        dtype = "fp16" if cuda_without_bf16 else "bf16"
    return device, dtype, notes


def train(torch, device: str, dtype: str, steps: int, batch_size: int) -> dict:
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    on_cuda = device.startswith("cuda")
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
    features = torch.randn(batch_size * steps, 64)
    targets = torch.randint(0, 10, (batch_size * steps,))
    loader = DataLoader(
        TensorDataset(features, targets), batch_size=batch_size, shuffle=True,
        num_workers=2, pin_memory=on_cuda, persistent_workers=False,
    )
    model = nn.Sequential(nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 10)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    warmup = max(1, steps // 4)
    scheduler = torch.optim.lr_scheduler.SequentialLR(
        optimizer,
        [
            torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=warmup),
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, steps - warmup)),
        ],
        milestones=[warmup],
    )
    scaler = torch.amp.GradScaler(device.split(":")[0], enabled=dtype == "fp16")
    if on_cuda:
        torch.cuda.reset_peak_memory_stats(device)
    records = []
    for step, (x, y) in enumerate(loader, start=1):
        start = time.perf_counter()
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with torch.autocast(device_type=device.split(":")[0], dtype=amp_dtype, enabled=dtype != "fp32"):
            loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        if on_cuda:
            torch.cuda.synchronize(device)
        value = loss.item()
        records.append(
            {
                "step": step,
                "loss": value,
                "lr": scheduler.get_last_lr()[0],
                "seconds": time.perf_counter() - start,
                "passed": math.isfinite(value),
            }
        )
        progress(20 + 70 * step // steps, f"step {step}/{steps}: loss {value:.4f}")
    timed = [r["seconds"] for r in records[1:]] or [records[0]["seconds"]]
    return {
        "steps": records,
        "step_time_ms": round(statistics.median(timed) * 1000, 3),
        "peak_memory_mib": round(torch.cuda.max_memory_allocated(device) / 2**20, 1) if on_cuda else None,
        "loss_finite": all(r["passed"] for r in records),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="auto", choices=("auto", "bf16", "fp16", "fp32"))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    progress(0, "importing torch")
    try:
        import torch
    except ImportError:
        print(json.dumps({"ok": False, "error": "torch is not installed", "python": sys.executable}))
        return 3
    progress(10, "reading the environment")
    report: dict[str, object] = {
        "python_executable": sys.executable, "environment": environment(torch), "devices": devices(torch)
    }
    device, dtype, notes = choose(torch, args.device, args.dtype)
    report.update(device=device, dtype=dtype, notes=notes)
    progress(20, f"training on {device} with {dtype}")
    training = train(torch, device, dtype, args.steps, args.batch_size)
    checks = probes.run_all(torch, device, progress)
    notes += [f"{found['problem']} Fix: {found['fix']}" for found in checks["problems"]]
    report.update(training=training, checks=checks, ok=training["loss_finite"] and not checks["problems"])
    progress(100, "done")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
