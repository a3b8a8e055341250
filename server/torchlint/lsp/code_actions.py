"""Code actions: each finding's quick fix, its rule's code action, "Fix all CODE in this file"
(when the code has two fixable findings or more), "Disable for this line", and
``source.fixAll.torchlint`` (every safe fix of the file in one edit).

A fix that may change behaviour says so: its title ends in "(unsafe)", as does the title of a
"Fix all CODE" that applies one. When only unsafe fixes are left, fix-all is offered disabled,
its reason saying how many and how to apply them: one by one, or with the CLI on that file.

The edit of an action is computed when the client resolves it (the fixer and libcst are
imported then), or at once for clients that cannot resolve edits. Edits are minimal text
edits per document or notebook cell, never a whole-document replacement.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from ..analysis.parsing import parse
from ..engine import SYNTAX_ERROR
from ..model import Finding, Range
from ..suppression import directive_for
from .analysis import Analysis, AnalysisFailed
from .diagnostics import diagnostic
from .positions import lines_with_breaks
from .session import Session
from .sources import Source

QUICK_FIX = lsp.CodeActionKind.QuickFix.value
FIX_ALL = f"{lsp.CodeActionKind.SourceFixAll.value}.torchlint"
KINDS = [QUICK_FIX, FIX_ALL]
FIX_ALL_TITLE = "torchlint: Fix all safe fixes"
UNSAFE = " (unsafe)"


async def code_actions(server: Session, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    uri = params.text_document.uri
    source = server.documents.source(uri)
    if source is None:
        return None
    analysis = await server.analyses.get_or_log(source)
    if analysis is None:
        return None
    encoding = server.client.encoding
    start = source.from_client(uri, params.range.start, encoding)
    end = source.from_client(uri, params.range.end, encoding)
    actions: list[lsp.CodeAction] = []
    if start is not None and end is not None and _wanted(QUICK_FIX, params.context.only):
        codes: set[str] = set()  # one "Fix all CODE" per code, however many of its findings are in range
        for finding in analysis.findings:
            if finding.range.start <= end and start <= finding.range.end and _in_document(source, finding, uri):
                actions += _finding_actions(server, analysis, uri, finding, fix_code=finding.code not in codes)
                codes.add(finding.code)
    if _wanted(FIX_ALL, params.context.only):
        actions += _fix_all(server, analysis, uri, explicit=params.context.only is not None)
    if not server.client.resolve_code_action_edit:
        actions = [await resolve(server, action) for action in actions]
    return actions


async def resolve(server: Session, action: lsp.CodeAction) -> lsp.CodeAction:
    """Fill in the action's edit, unless its document changed since it was offered."""
    data = action.data if isinstance(action.data, dict) else {}
    source = server.documents.source(data.get("uri", ""))
    if source is None or source.version != data.get("version"):
        return action
    analysis = await server.analyses.get_or_log(source)
    if analysis is None:
        return action
    finding = _find(analysis, data.get("finding"))
    if data.get("kind") not in ("fixAll", "fixCode") and finding is None:
        return action
    config = server.settings.effective(source.path).config
    loop = asyncio.get_running_loop()
    try:
        new_text = await loop.run_in_executor(server.executor, _new_text, data, source, finding, config)
    except Exception as error:  # noqa: BLE001 - a failing fix must not take the server down
        rule = finding.code if finding is not None else None
        server.log_failure(AnalysisFailed(source.name, error, task=f"{action.title!r} on", rule=rule))
        return action
    action.edit = workspace_edit(source, new_text, server)
    return action


def workspace_edit(source: Source, new_text: str, server: Session) -> lsp.WorkspaceEdit | None:
    parts = source.edits(new_text, server.client.encoding)
    if not parts:
        return None
    if server.client.document_changes:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(lsp.OptionalVersionedTextDocumentIdentifier(cell.uri, cell.version), edits)
                for cell, edits in parts
            ]
        )
    return lsp.WorkspaceEdit(changes={cell.uri: edits for cell, edits in parts})


def _finding_actions(server: Session, analysis: Analysis, uri: str, finding: Finding, fix_code: bool) -> list[lsp.CodeAction]:
    source = analysis.source
    _, rng = source.to_client(finding.range, server.client.encoding)
    diagnostics = [diagnostic(finding, rng, server.client)]
    prefix = f"torchlint ({finding.code}): "
    actions = []
    if finding.fix:
        actions.append(
            lsp.CodeAction(
                prefix + finding.fix.title + ("" if finding.fix.safe else UNSAFE),
                kind=QUICK_FIX,
                diagnostics=diagnostics,
                is_preferred=finding.fix.safe or None,
                data=_data(uri, source, "fix", finding),
            )
        )
    for index, action in enumerate(finding.actions):
        actions.append(
            lsp.CodeAction(
                prefix + action.title,
                kind=QUICK_FIX,
                diagnostics=diagnostics,
                data=_data(uri, source, "action", finding, index),
            )
        )
    fixes = [f.fix for f in analysis.findings if f.code == finding.code and f.fix]
    if fix_code and len(fixes) >= 2:
        unsafe = UNSAFE if any(not fix.safe for fix in fixes) else ""
        actions.append(
            lsp.CodeAction(
                f"torchlint: Fix all {finding.code} in this file{unsafe}",
                kind=QUICK_FIX,
                diagnostics=diagnostics,
                data={**_data(uri, source, "fixCode"), "code": finding.code},
            )
        )
    if finding.code != SYNTAX_ERROR:
        actions.append(
            lsp.CodeAction(
                prefix + "Disable for this line",
                kind=QUICK_FIX,
                diagnostics=diagnostics,
                data=_data(uri, source, "disable", finding),
            )
        )
    return actions


