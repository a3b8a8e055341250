"""Findings as LSP diagnostics: pushed (debounced, never for a superseded version) and pulled per
document with result ids (the workspace's files: :mod:`.workspace_diagnostics`)."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from ..model import Finding, Severity
from ..registry import all_rules
from ..rule import DOCS_URL
from .analysis import Analysis, AnalysisFailed
from .capabilities import ClientFeatures
from .session import Session
from .sources import Source

SOURCE = "torchlint"
SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}
#: Rules that report an API its library deprecated or replaced: shown struck through.


def diagnostic(finding: Finding, rng: lsp.Range, client: ClientFeatures) -> lsp.Diagnostic:
    rule = all_rules().get(finding.code)
    tags = [lsp.DiagnosticTag.Deprecated] if rule is not None and rule.deprecated else []
    return lsp.Diagnostic(
        range=rng,
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.code,
        code_description=lsp.CodeDescription(href=DOCS_URL.format(code=finding.code)),
        source=SOURCE,
        tags=[tag for tag in tags if tag in client.diagnostic_tags] or None,
    )


def by_document(
    source: Source, findings: tuple[Finding, ...], client: ClientFeatures
) -> dict[str, list[lsp.Diagnostic]]:
    """The diagnostics of every document (every cell) of ``source``, empty lists included."""
    result: dict[str, list[lsp.Diagnostic]] = {cell.uri: [] for cell in source.cells}
    for finding in findings:
        uri, rng = source.to_client(finding.range, client.encoding)
        result[uri].append(diagnostic(finding, rng, client))
    return result


class Publisher:
    """Pushes diagnostics: debounced per source, dropped when the source changed meanwhile."""

    def __init__(self, server: Session) -> None:
        self.server = server
        self._pending: dict[str, asyncio.Task] = {}
        self._published: dict[str, set[str]] = {}

    def schedule(self, key: str, delay: float) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        task = asyncio.ensure_future(self._run(key, delay))
        self._pending[key] = task
        task.add_done_callback(lambda done: self._pending.pop(key, None) if self._pending.get(key) is done else None)

    async def _run(self, key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.server.ready.wait()
        source = self.server.documents.source(key)
        if source is None:
            return
        analysis = await self.server.analyses.get_or_log(source)
        if analysis is None:
            return
        await asyncio.sleep(analysis.hold())
        if self.server.documents.source(key) != source:
            return  # superseded: a newer version is on its way
        self.publish(key, analysis)

    def publish(self, key: str, analysis: Analysis) -> None:
        client = self.server.client
        documents = by_document(analysis.source, analysis.findings, client)
        for uri in self._published.get(key, set()) - documents.keys():
            self._send(uri, [], None)
        versions = {cell.uri: cell.version for cell in analysis.source.cells}
        for uri, items in documents.items():
            self._send(uri, items, versions[uri] if client.diagnostic_version else None)
        self._published[key] = set(documents)

    def clear(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        for uri in self._published.pop(key, set()):
            self._send(uri, [], None)

    def _send(self, uri: str, items: list[lsp.Diagnostic], version: int | None) -> None:
        self.server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, items, version))


async def document_report(
    server: Session, params: lsp.DocumentDiagnosticParams
) -> lsp.DocumentDiagnosticReport:
    """``textDocument/diagnostic``: a full report, or "unchanged" when the result id still holds."""
    uri = params.text_document.uri
    source = server.documents.source(uri)
    if source is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    await server.ready.wait()
    try:
        analysis = await server.analyses.get(source)
        while (hold := analysis.hold()) > 0:  # a syntax error just appeared: it may go with the next key
            await asyncio.sleep(hold)
            source = server.documents.source(uri) or source
            analysis = await server.analyses.get(source)
    except AnalysisFailed as failure:
        server.log_failure(failure)
        if params.previous_result_id:  # keep showing what was there
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=params.previous_result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = analysis.result_id
    if params.previous_result_id == result_id:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    items = by_document(source, analysis.findings, server.client).get(uri, [])
    return lsp.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

