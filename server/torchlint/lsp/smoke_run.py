"""``torchlint.smokeRun``: the smoke run from the editor, and the code lens that offers it.

The argument is an object with ``uri`` (the script, as saved on disk) and any of ``python``
(the interpreter with torch; default: the server's), ``steps``, ``timeout``, ``args`` (the
script's arguments), ``cwd`` (default: the script's folder) and ``workDoneToken``. The result is
``{"report": ..., "markdown": ...}``: the report as JSON and as the Markdown the editor shows.
Progress and cancellation work as for ``torchlint.gpuCheck``, whose helpers this module shares.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from ..smoke import SmokeOptions, markdown, run
from .progress import begin_progress, client_token

if TYPE_CHECKING:
    from .session import Session

SMOKE_RUN = "torchlint.smokeRun"
TITLE = "torchlint: smoke run"
#: A script's entry point, at the top level.
ENTRY_POINT = re.compile(r"""if\s+(__name__\s*==\s*(['"])__main__\2|(['"])__main__\3\s*==\s*__name__)\s*:""")
DEFAULTS = SmokeOptions(script="")


def options_from(argument: object) -> SmokeOptions | None:
    """The run's options from the command's argument, or ``None`` without a file ``uri``."""
    if not isinstance(argument, dict) or not isinstance(argument.get("uri"), str):
        return None
    script = to_fs_path(argument["uri"])
    if not script:
        return None

    def number(key: str, default: float) -> float:
        value = argument.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        return default

    args = argument.get("args")
    python, cwd = argument.get("python"), argument.get("cwd")
    return SmokeOptions(
        script=script,
        args=tuple(a for a in args if isinstance(a, str)) if isinstance(args, list) else (),
        python=python if isinstance(python, str) and python else DEFAULTS.python,
        steps=int(number("steps", DEFAULTS.steps)),
        timeout=float(number("timeout", DEFAULTS.timeout)),
        cwd=cwd if isinstance(cwd, str) and cwd else os.path.dirname(script),
    )


async def smoke_run(ls: Session, *arguments: object) -> dict:
    argument = arguments[0] if arguments else None
    options = options_from(argument)
    if options is None:
        raise ValueError(f"{SMOKE_RUN} needs an object with the uri of a file, got {argument!r}")
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    token = await begin_progress(ls, cancel, client_token(argument), TITLE)

    def progress(percent: int, message: str) -> None:
        if token is not None:
            report = lsp.WorkDoneProgressReport(message=message, percentage=percent)
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, report)

    summary = "smoke run did not finish"
    running = loop.run_in_executor(None, run, options, progress, cancel)
    ls.gpu_checks[cancel] = running  # shutdown stops it as it stops a GPU check
    try:
        report = await running
        summary = report.summary()
        return {"report": report.to_dict(), "markdown": markdown(report)}
    except asyncio.CancelledError:  # the client cancelled the request
        cancel.set()
        raise
    finally:
        del ls.gpu_checks[cancel]
        if token is not None:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=summary))


def code_lenses(ls: Session, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    """"Smoke-run (5 steps)" above each top-level ``if __name__ == "__main__":`` of a saved script."""
    uri = params.text_document.uri
    source = ls.documents.source(uri)
    if source is None or source.notebook or not source.path:
        return []
    command = lsp.Command(f"Smoke-run ({DEFAULTS.steps} steps)", SMOKE_RUN, arguments=[{"uri": uri}])
    return [
        lsp.CodeLens(lsp.Range(lsp.Position(number, 0), lsp.Position(number, match.end())), command)
        for number, line in enumerate(source.cells[0].lines)
        if (match := ENTRY_POINT.match(line))
    ]
