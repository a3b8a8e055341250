"""Adding and dropping a call's arguments in the call's own layout (one line, or one argument
per line with or without a trailing comma)."""

from __future__ import annotations

import libcst as cst


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` added as its last argument."""
    tight = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=tight)
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    comma = last.comma if isinstance(last.comma, cst.Comma) else None
    # What follows the last argument (before ``)``), and what separates two arguments.
    closing = comma.whitespace_after if comma else last.whitespace_after_arg
    between = _between(call)
    if isinstance(between, cst.ParenthesizedWhitespace) and isinstance(closing, cst.ParenthesizedWhitespace):
        # One argument per line: the new one gets a line of its own, the call's `)` stays put.
        between = closing.with_changes(indent=between.indent, last_line=between.last_line)
        closing = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    elif not isinstance(between, cst.ParenthesizedWhitespace):
        between = cst.SimpleWhitespace(" ")
    if comma:
        args[-1] = last.with_changes(comma=comma.with_changes(whitespace_after=between))
        return call.with_changes(args=[*args, new.with_changes(comma=cst.Comma(whitespace_after=closing))])
    args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between), whitespace_after_arg=cst.SimpleWhitespace(""))
    return call.with_changes(args=[*args, new.with_changes(whitespace_after_arg=closing)])


def without_argument(call: cst.Call, index: int) -> cst.Call:
    """``call`` without its ``index``-th argument; the others keep their commas and lines."""
    args = list(call.args)
    removed = args.pop(index)
    if args and index == len(args):
        # The dropped argument was the last: its predecessor ends the call as it did.
        ending = removed.comma if isinstance(removed.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        args[-1] = args[-1].with_changes(comma=ending, whitespace_after_arg=removed.whitespace_after_arg)
    elif not args:
        return call.with_changes(args=[], whitespace_before_args=cst.SimpleWhitespace(""))
    return call.with_changes(args=args)


def _between(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that separates the call's arguments (after ``(`` when it has one)."""
    args = call.args
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        return args[-2].comma.whitespace_after
    return call.whitespace_before_args
