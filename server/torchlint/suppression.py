"""``# torchlint: disable=CODES`` on a line and ``# torchlint: disable-file=CODES`` in a module.

A line's ``# noqa: CODES`` (as flake8 and ruff write it) silences those of the codes that are
torchlint's, or aliases of torchlint's (TorchFix's ``TOR102``); other linters' codes in it are
left to them, and a bare ``# noqa`` silences nothing here. A code given by an alias silences
the rule it names.

:func:`add_noqa` writes the comments that silence given findings (``check --add-noqa``);
:func:`without_codes` takes codes out of one (TL001's fix).
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .analysis.text import split_lines
from .model import Finding, Range
from .registry import aliases

#: Codes (``TL103, TOR102``) run up to the first word that is not a code.
_CODES = r"[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*"
_DIRECTIVE = re.compile(rf"#\s*torchlint:\s*(disable-file|disable)\b(?:\s*=\s*({_CODES}))?")
_NOQA = re.compile(rf"#\s*noqa\s*:\s*({_CODES})", re.IGNORECASE)
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)
EVERYTHING = frozenset({"*"})
NOQA, DISABLE, DISABLE_FILE = "noqa", "disable", "disable-file"
#: The code of the finding about a suppression that suppresses nothing.
UNUSED_SUPPRESSION = "TL001"


@dataclass(frozen=True)
class Directive:
    """One suppression comment as written: its kind, line, text and codes (empty: every code)."""

    kind: str
    line: int
    #: 0-based offsets of its text in the line.
    start: int
    end: int
    text: str
    codes: tuple[str, ...]

    @property
    def range(self) -> Range:
        return Range.of(self.line, self.start + 1, self.line, self.end + 1)

    def with_codes(self, codes: Iterable[str]) -> str:
        """The directive's text with ``codes`` instead of its own."""
        return _comment(self.kind, codes)


def _comment(kind: str, codes: Iterable[str]) -> str:
    return f"# noqa: {', '.join(codes)}" if kind == NOQA else f"# torchlint: {kind}={','.join(codes)}"


def directives(source: str) -> list[Directive]:
    """Every suppression comment in ``source``, in order."""
    if "torchlint:" not in source and not _MENTIONS_NOQA.search(source):
        return []
    found = []
    for number, line in enumerate(split_lines(source), start=1):
        matches = [*_DIRECTIVE.finditer(line)] if "torchlint:" in line else []
        matches += [*_NOQA.finditer(line)] if _MENTIONS_NOQA.search(line) else []
        for match in sorted(matches, key=lambda m: m.start()):
            kind = match.group(1) if match.re is _DIRECTIVE else NOQA
            codes = tuple(re.split(r"[\s,]+", match.group(2 if kind != NOQA else 1) or ""))
            found.append(Directive(kind, number, match.start(), match.end(), match.group(0), tuple(c for c in codes if c)))
    return found


@dataclass(frozen=True)
class Suppressions:
    """A module's directives. A line's directive reaches the findings that start or end on it, and
    those on the lines before it that cannot hold a comment (inside a multi-line string, before a
    backslash), as ruff reads ``noqa``."""

    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    file: frozenset[str] = frozenset()
    directives: tuple[Directive, ...] = ()
    #: The lines that can end in a comment, in order (known only where there are directives).
    comment_lines: tuple[int, ...] = ()

    @classmethod
    def parse(cls, source: str) -> Suppressions:
        found = directives(source)
        if not found:
            return cls()
        lines: dict[int, frozenset[str]] = {}
        file_codes: set[str] = set()
        for directive in found:
            codes = frozenset(code.upper() for code in directive.codes) or EVERYTHING
            if directive.kind == DISABLE_FILE:
                file_codes |= codes
            else:
                lines[directive.line] = lines.get(directive.line, frozenset()) | codes
        return cls(lines, frozenset(file_codes), tuple(found), tuple(sorted(_comment_lines(source))))

    def lines_of(self, where: Range) -> set[int]:
        """The lines whose directives reach a finding at ``where``."""
        start, end = where.start.line, where.end.line
        return {start, end, _home(self.comment_lines, start), _home(self.comment_lines, end)}

    def covers(self, directive: Directive, where: Range) -> bool:
        """Whether a finding at ``where`` is in ``directive``'s reach (its codes aside)."""
        return directive.kind == DISABLE_FILE or directive.line in self.lines_of(where)

    def suppresses(self, finding: Finding) -> bool:
        if _matches(finding.code, self.file):
            return True
        return any(_matches(finding.code, self.lines.get(line, frozenset())) for line in self.lines_of(finding.range))

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if not self.suppresses(f)]


