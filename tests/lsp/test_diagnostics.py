"""Pushed diagnostics: after open, after incremental edits, stale versions dropped, close."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, change, codes, diagnostics, initialize, open_document, position_of, settle, span

ADAM = textwrap.dedent(
    """\
    import torch

    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    """
)


async def test_diagnostic_after_open(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    assert item.code == "TL103"
    assert item.source == "torchlint"
    assert item.severity == lsp.DiagnosticSeverity.Warning
    assert item.range == span(3, 12, 3, 28)  # `torch.optim.Adam`
    assert item.code_description.href.startswith("https://") and "TL103" in item.code_description.href
    assert "AdamW" in item.message
    assert item.tags is None


async def test_columns_are_utf16_code_units(client: Client, tmp_path: Path) -> None:
    """Characters beyond the BMP take two UTF-16 units: the range must count them so."""
    text = ADAM.replace("optimizer = ", 'label = "🔥🔥"; optimizer = ')
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", text)
    (item,) = await diagnostics(client, uri, until=bool)
    start = position_of(text, "torch.optim.Adam")
    assert item.range.start == start
    assert item.range.end == lsp.Position(start.line, start.character + len("torch.optim.Adam"))


async def test_incremental_edit_updates_diagnostics(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    # Type "W" after "Adam", as an editor sends it: one incremental change.
    change(client, uri, 2, span(3, 28), "W")
    assert await diagnostics(client, uri, until=lambda items: not items, after=seen) == []
    seen = len(client.published)
    change(client, uri, 3, span(3, 28, 3, 29), "")
    (item,) = await diagnostics(client, uri, until=bool, after=seen)
    assert item.range == span(3, 12, 3, 28)


async def test_rapid_edits_publish_only_the_latest_version(client: Client, tmp_path: Path) -> None:
    """Versions superseded while debouncing or analysing are never published."""
    filler = "".join(f"value_{i} = torch.zeros({i % 7 + 1})\n" for i in range(3000))
    text = ADAM + filler
    await initialize(client, tmp_path, options={"debounce": 0})
    uri = open_document(client, tmp_path / "train.py", text)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    # Each version moves the Adam call one line down; only the last position may ever show.
    for version in range(2, 8):
        change(client, uri, version, span(3, 0), "\n")
        await asyncio.sleep(0.01)
    final = await diagnostics(client, uri, until=lambda items: items and items[0].range.start.line == 9, after=seen)
    await settle(client)
    lines = [p.diagnostics[0].range.start.line for p in client.published[seen:] if p.uri == uri and p.diagnostics]
    assert lines[-1] == 9 and final[0].range.start.line == 9
    # Whatever was published in between described the text the editor had at that moment;
    # nothing was published after the final version's result.
    assert all(line in range(4, 10) for line in lines)
    assert sorted(lines) == lines


async def test_debounce_coalesces_typing(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 300})
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    for version, char in enumerate("# note", start=2):
        change(client, uri, version, span(4, version - 2), char)
        await asyncio.sleep(0.02)
    await settle(client, quiet=0.8)
    assert len([p for p in client.published[seen:] if p.uri == uri]) == 1


async def test_syntax_error_then_fixed(client: Client, tmp_path: Path) -> None:
    broken = ADAM + "for batch in loader\n    pass\n"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", broken)
    (item,) = await diagnostics(client, uri, until=bool)
    assert item.code == "TL000" and item.severity == lsp.DiagnosticSeverity.Error
    assert item.range.start.line == 4
    seen = len(client.published)
    change(client, uri, 2, span(4, len("for batch in loader")), ":")
    assert codes(await diagnostics(client, uri, until=lambda items: "TL000" not in codes(items), after=seen)) == ["TL103"]


async def test_close_clears_diagnostics(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    assert await diagnostics(client, uri, after=seen) == []


async def test_save_analyses_again(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    assert codes(await diagnostics(client, uri, after=seen)) == ["TL103"]


async def test_documents_that_are_not_python_are_left_alone(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    open_document(client, tmp_path / "notes.md", ADAM, language="markdown")
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    await settle(client)
    assert {p.uri for p in client.published} == {uri}


async def test_deprecated_apis_are_tagged(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "agent.py", "import gym\n\nenv = gym.make('CartPole-v1')\n")
    items = [item for item in await diagnostics(client, uri, until=bool) if item.code == "TL402"]
    assert items and all(list(item.tags) == [lsp.DiagnosticTag.Deprecated] for item in items)


async def test_utf8_positions_when_the_client_prefers_them(client: Client, tmp_path: Path) -> None:
    text = ADAM.replace("optimizer = ", 'label = "é🔥"; optimizer = ')
    result = await initialize(client, tmp_path, encodings=["utf-8", "utf-16"])
    assert result.capabilities.position_encoding == "utf-8"
    uri = open_document(client, tmp_path / "train.py", text)
    (item,) = await diagnostics(client, uri, until=bool)
    line = text.splitlines()[3]
    start = len(line[: line.index("torch.optim")].encode())
    assert item.range == span(3, start, 3, start + len("torch.optim.Adam"))


async def test_server_capabilities(client: Client, tmp_path: Path) -> None:
    result = await initialize(client, tmp_path)
    capabilities = result.capabilities
    assert result.server_info.name == "torchlint"
    assert capabilities.text_document_sync.change == lsp.TextDocumentSyncKind.Incremental
    assert capabilities.text_document_sync.save is not None
    assert list(capabilities.code_action_provider.code_action_kinds) == ["quickfix", "source.fixAll.torchlint"]
    assert capabilities.code_action_provider.resolve_provider
    assert capabilities.hover_provider and capabilities.completion_provider
    assert "torchlint.showEffectiveSettings" in capabilities.execute_command_provider.commands
    assert capabilities.diagnostic_provider.workspace_diagnostics is False  # diagnosticsScope "openFiles"
