"""Runs every rule's input/expected pairs from ``tests/cases``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.cases import Invalid, Valid
from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, fix_one, run_action
from torchlint.registry import all_rules

CASE_DIR = Path(__file__).parent / "cases"


def _case_files() -> dict[str, str]:
    return {path.name[:5]: path.stem for path in sorted(CASE_DIR.glob("TL[0-9][0-9][0-9]_*.py"))}


def _cases():
    for code, module in _case_files().items():
        for index, case in enumerate(importlib.import_module(f"tests.cases.{module}").CASES):
            kind = "invalid" if isinstance(case, Invalid) else "valid"
            yield pytest.param(code, case, id=f"{code}-{kind}-{index}")


CASES = list(_cases())


def only(code: str, case: Invalid | Valid | None = None) -> Config:
    """Settings that run only ``code`` (and the rules the case names), for the project ``case`` is written for."""
    return Config(select=(code, *case.select) if case else (code,), target_torch=case.target_torch if case else None)


@pytest.mark.parametrize(("code", "case"), CASES)
def test_findings(code: str, case: Invalid | Valid) -> None:
    findings = analyze(case.source, "case.py", only(code, case))
    assert all(f.code == code for f in findings)
    expected = case.at if isinstance(case, Invalid) else []
    assert [(f.line, f.column) for f in findings] == expected
    if isinstance(case, Invalid) and case.message:
        assert all(case.message in f.message for f in findings)
    for finding in findings:
        assert finding.range.end >= finding.range.start


def _fixable():
    for param in CASES:
        code, case = param.values
        if isinstance(case, Invalid) and any(f.fix for f in analyze(case.source, "case.py", only(code, case))):
            yield param


@pytest.mark.parametrize(("code", "case"), list(_fixable()))
def test_fix(code: str, case: Invalid) -> None:
    """The fixed text is the expected one, parses, has no fixable finding left, and is stable."""
    result = fix_all(case.source, "case.py", only(code, case), unsafe=True)
    if case.fixed is not None:
        assert result.source == case.fixed
    ast.parse(result.source)
    assert not [f for f in result.remaining if f.fix]
    assert fix_all(result.source, "case.py", only(code, case), unsafe=True).source == result.source


@pytest.mark.parametrize(
    ("code", "case"),
    [p for p in CASES if isinstance(p.values[1], Invalid) and p.values[1].action is not None],
)
def test_action(code: str, case: Invalid) -> None:
    finding = next(f for f in analyze(case.source, "case.py", only(code, case)) if f.actions)
    result = run_action(case.source, finding, finding.actions[0])
    assert result == case.action
    ast.parse(result)


@pytest.mark.parametrize(("code", "case"), [p for p in CASES if isinstance(p.values[1], Invalid)])
def test_every_offered_edit_applies(code: str, case: Invalid) -> None:
    """Each fix and each code action a finding offers applies and leaves code that parses: an
    edit that cannot be made is not offered."""
    for finding in analyze(case.source, "case.py", only(code)):
        for edit in (finding.fix, *finding.actions):
            if edit is not None:
                result = fix_one(case.source, finding) if edit is finding.fix else run_action(case.source, finding, edit)
                ast.parse(result)


@pytest.mark.parametrize("code", [c for c in all_rules() if c != "TL000"])
def test_every_rule_has_its_contract(code: str) -> None:
    """At least four positive and four negative cases, each expecting a position."""
    assert code in _case_files(), f"tests/cases has no {code}_*.py"
    cases = [p.values[1] for p in CASES if p.values[0] == code]
    assert sum(isinstance(c, Invalid) for c in cases) >= 4
    assert sum(isinstance(c, Valid) for c in cases) >= 4


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.name for r in rules.values()}) == len(rules)
    assert all(code == rule.code for code, rule in rules.items())
