"""The GPU check's report as text (the terminal), as Markdown (the editor's preview) and as one line.

:func:`_layout` reads the report once into sections of ``(label, value)`` rows and a table of
steps; :func:`text` and :func:`markdown` write the same layout, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

LABEL_WIDTH = 11
STEP_HEADER = ("step", "loss", "learning rate", "time", "result")
NO_DEVICE = "No CUDA device is visible to torch."
NO_CHECKS = "No environment checks ran."


@dataclass(frozen=True)
class _Section:
    title: str
    header: tuple[str, str]
    rows: list[tuple[str, str]]
    #: Shown in Markdown when there are no rows (the terminal shows nothing).
    empty: str = ""


@dataclass(frozen=True)
class _Layout:
    title: str
    sections: list[_Section]
    notes: list[str]
    figures: list[tuple[str, str]]
    steps: list[tuple[str, ...]] = field(default_factory=list)
    log: str = ""


def summary(report: dict) -> str:
    """One line: the verdict, device, dtype, steps that passed and the step time."""
    if not _ran(report):
        return f"GPU check failed: {report.get('error', 'unknown error')}"
    training = report["training"]
    passed = sum(step["passed"] for step in training["steps"])
    return (
        f"{_verdict(report)} on {report['device']} with {report['dtype']}: "
        f"{passed}/{len(training['steps'])} steps, {training['step_time_ms']:.1f} ms per step"
    )


def text(report: dict) -> str:
    if not _ran(report):
        return f"GPU check FAILED: {report.get('error', 'unknown error')}"
    layout = _layout(report)
    rows = [row for section in layout.sections for row in section.rows] + [("note", note) for note in layout.notes]
    lines = [layout.title, "", *map(_text_row, rows), "", *map(_text_row, layout.figures)]
    lines += [f"  step {step}: loss {loss}  lr {lr}  {time}  {result}" for step, loss, lr, time, result in layout.steps]
    return "\n".join(lines)


def markdown(report: dict) -> str:
    layout = _layout(report)
    lines = [f"# {layout.title}"]
    if not _ran(report):
        lines += ["", _escape_text(report.get("error", "unknown error"))]
    for section in layout.sections:
        lines += ["", f"## {section.title}", ""]
        lines += _table(section.header, section.rows) if section.rows else [section.empty]
    if layout.notes:
        lines += ["", "## Notes", "", *(f"- {_escape_text(note)}" for note in layout.notes)]
    if layout.steps:
        lines += ["", "## Training steps", "", *_table(STEP_HEADER, layout.steps)]
        lines += ["", " · ".join(f"{label} {value}" for label, value in layout.figures)]
    if layout.log:
        lines += ["", "## Log", "", "```", layout.log, "```"]
    return "\n".join(lines) + "\n"


def _ran(report: dict) -> bool:
    """Whether the step ran (else the report is the error and where it happened)."""
    return "training" in report and "environment" in report


def _layout(report: dict) -> _Layout:
    if not _ran(report):
        where = [
            ("interpreter", report.get("python_executable", "unknown")),
            ("device", report.get("device", "auto")),
            ("dtype", report.get("dtype", "auto")),
        ]
        ran_in = _Section("Where it ran", ("setting", "value"), where)
        return _Layout("GPU check failed", [ran_in], [], [], log=report.get("log", ""))
    env, training = report["environment"], report["training"]
    versions = [
        ("python", f"{env['python']} ({report['python_executable']})"),
        ("torch", env["torch"]),
        ("CUDA", env["cuda_runtime"] or "not available"),
        ("cuDNN", str(env["cudnn"] or "not available")),
        ("driver", env["nvidia_driver"] or "n/a"),
        ("accelerate", env.get("accelerate") or "not installed"),
    ]
    figures = [("step time", f"{training['step_time_ms']} ms (median)")]
    if training["peak_memory_mib"] is not None:
        figures.append(("peak memory", f"{training['peak_memory_mib']} MiB"))
    figures.append(("loss finite", "yes" if training["loss_finite"] else "NO"))
    return _Layout(
        f"{_verdict(report)} on {report['device']} with {report['dtype']}",
        [
            _Section("Versions", ("component", "version"), versions),
            _Section("Devices", ("device", "model and support"), [_device(d) for d in report["devices"]], NO_DEVICE),
            _Section("Checks", ("check", "result"), _checks(report.get("checks"), env["cuda_runtime"]), NO_CHECKS),
        ],
        list(report.get("notes", [])),
        figures,
        [_step(step) for step in training["steps"]],
    )


def _verdict(report: dict) -> str:
    return f"GPU check {'passed' if report['ok'] else 'FAILED'}"


def _device(device: dict) -> tuple[str, str]:
    support = ", ".join(kind for kind in ("bf16", "fp16", "tf32") if device[kind]) or "none"
    detail = f"{device['name']} (capability {device['capability']}, {device['memory_gib']} GiB; {support})"
    return f"cuda:{device['index']}", detail


def _step(step: dict) -> tuple[str, ...]:
    verdict = "pass" if step["passed"] else "FAIL"
    return str(step["step"]), f"{step['loss']:.4f}", f"{step['lr']:.2e}", f"{step['seconds'] * 1000:.1f} ms", verdict


def _checks(checks: dict | None, torch_cuda: str | None) -> list[tuple[str, str]]:
    """The environment checks' figures (their problems are among the notes)."""
    if not checks:
        return []
    rows = [(f"cuda:{d['index']} free", f"{d['free_gib']} of {d['total_gib']} GiB") for d in checks["memory"]]
    if checks["driver_cuda"]:
        rows.append(("driver CUDA", f"{checks['driver_cuda']} (torch built for {torch_cuda or 'no CUDA'})"))
    for run in checks["matmul"]:
        peak = f" ({run['share']:.0%} of the {run['peak_tflops']:g} peak)" if run["peak_tflops"] else ""
        rows.append(("matmul", f"{run['dtype']} {run['size']}x{run['size']}: {run['tflops']:g} TFLOP/s{peak}"))
    copy = checks["host_to_device"]
    if copy:
        rows.append(("to device", f"pinned {copy['pinned_gbps']:g} GB/s, pageable {copy['pageable_gbps']:g} GB/s"))
    compiled = checks["compile"]
    verdict = "ok" if compiled["ok"] else f"FAILED: {compiled['error']}"
    rows.append(("compile", f"{verdict} ({compiled['backend']}, {compiled['seconds']:g} s)"))
    reduce = checks["all_reduce"]
    if reduce:
        rows.append(("all-reduce", f"{reduce['devices']} GPUs, {reduce['mib']} MiB: {reduce['gbps']:g} GB/s"))
    return rows


def _text_row(row: tuple[str, str]) -> str:
    label, value = row
    return f"{label:<{LABEL_WIDTH}} {value}"


def _escape_text(value: str) -> str:
    """Text that Markdown shows as written (an error message may hold ``*``, ``_`` or ``<``)."""
    return "".join(f"\\{char}" if char in "\\`*_[]<>#|" else char for char in value)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """A Markdown table padded to its columns, so it reads as well in the source as in the preview."""
    cells = [header, *rows]
    cells = [tuple(_escape_text(cell) for cell in row) for row in cells]
    widths = [max(3, *(len(row[column]) for row in cells)) for column in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    return [line(cells[0]), line(tuple("-" * width for width in widths)), *map(line, cells[1:])]
