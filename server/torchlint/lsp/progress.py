"""Work-done progress for the long commands (GPU check, smoke run, workspace scan), cancellable
from the client's progress notification."""

from __future__ import annotations

import threading
import uuid

from lsprotocol import types as lsp

from .session import Session


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
