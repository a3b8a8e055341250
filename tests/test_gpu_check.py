"""``torchlint gpu-check`` on this machine's CPU build of torch: a real run, and its failures."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from torchlint.gpu_check import CheckOptions, render_text, run

torch = pytest.importorskip("torch", reason="the smoke step needs torch (tests/requirements.txt)")
EXE = str(Path(sys.executable).parent / "torchlint")


def test_cpu_smoke_step_reports_everything() -> None:
    seen: list[tuple[int, str]] = []
    report = run(CheckOptions(steps=3), on_progress=lambda p, m: seen.append((p, m)))
    assert report["ok"] is True
    assert report["device"] == "cpu"
    assert report["notes"] == ["No CUDA device is available: the step ran on the CPU."]
    assert report["environment"]["torch"] == torch.__version__
    assert report["devices"] == []
    training = report["training"]
    assert [s["step"] for s in training["steps"]] == [1, 2, 3]
    assert all(s["passed"] for s in training["steps"]) and training["loss_finite"]
    assert training["step_time_ms"] > 0
    # warmup-cosine: the learning rate ends lower than it peaks
    assert training["steps"][-1]["lr"] < max(s["lr"] for s in training["steps"])
    assert seen[0] == (0, "importing torch") and seen[-1] == (100, "done")
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    text = render_text(report)
    assert text.startswith("GPU check passed on cpu with bf16")
    assert "step 3: loss" in text


def test_cli_json_and_exit_code() -> None:
    command = [EXE, "gpu-check", "--steps", "2", "--dtype", "fp32", "--format", "json"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["dtype"] == "fp32" and report["ok"] is True


def test_cuda_requested_without_cuda_is_a_clear_failure() -> None:
    report = run(CheckOptions(device="cuda", steps=1))
    assert report["ok"] is False
    assert "sees no CUDA device" in report["error"]


def test_missing_torch_names_the_install_command(tmp_path: Path) -> None:
    venv.create(tmp_path / "env", with_pip=False)
    python = str(tmp_path / "env" / "bin" / "python")
    proc = subprocess.run([EXE, "gpu-check", "--python", python], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"GPU check FAILED: torch is not installed in {python}; install it with: pip install torch"
    assert "Traceback" not in proc.stdout + proc.stderr


def test_timeout_stops_the_step() -> None:
    report = run(CheckOptions(timeout=0.2))
    assert report == {
        "ok": False,
        "error": "the GPU check did not finish within 0.2 s and was stopped",
        "python_executable": sys.executable,
        "device": "auto",
        "dtype": "auto",
    }


def test_missing_interpreter() -> None:
    report = run(CheckOptions(python="/nonexistent/python"))
    assert report["ok"] is False
    assert report["error"].startswith("cannot start /nonexistent/python")


def test_cancel_stops_the_step() -> None:
    import threading

    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    report = run(CheckOptions(steps=1000), cancel=cancel)
    assert report["ok"] is False
    assert report["error"] == "the GPU check was cancelled"
