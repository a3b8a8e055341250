"""Completion: the snippets of ``snippets/``, offered while the word typed could be a prefix.

Clients that support snippets get them with their placeholders; others get the text with
every placeholder filled by its default.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from .. import snippets
from .positions import code_points, split_lines, units
from .session import Session

#: The prefix being typed: snippet prefixes contain dashes, which editors do not count as word characters.
_TYPED = re.compile(r"[\w-]*$")
TRIGGER_CHARACTERS = ["-"]


def completions(server: Session, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    document = server.documents.open_document(params.text_document.uri)
    if document is None or server.documents.key(document.uri) is None:
        return None
    lines = split_lines(document.source)
    line = lines[params.position.line] if params.position.line < len(lines) else ""
    column = code_points(line, params.position.character, server.client.encoding)
    typed = match.group() if (match := _TYPED.search(line[:column])) else ""
    if typed and not (snippets.NAMESPACE.startswith(typed) or typed.startswith(snippets.NAMESPACE)):
        return lsp.CompletionList(is_incomplete=False, items=[])
    start = lsp.Position(params.position.line, params.position.character - units(typed, server.client.encoding))
    replace = lsp.Range(start, params.position)
    return lsp.CompletionList(is_incomplete=False, items=[_item(server, s, replace) for s in snippets.load()])


def _item(server: Session, snippet: snippets.Snippet, replace: lsp.Range) -> lsp.CompletionItem:
    expanded = snippet.expand()
    if server.client.completion_markdown:
        documentation: str | lsp.MarkupContent = lsp.MarkupContent(
            lsp.MarkupKind.Markdown, f"{snippet.description}\n\n```python\n{expanded}\n```"
        )
    else:
        documentation = f"{snippet.description}\n\n{expanded}"
    use_snippet = server.client.snippets
    return lsp.CompletionItem(
        label=snippet.prefix,
        kind=lsp.CompletionItemKind.Snippet,
        detail=snippet.name,
        documentation=documentation,
        filter_text=snippet.prefix,
        sort_text=snippet.prefix,
        insert_text_format=lsp.InsertTextFormat.Snippet if use_snippet else lsp.InsertTextFormat.PlainText,
        text_edit=lsp.TextEdit(replace, snippet.body if use_snippet else expanded),
    )
