"""The smoke run's report: the steps the harness recorded, how the run ended, and what it means."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .harness import COMPLETED, ERROR, FINISHED, NO_STEP, NO_TORCH, OUT_OF_MEMORY, TIMEOUT

#: How a run ended, besides the harness's outcomes: stopped from the editor, or gone without a word.
CANCELLED, CRASHED = "cancelled", "crashed"
INSTALL_HINT = "pip install torch"


@dataclass(frozen=True)
class Step:
    """One optimizer step as the harness saw it (``seconds`` since the previous step ended)."""

    step: int
    seconds: float
    data_seconds: float
    loss: float | None = None
    loss_finite: bool | None = None
    autocast: tuple[str, ...] = ()
    scaler_scale: float | None = None
    grad_norm: float | None = None
    grad_finite: bool | None = None
    no_grad: tuple[str, ...] = ()
    batch_size: int | None = None
    device: str | None = None
    param_dtype: str | None = None
    lr: float | None = None
    rss_mib: float | None = None
    allocated_mib: float | None = None
    reserved_mib: float | None = None

    @classmethod
    def from_event(cls, event: dict) -> Step:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {key: tuple(v) if isinstance(v, list) else v for key, v in event.items() if key in known}
        return cls(**values)

    @property
    def compute_seconds(self) -> float:
        return max(0.0, self.seconds - self.data_seconds)

    @property
    def samples_per_second(self) -> float | None:
        return self.batch_size / self.seconds if self.batch_size and self.seconds > 0 else None

    @property
    def finite(self) -> bool:
        return self.loss_finite is not False and self.grad_finite is not False


@dataclass(frozen=True)
class Where:
    """A line of the user's code."""

    file: str
    line: int
    function: str = ""
    code: str = ""


@dataclass(frozen=True)
class Failure:
    type: str
    message: str
    summary: str = ""
    where: Where | None = None
    allocated_mib: float | None = None
    reserved_mib: float | None = None
    total_mib: float | None = None
    batch_size: int | None = None

    @classmethod
    def from_event(cls, error: dict) -> Failure:
        where = error.get("where")
        return cls(
            type=error.get("type", ""),
            message=error.get("message", ""),
            summary=error.get("summary", ""),
            where=Where(**where) if where else None,
            allocated_mib=error.get("allocated_mib"),
            reserved_mib=error.get("reserved_mib"),
            total_mib=error.get("total_mib"),
            batch_size=error.get("batch_size"),
        )


@dataclass(frozen=True)
class Link:
    """A line of the script the report points at: a finding of a rule, or a line the harness saw."""

    line: int
    column: int
    message: str
    code: str = ""


@dataclass(frozen=True)
class Tie:
    """What the run measured that a rule is about, with that rule's findings in the script."""

    codes: tuple[str, ...]
    reason: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class SmokeReport:
    ok: bool
    outcome: str
    script: str
    python: str
    steps_asked: int
    steps: tuple[Step, ...] = ()
    failure: Failure | None = None
    where: Where | None = None  # where a script that ran out of time was
    ties: tuple[Tie, ...] = ()
    notes: tuple[str, ...] = ()
    loaders: tuple[Link, ...] = ()
    environment: dict = field(default_factory=dict)
    output: str = ""
    seconds: float = 0.0

    @property
    def timed(self) -> tuple[Step, ...]:
        """The steps after the first (warmup); the first alone when it is the only one."""
        return self.steps[1:] or self.steps[:1]

    def median(self, value) -> float | None:
        values = [v for v in map(value, self.timed) if v is not None]
        return statistics.median(values) if values else None

    @property
    def data_share(self) -> float | None:
        """The part of the (timed) steps' wall time spent waiting for the DataLoader."""
        total = sum(s.seconds for s in self.timed)
        return sum(s.data_seconds for s in self.timed) / total if total > 0 else None

    def summary(self) -> str:
        """One line: the verdict and how the run ended."""
        return f"smoke run {'passed' if self.ok else 'FAILED'}: {self.outcome_text()}"

    def outcome_text(self) -> str:
        done = len(self.steps)
        failure = self.failure
        if self.outcome == COMPLETED:
            text = f"{done} of {self.steps_asked} steps ran"
        elif self.outcome == FINISHED:
            text = f"the script ended after {done} of {self.steps_asked} steps"
        elif self.outcome == NO_STEP:
            text = "the script ended without an optimizer step"
        elif self.outcome == TIMEOUT:
            text = f"stopped by the timeout after {done} of {self.steps_asked} steps"
        elif self.outcome == NO_TORCH:
            return f"torch is not installed in {self.python}; install it with: {INSTALL_HINT}"
        elif self.outcome == OUT_OF_MEMORY:
            text = f"out of memory after {_steps(done)}"
        elif self.outcome == ERROR and failure is not None:
            text = f"{failure.summary or failure.type} after {_steps(done)}"
        else:
            text = failure.message if failure else self.outcome
        if done and not all(step.finite for step in self.steps):
            text += ", with a loss or gradient that is not finite"
        return text

    def to_dict(self) -> dict:
        data = asdict(self)
        data["summary"] = self.summary()
        for step, record in zip(self.steps, data["steps"], strict=True):
            record["compute_seconds"] = step.compute_seconds
            record["samples_per_second"] = step.samples_per_second
        data["median_step_seconds"] = self.median(lambda s: s.seconds)
        data["median_samples_per_second"] = self.median(lambda s: s.samples_per_second)
        data["data_share"] = self.data_share
        return data


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"
