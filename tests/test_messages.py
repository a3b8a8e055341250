"""Every finding's message fits the width of an editor's Problems panel (issue 14).

The message says what to do instead; why belongs in the rule's docs, which the hover shows.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.registry import all_rules
from torchlint.rules.api.tl141_deprecated_torch_api import deprecated_api
from torchlint.rules.vision._models import TORCHVISION_TO_TIMM

MAX_LENGTH = 90
TESTS = Path(__file__).parent
ROOT = TESTS.parent
#: TL000 has no case file: modules that do not parse, as half-typed training code leaves them.
SYNTAX_ERRORS = [
    "import torch\n\nfor batch in loader\n    loss = model(batch)\n",
    "import torch\n\nmodel = torch.nn.Sequential(\n    torch.nn.Linear(4, 2),\n",
    'import torch\n\nprint(f"loss {loss.item(:.3f}")\n',
]


def _sources() -> list[tuple[str, str, str | None]]:
    """(name, source, target torch) of every case, corpus file and example."""
    sources = []
    for path in sorted((TESTS / "cases").glob("TL[0-9][0-9][0-9]_*.py")):
        for index, case in enumerate(importlib.import_module(f"tests.cases.{path.stem}").CASES):
            sources.append((f"{path.stem}[{index}]", case.source, case.target_torch))
    for path in sorted([*(TESTS / "corpus").glob("*.py"), *(ROOT / "examples").glob("*.py")]):
        sources.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"), None))
    sources += [(f"syntax_error[{index}]", source, None) for index, source in enumerate(SYNTAX_ERRORS)]
    return sources


@functools.cache
def _messages() -> dict[str, set[tuple[str, str]]]:
    """Each code's (message, where) pairs over every source."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for name, source, target in _sources():
        for finding in analyze(source, f"{name}.py", Config(target_torch=target)):
            found[finding.code].add((finding.message, f"{name}:{finding.line}"))
    return found


def _too_long(messages: set[tuple[str, str]]) -> list[str]:
    return sorted(f"{where}: {len(message)}: {message}" for message, where in messages if len(message) > MAX_LENGTH)


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_messages_fit(code: str) -> None:
    messages = _messages()[code]
    assert messages, f"{code} reports nothing over the cases, corpus and examples"
    assert _too_long(messages) == []


@pytest.mark.parametrize("name", sorted(name for name, entry in deprecated_api().items() if not entry.reported_by))
def test_every_deprecated_api_message_fits(name: str) -> None:
    module = name.rpartition(".")[0]
    source = f"import {module}\n\nresult = {name}(x)\n"
    findings = analyze(source, "m.py", Config(select=("TL141",)))
    assert findings, source
    assert _too_long({(f.message, name) for f in findings}) == []


@pytest.mark.parametrize("builder", sorted(TORCHVISION_TO_TIMM))
def test_every_torchvision_builder_message_fits(builder: str) -> None:
    source = f"import torchvision\n\nmodel = torchvision.models.{builder}(weights=None, num_classes=10)\n"
    findings = analyze(source, "m.py", Config(select=("TL202",)))
    assert [f.code for f in findings] == ["TL202"], source
    assert _too_long({(f.message, builder) for f in findings}) == []
