"""Running the engine on a source: off the event loop, cached per text and settings.

A rule that raises is reported (:class:`AnalysisFailed` names the document and the rule)
and the other rules' findings are kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from ..config import Config
from ..engine import SYNTAX_ERROR, RuleFailure, analyze
from ..model import Finding
from .carry import carry
from .settings import SettingsStore
from .sources import Source

#: How long a file that parsed must fail to parse before its syntax error (TL000) is shown:
#: a half-typed token does not flash red. Until then its last findings are shown alone.
SYNTAX_ERROR_DELAY_S = 1.0


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
    #: While the text does not parse: its syntax error, and the findings of the last text of
    #: the source that parsed, moved onto this one (:func:`.carry.carry`).
    findings: tuple[Finding, ...]
    #: When the source, which parsed before, stopped parsing (``time.monotonic``); else None.
    broken_since: float | None = None

    @property
    def result_id(self) -> str:
        return result_id(self.generation, self.source.text)

    @property
    def parsed(self) -> bool:
        return not any(finding.code == SYNTAX_ERROR for finding in self.findings)

    def hold(self) -> float:
        """Seconds until this analysis is shown: a syntax error that just appeared waits a little."""
        if self.broken_since is None:
            return 0.0
        return max(0.0, self.broken_since + SYNTAX_ERROR_DELAY_S - time.monotonic())


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
        #: The latest analysis of each source whose text parsed.
        self._parsed: dict[str, Analysis] = {}

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
        analysis = self._with_last_findings(Analysis(source, generation, findings), latest)
        self._latest[source.key] = analysis
        if analysis.parsed:
            self._parsed[source.key] = analysis
        return analysis

    async def get_or_log(self, source: Source) -> Analysis | None:
        """The analysis, or ``None`` when it failed (the failure goes to the log)."""
        try:
            return await self.get(source)
        except AnalysisFailed as failure:
            self.on_failure(failure)
            return None

    def _with_last_findings(self, analysis: Analysis, previous: Analysis | None) -> Analysis:
        """A text that does not parse keeps the findings of the last one that did (same settings)."""
        good = self._parsed.get(analysis.source.key)
        if analysis.parsed or good is None or good.generation != analysis.generation:
            return analysis
        carried = carry(good.findings, good.source.text, analysis.source.text)
        findings = tuple(sorted((*analysis.findings, *carried), key=lambda f: (f.range, f.code)))
        if previous is not None and not previous.parsed and previous.broken_since is not None:
            since = previous.broken_since
        else:
            since = time.monotonic()
        return Analysis(analysis.source, analysis.generation, findings, since)

    def forget(self, key: str) -> None:
        self._latest.pop(key, None)
        self._parsed.pop(key, None)
