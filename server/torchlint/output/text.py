"""The formats people read: ``full`` (each finding with its source line and a caret, ruff's
default), ``concise`` (one line per finding), ``--statistics``, the summary and ``--show-fixes``."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from ..model import Finding
from .located import Located

#: Lines of source shown before and after a finding's line.
CONTEXT = 2
TAB = "    "


def concise_line(entry: Located) -> str:
    """``path:line:col: CODE [*] message`` (``path:cell N:line:col`` in a notebook)."""
    mark = " [*]" if entry.finding.fixable else ""
    return f"{entry.where()}: {entry.finding.code}{mark} {entry.finding.message}"


def concise(entries: Sequence[Located]) -> str:
    return "\n".join(concise_line(entry) for entry in entries)


def full(entries: Sequence[Located]) -> str:
    """Each finding's line, then its source with a caret under the finding, then the fix it offers."""
    return "\n\n".join(_snippet(entry) for entry in entries)


def _snippet(entry: Located) -> str:
    finding, start, end = entry.finding, entry.range.start, entry.range.end
    out = [concise_line(entry)]
    if not 1 <= start.line <= len(entry.lines):  # nothing to show (an empty file's syntax error)
        return out[0]
    first, last = max(1, start.line - CONTEXT), min(len(entry.lines), start.line + CONTEXT)
    gutter = " " * len(str(last))
    out.append(f"{gutter} |")
    for number in range(first, last + 1):
        line = entry.lines[number - 1]
        out.append(f"{number:>{len(gutter)}} | {line.replace(chr(9), TAB)}".rstrip())
        if number == start.line:
            stop = end.column if end.line == start.line else len(line) + 1
            pad, size = _width(line[: start.column - 1]), _width(line[start.column - 1 : stop - 1])
            out.append(f"{gutter} | {' ' * pad}{'^' * max(size, 1)} {finding.code}")
    out.append(f"{gutter} |")
    if finding.fix is not None:
        unsafe = "" if finding.fix.safe else " (unsafe)"
        out.append(f"{gutter} = help: {finding.fix.title}{unsafe}")
    return "\n".join(out)


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide characters take two, combining marks none, a tab four."""
    if text.isascii():
        return len(text) + text.count("\t") * (len(TAB) - 1)
    width = 0
    for char in text:
        if char == "\t":
            width += len(TAB)
        elif unicodedata.combining(char):
            continue
        else:
            width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fixable}
    names = {f.code: f.name for f in findings}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "\n".join(
        f"{count:>{width}}\t{code}\t{'[*]' if code in fixable else '   '} {names[code]}"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def summary(findings: Sequence[Finding], fixed: int, *, unsafe_allowed: bool) -> str:
    lines = []
    if fixed:
        lines.append(f"Fixed {plural(fixed, 'finding')}.")
    if findings:
        lines.append(f"Found {plural(len(findings), 'finding')}.")
        safe = sum(1 for f in findings if f.fix and f.fix.safe)
        unsafe = sum(1 for f in findings if f.fix and not f.fix.safe)
        if unsafe_allowed:
            safe, unsafe = safe + unsafe, 0
        if safe:
            lines.append(f"[*] {safe} fixable with `torchlint check --fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `--fix --unsafe-fixes` (they may change behaviour).")
    elif not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines)


def fixes(applied: dict[str, Sequence[Finding]]) -> str:
    """What ``--fix`` changed (``--show-fixes``), per file and rule::

        Applied 2 fixes:
        - train.py:
            2 × TL103 (adam-not-adamw)
    """
    total = sum(len(findings) for findings in applied.values())
    if not total:
        return "No fixes applied."
    lines = [f"Applied {plural(total, 'fix')}:"]
    for path, findings in applied.items():
        if findings:
            lines.append(f"- {path}:")
            counts = Counter((f.code, f.name) for f in findings)
            lines += [f"    {count} × {code} ({name})" for (code, name), count in sorted(counts.items())]
    return "\n".join(lines)


def plural(count: int, word: str) -> str:
    suffix = "" if count == 1 else "es" if word.endswith("x") else "s"
    return f"{count} {word}{suffix}"
