"""The values that cross every boundary: severities, findings, fixes and edits."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TypeVar


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def parse(cls, value: str) -> Severity:
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
    def of(cls, line: int, column: int, end_line: int, end_column: int) -> Range:
        return cls(Position(line, column), Position(end_line, end_column))


class Applicability(str, enum.Enum):
    """Ruff's fix safety: fix-all applies only safe fixes unless unsafe ones are asked for."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Plan:
    """What detection learned that an edit needs (a name in scope, the arguments to add), so the
    edit need not analyse again. A rule with a fix or action that needs more than its node
    subclasses it as a frozen dataclass of its own."""


P = TypeVar("P", bound=Plan)


@dataclass(frozen=True)
class Edit:
    """Where an edit applies: the libcst node of type ``node`` (``"Call"``,
    ``"SimpleStatementLine"``, ``"Module"``) at ``target`` (default: the finding's range)."""

    title: str
    target: Range | None = None
    node: str = "Call"
    plan: Plan | None = None

    def plan_as(self, kind: type[P]) -> P:
        """The edit's plan, which the rule that made it knows to be a ``kind``."""
        if not isinstance(self.plan, kind):
            raise TypeError(f"{self.title!r} carries {type(self.plan).__name__}, not {kind.__name__}")
        return self.plan


@dataclass(frozen=True)
class Fix(Edit):
    """A libcst edit a rule can make for one finding, safe or not (fix-all applies it)."""

    applicability: Applicability = Applicability.SAFE

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE


@dataclass(frozen=True)
class Action(Edit):
    """A code action: a larger rewrite offered to the user but never applied by fix-all."""

    node: str = "SimpleStatementLine"


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
