"""Hover shows the rule's documentation; completion offers the snippets."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, apply_edits, diagnostics, initialize, open_document, span
from tests.lsp.test_diagnostics import ADAM
from torchlint import snippets


async def hover(client: Client, uri: str, line: int, character: int) -> lsp.Hover | None:
    return await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))
    )


async def complete(client: Client, uri: str, line: int, character: int) -> lsp.CompletionList:
    return await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))
    )


async def test_hover_on_a_finding_shows_the_rule_documentation(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    result = await hover(client, uri, 3, 20)
    assert result.contents.kind == lsp.MarkupKind.Markdown
    text = result.contents.value
    assert text.startswith("# TL103 adam-not-adamw")
    for section in ("## Why is this bad?", "## Example", "## Use instead", "```python"):
        assert section in text
    assert result.range == span(3, 12, 3, 28)


async def test_no_hover_away_from_findings(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    assert await hover(client, uri, 2, 3) is None
    assert await hover(client, uri, 3, 4) is None


async def test_snippets_complete_with_placeholders(client: Client, tmp_path: Path) -> None:
    text = ADAM + "tl-am"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", text)
    result = await complete(client, uri, 4, 5)
    by_label = {item.label: item for item in result.items}
    assert {snippet.prefix for snippet in snippets.load()} == set(by_label)
    item = by_label["tl-amp-step"]
    assert item.kind == lsp.CompletionItemKind.Snippet
    assert item.insert_text_format == lsp.InsertTextFormat.Snippet
    assert item.detail == "AMP training step"
    assert item.text_edit.range == span(4, 0, 4, 5)  # replaces the typed prefix, dash included
    assert "${1:device}" in item.text_edit.new_text
    assert "with torch.autocast(device_type=device.type" in item.documentation.value
    inserted = apply_edits(text, [item.text_edit])
    assert inserted.splitlines()[4].startswith("with torch.autocast(device_type=${1:device}.type")


async def test_clients_without_snippet_support_get_plain_text(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, snippets=False)
    uri = open_document(client, tmp_path / "train.py", "tl-")
    result = await complete(client, uri, 0, 3)
    item = next(item for item in result.items if item.label == "tl-adamw-cosine")
    assert item.insert_text_format == lsp.InsertTextFormat.PlainText
    assert item.text_edit.new_text.startswith("optimizer = torch.optim.AdamW(\n    model.parameters(), lr=3e-4")
    assert "$" not in item.text_edit.new_text


async def test_no_snippets_while_typing_other_words(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", "optim")
    assert not (await complete(client, uri, 0, 5)).items
    blank = await complete(client, uri, 1, 0)
    assert len(blank.items) == len(snippets.load())
