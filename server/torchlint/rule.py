"""The base class of every rule.

A rule is one class in a file of its own (``rules/<family>/tl<code>_<name>.py``): its code,
name, default severity and message, its documentation (``why``, ``example``, ``use_instead``),
a ``check`` that yields findings from an ``ast``-based
:class:`~torchlint.analysis.context.ModuleContext`, and, when it can fix, a ``fix`` that
rewrites one libcst node (an ``action`` for a larger rewrite never applied automatically).
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from .model import Action, Applicability, Finding, Fix, Plan, Range, Severity

if TYPE_CHECKING:  # libcst is imported only when a fix is computed
    import libcst as cst

    from .analysis.context import ModuleContext
    from .fixing.fix_context import FixContext

    #: What a fix or action returns for its node: a node, statements in its place, or nothing.
    Replacement: TypeAlias = cst.CSTNode | cst.FlattenSentinel[Any] | cst.RemovalSentinel

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
    #: The rule fires only in modules that mention a deep-learning library (the engine skips the
    #: others); ``False`` for a pattern written without one (TL403's buffer of ``random`` and ``collections``).
    needs_library: ClassVar[bool] = True
    #: How safe the rule's fix is (a rule has a fix when it overrides :meth:`fix`).
    fix_applicability: ClassVar[Applicability] = Applicability.SAFE
    fix_title: ClassVar[str] = ""
    #: The libcst node type ``fix`` receives, unless a finding's fix names another.
    fix_node: ClassVar[str] = "Call"
    #: Title of the code action this rule offers (a larger, never automatic rewrite).
    action_title: ClassVar[str] = ""
    action_node: ClassVar[str] = "SimpleStatementLine"
    #: The rule flags a deprecated API (editors may strike it through).
    deprecated: ClassVar[bool] = False
    #: Other linters' codes for this rule (TorchFix's ``TOR102``), accepted wherever a code is.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Rules whose finding around the same code makes this rule's redundant: the engine drops
    #: this rule's findings inside theirs (TL144 says less about a call than TL202 does).
    defers_to: ClassVar[tuple[str, ...]] = ()

    def check(self, ctx: ModuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def check_findings(self, ctx: ModuleContext, findings: Sequence[Finding], checked: frozenset[str]) -> Iterable[Finding]:
        """Findings about the other rules' ``findings`` (before suppressions), where ``checked``
        holds the codes whose rules ran; the engine calls it after every ``check`` (TL001)."""
        return ()

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> Replacement:
        """Return the replacement of the libcst node found at the fix's target range."""
        raise NotImplementedError

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> Replacement:
        """Return the replacement that carries out a code action (often a statement insertion)."""
        raise NotImplementedError

    # -- helpers for check() ----------------------------------------------------------------

    def finding(
        self,
        ctx: ModuleContext,
        node: ast.AST,
        message: str | None = None,
        *,
        fix: Fix | Plan | bool = False,
        action: Action | Plan | bool = False,
    ) -> Finding:
        """A finding at ``node``, with the rule's fix and action when asked for: ``True`` (the
        edit needs nothing but its node), a :class:`Plan`, or an edit built by :meth:`fix_at` /
        :meth:`action_at` to rewrite another node.

        A compound statement is shown by its header only; its edits still address the whole
        statement.
        """
        if fix is True or isinstance(fix, Plan):
            fix = self.fix_at(ctx, node, None if fix is True else fix)
        if action is True or isinstance(action, Plan):
            action = self.action_at(ctx, node, None if action is True else action)
        return Finding(
            code=self.code,
            name=self.name,
            message=message or self.message,
            severity=self.severity,
            range=ctx.report_range(node),
            path=ctx.path,
            fix=fix or None,
            actions=(action,) if action else (),
        )

    def fix_at(
        self,
        ctx: ModuleContext,
        target: ast.AST,
        plan: Plan | None = None,
        *,
        node: str | None = None,
        title: str | None = None,
        applicability: Applicability | None = None,
    ) -> Fix:
        """The rule's fix of the libcst ``node`` type (default: the rule's ``fix_node``) at
        ``target``'s range (``ctx.tree``: the whole module)."""
        return Fix(
            title=title or self.fix_title,
            target=_target(ctx, target),
            node=node or self.fix_node,
            plan=plan,
            applicability=applicability or self.fix_applicability,
        )

    def action_at(
        self, ctx: ModuleContext, target: ast.AST, plan: Plan | None = None, *, node: str | None = None, title: str | None = None
    ) -> Action:
        """The rule's code action on the libcst ``node`` type at ``target`` (see :meth:`fix_at`)."""
        return Action(title=title or self.action_title, target=_target(ctx, target), node=node or self.action_node, plan=plan)

    # -- documentation ----------------------------------------------------------------------

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")

    @classmethod
    def fixable(cls) -> bool:
        return cls.fix is not Rule.fix

    @classmethod
    def has_action(cls) -> bool:
        return cls.action is not Rule.action

    @classmethod
    def documentation(cls, level: int = 1) -> str:
        """The rule's documentation as Markdown (for ``torchlint rules CODE`` and hover).

        ``level`` is the heading level of its title; sections are one level below.
        """
        title, section = "#" * level, "#" * (level + 1)
        remedies = []
        if cls.fixable():
            remedies.append(f"{cls.fix_title} ({cls.fix_applicability.value} fix).")
        if cls.has_action():
            remedies.append(f"Code action (never applied automatically): {cls.action_title}.")
        fix = " ".join(remedies) or "None."
        return "\n".join(
            [
                f"{title} {cls.code} {cls.name}",
                "",
                f"Default severity: {cls.severity.value}",
                "",
                *([f"Also answers to: {', '.join(cls.aliases)}", ""] if cls.aliases else []),
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

def _target(ctx: ModuleContext, node: ast.AST) -> Range | None:
    return None if isinstance(node, ast.Module) else ctx.range(node)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
