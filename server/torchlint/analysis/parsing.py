"""Parsing user code, which may be half-typed, into an ``ast`` tree or the error that stops it."""

from __future__ import annotations

import ast
import warnings


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
