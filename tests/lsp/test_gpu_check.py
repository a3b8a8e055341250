"""``torchlint.gpuCheck`` over LSP: a real CPU smoke step with ``$/progress``, and its failures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.lsp.harness import Client, initialize

pytest.importorskip("torch", reason="the smoke step needs torch (tests/requirements.txt)")
GPU_CHECK = "torchlint.gpuCheck"


async def test_runs_on_cpu_and_reports_progress(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"python": sys.executable, "device": "auto", "dtype": "auto", "steps": 3, "timeout": 240}
    report = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments]))
    assert report["ok"] is True
    assert report["device"] == "cpu" and report["dtype"] == "bf16"
    assert report["notes"] == ["No CUDA device is available: the step ran on the CPU."]
    assert [step["passed"] for step in report["training"]["steps"]] == [True, True, True]
    [(token, values)] = client.progress_reports.items()
    assert isinstance(values[0], lsp.WorkDoneProgressBegin) and values[0].title == "torchlint: GPU check"
    reports = [v for v in values if isinstance(v, lsp.WorkDoneProgressReport)]
    assert [r.message for r in reports][:2] == ["importing torch", "reading the environment"]
    assert [r.percentage for r in reports] == sorted(r.percentage for r in reports)
    assert isinstance(values[-1], lsp.WorkDoneProgressEnd) and values[-1].message == "GPU check passed"


async def test_missing_torch_is_a_report_not_an_error(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"python": str(tmp_path / "no-such-python"), "steps": 1}
    report = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments]))
    assert report["ok"] is False
    assert report["error"].startswith(f"cannot start {tmp_path / 'no-such-python'}")


async def test_bad_arguments_fall_back_to_defaults(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"steps": "many", "timeout": -1, "device": "cuda", "unknown": 1}
    report = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments]))
    assert report["ok"] is False
    assert "sees no CUDA device" in report["error"]
