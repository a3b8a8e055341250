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


async def test_hover_on_a_finding_is_short_and_links_the_rule(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    result = await hover(client, uri, 3, 20)
    assert result.contents.kind == lsp.MarkupKind.Markdown
    text = result.contents.value
    assert text.startswith(f"**TL103** adam-not-adamw: {item.message}\n\n")
    assert "\n\nFix: Replace Adam with AdamW (unsafe fix)\n\n" in text
    assert text.endswith("[Full rule](https://github.com/torchlint/torchlint/blob/main/docs/rules.md#TL103)")
    assert "#" not in text.split("](")[0] and "```" not in text
    assert result.range == span(3, 12, 3, 28)


async def test_two_findings_on_one_token_give_two_entries(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    source = "import torch\n\nx = torch.autograd.Variable(torch.ones(1)).cuda()\n"
    uri = open_document(client, tmp_path / "train.py", source)
    items = await diagnostics(client, uri, until=lambda found: len(found) >= 2)
    result = await hover(client, uri, 2, 6)
    entries = result.contents.value.split("\n\n---\n\n")
    on_token = [item for item in items if item.range.start.character <= 6 <= item.range.end.character]
    assert sorted(entry.split()[0] for entry in entries) == sorted(f"**{item.code}**" for item in on_token)
    assert len(entries) >= 2


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
