"""``workspace/diagnostic``: every Python file of the workspace folders (open ones as edited),
for the ``diagnosticsScope`` "workspace" (the default, "openFiles", announces no workspace
diagnostics and the client pulls per open document).

Files unchanged since the client's result id are "unchanged" reports found without reading
them; the others are analysed with ``$/progress`` ("file N of M"), which the user can cancel.

A closed notebook (``.ipynb``) is analysed as the CLI does, its code cells as one module; its
findings go to the notebook file, at their line and column in their cell, each message starting
with the cell's number (``cell 2: ...``), since a closed notebook has no cell documents. An open
notebook's findings are its cells' (pulled per cell): its file gets an empty report.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from ..files import SourceFile, UnreadableFile, discover
from ..model import Finding
from ..notebook import Notebook, NotebookError
from .analysis import AnalysisFailed, result_id, run
from .diagnostics import by_document
from .progress import begin_progress
from .session import Session
from .sources import Cell, Source

TITLE = "torchlint: checking the workspace"
Report = lsp.WorkspaceFullDocumentDiagnosticReport | lsp.WorkspaceUnchangedDocumentDiagnosticReport


@dataclass(frozen=True)
class _File:
    """A file whose client's result id no longer holds: analysed for a full report."""

    uri: str
    path: Path
    report_id: str
    source: Source | None  # open in the editor: its text as edited


async def workspace_report(server: Session, params: lsp.WorkspaceDiagnosticParams) -> lsp.WorkspaceDiagnosticReport:
    await server.ready.wait()
    previous = {entry.uri: entry.value for entry in params.previous_result_ids}
    open_files = {source.path: source for source in server.documents.sources() if source.path}
    loop = asyncio.get_running_loop()
    unchanged, changed = await loop.run_in_executor(server.executor, _survey, server, open_files, previous)
    if not changed:
        return lsp.WorkspaceDiagnosticReport(items=unchanged)
    cancel = threading.Event()
    token = await begin_progress(server, cancel, params.work_done_token, TITLE)

    def progress(done: int) -> None:
        if token is not None:
            report = lsp.WorkDoneProgressReport(message=f"{done} of {len(changed)} files", percentage=100 * done // len(changed))
            loop.call_soon_threadsafe(server.work_done_progress.report, token, report)

    try:
        full = await loop.run_in_executor(server.executor, _analyse, server, changed, progress, cancel)
    finally:
        if token is not None:
            server.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=f"{len(changed)} files checked"))
    return lsp.WorkspaceDiagnosticReport(items=[*unchanged, *full])


def _survey(server: Session, open_files: dict[str, Source], previous: dict[str, str]) -> tuple[list[Report], list[_File]]:
    """The files whose result id still holds (as "unchanged" reports) and the others."""
    settings, generation = server.settings, server.settings.generation
    unchanged: list[Report] = []
    changed: list[_File] = []
    seen: set[Path] = set()
    for root in list(settings.folders.values()):
        for path in discover(root, settings.directory_config):
            if path in seen:
                continue
            seen.add(path)
            source = open_files.get(str(path))
            if source is None:
                uri = from_fs_path(str(path)) or path.as_uri()
                identity = _file_identity(path)
                if identity is None:
                    continue  # gone since it was listed
                report_id = f"{generation}-{identity}"
            else:
                uri, report_id = source.key, result_id(generation, source.text)
            if previous.get(uri) == report_id:
                version = source.version if source else None
                unchanged.append(lsp.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=report_id, version=version))
            else:
                changed.append(_File(uri, path, report_id, source))
    return unchanged, changed


def _analyse(server: Session, files: list[_File], progress: Callable[[int], None], cancel: threading.Event) -> list[Report]:
    """Full reports of ``files``, up to the file where the user cancelled the scan."""
    reports: list[Report] = []
    for done, file in enumerate(files):
        if cancel.is_set():
            break
        progress(done)
        if file.source is not None and file.source.notebook:
            reports.append(lsp.WorkspaceFullDocumentDiagnosticReport(file.uri, [], None, result_id=file.report_id))
            continue
        try:
            source, notebook = (file.source, None) if file.source else _closed(file)
        except (UnreadableFile, NotebookError) as error:
            server.log(f"{file.path}: {error}" if isinstance(error, NotebookError) else str(error), lsp.MessageType.Warning)
            continue
        if not source.cells:  # a notebook with no Python code cells
            findings: tuple[Finding, ...] = ()
        else:
            try:
                findings = run(source, server.settings.effective(source.path).config, server.log_failure)
            except AnalysisFailed as failure:
                server.log_failure(failure)
                continue
        items = by_document(source, findings, server.client).get(file.uri, [])
        if notebook is not None:
            for item, finding in zip(items, findings, strict=True):
                item.message = f"cell {notebook.cell_at(finding.range.start.line).number}: {item.message}"
        version = file.source.version if file.source else None
        report = lsp.WorkspaceFullDocumentDiagnosticReport(file.uri, items, version, result_id=file.report_id)
        reports.append(report)
    return reports


def _closed(file: _File) -> tuple[Source, Notebook | None]:
    """A file that is not open, as the engine reads it; a notebook's cells all stand for its file."""
    text = SourceFile.read(file.path).text
    if file.path.suffix != ".ipynb":
        return Source.document(file.uri, str(file.path), None, text), None
    notebook = Notebook.parse(text)
    cells = tuple(Cell(file.uri, None, cell.text, cell.start, cell.masked, cell.magics) for cell in notebook.cells)
    return Source(file.uri, str(file.path), None, notebook.module, cells, notebook=True), notebook


def _file_identity(path: Path) -> str | None:
    """Changes when the file does, without reading it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return f"{stat.st_mtime_ns}-{stat.st_size}"
