"""The base class of every rule and the registry that knows them by code.

A rule is one class: its code, name, default severity and message, its documentation
(``why``, ``example``, ``use_instead``), a ``check`` that yields findings from an
``ast``-based :class:`~torchlint.context.ModuleContext`, and, when it can fix, a ``fix``
that rewrites one libcst node. Rules register themselves by subclassing :class:`Rule`.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from .model import Action, Applicability, Finding, Fix, Range, Severity

if TYPE_CHECKING:  # libcst is imported only when a fix is computed
    import libcst as cst

    from .context import ModuleContext
    from .fixer import FixContext

DOCS_URL = "https://github.com/torchlint/torchlint/blob/main/docs/rules.md#{code}"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    message: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    #: Words one of which the source must contain for the rule to run at all (a cheap skip).
    requires: ClassVar[tuple[str, ...]] = ("torch",)
    #: Whether findings of this rule can carry a fix, and how safe it is.
    fix_applicability: ClassVar[Applicability | None] = None
    fix_title: ClassVar[str] = ""
    #: The libcst node type ``fix`` receives, unless a finding's fix names another.
    fix_node: ClassVar[str] = "Call"
    #: Title of the code action this rule offers (a larger, never automatic rewrite).
    action_title: ClassVar[str] = ""
    action_node: ClassVar[str] = "SimpleStatementLine"
    #: The rule flags a deprecated API (editors may strike it through).
    deprecated: ClassVar[bool] = False

    def check(self, ctx: ModuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        """Return the replacement of the libcst node found at the fix's target range."""
        raise NotImplementedError

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        """Return the replacement that carries out a code action (often a statement insertion)."""
        raise NotImplementedError

    # -- helpers for check() ----------------------------------------------------------------

    def finding(
        self,
        ctx: ModuleContext,
        node: ast.AST,
        message: str | None = None,
        *,
        fix: bool | Fix = False,
        fix_target: ast.AST | None = None,
        fix_node: str | None = None,
        fix_data: tuple = (),
        action: bool | Action = False,
        action_target: ast.AST | None = None,
        action_node: str | None = None,
        action_data: tuple = (),
    ) -> Finding:
        """A finding at ``node``; ``fix=True`` attaches the rule's fix (``action=True`` its action).

        The fix rewrites the libcst node of type ``fix_node`` at ``fix_target``'s range
        (default: the reported node); ``fix_target=ctx.tree`` means the whole module.
        """
        shown = ctx.report_range(node)
        if shown != ctx.range(node):
            # Shown by its header only: the edits still address the whole statement.
            fix_target = node if fix_target is None else fix_target
            action_target = node if action_target is None else action_target
        if fix is True:
            fix = Fix(
                title=self.fix_title,
                applicability=self.fix_applicability or Applicability.SAFE,
                target=_target(ctx, fix_target),
                node=fix_node or self.fix_node,
                data=fix_data,
            )
        if action is True:
            action = Action(
                title=self.action_title,
                target=_target(ctx, action_target),
                node=action_node or self.action_node,
                data=action_data,
            )
        return Finding(
            code=self.code,
            name=self.name,
            message=message or self.message,
            severity=self.severity,
            range=shown,
            path=ctx.path,
            fix=fix or None,
            actions=(action,) if action else (),
        )

    # -- documentation ----------------------------------------------------------------------

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")

    @classmethod
    def fixable(cls) -> bool:
        return cls.fix_applicability is not None

    @classmethod
    def documentation(cls, level: int = 1) -> str:
        """The rule's documentation as Markdown (for ``torchlint rules CODE`` and hover).

        ``level`` is the heading level of its title; sections are one level below.
        """
        title, section = "#" * level, "#" * (level + 1)
        remedies = []
        if cls.fix_applicability is not None:
            remedies.append(f"{cls.fix_title} ({cls.fix_applicability.value} fix).")
        if cls.action_title:
            remedies.append(f"Code action (never applied automatically): {cls.action_title}.")
        fix = " ".join(remedies) or "None."
        return "\n".join(
            [
                f"{title} {cls.code} {cls.name}",
                "",
                f"Default severity: {cls.severity.value}",
                "",
                f"{section} What it does",
                cls.summary(),
                "",
                f"{section} Why is this bad?",
                _dedent(cls.why),
                "",
                f"{section} Example",
                "```python",
                _dedent(cls.example),
                "```",
                "",
                f"{section} Use instead",
                "```python",
                _dedent(cls.use_instead),
                "```",
                "",
                f"{section} Fix",
                fix,
                "",
            ]
        )

def _target(ctx: ModuleContext, node: ast.AST | None) -> Range | None:
    if node is None or isinstance(node, ast.Module):
        return None
    return ctx.range(node)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


_REGISTRY: dict[str, type[Rule]] = {}
_RULES = MappingProxyType(_REGISTRY)


def all_rules() -> Mapping[str, type[Rule]]:
    """Every registered rule by code (a read-only view), importing :mod:`torchlint.rules` once."""
    if not _REGISTRY:
        from . import rules

        for module in pkgutil.iter_modules(rules.__path__):
            importlib.import_module(f"{rules.__name__}.{module.name}")
        found: dict[str, type[Rule]] = {}
        for cls in _subclasses(Rule):
            if "code" in cls.__dict__:
                if cls.code in found:
                    raise RuntimeError(f"rule code {cls.code} is declared twice")
                found[cls.code] = cls
        # Published in one step, so a thread never sees a half-filled registry.
        _REGISTRY.update(sorted(found.items()))
    return _RULES


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
