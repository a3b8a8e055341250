"""Applying fixes and code actions as libcst edits, which keep comments and formatting.

Each fix names the libcst node it rewrites by type and range (taken from the ``ast`` finding);
one transformer pass finds those nodes, hands each to its rule, then adds the imports the
rules asked for, once and in the module's import block.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .config import Config
from .engine import analyze, rule_for
from .model import Action, Finding, Fix, Position, Range, TextEdit

Edit = Fix | Action


class FixContext:
    """What a rule's fix may do besides replacing its node."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._codemod = CodemodContext()

    def add_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Ensure ``import module`` (or ``from module import name``) exists, added at most once."""
        AddImportsVisitor.add_needed_import(self._codemod, module, name, alias)

    def remove_unused_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Drop ``import module`` / ``from module import name`` if nothing uses it after the fixes."""
        RemoveImportsVisitor.remove_unused_import(self._codemod, module, name, alias)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def finish(self, module: cst.Module) -> cst.Module:
        # Adding first lets a renamed name join its old import line before that name is dropped.
        for visitor in (AddImportsVisitor, RemoveImportsVisitor):
            if self._codemod.scratch.get(visitor.CONTEXT_KEY):
                module = visitor(self._codemod).transform_module(module)
        return module


@dataclass(frozen=True)
class _Request:
    finding: Finding
    edit: Edit

    @property
    def target(self) -> Range:
        return self.edit.target or self.finding.range

    def matches(self, node: cst.CSTNode, where: CodeRange) -> bool:
        if type(node).__name__ != self.edit.node:
            return False
        if self.edit.node == "Module":
            return True
        target = self.target
        return (
            where.start.line == target.start.line
            and where.start.column + 1 == target.start.column
            and where.end.line == target.end.line
            and where.end.column + 1 == target.end.column
        )

    def apply(self, node: cst.CSTNode, ctx: FixContext) -> cst.CSTNode:
        rule = rule_for(self.finding.code)
        if isinstance(self.edit, Fix):
            return rule.fix(node, self.edit, ctx)
        return rule.action(node, self.edit, ctx)


class _Applier(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, requests: Sequence[_Request], ctx: FixContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.pending: dict[object, list[_Request]] = defaultdict(list)
        for request in requests:
            key = "Module" if request.edit.node == "Module" else (request.target.start.line, request.target.start.column)
            self.pending[key].append(request)
        self.applied: list[_Request] = []

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[override]
        where = self.get_metadata(PositionProvider, original, None)
        if where is None:
            return updated
        key = "Module" if isinstance(original, cst.Module) else (where.start.line, where.start.column + 1)
        for request in list(self.pending.get(key, ())):
            if request.matches(original, where):
                self.pending[key].remove(request)
                self.applied.append(request)
                updated = request.apply(updated, self.ctx)
                if not isinstance(updated, cst.CSTNode):  # a FlattenSentinel or RemovalSentinel
                    return updated
        return updated


def apply(source: str, edits: Iterable[tuple[Finding, Edit]]) -> str:
    """``source`` with the given fixes and actions applied; unchanged if none applies."""
    requests = [_Request(finding, edit) for finding, edit in edits]
    if not requests:
        return source
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    ctx = FixContext(module)
    applier = _Applier(requests, ctx)
    fixed = wrapper.visit(applier)
    if not applier.applied:
        return source
    return ctx.finish(fixed).code


@dataclass(frozen=True)
class FixResult:
    source: str
    applied: list[Finding]
    remaining: list[Finding]


def fix_all(source: str, path: str = "", config: Config | None = None, *, unsafe: bool = False, passes: int = 4) -> FixResult:
    """Apply every available fix (safe ones only unless ``unsafe``) until nothing changes.

    Fixes that touch the same node are applied in successive passes, as ruff does.
    """
    applied: list[Finding] = []
    findings = analyze(source, path, config)
    for _ in range(passes):
        chosen = [(f, f.fix) for f in findings if f.fix and (unsafe or f.fix.safe)]
        if not chosen:
            break
        fixed = apply(source, chosen)
        if fixed == source:
            break
        applied += [f for f, _ in chosen]
        source = fixed
        findings = analyze(source, path, config)
    return FixResult(source, applied, findings)


def fix_one(source: str, finding: Finding) -> str:
    return apply(source, [(finding, finding.fix)]) if finding.fix else source


def run_action(source: str, finding: Finding, action: Action) -> str:
    return apply(source, [(finding, action)])


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The smallest line-wise edits that turn ``old`` into ``new``."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
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
