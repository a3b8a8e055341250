"""The language server's store of analyses: a failed analysis is logged and answered with nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from torchlint.lsp import analysis
from torchlint.lsp.analysis import Analyses, AnalysisFailed
from torchlint.lsp.settings import SettingsStore
from torchlint.lsp.sources import Source

ADAM = "import torch\nopt = torch.optim.Adam([])\n"


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(1) as pool:
        yield pool


def store(executor: ThreadPoolExecutor, failures: list[AnalysisFailed]) -> Analyses:
    return Analyses(SettingsStore(), executor, failures.append)


def test_get_or_log_answers_the_analysis(executor: ThreadPoolExecutor) -> None:
    failures: list[AnalysisFailed] = []
    source = Source.document("untitled:1", None, 1, ADAM)
    result = asyncio.run(store(executor, failures).get_or_log(source))
    assert result is not None and [f.code for f in result.findings] == ["TL103"] and failures == []


def test_get_or_log_logs_a_failed_analysis(executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source, config, on_failure):
        raise AnalysisFailed(source.name, RuntimeError("boom"))

    monkeypatch.setattr(analysis, "run", broken)
    failures: list[AnalysisFailed] = []
    source = Source.document("untitled:1", None, 1, ADAM)
    assert asyncio.run(store(executor, failures).get_or_log(source)) is None
    assert [str(f) for f in failures] == ["analysing untitled:1 failed: RuntimeError: boom"]
