"""Realistic multi-rule training scripts with their complete expected findings.

Each ``tests/corpus/<name>.py`` has a ``<name>.expected`` beside it: one ``line:column CODE``
per finding, nothing else. A change in one rule that makes another fire or fall silent on real
code shows up here as a diff of these lists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from torchlint.engine import analyze

CORPUS = Path(__file__).parent / "corpus"
SCRIPTS = sorted(CORPUS.glob("*.py"))


def expected(script: Path) -> list[str]:
    lines = script.with_suffix(".expected").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_complete_findings(script: Path) -> None:
    findings = analyze(script.read_text(), script.name)
    assert [f"{f.line}:{f.column} {f.code}" for f in findings] == expected(script)


def test_corpus_is_substantial() -> None:
    assert len(SCRIPTS) >= 10
    for script in SCRIPTS:
        assert script.read_text().count("\n") >= 100, f"{script.name} is shorter than 100 lines"
    families = {code[:3] for script in SCRIPTS for code in " ".join(expected(script)).split() if code.startswith("TL")}
    assert {"TL1", "TL2", "TL3", "TL4", "TL5"} <= families
