"""Running the engine on a source: off the event loop, cached per text and settings.

When the engine raises, :class:`AnalysisFailed` names the document and, read from the
traceback, the rule whose code was running.
"""

from __future__ import annotations

import asyncio
import hashlib
import traceback
from concurrent.futures import Executor
from dataclasses import dataclass

from ..config import Config
from ..engine import analyze
from ..model import Finding
from ..rule import Rule
from .settings import SettingsStore
from .sources import Source


class AnalysisFailed(Exception):
    """The engine raised while ``task`` (analysing, fixing) on document ``name``."""

    def __init__(self, name: str, error: BaseException, task: str = "analysing") -> None:
        self.rule = failing_rule(error)
        where = f" in rule {self.rule}" if self.rule else ""
        super().__init__(f"{task} {name} failed{where}: {type(error).__name__}: {error}")
        self.details = "".join(traceback.format_exception(error))


def failing_rule(error: BaseException) -> str | None:
    """The code of the innermost rule method on the traceback of ``error``."""
    code = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        owner = frame.f_locals.get("self")
        if isinstance(owner, Rule):
            code = owner.code
    return code


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


def run(source: Source, config: Config) -> tuple[Finding, ...]:
    try:
        return tuple(analyze(source.text, source.name, config))
    except Exception as error:  # noqa: BLE001 - reported with the document and rule
        raise AnalysisFailed(source.name, error) from error


class Analyses:
    """The latest analysis of every open source."""

    def __init__(self, settings: SettingsStore, executor: Executor) -> None:
        self.settings = settings
        self.executor = executor
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
            findings = await loop.run_in_executor(self.executor, run, source, effective.config)
        analysis = Analysis(source, generation, findings)
        self._latest[source.key] = analysis
        return analysis

    def forget(self, key: str) -> None:
        self._latest.pop(key, None)
