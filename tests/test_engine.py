"""The engine's own promises, apart from any one rule."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from torchlint import engine
from torchlint.config import Config
from torchlint.engine import analyze

ADAM = "import torch\nopt = torch.optim.Adam(params)\n"


def test_a_module_that_mentions_no_known_library_is_skipped_before_parsing() -> None:
    assert analyze("def f(:\n    return 1\n") == []  # not even parsed: no TL000
    assert [f.code for f in analyze("import torch\ndef f(:\n")] == ["TL000"]


LIBRARY_FREE_BUFFER = """\
import collections
import random


class ReplayBuffer:
    def __init__(self):
        self.buffer = collections.deque(maxlen=50000)

    def put(self, transition):
        self.buffer.append(transition)

    def sample(self, n):
        return random.sample(self.buffer, n)


def seed_all(seed):
    random.seed(seed)


if __name__ == "__main__":
    seed_all(0)
    for episode in range(10):
        reward = 1.0
        print(f"episode {episode} reward {reward}")
"""


def test_a_module_that_mentions_no_library_runs_only_the_rules_that_need_none() -> None:
    # TL403 finds the replay buffer of random and collections; TL503 (seeding of torch, numpy
    # and random) does not judge a module that uses no library at all.
    both = Config(select=("TL403", "TL503"))
    findings = analyze(LIBRARY_FREE_BUFFER, "rl.py", both)
    assert [(f.code, f.line, f.column) for f in findings] == [("TL403", 7, 23)]
    with_torch = analyze("import torch\n" + LIBRARY_FREE_BUFFER, "rl.py", both)
    assert [(f.code, f.line, f.column) for f in with_torch] == [("TL403", 8, 23), ("TL503", 17, 5)]


def test_findings_are_sorted_and_carry_full_ranges() -> None:
    source = "import torch\nb = torch.optim.Adam(q)\na = torch.optim.Adam(p)  # two\n"
    findings = analyze(source, "m.py", Config(select=("TL103",)))
    assert [(f.line, f.column, f.range.end.line, f.range.end.column) for f in findings] == [(2, 5, 2, 21), (3, 5, 3, 21)]
    assert {f.path for f in findings} == {"m.py"}


def test_severity_override_and_selection() -> None:
    [finding] = analyze(ADAM, config=Config(select=("TL103",)).override(severity={"TL103": "error"}))
    assert finding.severity.value == "error"
    # the more specific selector wins, whichever list it is in
    assert analyze(ADAM, config=Config(select=("TL1",), ignore=("TL103",))) == []
    assert [f.code for f in analyze(ADAM, config=Config(select=("TL103",), ignore=("TL10",)))] == ["TL103"]


def test_columns_count_characters_not_bytes() -> None:
    source = 'import torch\nname = "é"; opt = torch.optim.Adam(p)\n'
    [finding] = analyze(source, config=Config(select=("TL103",)))
    assert (finding.line, finding.column) == (2, 19)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_paused_only_while_analysing(enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real_parse = engine.parse
    monkeypatch.setattr(engine, "parse", lambda source: seen.append(gc.isenabled()) or real_parse(source))
    (gc.enable if enabled else gc.disable)()
    try:
        analyze(ADAM)
        assert seen == [False]
        assert gc.isenabled() is enabled
        monkeypatch.setattr(engine, "enabled_rules", lambda config: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            analyze(ADAM)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_the_syntax_tree_is_freed_without_the_garbage_collector() -> None:
    """A reference cycle that reaches the tree leaves tens of thousands of nodes to the collector,
    which then scans them all the moment it is resumed (15 ms per 5,000 lines)."""
    sources = [path.read_text() for path in sorted(Path(__file__).parent.joinpath("corpus").rglob("*.py"))]
    analyze(sources[0])  # rules and their tables built once
    gc.collect()
    gc.disable()
    try:
        for source in sources:
            analyze(source)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable < 20 * len(sources)  # a few closures per module, not its nodes
