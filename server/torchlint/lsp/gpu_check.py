"""``torchlint.gpuCheck``: the GPU check run from the editor, with progress and cancellation.

The argument is an object with any of ``python``, ``device``, ``dtype``, ``steps`` and
``timeout``; the result is ``{"report": ..., "markdown": ..., "summary": ...}``: the report of
:func:`torchlint.gpu_check.run`, the Markdown the editor shows and its one-line summary (the
server renders them, so every client shows the same). The step runs in the interpreter named by
``python`` (the user's, which has torch), not in the server's own.

Progress goes to the argument's ``workDoneToken`` when the client made one (a command handler
sees its arguments, not the request's own token), else to a token the server creates.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..gpu_check import CheckOptions, markdown, run, summary
from .progress import run_in_background
from .session import Session

GPU_CHECK = "torchlint.gpuCheck"
TITLE = "torchlint: GPU check"


def options_from(argument: object) -> CheckOptions:
    """The check's options from the command's argument; unknown keys and bad values are ignored."""
    if not isinstance(argument, dict):
        return CheckOptions()
    defaults = CheckOptions()
    chosen: dict[str, Any] = {}
    for option in fields(CheckOptions):
        value = argument.get(option.name)
        default = getattr(defaults, option.name)
        if value is None:
            continue
        if isinstance(default, str) and isinstance(value, str) and value:
            chosen[option.name] = value
        elif isinstance(default, (int, float)) and isinstance(value, (int, float)) and value > 0:
            chosen[option.name] = type(default)(value)
    return CheckOptions(**chosen)


async def gpu_check(ls: Session, *arguments: object) -> dict:
    argument = arguments[0] if arguments else None
    options = options_from(argument)

    def ending(report: dict | None) -> str:
        return f"GPU check {'passed' if report and report.get('ok') else 'did not pass'}"

    report = await run_in_background(ls, argument, TITLE, lambda on_progress, cancel: run(options, on_progress, cancel), ending)
    return {"report": report, "markdown": markdown(report), "summary": summary(report)}

