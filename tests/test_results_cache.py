"""The results cache: a second run over unchanged files analyses nothing; content, settings and
torchlint's version each invalidate it."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchlint import cli, results_cache
from torchlint.cli import main
from torchlint.config import find_pyproject

ADAM = "import torch\n\nmodel = torch.nn.Linear(4, 2)\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.py").write_text(ADAM)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files analysed (not answered from the cache)."""
    names: list[str] = []
    real = cli._lint

    def spy(source, config, mode):
        names.append(source.name)
        return real(source, config, mode)

    monkeypatch.setattr(cli, "_lint", spy)
    return names


def check(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", "--output-format", "concise", *args])
    return code, capsys.readouterr().out


def test_second_run_is_answered_from_the_cache(project: Path, capsys, analysed: list[str]) -> None:
    first = check(capsys)
    assert analysed == ["train.py"] and first[0] == 1
    assert check(capsys) == first
    assert analysed == ["train.py"]
    assert (project / ".torchlint_cache" / ".gitignore").read_text().endswith("*\n")
    assert (project / ".torchlint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_folder_scans_do_not_walk_the_cache(project: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    check(capsys)
    (project / ".torchlint_cache" / "stray.py").write_text(ADAM)
    folders: list[Path] = []
    real = cli.load
    monkeypatch.setattr(cli, "load", lambda directory: folders.append(directory) or real(directory))
    code, out = check(capsys)
    assert code == 1 and out.startswith("train.py:4:13: TL103") and "stray.py" not in out
    assert len(folders) == 1  # settings are looked up for the project folder only


def test_changed_content_settings_or_version_analyse_again(
    project: Path, capsys, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(capsys)
    (project / "train.py").write_text(ADAM.replace("lr=1e-3", "lr=1e-4"))
    code, out = check(capsys)
    assert analysed == ["train.py", "train.py"] and out.startswith("train.py:4:13: TL103")
    (project / "pyproject.toml").write_text('[tool.torchlint]\nignore = ["TL103"]\n')
    find_pyproject.cache_clear()  # found once per process, as one run finds it
    assert check(capsys) == (0, "All checks passed!\n")
    assert len(analysed) == 3
    monkeypatch.setattr(results_cache, "__version__", "99.0")
    results_cache._torchlint_fingerprint.cache_clear()
    check(capsys)
    results_cache._torchlint_fingerprint.cache_clear()
    assert len(analysed) == 4
    assert (project / ".torchlint_cache" / "99.0").is_dir()


def test_no_cache_and_fix_neither_read_nor_write_it(project: Path, capsys, analysed: list[str]) -> None:
    check(capsys, "--no-cache")
    assert not (project / ".torchlint_cache").exists()
    check(capsys)
    check(capsys, "--fix", "--unsafe-fixes")
    assert analysed == ["train.py"] * 3
    assert "AdamW" in (project / "train.py").read_text()
    assert check(capsys) == (0, "All checks passed!\n")  # the fixed text is a new key
