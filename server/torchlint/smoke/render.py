"""The smoke report as text (the terminal) and as Markdown (the editor's preview), from one layout.

:func:`_layout` lays the report out once as blocks; a :class:`_Style` says how a link and a code
span look, and each format writes the blocks its way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .report import SmokeReport, Step, Where

NOT_KNOWN = "-"


@dataclass(frozen=True)
class _Style:
    link: Callable[[str, int], str]
    code: Callable[[str], str]
    markdown: bool


def _md_link(path: str, line: int) -> str:
    return f"[{os.path.basename(path)}:{line}]({Path(path).as_uri()}#L{line})"


def _text_link(path: str, line: int) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = path
    return f"{path if relative.startswith('..') else relative}:{line}"


TEXT = _Style(link=_text_link, code=lambda text: text, markdown=False)
MARKDOWN = _Style(link=_md_link, code=lambda text: f"`{text}`" if "`" not in text else f"`` {text} ``", markdown=True)


def text(report: SmokeReport) -> str:
    return "\n".join(_write(report, TEXT)) + "\n"


def markdown(report: SmokeReport) -> str:
    return "\n".join(_write(report, MARKDOWN)) + "\n"


# -- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class _Paragraph:
    text: str


@dataclass(frozen=True)
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _Bullets:
    items: tuple[tuple[str, tuple[str, ...]], ...]  # an item and the items under it


@dataclass(frozen=True)
class _Code:
    text: str


_Block = _Heading | _Paragraph | _Table | _Bullets | _Code


def _layout(report: SmokeReport, style: _Style) -> Iterator[_Block]:
    verdict = "passed" if report.ok else "FAILED"
    yield _Heading(f"torchlint smoke run: {verdict}", level=1)
    yield _Paragraph(" · ".join([style.code(os.path.basename(report.script)), report.outcome_text(), *_figures(report)]))
    failure = report.failure
    if failure is not None:
        yield _Heading("Error")
        line = style.code(failure.summary or f"{failure.type}: {failure.message}")
        yield _Paragraph(line + (f" at {_where(failure.where, style)}" if failure.where else ""))
        if failure.total_mib is not None:
            yield _Paragraph(
                f"peak allocated {failure.allocated_mib} MiB, reserved {failure.reserved_mib} MiB of {failure.total_mib} MiB"
                f"; batch size {failure.batch_size if failure.batch_size is not None else 'not seen'}"
            )
    if report.where is not None:
        yield _Paragraph(f"The script was at {_where(report.where, style)} when it was stopped.")
    if report.steps:
        yield _Heading("Steps")
        yield _Table(
            ("step", "time", "data wait", "compute", "loss", "grad norm", "autocast", "scaler", "memory", "samples/s"),
            tuple(_row(step) for step in report.steps),
        )
    if report.ties:
        yield _Heading("Linked to rules")
        yield _Bullets(tuple(
            (f"{', '.join(tie.codes)}: {tie.reason}",
             tuple(f"{style.link(report.script, link.line)} {link.code + ' ' if link.code else ''}{link.message}"
                   for link in tie.links) or ("no finding in the script",))
            for tie in report.ties
        ))
    if report.notes:
        yield _Heading("Notes")
        yield _Bullets(tuple((note, ()) for note in report.notes))
    if report.output and not report.ok:
        yield _Heading("Output (last lines)")
        yield _Code(report.output)
    env = report.environment
    if env:
        devices = ", ".join(env.get("devices") or []) or "no CUDA device"
        yield _Paragraph(f"python {env.get('python')} ({report.python}) · torch {env.get('torch')} · "
                         f"CUDA {env.get('cuda') or 'n/a'} · {devices} · {report.seconds:.1f} s in all")


def _figures(report: SmokeReport) -> list[str]:
    figures = []
    if report.steps and report.steps[-1].device:
        figures.append(report.steps[-1].device)
    median = report.median(lambda s: s.seconds)
    if median is not None:
        after = " (median, after the warmup step)" if len(report.steps) > 1 else ""
        figures.append(f"{_ms(median)} per step{after}")
    rate = report.median(lambda s: s.samples_per_second)
    if rate is not None:
        figures.append(f"{rate:,.0f} samples/s")
    if report.data_share is not None:
        figures.append(f"data wait {report.data_share:.0%}")
    return figures


def _row(step: Step) -> tuple[str, ...]:
    memory = NOT_KNOWN
    if step.allocated_mib is not None:
        memory = f"{step.allocated_mib:.0f}/{step.reserved_mib:.0f} MiB alloc/reserved"
    elif step.rss_mib is not None:
        memory = f"{step.rss_mib:.0f} MiB RSS"
    return (
        f"{step.step}{' (warmup)' if step.step == 1 else ''}",
        _ms(step.seconds),
        _ms(step.data_seconds),
        _ms(step.compute_seconds),
        NOT_KNOWN if step.loss is None else f"{step.loss:.4f}" + ("" if step.loss_finite else " NOT FINITE"),
        NOT_KNOWN if step.grad_norm is None else f"{step.grad_norm:.3g}",
        ", ".join(step.autocast) or "off",
        NOT_KNOWN if step.scaler_scale is None else f"{step.scaler_scale:g}",
        memory,
        NOT_KNOWN if step.samples_per_second is None else f"{step.samples_per_second:,.0f}",
    )


def _where(where: Where, style: _Style) -> str:
    found = style.link(where.file, where.line)
    if where.function:
        found += f" in {style.code(where.function)}"
    return found + (f": {style.code(where.code)}" if where.code else "")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -- writing ------------------------------------------------------------------------------------


def _write(report: SmokeReport, style: _Style) -> list[str]:
    lines: list[str] = []
    for block in _layout(report, style):
        if lines:
            lines.append("")
        lines += _block(block, style)
    return lines


def _block(block: _Block, style: _Style) -> list[str]:
    if isinstance(block, _Heading):
        if style.markdown:
            return [f"{'#' * block.level} {block.text}"]
        return [block.text if block.level == 1 else f"{block.text}:"]
    if isinstance(block, _Paragraph):
        return [block.text]
    if isinstance(block, _Table):
        return _table(block, style)
    if isinstance(block, _Bullets):
        return [line for item, under in block.items for line in [f"- {item}", *(f"  - {sub}" for sub in under)]]
    return ["```", block.text, "```"] if style.markdown else [f"  {line}" for line in block.text.splitlines()]


def _table(table: _Table, style: _Style) -> list[str]:
    cells = [table.header, *table.rows]
    if style.markdown:
        cells = [tuple(cell.replace("|", "\\|") for cell in row) for row in cells]
    widths = [max(3, *(len(row[column]) for row in cells)) for column in range(len(table.header))]
    if not style.markdown:
        return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    rows = [cells[0], tuple("-" * width for width in widths), *cells[1:]]
    return [f"| {' | '.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))} |" for row in rows]
