"""The one analysis entry point that the CLI and the language server share.

Detection runs on the standard library's ``ast`` (parsing is the dominant cost and ``ast`` is
about ten times faster than libcst); libcst is imported only when a fix is asked for
(:mod:`torchlint.fixing`).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .analysis.context import ModuleContext
from .analysis.parsing import parse
from .analysis.text import split_lines
from .config import ALL, Config
from .model import Finding, Range, Severity
from .registry import aliases, all_rules
from .rule import Rule
from .suppression import Suppressions

SYNTAX_ERROR = "TL000"

# A module that mentions none of these words triggers only the rules that need no library
# (:attr:`Rule.needs_library`).
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
    ignored_here = config.ignores_in(path)
    rules = [rule for rule in _candidate_rules(source, config) if not _named(rule.code, ignored_here)]
    if not rules:
        return []
    with _collector_paused():
        return _analyze(source, path, config, rules, on_error, ignored_here)


def _candidate_rules(source: str, config: Config) -> list[Rule]:
    """The enabled rules worth running on ``source`` (the cheap skip): in a module that mentions
    no library, only those that need none and whose words it has; else all of them."""
    rules = enabled_rules(config)
    if _RELEVANT.search(source):
        return rules
    return [rule for rule in rules if not rule.needs_library and any(word in source for word in rule.requires)]


def _analyze(
    source: str,
    path: str,
    config: Config,
    rules: list[Rule],
    on_error: Callable[[RuleFailure], None] | None,
    ignored_here: tuple[str, ...],
) -> list[Finding]:
    tree = parse(source)
    if isinstance(tree, SyntaxError):
        findings = [syntax_error_finding(tree, source, path)]
    else:
        findings = _run_rules(ModuleContext(source, tree, path, target_torch=config.torch_version), rules, on_error)
    findings = [
        _as_configured(f, config)
        for f in Suppressions.parse(source).filter(findings)
        if config.enabled(f.code) and not _named(f.code, ignored_here)
    ]
    findings = _without_deferred(findings)
    findings.sort(key=lambda f: (f.range, f.code))
    return findings


def _run_rules(ctx: ModuleContext, rules: list[Rule], on_error: Callable[[RuleFailure], None] | None) -> list[Finding]:
    """Every rule's findings, then those of the rules that read them (:meth:`Rule.check_findings`)."""
    findings: list[Finding] = []
    failed: set[str] = set()
    readers = [rule for rule in rules if type(rule).check_findings is not Rule.check_findings]
    for rule in rules:
        if not any(word in ctx.source for word in rule.requires):
            continue
        try:
            findings.extend(rule.check(ctx))
        except Exception as error:
            if on_error is None:
                raise
            failed.add(rule.code)
            on_error(RuleFailure(rule.code, error))
    checked = frozenset(rule.code for rule in rules) - failed
    for reader in readers:
        findings.extend(reader.check_findings(ctx, tuple(findings), checked))
    return findings


def _named(code: str, selectors: tuple[str, ...]) -> bool:
    """One of ``selectors`` (codes or prefixes) names ``code`` or one of its aliases."""
    if not selectors:
        return False
    return ALL in selectors or any(name.startswith(selectors) for name in (code, *aliases().get(code, ())))


def _as_configured(finding: Finding, config: Config) -> Finding:
    """``finding`` with the severity the settings give its code, and without its fix if they make it unfixable."""
    severity = config.severity_of(finding.code, finding.severity)
    fix = finding.fix if finding.fix is None or config.fixes(finding.code) else None
    return finding if severity is finding.severity and fix is finding.fix else replace(finding, severity=severity, fix=fix)


def _without_deferred(findings: list[Finding]) -> list[Finding]:
    """Drop the findings of a rule that lie inside a finding of a rule it defers to
    (:attr:`Rule.defers_to`): the user sees one finding, the more useful one."""
    rules = all_rules()
    deferring = [f for f in findings if rules[f.code].defers_to]
    if not deferring:
        return findings
    by_code: dict[str, list[Range]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding.range)
    dropped = {
        id(f)
        for f in deferring
        for code in rules[f.code].defers_to
        if any(r.start <= f.range.start and f.range.end <= r.end for r in by_code.get(code, ()))
    }
    return [f for f in findings if id(f) not in dropped]


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


def rule_for(code: str) -> Rule:
    return _instance(all_rules()[code])


__all__ = ["analyze", "enabled_rules", "rule_for", "Severity", "SYNTAX_ERROR"]
