"""``torchlint.smokeRun``: the smoke run from the editor, and the code lens that offers it.

The argument is an object with ``uri`` (the script, as saved on disk) and any of ``python``
(the interpreter with torch; default: the server's), ``steps``, ``timeout``, ``args`` (the
script's arguments), ``cwd`` (default: the script's folder) and ``workDoneToken``. The result is
``{"report": ..., "markdown": ...}``: the report as JSON and as the Markdown the editor shows.
Progress and cancellation work as for ``torchlint.gpuCheck`` (:func:`.progress.run_in_background`).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from ..smoke import SmokeOptions, SmokeReport, markdown, run
from .progress import run_in_background

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

    def ending(report: SmokeReport | None) -> str:
        return report.summary() if report is not None else "smoke run did not finish"

    report = await run_in_background(ls, argument, TITLE, lambda on_progress, cancel: run(options, on_progress, cancel), ending)
    return {"report": report.to_dict(), "markdown": markdown(report)}


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
