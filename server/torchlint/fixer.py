"""Applying fixes and code actions as libcst edits, which keep comments and formatting.

libcst is slow on whole modules (parsing plus position metadata costs tens of times
``ast.parse``), so the fixer works on the smallest text that holds each edit: the top-level
statement around it, cut out by line, parsed alone, rewritten and spliced back. Only fixes that
need the whole module (``node == "Module"``) parse all of it. Imports the fixes ask for are
added to (or dropped from) the module's leading import block the same way.
"""

from __future__ import annotations

import ast
import bisect
import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .config import Config
from .context import split_lines
from .engine import RuleFailure, analyze, parse_quietly, rule_for
from .imports import Import, edit_block
from .model import Action, Finding, Fix, Position, Range, TextEdit

Edit = Fix | Action
MODULE = "Module"


class FixContext:
    """What a rule's fix may do besides replacing its node."""

    def __init__(self) -> None:
        self._additions: list[Import] = []
        self._removals: list[Import] = []

    def add_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Ensure ``import module`` (or ``from module import name``) exists, added at most once."""
        self._additions.append((module, name, alias))

    def remove_unused_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Drop ``import module`` / ``from module import name`` if nothing uses it after the fixes."""
        self._removals.append((module, name, alias))

    @staticmethod
    def code(node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)

    def finish(self, source: str) -> str:
        """``source`` with the requested imports added and the unused ones removed."""
        if not self._additions and not self._removals:
            return source
        tree = parse_quietly(source)
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} if self._removals else set()
        removals = [r for r in self._removals if (r[2] or (r[1] or r[0]).split(".")[0]) not in used]
        lines = split_lines(source, keepends=True)
        end = _header_end(tree)
        header = "".join(lines[:end])
        new_header = edit_block(header, tree, self._additions, removals)
        if not header and new_header:
            rest = "".join(lines)
            new_header = new_header.rstrip("\n") + "\n" + ("\n" if rest.strip() and not rest.startswith("\n") else "")
        return new_header + "".join(lines[end:])


def _header_end(tree: ast.Module) -> int:
    """The last line of the module's leading run of docstring and import statements (0 if none)."""
    end = 0
    for stmt in tree.body:
        is_docstring = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        if not (isinstance(stmt, (ast.Import, ast.ImportFrom)) or is_docstring):
            break
        end = stmt.end_lineno or stmt.lineno
    return end


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

    def apply(self, node: cst.CSTNode, ctx: FixContext) -> cst.CSTNode:
        rule = rule_for(self.finding.code)
        if isinstance(self.edit, Fix):
            return rule.fix(node, self.edit, ctx)
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

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[override]
        where = self.get_metadata(PositionProvider, original, None)
        if where is None:
            return updated
        key = (where.start.line + self.line_offset, where.start.column + 1)
        for request in list(self.pending.get(key, ())):
            if request.matches(original, where, self.line_offset):
                self.pending[key].remove(request)
                self.applied += 1
                updated = request.apply(updated, self.ctx)
                if not isinstance(updated, cst.CSTNode):  # a FlattenSentinel or RemovalSentinel
                    return updated
        return updated


def apply(source: str, edits: Iterable[tuple[Finding, Edit]]) -> str:
    """``source`` with the given fixes and actions applied; unchanged if none applies."""
    requests = [_Request(finding, edit) for finding, edit in edits]
    if not requests:
        return source
    ctx = FixContext()
    local = [r for r in requests if r.edit.node != MODULE]
    whole = [r for r in requests if r.edit.node == MODULE]
    fixed = _apply_by_statement(source, local, ctx) if local else source
    if whole:
        module = cst.parse_module(fixed)
        for request in whole:
            module = request.apply(module, ctx)
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
    ``on_error`` is :func:`~torchlint.engine.analyze`'s.
    """
    applied: list[Finding] = []
    findings = analyze(source, path, config, on_error=on_error)
    for _ in range(passes):
        chosen = [(f, f.fix) for f in findings if f.fix and (unsafe or f.fix.safe)]
        if not chosen:
            break
        fixed = apply(source, chosen)
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


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The smallest line-wise edits that turn ``old`` into ``new``."""
    old_lines = split_lines(old, keepends=True)
    new_lines = split_lines(new, keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = _line_start(old_lines, i1)
        end = _line_start(old_lines, i2)
        edits.append(TextEdit(Range(start, end), "".join(new_lines[j1:j2])))
    return edits


def _line_start(lines: list[str], index: int) -> Position:
    """The position where line ``index`` (0-based) starts; past the end, the end of the text."""
    if index < len(lines):
        return Position(index + 1, 1)
    if not lines:
        return Position(1, 1)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines) + 1, 1)
    return Position(len(lines), len(last) + 1)
