"""The server's text keeps LSP's lines: they end only at ``\\n``, ``\\r\\n`` and ``\\r``.

``str.splitlines`` also ends a line at ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and
U+2029; pygls 2.1 uses it for incremental changes, so one edit below such a character put the
server's text out of step with the editor's (and a quick fix then deleted an unrelated line).
The client side here is written independently of the server's position code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.workspace import Workspace

from tests.lsp.harness import (
    Client,
    apply_workspace_edit,
    change,
    codes,
    diagnostics,
    initialize,
    open_document,
    position_of,
    span,
)
from torchlint.lsp.documents import LspWorkspace
from torchlint.rules.general.tl121_tensor_data_attribute import TensorDataAttribute

#: What ``str.splitlines`` breaks on and LSP (and Python) do not.
NOT_LINE_BREAKS = ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
IDS = [f"U+{ord(char):04X}" for char in NOT_LINE_BREAKS]
DETACH = f"torchlint (TL121): {TensorDataAttribute.fix_title}"


# -- the editor's side --------------------------------------------------------------------


def client_lines(text: str) -> list[tuple[int, int, int]]:
    """``(start, end of content, end with the break)`` of every LSP line, scanning characters."""
    lines, start, index = [], 0, 0
    while index < len(text):
        char = text[index]
        if char in "\r\n":
            width = 2 if text.startswith("\r\n", index) else 1
            lines.append((start, index, index + width))
            index += width
            start = index
        else:
            index += 1
    lines.append((start, len(text), len(text)))
    return lines


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def client_offset(text: str, position: lsp.Position) -> int:
    lines = client_lines(text)
    if position.line >= len(lines):
        return len(text)
    start, end, _ = lines[position.line]
    count = 0
    for index in range(start, end):
        if count >= position.character:
            return index
        count += utf16(text[index])
    return end


def client_apply(text: str, rng: lsp.Range, new: str) -> str:
    start, end = client_offset(text, rng.start), client_offset(text, rng.end)
    return text[:start] + new + text[end:]


def client_position(text: str, offset: int) -> lsp.Position:
    for number, (start, end, _) in enumerate(client_lines(text)):
        if start <= offset <= end:
            return lsp.Position(number, utf16(text[start:offset]))
    raise AssertionError(offset)


# -- over the wire ------------------------------------------------------------------------


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=IDS)
async def test_edits_below_a_non_line_break_keep_diagnostics_and_fixes_right(
    client: Client, tmp_path: Path, char: str
) -> None:
    await initialize(client, tmp_path, options={"debounce": 0})
    text = f"import torch\n# a{char}b {char}\n#{char}\nx = torch.ones(1)\ny = x\n"
    uri = open_document(client, tmp_path / "train.py", text)
    await diagnostics(client, uri)

    # Type ".data" after "y = x" (line 4 for LSP; line 6 or 7 for str.splitlines).
    seen = len(client.published)
    change(client, uri, 2, span(4, 5), ".data")
    text = text.replace("y = x\n", "y = x.data\n")
    (item,) = await diagnostics(client, uri, until=bool, after=seen)
    assert item.code == "TL121"
    start = position_of(text, "x.data")
    assert item.range == lsp.Range(start, lsp.Position(start.line, start.character + len("x.data")))

    context = lsp.CodeActionContext(diagnostics=[item])
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), item.range, context)
    actions = await client.text_document_code_action_async(params) or []
    (fix,) = [action for action in actions if action.title == DETACH]
    fix = await client.code_action_resolve_async(fix)
    assert apply_workspace_edit({uri: text}, fix.edit)[uri] == text.replace("x.data", "x.detach()")


async def test_the_detach_fix_below_a_form_feed_loses_no_line(client: Client, tmp_path: Path) -> None:
    """The report: with pygls' lines this fix wrote ``y = x.detach()\\ny = x.data``, losing ``x = ...``."""
    await initialize(client, tmp_path, options={"debounce": 0})
    text = "import torch\n\f\nz = 1\nx = torch.ones(1)\ny = x.data\n"
    uri = open_document(client, tmp_path / "train.py", text)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    change(client, uri, 2, span(2, 0, 2, 1), "w")  # rename z, on the line below the form feed
    text = "import torch\n\f\nw = 1\nx = torch.ones(1)\ny = x.data\n"
    (item,) = await diagnostics(client, uri, until=lambda items: codes(items) == ["TL121"], after=seen)
    context = lsp.CodeActionContext(diagnostics=[item])
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), item.range, context)
    (fix,) = [a for a in await client.text_document_code_action_async(params) or [] if a.title == DETACH]
    fix = await client.code_action_resolve_async(fix)
    fixed = apply_workspace_edit({uri: text}, fix.edit)[uri]
    assert fixed == "import torch\n\f\nw = 1\nx = torch.ones(1)\ny = x.detach()\n"
    assert item.range == span(4, 4, 4, 10)


# -- the server's documents, many edits ---------------------------------------------------

ALPHABET = st.sampled_from(["a", "b", " ", "é", "😀", "\n", "\r", "\r\n", *NOT_LINE_BREAKS])
TEXTS = st.lists(ALPHABET, max_size=30).map("".join)


@st.composite
def edit_streams(draw) -> tuple[str, list[tuple[str, tuple[int, int] | None, str]]]:
    """An opening text and changes to it: ``(kind, (start, end) offsets, new text)``."""
    text = draw(TEXTS)
    changes = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 9)) == 0:
            changes.append(("full", None, draw(TEXTS)))
            continue
        a, b = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
        changes.append(("partial", (a, b), draw(TEXTS)))
    return text, changes


def _boundary(text: str, raw: int) -> int:
    """An offset of ``text`` from a raw number, never inside ``\\r\\n``."""
    offset = raw % (len(text) + 1)
    return offset - 1 if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n" else offset


@settings(max_examples=400, deadline=None)
@given(edit_streams())
def test_random_edit_streams_keep_the_servers_text_equal_to_the_clients(stream) -> None:
    """Through the workspace the server adopts at ``initialize`` and pygls' own ``didChange`` path."""
    text, changes = stream
    workspace = LspWorkspace.adopt(Workspace(None, position_encoding=lsp.PositionEncodingKind.Utf16))
    uri = "file:///stream.py"
    workspace.put_text_document(lsp.TextDocumentItem(uri, "python", 1, text))
    for version, (kind, offsets, new) in enumerate(changes, start=2):
        if kind == "full":
            event: lsp.TextDocumentContentChangeEvent = lsp.TextDocumentContentChangeWholeDocument(text=new)
            text = new
        else:
            assert offsets is not None
            start, end = sorted(_boundary(text, raw) for raw in offsets)
            rng = lsp.Range(client_position(text, start), client_position(text, end))
            event = lsp.TextDocumentContentChangePartial(range=rng, text=new)
            text = client_apply(text, rng, new)
        workspace.update_text_document(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), event)
        document = workspace.get_text_document(uri)
        assert document.source == text
        assert "".join(document.lines) == text
        assert len(document.lines) == len([line for line in client_lines(text) if line[2] > line[0]])
