"""The GPU check's environment checks: the CPU path for real, the CUDA mismatches from plain values."""

from __future__ import annotations

import pytest

from torchlint.gpu_check import CheckOptions, render_text, run
from torchlint.gpu_check.probes import arch_problems, compile_problems, memory_problems, peak_tflops, version_problems

pytest.importorskip("torch", reason="the smoke step needs torch (tests/requirements.txt)")


def test_cpu_checks_report_figures_and_no_problem() -> None:
    report = run(CheckOptions(steps=1, dtype="fp32"))
    checks = report["checks"]
    assert report["ok"] is True and checks["problems"] == []
    assert (checks["memory"], checks["arch_list"], checks["host_to_device"], checks["all_reduce"]) == ([], [], None, None)
    sizes = [(m["dtype"], m["size"], m["peak_tflops"]) for m in checks["matmul"]]
    assert sizes == [("float32", 512, None), ("bfloat16", 512, None)]
    assert all(m["tflops"] > 0 for m in checks["matmul"])
    assert checks["compile"]["ok"] is True and checks["compile"]["backend"] == "eager" and checks["compile"]["error"] is None
    text = render_text(report)
    assert f"matmul      float32 512x512: {checks['matmul'][0]['tflops']:g} TFLOP/s\n" in text
    assert f"compile     ok (eager, {checks['compile']['seconds']:g} s)\n" in text


def test_torch_newer_than_the_driver() -> None:
    assert version_problems("12.8", "12.4") == [{
        "problem": "torch is built for CUDA 12.8, newer than the driver's CUDA 12.4: CUDA calls will fail. "
        "Upgrade the NVIDIA driver, or install a torch built for CUDA 12.4.",
        "fix": "pip install --upgrade torch --index-url https://download.pytorch.org/whl/cu124",
    }]
    assert version_problems("12.4", "12.8") == [] and version_problems("12.8", None) == []


def test_cpu_only_torch_on_a_gpu_machine() -> None:
    [found] = version_problems(None, "12.6")
    assert found["problem"] == "This torch is a CPU-only build, but the NVIDIA driver (CUDA 12.6) sees a GPU."
    assert found["fix"] == "pip install --upgrade torch --index-url https://download.pytorch.org/whl/cu126"


def test_compute_capability_without_kernels() -> None:
    built = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]
    [found] = arch_problems("NVIDIA B200", (10, 0), built, "12.4")
    assert found == {
        "problem": "NVIDIA B200 is sm_100, which this torch has no kernels for "
        "(built for sm_50, sm_60, sm_70, sm_75, sm_80, sm_86, sm_90).",
        "fix": "pip install --upgrade torch --index-url https://download.pytorch.org/whl/cu124",
    }
    assert arch_problems("NVIDIA H100 80GB HBM3", (9, 0), built, "12.4") == []
    assert arch_problems("NVIDIA L4", (8, 9), [*built, "compute_86"], "12.4") == []  # the driver compiles the PTX


def test_memory_held_by_another_process_and_a_failed_compile() -> None:
    devices = [{"index": 0, "free_gib": 10.0, "total_gib": 80.0}, {"index": 1, "free_gib": 79.0, "total_gib": 80.0}]
    [held] = memory_problems(devices)
    assert held["problem"] == "cuda:0 has 10.0 of 80.0 GiB free: another process holds it."
    assert held["fix"] == "nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv"
    error = "RuntimeError: Cannot find a working triton installation"
    failed = {"ok": False, "backend": "inductor", "seconds": 3.0, "error": error}
    assert compile_problems(failed) == [{
        "problem": "torch.compile (inductor) failed: RuntimeError: Cannot find a working triton installation",
        "fix": "pip install --upgrade triton",
    }]


def test_peaks_by_device_name() -> None:
    assert peak_tflops("NVIDIA H100 80GB HBM3") == 989.0 and peak_tflops("NVIDIA H100 PCIe") == 756.0
    assert peak_tflops("NVIDIA L40S") == 362.0 and peak_tflops("NVIDIA L4") == 121.0
    assert peak_tflops("NVIDIA GeForce RTX 4090") is None