def _matches(code: str, codes: frozenset[str]) -> bool:
    """Whether ``codes`` silence ``code``: a bare directive silences every code but TL001's, which
    would hide the finding that says the directive itself is unused."""
    if not codes:
        return False
    everything = "*" in codes and code != UNUSED_SUPPRESSION
    return everything or code in codes or any(alias in codes for alias in aliases().get(code, ()))


def directive_for(line: str, code: str) -> str:
    """``line`` with ``code`` added to its disable comment (or a new one appended)."""
    return _with_code(line, code, DISABLE)


def _with_code(line: str, code: str, kind: str) -> str:
    """``line`` with ``code`` added to its first ``kind`` comment (``noqa`` or ``disable``) that
    names codes, or to its bare ``disable``; else with a new ``kind`` comment."""
    found = [d for d in directives(line) if d.kind == kind or (d.kind == DISABLE and not d.codes)]
    if not found:
        return f"{line.rstrip()}  {_comment(kind, [code])}"
    directive = found[0]
    if not directive.codes or code in (c.upper() for c in directive.codes):
        return line
    codes = [*directive.codes, code] if directive.kind == NOQA else sorted({*directive.codes, code})
    return line[: directive.start] + directive.with_codes(codes) + line[directive.end :]


def without_codes(line: str, directive: Directive, kept: Iterable[str]) -> str:
    """``line`` with ``directive``'s text holding only the ``kept`` codes, or without it (and the
    spaces before it) when none are kept; the rest of the line as it was."""
    kept = list(kept)
    at = line.find(directive.text)
    if at < 0:
        return line
    before, after = line[:at], line[at + len(directive.text) :]
    if kept:
        return before + directive.with_codes(kept) + after
    after = after.lstrip()
    if after and not after.startswith("#"):  # words of the same comment: "# noqa: TL121 because..."
        return f"{before}# {after}"
    if not after or before.strip():
        before = before.rstrip()
    return f"{before}  {after}" if after and before else before + after


def add_noqa(source: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """``source`` with a ``# noqa: CODE`` for each finding (added to a line's ``noqa`` or
    ``disable`` comment where it has one), and how many lines changed.

    The comment goes on the finding's first line, or where that line's string or backslash
    continuation ends when it cannot end in a comment; nothing is added to a source that does not
    tokenize.
    """
    ends = sorted(_comment_lines(source))
    codes: dict[int, list[str]] = defaultdict(list)
    for finding in findings:
        home = _home(ends, finding.range.start.line)
        if ends and finding.code not in codes[home]:
            codes[home].append(finding.code)
    lines = split_lines(source, keepends=True)
    changed = 0
    for number, line_codes in codes.items():
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        new = body
        for code in sorted(line_codes):
            new = _with_code(new, code, DISABLE if _is_disable(new) else NOQA)
        if new != body:
            lines[number - 1] = new + line[len(body) :]
            changed += 1
    return "".join(lines), changed


def _is_disable(line: str) -> bool:
    """The line has a ``# torchlint: disable`` comment and no ``noqa`` one to extend instead."""
    kinds = {d.kind for d in directives(line)}
    return DISABLE in kinds and NOQA not in kinds


def _home(comment_lines: Sequence[int], line: int) -> int:
    """The first of ``comment_lines`` at or after ``line`` (``line`` itself past them)."""
    index = bisect.bisect_left(comment_lines, line)
    return comment_lines[index] if index < len(comment_lines) else line


def _comment_lines(source: str) -> set[int]:
    """The lines that can end in a comment: those the tokenizer ends (not inside a string or
    a backslash continuation); none when the source does not tokenize."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        return {token.start[0] for token in tokens if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT)}
    except (tokenize.TokenError, SyntaxError):
        return set()
