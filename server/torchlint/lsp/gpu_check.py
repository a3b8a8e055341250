"""``torchlint.gpuCheck``: the GPU check run from the editor, with progress and cancellation.

The argument is an object with any of ``python``, ``device``, ``dtype``, ``steps`` and
``timeout``; the result is the report of :func:`torchlint.gpu_check.run`. The step runs in the
interpreter named by ``python`` (the user's, which has torch), not in the server's own.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from dataclasses import fields
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from ..gpu_check import CheckOptions, run

if TYPE_CHECKING:
    from .server import TorchlintServer

GPU_CHECK = "torchlint.gpuCheck"
TITLE = "torchlint: GPU check"


def options_from(argument: object) -> CheckOptions:
    """The check's options from the command's argument; unknown keys and bad values are ignored."""
    if not isinstance(argument, dict):
        return CheckOptions()
    defaults = CheckOptions()
    chosen = {}
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


async def gpu_check(ls: TorchlintServer, *arguments: object) -> dict:
    options = options_from(arguments[0] if arguments else None)
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    token = await _begin_progress(ls, cancel) if ls.client.work_done_progress else None

    def progress(percent: int, message: str) -> None:
        if token is not None:
            report = lsp.WorkDoneProgressReport(message=message, percentage=percent)
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, report)

    report: dict | None = None
    try:
        report = await loop.run_in_executor(None, run, options, progress, cancel)
        return report
    except asyncio.CancelledError:  # the client cancelled the request
        cancel.set()
        raise
    finally:
        if token is not None:
            verdict = "passed" if report and report.get("ok") else "did not pass"
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=f"GPU check {verdict}"))


async def _begin_progress(ls: TorchlintServer, cancel: threading.Event) -> str:
    token = f"torchlint-gpu-check-{uuid.uuid4()}"
    await ls.work_done_progress.create_async(token)
    # The client's cancel button cancels this future.
    ls.work_done_progress.tokens[token].add_done_callback(lambda _: cancel.set())
    ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(title=TITLE, cancellable=True, percentage=0))
    return token
