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
