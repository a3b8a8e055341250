"""DataLoader options that training throughput depends on: what TL110 and TL111 share."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...analysis.context import ModuleContext
from ...analysis.training import dataloader_calls
from ...model import Finding, Fix, Plan
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


@dataclass(frozen=True)
class OptionPlan(Plan):
    """The source of the value the fix gives the option."""

    value: str


class DataLoaderOptionRule(Rule):
    """Shared detection of a DataLoader option that is missing or set to a poor literal."""

    #: The option's keyword and its position in ``DataLoader(dataset, batch_size, shuffle,
    #: sampler, batch_sampler, num_workers, collate_fn, pin_memory, ...)``.
    option: ClassVar[tuple[str, int]]
    requires = ("DataLoader",)

    def applies(self, ctx: ModuleContext) -> bool:
        """Whether the module is one where the option matters at all."""
        return True

    def poor(self, value: ast.expr) -> bool:
        """Whether the value given for the option is one to report."""
        raise NotImplementedError

    def fixed_value(self, ctx: ModuleContext, call: ast.Call) -> str:
        """Source of the value the fix sets the option to."""
        raise NotImplementedError

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        calls = dataloader_calls(ctx)
        if not calls or not self.applies(ctx):
            return
        for call in calls:
            visible, value = given_option(call, *self.option)
            if visible and (value is None or self.poor(value)):
                plan = OptionPlan(self.fixed_value(ctx, call))
                yield self.finding(ctx, call.func, fix=self.fix_at(ctx, call, plan))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        import libcst as cst

        assert isinstance(node, cst.Call)
        return set_option(node, *self.option, cst.parse_expression(fix.plan_as(OptionPlan).value))


def given_option(call: ast.Call, name: str, position: int) -> tuple[bool, ast.expr | None]:
    """Whether the call shows if option ``name`` is given, and its value (``None``: not given).

    A ``**kwargs`` or a ``*args`` that reaches the option's position hides it.
    """
    for kw in call.keywords:
        if kw.arg == name:
            return True, kw.value
    if any(kw.arg is None for kw in call.keywords):
        return False, None
    for index, arg in enumerate(call.args[: position + 1]):
        if isinstance(arg, ast.Starred):
            return False, None
        if index == position:
            return True, arg
    return True, None


# -- libcst: setting a keyword argument ----------------------------------------------------------


def set_option(call: cst.Call, name: str, position: int, value: cst.BaseExpression) -> cst.Call:
    """``call`` with option ``name`` (given by keyword or at ``position``) set to ``value``,
    appended as a keyword in the call's own layout when it is not given."""
    import libcst as cst

    args = list(call.args)
    for index, arg in enumerate(args):
        keyword = arg.keyword.value if arg.keyword else None
        if keyword == name or (keyword is None and not arg.star and index == position):
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    tight = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=tight)
    return call.with_changes(args=_appended(call, new))


def _appended(call: cst.Call, new: cst.Arg) -> list[cst.Arg]:
    import libcst as cst

    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    trailing = last.comma if isinstance(last.comma, cst.Comma) else None
    # The whitespace after the last argument: before ``)`` or after its trailing comma.
    gap = trailing.whitespace_after if trailing else last.whitespace_after_arg
    # The whitespace that separates arguments, so the new one follows the call's layout.
    separator = _separator(args[-2]) if len(args) > 1 else call.whitespace_before_args
    between: cst.BaseParenthesizableWhitespace
    if not isinstance(separator, cst.ParenthesizedWhitespace):
        between, closing = cst.SimpleWhitespace(" "), gap
    elif isinstance(gap, cst.ParenthesizedWhitespace):
        # One argument per line: a comment after the last one stays on its line.
        between = gap.with_changes(indent=separator.indent, last_line=separator.last_line)
        closing = gap.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    else:
        between = separator.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        closing = gap
    if trailing:
        args[-1] = last.with_changes(comma=trailing.with_changes(whitespace_after=between))
        return [*args, new.with_changes(comma=cst.Comma(whitespace_after=closing))]
    comma = cst.Comma(whitespace_after=between)
    args[-1] = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
    return [*args, new.with_changes(whitespace_after_arg=closing)]


def _separator(arg: cst.Arg) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after the comma that follows ``arg`` (which is not the last argument)."""
    import libcst as cst

    assert isinstance(arg.comma, cst.Comma)
    return arg.comma.whitespace_after
