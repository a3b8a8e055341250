"""Every fix and code action keeps the file's line endings: LF, CRLF, bare CR, and mixed."""

from __future__ import annotations

import ast

import pytest

from tests.cases import Invalid
from tests.test_rules import CASES, only
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action

ENDINGS = {"crlf": "\r\n", "cr": "\r"}


def _with_ending(text: str, ending: str) -> str:
    return text.replace("\n", ending)


def _cases(attribute: str):
    for param in CASES:
        code, case = param.values
        if isinstance(case, Invalid) and getattr(case, attribute) is not None:
            for name, ending in ENDINGS.items():
                yield pytest.param(code, case, ending, id=f"{param.id}-{name}")


@pytest.mark.parametrize(("code", "case", "ending"), list(_cases("fixed")))
def test_fix_keeps_line_endings(code: str, case: Invalid, ending: str) -> None:
    assert case.fixed is not None
    result = fix_all(_with_ending(case.source, ending), "case.py", only(code, case), unsafe=True)
    assert result.source == _with_ending(case.fixed, ending)
    ast.parse(result.source)


@pytest.mark.parametrize(("code", "case", "ending"), list(_cases("action")))
def test_action_keeps_line_endings(code: str, case: Invalid, ending: str) -> None:
    source = _with_ending(case.source, ending)
    finding = next(f for f in analyze(source, "case.py", only(code, case)) if f.actions)
    assert run_action(source, finding, finding.actions[0]) == _with_ending(case.action or "", ending)


def test_mixed_endings_keep_each_line_its_own() -> None:
    source = "import torch\r\nfrom torch.optim import Adam\n\ropt = Adam(p)\rnext_line = 1\n"
    fixed = fix_all(source, "m.py", only("TL103"), unsafe=True).source
    assert fixed == "import torch\r\nfrom torch.optim import AdamW\n\ropt = AdamW(p, weight_decay=0.0)\rnext_line = 1\n"


def test_a_bare_cr_file_gets_bare_cr_in_inserted_lines() -> None:
    source = "import torch\rfrom torch.optim import Adam\r\ropt = Adam(p)\r"
    fixed = fix_all(source, "m.py", only("TL103"), unsafe=True).source
    assert "\n" not in fixed
    assert fixed == "import torch\rfrom torch.optim import AdamW\r\ropt = AdamW(p, weight_decay=0.0)\r"
