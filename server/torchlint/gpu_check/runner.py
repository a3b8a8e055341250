"""Starting the smoke step in the user's interpreter, with progress, a timeout and a clean report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SMOKE = Path(__file__).with_name("smoke.py")
INSTALL_HINT = "pip install torch"


@dataclass(frozen=True)
class CheckOptions:
    python: str = sys.executable
    device: str = "auto"
    dtype: str = "auto"
    steps: int = 5
    timeout: float = 180.0


def run(
    options: CheckOptions,
    on_progress: Callable[[int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict:
    """Run the smoke step and return its report; failures are reports too (``ok: false``).

    Setting ``cancel`` stops the step (and its DataLoader workers) within a fraction of a second.
    """
    command = [options.python, str(SMOKE), "--device", options.device, "--dtype", options.dtype, "--steps", str(options.steps)]
    try:
        # A session of its own, so a timeout also stops the DataLoader's worker processes.
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=os.name == "posix"
        )
    except OSError as error:
        return _failure(options, f"cannot start {options.python}: {error.strerror or error}")
    errors: list[str] = []
    output: list[str] = []
    readers = [
        threading.Thread(target=_read_progress, args=(process, on_progress, errors), daemon=True),
        threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + options.timeout
    while process.poll() is None:
        if cancel is not None and cancel.is_set():
            stop_process_group(process)
            process.wait()
            return _failure(options, "the GPU check was cancelled")
        if time.monotonic() > deadline:
            stop_process_group(process)
            process.wait()
            return _failure(options, f"the GPU check did not finish within {options.timeout:g} s and was stopped")
        time.sleep(0.05)
    for reader in readers:
        reader.join(timeout=5)
    report = _parse("".join(output))
    if report is None:
        detail = errors[-1] if errors else f"exit status {process.returncode}"
        return _failure(options, f"the smoke step failed: {detail}", log="\n".join(errors[-20:]))
    if report.get("error") == "torch is not installed":
        return _failure(options, f"torch is not installed in {options.python}; install it with: {INSTALL_HINT}")
    return report


def stop_process_group(process: subprocess.Popen) -> None:
    """Kill a process started with ``start_new_session`` and everything it started (DataLoader workers)."""
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except ProcessLookupError:
            return
    process.kill()


def _read_progress(process: subprocess.Popen, on_progress, errors: list[str]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        # Libraries may leave a partial line on stderr just before a progress line.
        before, marker, after = line.rstrip().partition("progress ")
        percent, _, message = after.partition(" ")
        if before.strip():
            errors.append(before.strip())
        if marker and percent.isdigit():
            if on_progress:
                on_progress(int(percent), message)
        elif marker:
            errors.append(marker + after)


def _parse(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def _failure(options: CheckOptions, error: str, log: str = "") -> dict:
    report = {"ok": False, "error": error, "python_executable": options.python, "device": options.device, "dtype": options.dtype}
    if log:
        report["log"] = log
    return report


def render_text(report: dict) -> str:
    """A readable summary of a report, for the terminal and the editor's report view."""
    if "training" not in report:
        return f"GPU check FAILED: {report.get('error', 'unknown error')}"
    env = report["environment"]
    training = report["training"]
    lines = [
        f"GPU check {'passed' if report['ok'] else 'FAILED'} on {report['device']} with {report['dtype']}",
        "",
        f"python      {env['python']} ({report['python_executable']})",
        f"torch       {env['torch']}",
        f"CUDA        {env['cuda_runtime'] or 'not available'}",
        f"cuDNN       {env['cudnn'] or 'not available'}",
        f"driver      {env['nvidia_driver'] or 'n/a'}",
        f"accelerate  {env.get('accelerate') or 'not installed'}",
    ]
    for device in report["devices"]:
        support = ", ".join(kind for kind in ("bf16", "fp16", "tf32") if device[kind]) or "none"
        lines.append(
            f"cuda:{device['index']}      {device['name']} (capability {device['capability']}, "
            f"{device['memory_gib']} GiB; {support})"
        )
    lines += _check_lines(report.get("checks"), env["cuda_runtime"])
    lines += [f"note        {note}" for note in report.get("notes", [])]
    lines += ["", f"step time   {training['step_time_ms']} ms (median)"]
    if training["peak_memory_mib"] is not None:
        lines.append(f"peak memory {training['peak_memory_mib']} MiB")
    lines.append(f"loss finite {'yes' if training['loss_finite'] else 'NO'}")
    for step in training["steps"]:
        verdict = "pass" if step["passed"] else "FAIL"
        timing = f"{step['seconds'] * 1000:.1f} ms"
        lines.append(f"  step {step['step']}: loss {step['loss']:.4f}  lr {step['lr']:.2e}  {timing}  {verdict}")
    return "\n".join(lines)


def _check_lines(checks: dict | None, torch_cuda: str | None) -> list[str]:
    """The environment checks' figures (their problems are among the notes)."""
    if not checks:
        return []
    lines = [f"cuda:{d['index']} free  {d['free_gib']} of {d['total_gib']} GiB" for d in checks["memory"]]
    if checks["driver_cuda"]:
        lines.append(f"driver CUDA {checks['driver_cuda']} (torch built for {torch_cuda or 'no CUDA'})")
    for run in checks["matmul"]:
        peak = f" ({run['share']:.0%} of the {run['peak_tflops']:g} peak)" if run["peak_tflops"] else ""
        lines.append(f"matmul      {run['dtype']} {run['size']}x{run['size']}: {run['tflops']:g} TFLOP/s{peak}")
    copy = checks["host_to_device"]
    if copy:
        lines.append(f"to device   pinned {copy['pinned_gbps']:g} GB/s, pageable {copy['pageable_gbps']:g} GB/s")
    compiled = checks["compile"]
    verdict = "ok" if compiled["ok"] else f"FAILED: {compiled['error']}"
    lines.append(f"compile     {verdict} ({compiled['backend']}, {compiled['seconds']:g} s)")
    reduce = checks["all_reduce"]
    if reduce:
        lines.append(f"all-reduce  {reduce['devices']} GPUs, {reduce['mib']} MiB: {reduce['gbps']:g} GB/s")
    return lines
