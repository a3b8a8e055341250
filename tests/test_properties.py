"""Property tests: the engine never raises on any program, and fixes always yield valid Python."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases import Invalid
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all

CASE_DIR = Path(__file__).parent / "cases"

#: Every positive case of every rule: real violations to mix into generated programs.
VIOLATIONS = [
    case.source
    for path in sorted(CASE_DIR.glob("TL[0-9][0-9][0-9]_*.py"))
    for case in importlib.import_module(f"tests.cases.{path.stem}").CASES
    if isinstance(case, Invalid)
]

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(program=hypothesmith.from_grammar())
def test_engine_never_raises_on_generated_programs(program: str) -> None:
    analyze("import torch\n" + program)


@SETTINGS
@given(program=hypothesmith.from_node(), violation=st.sampled_from(VIOLATIONS), before=st.booleans())
def test_fixes_on_generated_programs_parse(program: str, violation: str, before: bool) -> None:
    source = violation + "\n" + program if before else program + "\n" + violation
    try:
        ast.parse(source)
    except SyntaxError:  # joining two valid modules can break (e.g. a dangling backslash)
        return
    result = fix_all(source, unsafe=True)
    ast.parse(result.source)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "import torch\n",
        "import torch\nx = (",
        "import torch\ndef f(:\n",
        "import torch\n\x00\x01\x02",
        "import torch\n" + "\t" * 200 + "x",
        "import torch\n" + "(" * 500 + ")" * 500,
        "import torch\nopt = torch.optim.Adam(",
        "import torch\nopt = torch.optim.",
        "import torch\n@\n",
        "import torch\nclass ResNet(torch.nn.Module",
    ],
)
def test_half_typed_and_garbage_input(source: str) -> None:
    findings = analyze(source)
    if findings:
        assert all(f.code == "TL000" for f in findings)