def _fix_all(server: Session, analysis: Analysis, uri: str, explicit: bool) -> list[lsp.CodeAction]:
    """``source.fixAll.torchlint``; when only unsafe fixes are left and the client asked for this
    kind (``only``: LSP shows disabled actions only then), disabled, its reason saying why."""
    fixes = [f.fix for f in analysis.findings if f.fix]
    data = _data(uri, analysis.source, "fixAll")
    if any(fix.safe for fix in fixes):
        return [lsp.CodeAction(FIX_ALL_TITLE, kind=FIX_ALL, data=data)]
    if not (fixes and explicit and server.client.code_action_disabled):
        return []
    reason = lsp.CodeActionDisabled(unsafe_fixes_left(len(fixes), _command_path(server, analysis.source)))
    return [lsp.CodeAction(FIX_ALL_TITLE, kind=FIX_ALL, disabled=reason, data=data)]


def unsafe_fixes_left(count: int, path: str | None) -> str:
    """How many unsafe fixes are left and how to apply them: from their quick fixes, or with the
    CLI on ``path`` (none for a document that is not a file)."""
    fixes = "fix is" if count == 1 else "fixes are"
    one_by_one = f"No safe fixes: {count} unsafe {fixes} left. Apply each from its quick fix (marked (unsafe))"
    if path is None:
        return f"{one_by_one}."
    return f"{one_by_one}, or run `torchlint check --fix --unsafe-fixes {shlex.quote(path)}`."


def _command_path(server: Session, source: Source) -> str | None:
    """The source's file as a command run in its workspace folder names it (absolute outside one)."""
    if source.path is None:
        return None
    root = server.settings.folders.get(server.settings.folder_of(source.path) or "")
    return str(Path(source.path).relative_to(root)) if root else source.path


def _new_text(data: dict, source: Source, finding: Finding | None, config) -> str:
    """The source's text after the action (runs in a worker thread)."""
    from ..fixing import fixer

    kind = data["kind"]
    if kind == "fixAll":
        return fixer.fix_all(source.text, source.name, config).source
    if kind == "fixCode":  # the user chose this code's fixes, unsafe ones included (the title says so)
        only = config.override(select=[data["code"]], source="fix all of one code")
        return fixer.fix_all(source.text, source.name, only, unsafe=True).source
    assert finding is not None
    if kind == "fix":
        return fixer.fix_one(source.text, finding)
    if kind == "action":
        return fixer.run_action(source.text, finding, finding.actions[data["index"]])
    return disable(source.text, finding)


def disable(text: str, finding: Finding) -> str:
    """``text`` with a ``# torchlint: disable=CODE`` comment on the finding's line.

    The first line of the finding gets it, or its last when a comment there would break the
    code (after a backslash continuation).
    """
    for number in dict.fromkeys((finding.range.start.line, finding.range.end.line)):
        lines = lines_with_breaks(text)
        if number > len(lines):
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        lines[number - 1] = directive_for(body, finding.code) + line[len(body) :]
        changed = "".join(lines)
        if not isinstance(parse(changed), SyntaxError):
            return changed
    return text


def _wanted(kind: str, only: Sequence | None) -> bool:
    """Whether ``kind`` is one of the kinds asked for, or below one of them."""
    if only is None:
        return True
    asked = [getattr(wanted, "value", wanted) for wanted in only]
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in asked)


def _in_document(source: Source, finding: Finding, uri: str) -> bool:
    return source.cell_at(finding.range.start.line - 1).uri == uri


def _data(uri: str, source: Source, kind: str, finding: Finding | None = None, index: int = 0) -> dict:
    data: dict[str, Any] = {"uri": uri, "version": source.version, "kind": kind, "index": index}
    if finding is not None:
        r = finding.range
        data["finding"] = [finding.code, r.start.line, r.start.column, r.end.line, r.end.column]
    return data


def _find(analysis: Analysis, key: list | None) -> Finding | None:
    if not key:
        return None
    code, *numbers = key
    wanted = Range.of(*numbers)
    return next((f for f in analysis.findings if f.code == code and f.range == wanted), None)
