"""``torchlint.gpuCheck`` over LSP: a real CPU smoke step with ``$/progress``, and its failures."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import SERVER_COMMAND, Client, initialize, make_client
from torchlint.gpu_check import markdown, summary

pytest.importorskip("torch", reason="the smoke step needs torch (tests/requirements.txt)")
GPU_CHECK = "torchlint.gpuCheck"


async def gpu_check(client: Client, arguments: dict) -> dict:
    """The command's report, after checking that its Markdown and summary are the server's rendering of it."""
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments]))
    assert set(result) == {"report", "markdown", "summary"}
    report = result["report"]
    assert result["markdown"] == markdown(report) and result["summary"] == summary(report)
    return report


async def test_runs_on_cpu_and_reports_progress(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"python": sys.executable, "device": "auto", "dtype": "auto", "steps": 3, "timeout": 240}
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments]))
    report = result["report"]
    assert result["summary"].startswith("GPU check passed on cpu with bf16: 3/3 steps, ")
    assert result["markdown"].startswith("# GPU check passed on cpu with bf16\n")
    assert "## Training steps" in result["markdown"]
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
    report = await gpu_check(client, arguments)
    assert report["ok"] is False
    assert report["error"].startswith(f"cannot start {tmp_path / 'no-such-python'}")


async def test_bad_arguments_fall_back_to_defaults(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"steps": "many", "timeout": -1, "device": "cuda", "unknown": 1}
    report = await gpu_check(client, arguments)
    assert report["ok"] is False
    assert "sees no CUDA device" in report["error"]


async def test_progress_goes_to_the_clients_token(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    token = "client-made-token"
    client.progress_reports[token] = []  # as a client that made the token itself
    arguments = {"python": sys.executable, "steps": 2, "timeout": 240, "workDoneToken": token}
    report = await gpu_check(client, arguments)
    assert report["ok"] is True
    assert list(client.progress_reports) == [token]
    values = client.progress_reports[token]
    assert isinstance(values[0], lsp.WorkDoneProgressBegin) and isinstance(values[-1], lsp.WorkDoneProgressEnd)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client))
async def shutting_down(lsp_client: Client):
    yield
    lsp_client.exit(None)  # the test itself sends shutdown


async def test_shutdown_stops_a_running_check(shutting_down: Client, tmp_path: Path) -> None:
    client = shutting_down
    await initialize(client, tmp_path)
    arguments = {"python": sys.executable, "steps": 100_000, "timeout": 240}
    pending = asyncio.ensure_future(client.workspace_execute_command_async(lsp.ExecuteCommandParams(GPU_CHECK, [arguments])))
    await asyncio.sleep(3)
    await client.shutdown_async(None)
    report = (await asyncio.wait_for(pending, 10))["report"]
    cancelled = {"ok": False, "error": "the GPU check was cancelled", "python_executable": sys.executable}
    assert report == {**cancelled, "device": "auto", "dtype": "auto"}
