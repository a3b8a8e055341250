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

import asyncio
import threading
from dataclasses import fields
from typing import Any

from lsprotocol import types as lsp

from ..gpu_check import CheckOptions, markdown, run, summary
from .progress import begin_progress, client_token
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
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    token = await begin_progress(ls, cancel, client_token(argument), TITLE)

    def progress(percent: int, message: str) -> None:
        if token is not None:
            report = lsp.WorkDoneProgressReport(message=message, percentage=percent)
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, report)

    report: dict | None = None
    running = loop.run_in_executor(None, run, options, progress, cancel)
    ls.gpu_checks[cancel] = running
    try:
        report = await running
        return {"report": report, "markdown": markdown(report), "summary": summary(report)}
    except asyncio.CancelledError:  # the client cancelled the request
        cancel.set()
        raise
    finally:
        del ls.gpu_checks[cancel]
        if token is not None:
            verdict = "passed" if report and report.get("ok") else "did not pass"
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=f"GPU check {verdict}"))


async def stop_running_checks(ls: Session, *_: object) -> None:
    """On ``shutdown``: stop the checks still running and let their requests answer first."""
    for cancel in ls.gpu_checks:
        cancel.set()
    if ls.gpu_checks:
        await asyncio.wait(list(ls.gpu_checks.values()), timeout=5)
        await asyncio.sleep(0.05)  # the commands' coroutines finish and answer their requests
