"""``[tool.torchlint]`` however TOML spells it, and the ``max-file-size`` setting.

``[tool]`` with a dotted key ``torchlint.ignore = [...]`` is valid TOML for the same table, and
was ignored silently: the settings file was looked for by the text ``[tool.torchlint``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import ADAM, run
from torchlint.config import MAX_FILE_SIZE, find_pyproject, from_table


@pytest.mark.parametrize(
    "pyproject",
    [
        '[tool.torchlint]\nignore = ["TL103"]\n',
        '[tool]\ntorchlint.ignore = ["TL103"]\n',
        'tool.torchlint.ignore = ["TL103"]\n',
        'tool = { torchlint = { ignore = ["TL103"] } }\n',
        '[tool.black]\nline-length = 100\n\n[tool]\ntorchlint = { ignore = ["TL103"] }\n',
    ],
    ids=["table", "dotted-under-tool", "dotted-top-level", "inline", "inline-under-tool"],
)
def test_every_toml_spelling_of_the_table_is_read(tmp_path: Path, pyproject: str) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "train.py").write_text(ADAM)
    proc = run("check", cwd=tmp_path)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "All checks passed!\n")


def test_a_pyproject_that_only_names_torchlint_is_passed_over(tmp_path: Path) -> None:
    """A dependency on torchlint is not a settings table: the folder above holds the settings."""
    (tmp_path / "pyproject.toml").write_text('[tool]\ntorchlint.ignore = ["TL103"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\ndependencies = ["torchlint"]\n')
    (tmp_path / "pkg" / "train.py").write_text(ADAM)
    find_pyproject.cache_clear()
    assert find_pyproject(tmp_path / "pkg") == tmp_path / "pyproject.toml"
    assert run("check", "pkg", cwd=tmp_path).returncode == 0


def test_an_unreadable_settings_file_that_names_torchlint_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\ntorchlint.ignore = [\n")
    (tmp_path / "train.py").write_text(ADAM)
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 1
    [warning] = proc.stderr.splitlines()
    assert warning.startswith(f"torchlint: warning: {tmp_path / 'pyproject.toml'}: cannot read settings (")
    assert warning.endswith("); using defaults")


def test_max_file_size_is_shown_with_the_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.torchlint]\nmax-file-size = 20_000_000\n")
    proc = run("check", "--show-settings", "--format", "json", cwd=tmp_path)
    assert json.loads(proc.stdout)["."]["max_file_size"] == 20_000_000
    assert "  max-file-size: 20000000" in run("check", "--show-settings", cwd=tmp_path).stdout.splitlines()


@pytest.mark.parametrize("value", [0, -1, "5 MB", True, 1.5])
def test_a_bad_max_file_size_is_dropped_with_a_warning(value: object) -> None:
    config, warnings = from_table({"max-file-size": value}, source="pyproject.toml")
    assert config.max_file_size == MAX_FILE_SIZE == 5_000_000
    assert warnings == [f"pyproject.toml: max-file-size must be a positive number of bytes, got {value!r}; ignored"]
