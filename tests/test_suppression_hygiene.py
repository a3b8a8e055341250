"""``torchlint check --add-noqa`` and TL001 unused-suppression, as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.cli import main
from torchlint.config import Config
from torchlint.engine import RuleFailure, analyze
from torchlint.registry import all_rules
from torchlint.suppression import add_noqa, directive_for

ROOT = Path(__file__).resolve().parent.parent
EXE = shutil.which("torchlint", path=str(Path(sys.executable).parent)) or "torchlint"
#: TL121 (``.data``) at 3:7 and 4:7.
DATA = "import torch\nweights = torch.zeros(3)\nraw = weights.data\ntop = weights.data.max()\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_add_noqa_silences_every_finding_of_the_corpus(tmp_path: Path) -> None:
    originals = {path.name: path.read_text() for path in sorted((ROOT / "tests" / "corpus").glob("*.py"))}
    for name, text in originals.items():
        (tmp_path / name).write_text(text)
    before = run("check", "--output-format", "json", ".", cwd=tmp_path)
    assert before.returncode == 1
    lines_with_findings = {(f["path"], f["line"]) for f in json.loads(before.stdout)}

    added = run("check", "--add-noqa", ".", cwd=tmp_path)
    changed = 0
    for name, text in originals.items():
        for old, new in zip(text.splitlines(), (tmp_path / name).read_text().splitlines(), strict=True):
            if old != new:  # only a comment at the end of the line, nothing else touched
                assert new.startswith(old) and "# noqa: TL" in new[len(old) :], (name, new)
                changed += 1
    assert (added.returncode, added.stdout) == (0, "")
    assert added.stderr == f"Added {changed} noqa directives.\n"
    assert changed == len(lines_with_findings)

    after = run("check", ".", cwd=tmp_path)
    assert (after.returncode, after.stdout) == (0, "All checks passed!\n")


def test_add_noqa_extends_the_comment_a_line_has(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        import torch
        weights = torch.zeros(3)
        raw = weights.data  # noqa: E501
        top = weights.cuda().data.max()  # torchlint: disable=TL122
        state = torch.load(\"\"\"weights
        .pt\"\"\")
        """
    )
    config = Config(target_torch="2.4")
    text, count = add_noqa(source, analyze(source, "train.py", config))
    assert count == 3
    assert text == textwrap.dedent(
        """\
        import torch
        weights = torch.zeros(3)
        raw = weights.data  # noqa: E501, TL121
        top = weights.cuda().data.max()  # torchlint: disable=TL121,TL122
        state = torch.load(\"\"\"weights
        .pt\"\"\")  # noqa: TL140
        """
    )
    assert analyze(text, "train.py", config) == []


def test_add_noqa_groups_codes_and_keeps_line_endings() -> None:
    source = "import torch\r\nw = torch.zeros(3).cuda().data\r\n"
    codes = [f.code for f in analyze(source, "train.py")]
    assert codes == ["TL122", "TL121"]
    assert add_noqa(source, analyze(source, "train.py")) == (
        "import torch\r\nw = torch.zeros(3).cuda().data  # noqa: TL121, TL122\r\n",
        1,
    )


def test_the_editor_disable_action_still_writes_the_torchlint_comment() -> None:
    assert directive_for("x = w.data", "TL121") == "x = w.data  # torchlint: disable=TL121"
    assert directive_for("x = w.data  # torchlint: disable=TL122", "TL121") == "x = w.data  # torchlint: disable=TL121,TL122"
    assert directive_for("x = w.data  # torchlint: disable", "TL121") == "x = w.data  # torchlint: disable"


def test_add_noqa_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text(DATA)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--add-noqa", "--fix", "train.py"]) == 2
    assert capsys.readouterr().err == (
        "torchlint: error: --add-noqa writes the files it checks: "
        "it cannot be combined with --fix, --diff or - (standard input)\n"
    )
    assert (tmp_path / "train.py").read_text() == DATA


def test_add_noqa_in_a_notebook_writes_the_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
             "source": ["import torch\n", "w = torch.zeros(3)"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["notes"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [], "source": ["print(w.data)"]},
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook, indent=1))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--add-noqa", "explore.ipynb"]) == 0
    cells = json.loads((tmp_path / "explore.ipynb").read_text())["cells"]
    assert "".join(cells[2]["source"]) == "print(w.data)  # noqa: TL121"
    assert cells[0]["source"] == notebook["cells"][0]["source"]
    assert main(["check", "explore.ipynb"]) == 0


def unused(source: str, config: Config, path: str = "train.py") -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.message) for f in analyze(source, path, config) if f.code == "TL001"]


def test_unused_suppression_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "train.py").write_text("import torch\nweights = torch.zeros(3)  # noqa: E501, TL121\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--output-format", "concise"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "train.py:2:27: TL001 [*] Unused suppression (TL121: nothing to suppress)"
    assert main(["check", "--fix"]) == 0
    assert (tmp_path / "train.py").read_text() == "import torch\nweights = torch.zeros(3)  # noqa: E501\n"


def test_codes_of_rules_turned_off_are_left_alone(tmp_path: Path) -> None:
    source = "import torch\nweights = torch.zeros(3)  # noqa: TL121\n"
    assert unused(source, Config()) == [(2, 27, "Unused suppression (TL121: nothing to suppress)")]
    assert unused(source, Config(ignore=("TL12",))) == []
    assert unused(source, Config(select=("TL001", "TL103"))) == []
    per_file = Config(root=tmp_path, per_file_ignores=(("tests/*", ("TL121",)),))
    assert unused(source, per_file, str(tmp_path / "tests" / "test_w.py")) == []
    assert unused(source, per_file, str(tmp_path / "train.py")) == [(2, 27, "Unused suppression (TL121: nothing to suppress)")]
    assert unused(source, Config(ignore=("TL001",))) == []


def test_codes_of_a_rule_that_failed_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(all_rules()["TL121"], "check", broken)
    failures: list[RuleFailure] = []
    findings = analyze("import torch\nraw = torch.zeros(3).data  # noqa: TL121, TL103\n", "train.py", on_error=failures.append)
    assert [str(f) for f in failures] == ["rule TL121 failed: RuntimeError: boom"]
    assert [(f.code, f.message) for f in findings] == [("TL001", "Unused suppression (TL103: nothing to suppress)")]


def test_aliases_count_and_foreign_codes_and_bare_noqa_do_not() -> None:
    source = textwrap.dedent(
        """\
        import torch
        state = torch.load("policy.pt")  # noqa: TOR102
        weights = torch.zeros(3)  # noqa
        other = weights + 1  # noqa: E501, F401
        bias = torch.ones(2)  # NOQA: tor102
        """
    )
    assert unused(source, Config(target_torch="2.4")) == [(5, 23, "Unused suppression (tor102: nothing to suppress)")]
    assert unused(source, Config()) == [
        (2, 34, "Unused suppression (TOR102: nothing to suppress)"),
        (5, 23, "Unused suppression (tor102: nothing to suppress)"),
    ]


def test_a_bare_disable_with_nothing_to_silence() -> None:
    source = "import torch\nweights = torch.zeros(3)  # torchlint: disable\nraw = weights.data  # torchlint: disable\n"
    assert unused(source, Config()) == [(2, 27, "Unused suppression (nothing on this line to suppress)")]
    assert unused("import torch\n# torchlint: disable-file\n", Config()) == [
        (2, 1, "Unused suppression (nothing in this file to suppress)")
    ]


def test_syntax_errors_report_no_unused_suppression() -> None:
    assert [f.code for f in analyze("import torch\nx = (  # noqa: TL121\n", "train.py")] == ["TL000"]
