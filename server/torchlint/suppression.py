"""``# torchlint: disable=CODES`` on a line and ``# torchlint: disable-file=CODES`` in a module.

A line's ``# noqa: CODES`` (as flake8 and ruff write it) silences those of the codes that are
torchlint's, or aliases of torchlint's (TorchFix's ``TOR102``); other linters' codes in it are
left to them, and a bare ``# noqa`` silences nothing here. A code given by an alias silences
the rule it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .analysis.text import split_lines
from .model import Finding
from .registry import aliases

_DIRECTIVE = re.compile(r"#\s*torchlint:\s*(disable-file|disable)\b(?:\s*=\s*([A-Za-z0-9_, ]+))?")
#: A ``noqa`` comment's codes (``TL103, TOR102``) run up to the first word that is not a code.
_NOQA = re.compile(r"#\s*noqa\s*:\s*([A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.IGNORECASE)
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)
EVERYTHING = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    file: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, source: str) -> Suppressions:
        if "torchlint:" not in source and not _MENTIONS_NOQA.search(source):
            return cls()
        lines: dict[int, frozenset[str]] = {}
        file_codes: set[str] = set()
        for number, line in enumerate(split_lines(source), start=1):
            if "torchlint:" in line:
                for match in _DIRECTIVE.finditer(line):
                    codes = _codes(match.group(2))
                    if match.group(1) == "disable-file":
                        file_codes |= codes
                    else:
                        lines[number] = lines.get(number, frozenset()) | codes
            if _MENTIONS_NOQA.search(line):
                for match in _NOQA.finditer(line):
                    codes = frozenset(code.upper() for code in re.split(r"[\s,]+", match.group(1)))
                    lines[number] = lines.get(number, frozenset()) | codes
        return cls(lines, frozenset(file_codes))

    def suppresses(self, finding: Finding) -> bool:
        if _matches(finding.code, self.file):
            return True
        start, end = finding.range.start.line, finding.range.end.line
        return any(_matches(finding.code, self.lines.get(line, frozenset())) for line in {start, end})

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if not self.suppresses(f)]


def _codes(text: str | None) -> frozenset[str]:
    if not text:
        return EVERYTHING
    return frozenset(code.strip().upper() for code in text.split(",") if code.strip())


def _matches(code: str, codes: frozenset[str]) -> bool:
    if not codes:
        return False
    return "*" in codes or code in codes or any(alias in codes for alias in aliases().get(code, ()))


def directive_for(line: str, code: str) -> str:
    """``line`` with ``code`` added to its disable comment (or a new one appended)."""
    match = _DIRECTIVE.search(line)
    if match and match.group(1) == "disable":
        codes = sorted(_codes(match.group(2)) | {code})
        if "*" in codes:
            return line
        return line[: match.start()] + f"# torchlint: disable={','.join(codes)}" + line[match.end() :]
    return f"{line.rstrip()}  # torchlint: disable={code}"
