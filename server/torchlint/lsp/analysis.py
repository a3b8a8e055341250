"""Running the engine on a source: off the event loop, cached per text and settings.

A rule that raises is reported (:class:`AnalysisFailed` names the document and the rule)
and the other rules' findings are kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from ..config import Config
from ..engine import RuleFailure, analyze
from ..model import Finding
from .settings import SettingsStore
from .sources import Source


class AnalysisFailed(Exception):
    """The engine raised while ``task`` (analysing, fixing) on document ``name``."""

    def __init__(self, name: str, error: BaseException, task: str = "analysing", rule: str | None = None) -> None:
        self.rule = rule
        where = f" in rule {rule}" if rule else ""
        super().__init__(f"{task} {name} failed{where}: {type(error).__name__}: {error}")
        self.details = "".join(traceback.format_exception(error))


@dataclass(frozen=True)
class Analysis:
    source: Source
    generation: int
    findings: tuple[Finding, ...]

    @property
    def result_id(self) -> str:
        return result_id(self.generation, self.source.text)


def result_id(generation: int, text: str) -> str:
    """Changes whenever the text or the settings do (pull diagnostics)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12)
    return f"{generation}-{digest.hexdigest()}"


def run(source: Source, config: Config, on_failure: Callable[[AnalysisFailed], None]) -> tuple[Finding, ...]:
    """The findings of ``source``; a rule that fails is reported and the others' findings kept."""

    def report(failure: RuleFailure) -> None:
        on_failure(AnalysisFailed(source.name, failure.error, rule=failure.code))

    try:
        return tuple(analyze(source.text, source.name, config, on_error=report))
    except Exception as error:  # noqa: BLE001 - reported with the document
        raise AnalysisFailed(source.name, error) from error


class Analyses:
    """The latest analysis of every open source."""

    def __init__(self, settings: SettingsStore, executor: Executor, on_failure: Callable[[AnalysisFailed], None]) -> None:
        self.settings = settings
        self.executor = executor
        self.on_failure = on_failure
        self._latest: dict[str, Analysis] = {}

    async def get(self, source: Source) -> Analysis:
        generation = self.settings.generation
        latest = self._latest.get(source.key)
        if latest is not None and latest.generation == generation and latest.source.text == source.text:
            return latest
        effective = self.settings.effective(source.path)
        if effective.excludes(source.path):
            findings: tuple[Finding, ...] = ()
        else:
            loop = asyncio.get_running_loop()
            findings = await loop.run_in_executor(self.executor, run, source, effective.config, self.on_failure)
        analysis = Analysis(source, generation, findings)
        self._latest[source.key] = analysis
        return analysis

    def forget(self, key: str) -> None:
        self._latest.pop(key, None)
