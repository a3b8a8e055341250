"""No input takes the server down or stops diagnostics for the other documents."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import (
    Client,
    change,
    codes,
    diagnostics,
    eventually,
    full_change,
    initialize,
    make_client,
    open_document,
    settle,
    span,
)
from tests.lsp.test_diagnostics import ADAM
from tests.lsp.test_notebooks import Notebook

FAULTY_SERVER = [sys.executable, str(Path(__file__).with_name("faulty_server.py"))]


async def still_works(client: Client, folder: Path, name: str = "check.py") -> None:
    uri = open_document(client, folder / name, ADAM)
    assert codes(await diagnostics(client, uri, until=bool)) == ["TL103"]


async def test_half_typed_code(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 0})
    uri = open_document(client, tmp_path / "train.py", "import torch\n")
    typed = "optimizer = torch.optim.Adam(model.parameters(), lr=(1e-3"
    for index, char in enumerate(typed):
        change(client, uri, index + 2, span(1, index), char)
    seen = len(client.published)
    change(client, uri, len(typed) + 2, span(1, len(typed)), "))\n")
    assert codes(await diagnostics(client, uri, until=bool, after=seen)) == ["TL103"]


async def test_binary_garbage(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    noise = random.Random(4).randbytes(20_000).decode("latin-1")
    garbage = "import torch\n\x00\ufeff" + noise + "\ud800 torch.optim.Adam\n"
    uri = open_document(client, tmp_path / "blob.py", garbage)
    assert codes(await diagnostics(client, uri, until=bool)) == ["TL000"]
    await still_works(client, tmp_path)


async def test_a_twenty_thousand_line_file(client: Client, tmp_path: Path) -> None:
    body = "".join(f"layer_{i} = torch.nn.Linear({i % 64 + 1}, {i % 32 + 1})\n" for i in range(20_000))
    text = "import torch\n" + body + "opt = torch.optim.Adam(layer_0.parameters())\n"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "big.py", text)
    (item,) = await diagnostics(client, uri, until=bool, timeout=60)
    assert item.range == span(20_001, 6, 20_001, 22)
    seen = len(client.published)
    change(client, uri, 2, span(20_001, 22), "W")
    assert await diagnostics(client, uri, after=seen, timeout=60) == []
    await still_works(client, tmp_path)


async def test_broken_notebooks(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, notebooks=True)
    notebook = Notebook(client, tmp_path, [("code", "import torch\n"), ("code", "\x01\x7f %%% ]]] \ufffd"), ("code", "")])
    (item,) = await diagnostics(client, notebook.cells[1], until=bool)
    assert item.code == "TL000"
    # A change for a cell the notebook never had, then a cell the client forgot to open.
    unknown = lsp.VersionedTextDocumentIdentifier(version=9, uri=f"{notebook.uri}#missing")
    notebook._change(
        lsp.NotebookDocumentCellChanges(
            text_content=[lsp.NotebookDocumentCellContentChanges(unknown, [lsp.TextDocumentContentChangeWholeDocument("x")])]
        )
    )
    notebook._change(
        lsp.NotebookDocumentCellChanges(
            structure=lsp.NotebookDocumentCellChangeStructure(
                array=lsp.NotebookCellArrayChange(
                    start=3, delete_count=0, cells=[lsp.NotebookCell(lsp.NotebookCellKind.Code, "cell:never-opened")]
                )
            )
        )
    )
    # A notebook file opened as plain text, with JSON that does not parse.
    open_document(client, tmp_path / "broken.ipynb", '{"cells": [{"source": ["import torch"', language="json")
    await still_works(client, tmp_path)


async def test_unknown_requests_of_a_closed_document(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    ghost = lsp.TextDocumentIdentifier((tmp_path / "ghost.py").as_uri())
    assert await client.text_document_hover_async(lsp.HoverParams(ghost, lsp.Position(0, 0))) is None
    assert await client.text_document_code_action_async(
        lsp.CodeActionParams(ghost, span(0, 0), lsp.CodeActionContext(diagnostics=[]))
    ) is None
    full_change(client, ghost.uri, 3, "import torch\n")  # a change for a document never opened
    await still_works(client, tmp_path)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FAULTY_SERVER, client_factory=make_client))
async def faulty(lsp_client: Client):
    yield
    await lsp_client.shutdown_session()


async def test_a_failing_rule_is_logged_and_the_others_still_report(faulty: Client, tmp_path: Path) -> None:
    await initialize(faulty, tmp_path)
    bad = open_document(faulty, tmp_path / "bad.py", ADAM + "# EXPLODE\n")
    await eventually(lambda: any("TL999" in m.message for m in faulty.log_messages))
    (message,) = [m for m in faulty.log_messages if "TL999" in m.message]
    assert message.type == lsp.MessageType.Error
    assert message.message.startswith(f"torchlint: analysing {tmp_path / 'bad.py'} failed in rule TL999: RuntimeError: boom")
    await still_works(faulty, tmp_path)
    await settle(faulty)
    # The other rules' findings on that document still stand.
    [last] = [p for p in faulty.published if p.uri == bad][-1:]
    assert [d.code for d in last.diagnostics] == ["TL103"]
