"""``--fix`` and ``--diff`` on hostile but valid files.

Deep nesting (136+ nested calls or lists, valid Python) raised RecursionError in libcst, and
``--fix`` ended in a 3,000-line traceback, exit 2, the other files unfixed. ``--diff`` of a file
without a final newline glued the removed and the added line together.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import run

#: 190 nested calls around a ``.data`` read: within CPython's 200, past what libcst can recurse.
DEPTH = 190
DEEP = "import torch\nx = torch.ones(1)\ny = " + "f(" * DEPTH + "x.data" + ")" * DEPTH + "\n"
DEEP_ERROR = (
    "torchlint: error: deep.py: nested too deeply for libcst to edit (maximum recursion depth exceeded); left unchanged"
)
DATA = "import torch\nx = torch.ones(1)\ny = x.data\n"
FIXED = "import torch\nx = torch.ones(1)\ny = x.detach()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "deep.py").write_text(DEEP)
    (tmp_path / "ok.py").write_text(DATA)
    return tmp_path


def test_deep_nesting_is_that_files_failure_and_the_others_are_fixed(project: Path) -> None:
    proc = run("check", "--fix", "--format", "text", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [DEEP_ERROR]
    assert (project / "ok.py").read_text() == FIXED
    assert (project / "deep.py").read_text() == DEEP
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"deep.py:3:{5 + 2 * DEPTH}: TL121 [*] Use .detach() instead of .data")
    assert lines[1:3] == ["Fixed 1 finding.", "Found 1 finding."]


def test_deep_nesting_in_diff_mode(project: Path) -> None:
    proc = run("check", "--diff", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [DEEP_ERROR, "Would fix 1 finding."]
    assert proc.stdout.splitlines()[:2] == ["--- a/ok.py", "+++ b/ok.py"]
    assert "deep.py" not in proc.stdout


def test_deep_nesting_in_code_actions(tmp_path: Path) -> None:
    """TL122's action edits the whole module, which libcst cannot parse here."""
    (tmp_path / "deep.py").write_text("import torch\nmodel = torch.nn.Linear(2, 2)\nmodel.cuda()\n" + DEEP)
    proc = run("check", "--diff", "--actions", "deep.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [DEEP_ERROR, "Would fix 0 findings."]
    assert proc.stdout == ""


def git_apply(cwd: Path, patch: str, *options: str) -> subprocess.CompletedProcess:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    return subprocess.run([git, "apply", *options, "-"], cwd=cwd, input=patch, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(
            DATA.rstrip("\n"),
            FIXED.rstrip("\n"),
            [
                "-y = x.data",
                "\\ No newline at end of file",
                "+y = x.detach()",
                "\\ No newline at end of file",
            ],
            id="last-line-changed",
        ),
        pytest.param(
            DATA + "z = 1",
            FIXED + "z = 1",
            ["-y = x.data", "+y = x.detach()", " z = 1", "\\ No newline at end of file"],
            id="last-line-kept",
        ),
    ],
)
def test_diff_of_a_file_without_a_final_newline_applies(tmp_path: Path, before: str, after: str, expected: list[str]) -> None:
    (tmp_path / "a.py").write_text(before)
    proc = run("check", "--diff", "a.py", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[:4] == ["--- a/a.py", "+++ b/a.py", lines[2], " import torch"]
    assert lines[-len(expected) :] == expected
    checked = git_apply(tmp_path, proc.stdout, "--check")
    assert checked.returncode == 0, checked.stderr
    assert git_apply(tmp_path, proc.stdout).returncode == 0
    assert (tmp_path / "a.py").read_text() == after


def test_diff_still_applies_to_a_file_with_a_final_newline(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(DATA)
    proc = run("check", "--diff", "train.py", cwd=tmp_path)
    assert "No newline" not in proc.stdout
    assert git_apply(tmp_path, proc.stdout).returncode == 0
    assert (tmp_path / "train.py").read_text() == FIXED
