"""Hover: on a finding's range, the documentation of its rule (why, example, use instead)."""

from __future__ import annotations

from lsprotocol import types as lsp

from ..registry import all_rules
from .analysis import AnalysisFailed
from .session import Session

SEPARATOR = "\n\n---\n\n"


async def hover(server: Session, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    source = server.documents.source(uri)
    if source is None:
        return None
    position = source.from_client(uri, params.position, server.client.encoding)
    if position is None:
        return None
    try:
        analysis = await server.analyses.get(source)
    except AnalysisFailed as failure:
        server.log_failure(failure)
        return None
    hits = [f for f in analysis.findings if f.range.start <= position <= f.range.end]
    if not hits:
        return None
    rules = all_rules()
    codes = dict.fromkeys(finding.code for finding in hits)
    text = SEPARATOR.join(rules[code].documentation() for code in codes if code in rules)
    kind = lsp.MarkupKind.Markdown if server.client.markdown_hover else lsp.MarkupKind.PlainText
    _, rng = source.to_client(hits[0].range, server.client.encoding)
    return lsp.Hover(lsp.MarkupContent(kind, text), range=rng)
