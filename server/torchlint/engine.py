"""The one analysis entry point that the CLI and the language server share.

Detection runs on the standard library's ``ast`` (parsing is the dominant cost and ``ast`` is
about ten times faster than libcst); libcst is imported only when a fix is asked for
(:mod:`torchlint.fixer`).
"""

from __future__ import annotations

import ast
import gc
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .config import Config
from .context import ModuleContext, split_lines
from .model import Finding, Range, Severity
from .rule import Rule, all_rules
from .suppression import Suppressions

SYNTAX_ERROR = "TL000"

# A module that mentions none of these words cannot trigger any rule.
_RELEVANT = re.compile(
    r"torch|gym|transformers|timm|accelerate|lightning|stable_baselines3|numpy|\bnp\b"
)


@dataclass(frozen=True)
class RuleFailure:
    """A rule raised on a module; the findings of the other rules still stand."""

    code: str
    error: Exception

    def __str__(self) -> str:
        return f"rule {self.code} failed: {type(self.error).__name__}: {self.error}"


def analyze(
    source: str,
    path: str = "",
    config: Config | None = None,
    *,
    on_error: Callable[[RuleFailure], None] | None = None,
) -> list[Finding]:
    """Every enabled finding in ``source``, sorted by position, suppressions applied.

    A rule that raises is reported to ``on_error`` and skipped (without ``on_error``, the
    error propagates).
    """
    config = config or Config()
    if not _RELEVANT.search(source):
        return []
    with _collector_paused():
        return _analyze(source, path, config, on_error)


def _analyze(
    source: str, path: str, config: Config, on_error: Callable[[RuleFailure], None] | None
) -> list[Finding]:
    tree = parse(source)
    if isinstance(tree, SyntaxError):
        findings = [syntax_error_finding(tree, source, path)]
    else:
        ctx = ModuleContext(source, tree, path)
        findings = []
        for rule in enabled_rules(config):
            if not any(word in source for word in rule.requires):
                continue
            try:
                findings.extend(rule.check(ctx))
            except Exception as error:
                if on_error is None:
                    raise
                on_error(RuleFailure(rule.code, error))
    findings = [
        f if f.severity is config.severity_of(f.code, f.severity) else _with_severity(f, config)
        for f in Suppressions.parse(source).filter(findings)
        if config.enabled(f.code)
    ]
    findings.sort(key=lambda f: (f.range, f.code))
    return findings


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a syntax tree holds no cycles, yet its tens of
    thousands of fresh objects make the collector scan it again and again while it is built
    and indexed (15% of ``ast.parse``'s time at 1,000 lines, about 40% at 20,000)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_quietly(source: str) -> ast.Module:
    """``ast.parse`` without the warnings that user code's invalid escapes and the like raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(source)


def parse(source: str) -> ast.Module | SyntaxError:
    """The module's tree, or the error that stops it parsing."""
    try:
        return parse_quietly(source)
    except (SyntaxError, ValueError) as error:
        if isinstance(error, SyntaxError) and error.lineno:
            return error
        # Null bytes: Python names no position, so point at the first one.
        nul = max(source.find("\x00"), 0)
        line = source.count("\n", 0, nul) + 1
        column = nul - source.rfind("\n", 0, nul)
        message = getattr(error, "msg", None) or str(error)
        return SyntaxError(message, ("", line, column, "", line, column + 1))
    except (RecursionError, MemoryError):
        return SyntaxError("too deeply nested to analyse", ("", 1, 1, "", 1, 2))


def enabled_rules(config: Config) -> list[Rule]:
    return [_instance(cls) for code, cls in all_rules().items() if code != SYNTAX_ERROR and config.enabled(code)]


_INSTANCES: dict[type[Rule], Rule] = {}


def _instance(cls: type[Rule]) -> Rule:
    rule = _INSTANCES.get(cls)
    if rule is None:
        rule = _INSTANCES[cls] = cls()
    return rule


def syntax_error_finding(error: SyntaxError, source: str, path: str) -> Finding:
    lines = split_lines(source) or [""]
    line = min(max(error.lineno or 1, 1), len(lines))
    column = max(error.offset or 1, 1)
    end_line = max(min(error.end_lineno or line, len(lines)), line)
    end_column = error.end_offset or column
    if end_line == line and end_column <= column:
        end_column = column + 1
    rule = all_rules()[SYNTAX_ERROR]
    return Finding(
        code=SYNTAX_ERROR,
        name=rule.name,
        message=f"Syntax error: {error.msg}",
        severity=rule.severity,
        range=Range.of(line, column, end_line, end_column),
        path=path,
    )


def _with_severity(finding: Finding, config: Config) -> Finding:
    return replace(finding, severity=config.severity_of(finding.code, finding.severity))


def rule_for(code: str) -> Rule:
    return _instance(all_rules()[code])


__all__ = ["analyze", "parse", "enabled_rules", "rule_for", "Severity", "SYNTAX_ERROR"]
