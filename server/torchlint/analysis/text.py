"""Source text as Python counts it: lines and their breaks."""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
#: What ``str.splitlines`` breaks on besides the line ends Python counts.
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: The ASCII ones among them.
_ASCII_OTHER_BREAKS = "\v\f\x1c\x1d\x1e"


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as Python counts them: only ``\n``, ``\r\n`` and ``\r`` end one.

    (``str.splitlines`` also breaks on form feeds and other separators, which would put
    ``ast``'s line numbers out of step with the text.)
    """
    ascii_only = text.isascii()  # then a few substring scans beat the regular expression
    if not (any(c in text for c in _ASCII_OTHER_BREAKS) if ascii_only else _OTHER_BREAKS.search(text)):
        return text.splitlines(keepends)
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def unindented(code: str) -> str:
    """``code`` with every line stripped: how ``ast`` source text (continuation lines indented as
    in the file) and libcst's code for the same node (indented relative to its block) compare."""
    return "\n".join(line.strip() for line in code.strip().splitlines())
