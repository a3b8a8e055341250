"""``torchlint gpu-check`` on this machine's CPU build of torch: a real run, and its failures."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from torchlint.gpu_check import CheckOptions, markdown, render_text, run, summary

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
    page = markdown(report)
    assert page.startswith("# GPU check passed on cpu with bf16\n\n## Versions\n")
    assert f"| torch      | {torch.__version__}" in page
    assert "## Devices\n\nNo CUDA device is visible to torch.\n" in page
    assert "| compile | ok (eager, " in page
    assert "## Notes\n\n- No CUDA device is available: the step ran on the CPU.\n" in page
    assert [line.split("|")[1].strip() for line in page.splitlines() if line.endswith("| pass   |")] == ["1", "2", "3"]
    assert summary(report).startswith("GPU check passed on cpu with bf16: 3/3 steps, ")


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


CUDA_REPORT = {
    "ok": False,
    "python_executable": "/envs/train/bin/python",
    "device": "cuda",
    "dtype": "bf16",
    "environment": {
        "python": "3.11.7", "torch": "2.13.0+cu128", "cuda_runtime": "12.8", "cudnn": 91002,
        "nvidia_driver": "570.86.15", "accelerate": None,
    },
    "devices": [
        {"index": 0, "name": "NVIDIA H100 80GB HBM3", "capability": "9.0", "memory_gib": 79.2,
         "bf16": True, "fp16": True, "tf32": True},
    ],
    "checks": {
        "memory": [{"index": 0, "free_gib": 78.5, "total_gib": 79.2}],
        "driver_cuda": "12.4",
        "matmul": [{"dtype": "bfloat16", "size": 8192, "tflops": 612.0, "peak_tflops": 989.0, "share": 0.62}],
        "host_to_device": {"pinned_gbps": 24.1, "pageable_gbps": 9.8},
        "compile": {"ok": True, "backend": "inductor", "seconds": 12.5, "error": None},
        "all_reduce": None,
        "problems": [],
    },
    "notes": ["torch is built for CUDA 12.8, newer than the driver's CUDA 12.4. Fix: pip install torch_cu124"],
    "training": {
        "steps": [
            {"step": 1, "loss": 2.3, "lr": 1e-3, "seconds": 0.5, "passed": True},
            {"step": 2, "loss": float("nan"), "lr": 5e-4, "seconds": 0.002, "passed": False},
        ],
        "step_time_ms": 1.25,
        "peak_memory_mib": 18.5,
        "loss_finite": False,
    },
}  # fmt: skip


def test_markdown_of_a_failed_cuda_run() -> None:
    page = markdown(CUDA_REPORT)
    assert page.startswith("# GPU check FAILED on cuda with bf16\n")
    assert "| cuda:0 | NVIDIA H100 80GB HBM3 (capability 9.0, 79.2 GiB; bf16, fp16, tf32) |" in page
    assert "| cuda:0 free | 78.5 of 79.2 GiB " in page
    assert "| driver CUDA | 12.4 (torch built for 12.8) " in page
    assert "| matmul      | bfloat16 8192x8192: 612 TFLOP/s (62% of the 989 peak) |" in page
    assert "| accelerate | not installed " in page
    # Markdown would read torch_cu124's underscore as emphasis.
    assert "- torch is built for CUDA 12.8, newer than the driver's CUDA 12.4. Fix: pip install torch\\_cu124\n" in page
    assert "| 2    | nan    | 5.00e-04      | 2.0 ms   | FAIL   |" in page
    assert page.endswith("\nstep time 1.25 ms (median) · peak memory 18.5 MiB · loss finite NO\n")
    assert summary(CUDA_REPORT) == "GPU check FAILED on cuda with bf16: 1/2 steps, 1.2 ms per step"


def test_text_and_markdown_of_a_check_that_did_not_run() -> None:
    report = {
        "ok": False,
        "error": "the smoke step failed: <class 'RuntimeError'> *boom*",
        "python_executable": "/py",
        "device": "cuda",
        "dtype": "auto",
        "log": "Traceback (most recent call last):\nRuntimeError: *boom*",
    }
    assert render_text(report) == "GPU check FAILED: the smoke step failed: <class 'RuntimeError'> *boom*"
    assert summary(report) == "GPU check failed: the smoke step failed: <class 'RuntimeError'> *boom*"
    assert markdown(report) == (
        "# GPU check failed\n\n"
        "the smoke step failed: \\<class 'RuntimeError'\\> \\*boom\\*\n\n"
        "## Where it ran\n\n"
        "| setting     | value |\n"
        "| ----------- | ----- |\n"
        "| interpreter | /py   |\n"
        "| device      | cuda  |\n"
        "| dtype       | auto  |\n\n"
        "## Log\n\n"
        "```\nTraceback (most recent call last):\nRuntimeError: *boom*\n```\n"
    )
