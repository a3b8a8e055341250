"""The values that cross every boundary: severities, findings, fixes and edits."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {choices})") from None


@dataclass(frozen=True, order=True)
class Position:
    """1-based line, 1-based column counted in characters (code points)."""

    line: int
    column: int


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, column: int, end_line: int, end_column: int) -> "Range":
        return cls(Position(line, column), Position(end_line, end_column))


class Applicability(str, enum.Enum):
    """Ruff's fix safety: fix-all applies only safe fixes unless unsafe ones are asked for."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    """A libcst edit a rule can make for one finding.

    ``target`` is the range of the node the rule's ``fix`` method rewrites (defaults to the
    finding's range); ``data`` carries whatever the detection already knew (a name in scope,
    the arguments to add) so the fixer need not analyse again.
    """

    title: str
    applicability: Applicability = Applicability.SAFE
    target: Range | None = None
    #: The libcst node type at ``target`` (``"Call"``, ``"SimpleStatementLine"``, ``"Module"``).
    node: str = "Call"
    data: tuple = ()

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE


@dataclass(frozen=True)
class Action:
    """A code action: a larger rewrite offered to the user but never applied by fix-all."""

    title: str
    target: Range | None = None
    node: str = "SimpleStatementLine"
    data: tuple = ()


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    severity: Severity
    range: Range
    path: str = ""
    fix: Fix | None = None
    actions: tuple[Action, ...] = field(default=())

    @property
    def line(self) -> int:
        return self.range.start.line

    @property
    def column(self) -> int:
        return self.range.start.column

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def to_dict(self) -> dict:
        """The JSON shape of a finding (the keys are part of the CLI's contract)."""
        return {
            "path": self.path,
            "line": self.range.start.line,
            "column": self.range.start.column,
            "end_line": self.range.end.line,
            "end_column": self.range.end.column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity.value,
            "fixable": self.fixable,
        }


@dataclass(frozen=True)
class TextEdit:
    """Replace the text between two positions (1-based line, 1-based character column)."""

    range: Range
    new_text: str
