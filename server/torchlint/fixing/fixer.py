"""Applying fixes and code actions as libcst edits, which keep comments and formatting.

libcst is slow on whole modules (parsing plus position metadata costs tens of times
``ast.parse``), so the fixer works on the smallest text that holds each edit: the top-level
statement around it, cut out by line, parsed alone, rewritten and spliced back. Only fixes that
need the whole module (``node == "Module"``) parse all of it. Imports the fixes ask for are
added to (or dropped from) the module's leading import block the same way.

libcst parses and visits recursively: a statement nested deeper than Python's recursion limit
allows (about 136 calls or lists, valid Python) cannot be edited, which is :class:`FixFailed`.
"""

from __future__ import annotations

import ast
import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ..analysis.parsing import parse_quietly
from ..analysis.text import split_lines
from ..config import Config
from ..engine import RuleFailure, analyze, rule_for
from ..model import Action, Edit, Finding, Fix, Range
from .fix_context import FixContext
from .line_endings import has_bare_cr, restore, without_bare_cr

if TYPE_CHECKING:
    from ..rule import Replacement

MODULE = "Module"


class FixFailed(Exception):
    """libcst cannot edit this source; the message says why."""


@dataclass(frozen=True)
class _Request:
    finding: Finding
    edit: Edit

    @property
    def target(self) -> Range:
        return self.edit.target or self.finding.range

    def matches(self, node: cst.CSTNode, where: CodeRange, line_offset: int) -> bool:
        target = self.target
        return (
            type(node).__name__ == self.edit.node
            and where.start.line + line_offset == target.start.line
            and where.start.column + 1 == target.start.column
            and where.end.line + line_offset == target.end.line
            and where.end.column + 1 == target.end.column
        )

    def apply(self, node: cst.CSTNode, ctx: FixContext) -> Replacement:
        rule = rule_for(self.finding.code)
        if isinstance(self.edit, Fix):
            return rule.fix(node, self.edit, ctx)
        assert isinstance(self.edit, Action)
        return rule.action(node, self.edit, ctx)


class _Applier(cst.CSTTransformer):
    """Hands each requested node, found by type and range, to its rule."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, requests: Sequence[_Request], ctx: FixContext, line_offset: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.line_offset = line_offset
        self.pending: dict[tuple[int, int], list[_Request]] = defaultdict(list)
        for request in requests:
            self.pending[(request.target.start.line, request.target.start.column)].append(request)
        self.applied = 0

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Replacement:  # type: ignore[override]
        where = self.get_metadata(PositionProvider, original, None)
        if where is None:
            return updated
        key = (where.start.line + self.line_offset, where.start.column + 1)
        for request in list(self.pending.get(key, ())):
            if request.matches(original, where, self.line_offset):
                self.pending[key].remove(request)
                self.applied += 1
                replaced = request.apply(updated, self.ctx)
                if not isinstance(replaced, cst.CSTNode):  # a FlattenSentinel or RemovalSentinel
                    return replaced
                updated = replaced
        return updated


def apply(source: str, edits: Iterable[tuple[Finding, Edit]]) -> str:
    """``source`` with the given fixes and actions applied; unchanged if none applies."""
    requests = [_Request(finding, edit) for finding, edit in edits]
    if not requests:
        return source
    try:
        if has_bare_cr(source):
            edited = _apply(without_bare_cr(source), requests)
            return restore(source, edited) if edited != without_bare_cr(source) else source
        return _apply(source, requests)
    except RecursionError:
        raise FixFailed("nested too deeply for libcst to edit (maximum recursion depth exceeded); left unchanged") from None


def _apply(source: str, requests: list[_Request]) -> str:
    ctx = FixContext()
    local = [r for r in requests if r.edit.node != MODULE]
    whole = [r for r in requests if r.edit.node == MODULE]
    fixed = _apply_by_statement(source, local, ctx) if local else source
    if whole:
        module = cst.parse_module(fixed)
        for request in whole:
            replaced = request.apply(module, ctx)
            assert isinstance(replaced, cst.Module), f"{request.finding.code}'s edit of the module returned {replaced!r}"
            module = replaced
        fixed = module.code
    if fixed == source:
        return source
    return ctx.finish(fixed)


def _apply_by_statement(source: str, requests: list[_Request], ctx: FixContext) -> str:
    lines = split_lines(source, keepends=True)
    spans = _statement_spans(parse_quietly(source))
    starts = [start for start, _ in spans]
    grouped: dict[tuple[int, int], list[_Request]] = defaultdict(list)
    for request in requests:
        index = bisect.bisect_right(starts, request.target.start.line) - 1
        if index >= 0 and request.target.end.line <= spans[index][1]:
            grouped[spans[index]].append(request)
    # Splice from the bottom up so earlier line numbers stay valid.
    for (start, end), chunk_requests in sorted(grouped.items(), reverse=True):
        chunk = "".join(lines[start - 1 : end])
        applier = _Applier(chunk_requests, ctx, line_offset=start - 1)
        new_chunk = MetadataWrapper(cst.parse_module(chunk), unsafe_skip_copy=True).visit(applier).code
        if applier.applied:
            lines[start - 1 : end] = [new_chunk]
    return "".join(lines)


def _statement_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """(first line, last line) of each top-level statement, decorators included; statements
    that share a line (``a = 1; b = 2``) are one span."""
    spans: list[tuple[int, int]] = []
    for stmt in tree.body:
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        end = stmt.end_lineno or stmt.lineno
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


@dataclass(frozen=True)
class FixResult:
    source: str
    applied: list[Finding]
    remaining: list[Finding]
    #: Why the fixes stopped before every fix was applied (a :class:`FixFailed`), else empty.
    failure: str = ""


def fix_all(
    source: str,
    path: str = "",
    config: Config | None = None,
    *,
    unsafe: bool = False,
    passes: int = 4,
    on_error: Callable[[RuleFailure], None] | None = None,
) -> FixResult:
    """Apply every available fix (safe ones only unless ``unsafe``) until nothing changes.

    Fixes that touch the same node are applied in successive passes, as ruff does.
    ``on_error`` is :func:`~torchlint.engine.analyze`'s. A pass that fails leaves the source as
    the passes before it made it, and says why in ``failure``.
    """
    applied: list[Finding] = []
    findings = analyze(source, path, config, on_error=on_error)
    for _ in range(passes):
        chosen = [(f, f.fix) for f in findings if f.fix and (unsafe or f.fix.safe)]
        if not chosen:
            break
        try:
            fixed = apply(source, chosen)
        except FixFailed as error:
            return FixResult(source, applied, findings, str(error))
        if fixed == source:
            break
        applied += [f for f, _ in chosen]
        source = fixed
        findings = analyze(source, path, config, on_error=on_error)
    return FixResult(source, applied, findings)


def fix_one(source: str, finding: Finding) -> str:
    return apply(source, [(finding, finding.fix)]) if finding.fix else source


def run_action(source: str, finding: Finding, action: Action) -> str:
    return apply(source, [(finding, action)])
