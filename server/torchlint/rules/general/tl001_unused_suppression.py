"""TL001 unused-suppression."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.text import split_lines
from ...model import Finding, Plan, Severity
from ...registry import resolve_alias
from ...rule import Rule
from ...suppression import DISABLE_FILE, UNUSED_SUPPRESSION, Directive, Suppressions, without_codes

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext
    from ...model import Fix


@dataclass(frozen=True)
class _Unused(Plan):
    directive: Directive
    #: The codes the directive keeps (other linters' ones, those still used); none: remove it.
    kept: tuple[str, ...]


class UnusedSuppression(Rule):
    """A `# noqa` or `# torchlint: disable` comment suppresses nothing.

    Only torchlint's codes and their aliases (TorchFix's `TOR102`) count: other linters' codes in
    a `# noqa: E501, TL121` and a bare `# noqa` are theirs, and a code whose rule the settings turn
    off (for the file) is left alone, as nothing can tell whether it would be used.
    """

    code = UNUSED_SUPPRESSION
    name = "unused-suppression"
    severity = Severity.WARNING
    message = "Unused suppression"
    requires = ("noqa", "NOQA", "torchlint:")
    needs_library = False
    fix_title = "Remove the unused suppression"
    fix_node = "Module"
    why = """
        A suppression outlives the finding it was written for: the code was fixed, moved or
        deleted, and the comment now hides any new finding of that rule on the line without
        anyone having looked at it. It also tells the reader there is a problem where there is none.
    """
    example = """
        params = model.weight  # noqa: TL121
    """
    use_instead = """
        params = model.weight
    """

    def check(self, ctx: ModuleContext) -> Iterable[Finding]:
        return ()

    def check_findings(self, ctx: ModuleContext, findings: Sequence[Finding], checked: frozenset[str]) -> Iterator[Finding]:
        suppressions = Suppressions.parse(ctx.source)
        found = suppressions.directives
        unused = {d: _unused(d, suppressions, findings, checked - {self.code}) for d in found}
        flagged = [d for d in found if unused[d] or (not d.codes and not any(suppressions.covers(d, f.range) for f in findings))]
        # This rule's own code is used where it silences one of this rule's findings.
        for directive in found:
            if not any(suppressions.covers(directive, d.range) for d in flagged):
                unused[directive] += [c for c in directive.codes if resolve_alias(c.upper()) == self.code]
        for directive in found:
            if unused[directive] or directive in flagged:
                yield self._finding(ctx, directive, unused[directive])

    def _finding(self, ctx: ModuleContext, directive: Directive, unused: list[str]) -> Finding:
        place = "in this file" if directive.kind == DISABLE_FILE else "on this line"
        what = f"{', '.join(unused)}: nothing to suppress" if unused else f"nothing {place} to suppress"
        kept = tuple(code for code in directive.codes if code not in unused)
        return Finding(
            code=self.code,
            name=self.name,
            message=f"{self.message} ({what})",
            severity=self.severity,
            range=directive.range,
            path=ctx.path,
            fix=self.fix_at(ctx, ctx.tree, _Unused(directive, kept)),
        )

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Module:
        import libcst as cst

        plan = fix.plan_as(_Unused)
        assert isinstance(node, cst.Module)
        lines = split_lines(node.code, keepends=True)
        line = lines[plan.directive.line - 1]
        body = line.rstrip("\r\n")
        lines[plan.directive.line - 1] = without_codes(body, plan.directive, plan.kept) + line[len(body) :]
        return cst.parse_module("".join(lines))


def _unused(directive: Directive, suppressions: Suppressions, findings: Sequence[Finding], checked: frozenset[str]) -> list[str]:
    """The directive's codes (as written) of rules that ran and found nothing it covers."""
    unused = []
    for written in directive.codes:
        code = resolve_alias(written.upper())
        if code in checked and not any(f.code == code and suppressions.covers(directive, f.range) for f in findings):
            unused.append(written)
    return unused
