"""Hover: on a finding's range, a short entry per finding (its message, why, the fix) with a
link to the rule's full page; the Problems panel keeps the one-line message."""

from __future__ import annotations

from lsprotocol import types as lsp

from ..model import Finding
from ..registry import all_rules
from ..rule import DOCS_URL, Rule
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
    analysis = await server.analyses.get_or_log(source)
    if analysis is None:
        return None
    hits = [f for f in analysis.findings if f.range.start <= position <= f.range.end]
    if not hits:
        return None
    rules = all_rules()
    text = SEPARATOR.join(entry(finding, rules[finding.code]) for finding in hits if finding.code in rules)
    kind = lsp.MarkupKind.Markdown if server.client.markdown_hover else lsp.MarkupKind.PlainText
    _, rng = source.to_client(hits[0].range, server.client.encoding)
    return lsp.Hover(lsp.MarkupContent(kind, text), range=rng)


def entry(finding: Finding, rule: type[Rule]) -> str:
    """``**TL103** adam-not-adamw``, the message, the first paragraph of why, and what fixes it."""
    why = " ".join(rule.why.strip().split("\n\n")[0].split())
    remedies = []
    if finding.fix is not None:
        remedies.append(f"{finding.fix.title} ({finding.fix.applicability.value} fix)")
    remedies += [f"{action.title} (code action)" for action in finding.actions]
    lines = [f"**{rule.code}** {rule.name}: {finding.message}", "", why]
    if remedies:
        lines += ["", "Fix: " + "; ".join(remedies)]
    lines += ["", f"[Full rule]({DOCS_URL.format(code=rule.code)})"]
    return "\n".join(lines)
