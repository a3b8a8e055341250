"""Only regular files are read, and only up to ``MAX_FILE_SIZE``.

A named pipe called ``*.py`` hung ``torchlint check DIR`` forever (and took one analysis thread
of the language server per ``workspace/diagnostic``); a link to ``/dev/zero`` was read until
memory ran out. Every process here runs under a memory cap, so a regression fails instead of
exhausting the machine.
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import Client, codes, initialize, make_client
from tests.test_cli import ADAM, EXE
from torchlint.files import MAX_FILE_SIZE

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")

#: Address space for each process: far more than torchlint needs, far less than the machine has.
MEMORY_CAP = 2 * 1024**3
TIMEOUT_S = 60


def capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([EXE, *args], cwd=cwd, capture_output=True, timeout=TIMEOUT_S, preexec_fn=capped)
    proc.stdout = proc.stdout.decode()  # type: ignore[assignment]
    proc.stderr = proc.stderr.decode()  # type: ignore[assignment]
    return proc


def make(kind: str, path: Path) -> str:
    """A special (or too large) file at ``path``, and the error the check reports for it."""
    if kind == "fifo":
        os.mkfifo(path)
        return f"{path.name}: not a regular file (a named pipe); skipped"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
        return f"{path.name}: not a regular file (a character device); skipped"
    with path.open("wb") as file:  # sparse: no disk used
        file.truncate(MAX_FILE_SIZE + 1)
    return f"{path.name}: larger than the 5 MB limit (5.0 MB); skipped"


KINDS = ["fifo", "dev-zero", "too-large"]


@pytest.mark.parametrize("kind", KINDS)
def test_check_of_a_folder_reports_the_file_and_checks_the_others(tmp_path: Path, kind: str) -> None:
    (tmp_path / "train.py").write_text(ADAM)
    error = make(kind, tmp_path / "special.py")
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"torchlint: error: {error}"]
    assert proc.stdout.splitlines()[0].startswith("train.py:4:13: TL103")
    assert proc.stdout.splitlines()[-1] == "1 file not checked (see the errors above)."


@pytest.mark.parametrize("kind", KINDS)
def test_a_special_file_named_on_the_command_line_is_not_all_checks_passed(tmp_path: Path, kind: str) -> None:
    error = make(kind, tmp_path / "special.py")
    proc = run("check", "special.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"torchlint: error: {error}"]
    assert "All checks passed!" not in proc.stdout
    assert proc.stdout.strip() == "1 file not checked (see the errors above)."


def test_many_special_files_in_parallel(tmp_path: Path) -> None:
    """Past the parallel threshold the files are read in worker processes: none may hang."""
    for index in range(10):
        (tmp_path / f"m{index}.py").write_text(ADAM)
    for kind in KINDS:
        make(kind, tmp_path / f"{kind}.py")
    proc = run("check", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) == 3


# -- the language server ------------------------------------------------------------------

CAPPED_SERVER = [
    sys.executable,
    "-c",
    f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP})); "
    "from torchlint.lsp import serve; serve()",
]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=CAPPED_SERVER, client_factory=make_client))
async def capped_client(lsp_client: Client):
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize("kind", KINDS)
async def test_workspace_diagnostics_skip_the_file_and_keep_answering(
    capped_client: Client, tmp_path: Path, kind: str
) -> None:
    client = capped_client
    (tmp_path / "train.py").write_text(ADAM)
    error = make(kind, tmp_path / "special.py")
    await initialize(client, tmp_path, pull=True, options={"diagnosticsScope": "workspace"})
    # More pulls than the server has analysis threads: a pull that blocked would take one each.
    for _ in range(6):
        params = lsp.WorkspaceDiagnosticParams(previous_result_ids=[])
        report = await asyncio.wait_for(client.workspace_diagnostic_async(params), 20)
        by_uri = {item.uri: item for item in report.items}
        assert set(by_uri) == {(tmp_path / "train.py").as_uri()}
        assert codes(by_uri[(tmp_path / "train.py").as_uri()].items) == ["TL103"]
    warnings = [m.message for m in client.log_messages if m.type == lsp.MessageType.Warning]
    assert f"torchlint: {tmp_path}/{error}" in warnings
