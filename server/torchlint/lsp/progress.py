"""Work-done progress for the long commands (GPU check, smoke run, workspace scan), cancellable
from the client's progress notification."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from lsprotocol import types as lsp

from .session import Session

T = TypeVar("T")
#: What a long command reports as it goes: a percentage and a message.
OnProgress = Callable[[int, str], None]


def client_token(argument: object) -> str | int | None:
    """The ``workDoneToken`` a command's argument carries (a command handler sees its arguments,
    not the request's own token)."""
    token = argument.get("workDoneToken") if isinstance(argument, dict) else None
    return token if isinstance(token, (str, int)) and not isinstance(token, bool) else None


async def begin_progress(
    ls: Session, cancel: threading.Event, token: str | int | None, title: str
) -> str | int | None:
    """Begin reporting on the client's token, or on a new one where the client accepts that."""
    if token is None:
        if not ls.client.work_done_progress:
            return None
        token = f"torchlint-progress-{uuid.uuid4()}"
        await ls.work_done_progress.create_async(token)
    ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0))
    # The client's cancel button (window/workDoneProgress/cancel) cancels this future.
    ls.work_done_progress.tokens[token].add_done_callback(lambda _: cancel.set())
    return token


async def run_in_background(
    ls: Session,
    argument: object,
    title: str,
    work: Callable[[OnProgress, threading.Event], T],
    ending: Callable[[T | None], str],
) -> T:
    """``work(on_progress, cancel)`` in a worker thread, its progress on the argument's token (or
    one the server makes), stopped by the client's cancel button, a cancelled request or shutdown
    (:attr:`Session.background_runs` holds it meanwhile); the progress ends with ``ending(result)``,
    ``ending(None)`` when it did not finish."""
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    token = await begin_progress(ls, cancel, client_token(argument), title)

    def on_progress(percent: int, message: str) -> None:
        if token is not None:
            report = lsp.WorkDoneProgressReport(message=message, percentage=percent)
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, report)

    result: T | None = None
    running = loop.run_in_executor(None, work, on_progress, cancel)
    ls.background_runs[cancel] = running
    try:
        result = await running
        return result
    except asyncio.CancelledError:  # the client cancelled the request
        cancel.set()
        raise
    finally:
        del ls.background_runs[cancel]
        if token is not None:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=ending(result)))


async def stop_background_runs(ls: Session, *_: object) -> None:
    """On ``shutdown``: stop the runs still going and let their requests answer first."""
    for cancel in ls.background_runs:
        cancel.set()
    if ls.background_runs:
        await asyncio.wait(list(ls.background_runs.values()), timeout=5)
        await asyncio.sleep(0.05)  # the commands' coroutines finish and answer their requests
