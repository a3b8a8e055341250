"""Starting the harness on the user's script in their interpreter, and reading its report.

The harness enforces the timeout itself (and says where the script was); this side stops the
process group a little later as a backstop, on cancel, and after the run for DataLoader workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..gpu_check.runner import stop_process_group
from . import diagnosis
from .report import CANCELLED, COMPLETED, CRASHED, FINISHED, TIMEOUT, Failure, Link, SmokeReport, Step, Where

HARNESS = Path(__file__).with_name("harness.py")
#: Seconds past the timeout before the process group is stopped from here.
BACKSTOP_S = 10.0
OUTPUT_LINES = 40


@dataclass(frozen=True)
class SmokeOptions:
    script: str
    args: tuple[str, ...] = ()
    python: str = sys.executable
    steps: int = 5
    timeout: float = 300.0
    #: The script's working folder (default: this process's).
    cwd: str | None = None


class _Events:
    """The harness's JSON lines, read as they are appended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.seen: list[dict] = []

    def read(self) -> list[dict]:
        with self.path.open("rb") as file:
            file.seek(self.offset)
            chunk = file.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        new = [json.loads(line) for line in complete.decode("utf-8", "replace").splitlines() if line.strip()]
        self.seen += new
        return new


def run(
    options: SmokeOptions,
    on_progress: Callable[[int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> SmokeReport:
    """Smoke-run the script; every failure (no interpreter, no torch, a crash) is a report too."""
    script = str(Path(options.script).resolve())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="torchlint-smoke-") as folder:
        events = _Events(Path(folder) / "events.jsonl")
        events.path.touch()
        command = [
            options.python, str(HARNESS), "--steps", str(options.steps), "--timeout", str(options.timeout),
            "--events", str(events.path), script, *options.args,
        ]
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                errors="replace", cwd=options.cwd, start_new_session=os.name == "posix",
            )
        except OSError as error:
            unstarted = Failure("OSError", f"cannot start {options.python}: {error.strerror or error}")
            return _report(options, script, [], {}, CRASHED, unstarted, "", 0.0)
        output: deque[str] = deque(maxlen=OUTPUT_LINES)
        reader = threading.Thread(target=lambda: output.extend(process.stdout or ()), daemon=True)
        reader.start()
        stopped = _wait(process, options, events, on_progress, cancel, started)
        stop_process_group(process)  # the workers of a DataLoader the script left running
        process.wait()
        reader.join(timeout=5)
        events.read()
    end = next((e for e in events.seen if e["event"] == "end"), None)
    steps = [Step.from_event(e) for e in events.seen if e["event"] == "step"]
    outcome, failure = _outcome(end, stopped, process.returncode, options)
    start = next((e for e in events.seen if e["event"] == "start"), {})
    environment = {key: value for key, value in start.items() if key != "event"}
    text = "".join(output).rstrip("\n")
    report = _report(options, script, steps, end or {}, outcome, failure, text, time.monotonic() - started, environment)
    if on_progress:
        on_progress(100, report.summary())
    return report


def _wait(process, options: SmokeOptions, events: _Events, on_progress, cancel, started: float) -> str | None:
    """Follow the run until it ends; ``cancelled`` or ``timeout`` when it was stopped from here."""
    deadline = started + options.timeout + BACKSTOP_S
    if on_progress:
        on_progress(0, f"starting {Path(options.script).name}")
    while process.poll() is None:
        if cancel is not None and cancel.is_set():
            return CANCELLED
        if time.monotonic() > deadline:
            return TIMEOUT
        _report_steps(events.read(), options.steps, on_progress)
        time.sleep(0.05)
    _report_steps(events.read(), options.steps, on_progress)
    return None


def _report_steps(new: list[dict], steps: int, on_progress) -> None:
    for event in new:
        if on_progress and event["event"] == "step":
            loss = "unknown" if event.get("loss") is None else f"{event['loss']:.4g}"
            on_progress(100 * event["step"] // (steps + 1), f"step {event['step']}/{steps}: loss {loss}")


def _outcome(end: dict | None, stopped: str | None, status: int | None, options: SmokeOptions) -> tuple[str, Failure | None]:
    if end is not None:
        error = end.get("error")
        return end["outcome"], Failure.from_event(error) if error else None
    if stopped == CANCELLED:
        return CANCELLED, Failure("Cancelled", "the smoke run was cancelled")
    if stopped == TIMEOUT:
        return TIMEOUT, Failure("Timeout", f"the script did not stop within {options.timeout:g} s")
    return CRASHED, Failure("Crashed", f"the interpreter ended with exit status {status} before the harness reported")


def _report(options: SmokeOptions, script: str, steps: list[Step], end: dict, outcome: str, failure: Failure | None,
            output: str, seconds: float, environment: dict | None = None) -> SmokeReport:
    loaders = tuple(
        Link(loader["line"], 1, f"DataLoader(batch_size={loader['batch_size']}, num_workers={loader['num_workers']}, "
             f"pin_memory={loader['pin_memory']})")
        for loader in end.get("loaders", [])
    )
    where = end.get("where")
    report = SmokeReport(
        ok=outcome in (COMPLETED, FINISHED) and bool(steps) and all(step.finite for step in steps),
        outcome=outcome,
        script=script,
        python=options.python,
        steps_asked=options.steps,
        steps=tuple(steps),
        failure=failure,
        where=Where(**where) if where else None,
        loaders=loaders,
        environment=environment or {},
        output=output,
        seconds=seconds,
    )
    findings, unread = diagnosis.findings_of(script)
    notes = diagnosis.notes(steps) + ([f"The script was not analysed: {unread}"] if unread else [])
    ties = diagnosis.ties(steps, report.data_share, loaders, end.get("train_mode_eval", {}), findings)
    return replace(report, ties=tuple(ties), notes=tuple(notes))
