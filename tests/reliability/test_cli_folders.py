"""Folders that cannot be listed or searched: one error line each, the rest checked, exit 1.

A sub-folder with mode 000 (or read without execute) made ``torchlint check`` crash with an
internal error; an unlistable folder given by name said "All checks passed!" and exited 0.
Permissions do not hold back root, so as root the command runs as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.test_cli_fixing import DATA, FIXED
from tests.test_cli import ADAM, EXE

NOBODY = "65534"
#: As root, the command runs as ``nobody`` (util-linux ``setpriv``: a ``preexec_fn`` that calls
#: ``os.setuid`` leaves a process here that cannot run the interpreter).
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions"),
    pytest.mark.skipif(IS_ROOT and not shutil.which("setpriv"), reason="root, and no setpriv to drop it"),
]
TL103 = "train.py:4:13: TL103"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    prefix = AS_NOBODY if IS_ROOT else []
    return subprocess.run([*prefix, EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project() -> Iterator[Path]:
    """``train.py`` beside ``locked/`` (mode 000) and ``listed/`` (read, no execute), each with a
    file to check; in a folder ``nobody`` may enter (pytest's own are the user's alone)."""
    root = Path(tempfile.mkdtemp(prefix="torchlint-folders-"))
    root.chmod(0o755)
    (root / "train.py").write_text(ADAM)
    (root / "train.py").chmod(0o666)  # for --fix as nobody
    for name, mode in (("locked", 0o000), ("listed", 0o444)):
        (root / name).mkdir()
        (root / name / "train.py").write_text(ADAM)
        (root / name).chmod(mode)
    yield root
    for name in ("locked", "listed"):
        (root / name).chmod(0o755)
    shutil.rmtree(root)


def test_unreadable_sub_folders_are_named_and_the_rest_is_checked(project: Path) -> None:
    proc = run("check", "--format", "text", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "torchlint: error: listed: cannot read folder (Permission denied); skipped",
        "torchlint: error: locked: cannot read folder (Permission denied); skipped",
    ]
    lines = proc.stdout.splitlines()
    assert [line for line in lines if "TL103" in line] == [lines[0]]
    assert lines[0].startswith(TL103)
    assert lines[1] == "Found 1 finding."
    assert lines[-1] == "2 folders not checked (see the errors above)."


@pytest.mark.parametrize("folder", ["locked", "listed"])
def test_an_unreadable_folder_given_by_name_is_not_all_checks_passed(project: Path, folder: str) -> None:
    proc = run("check", folder, cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"torchlint: error: {folder}: cannot read folder (Permission denied); skipped"]
    assert proc.stdout.splitlines() == ["1 folder not checked (see the errors above)."]


def test_a_file_in_an_unsearchable_folder_is_that_file_not_checked(project: Path) -> None:
    proc = run("check", "--format", "text", "locked/train.py", "train.py", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["torchlint: error: locked/train.py: cannot read (Permission denied)"]
    assert proc.stdout.splitlines()[0].startswith(TL103)
    assert proc.stdout.splitlines()[-1] == "1 file not checked (see the errors above)."


def test_fix_fixes_the_readable_files(project: Path) -> None:
    (project / "train.py").write_text(DATA)
    proc = run("check", "--fix", cwd=project)
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) == 2
    assert proc.stdout.splitlines() == ["Fixed 1 finding.", "2 folders not checked (see the errors above)."]
    assert (project / "train.py").read_text() == FIXED
