"""A bounded soak: 20 open documents, 20,000 random edits (every line-ending style, form feeds,
non-BMP characters, edits that break the parse for a moment), then the server's memory is where
it was and its diagnostics are what ``torchlint check`` says of the final texts."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.lsp.harness import Client, eventually, initialize, open_document, settle
from tests.reliability.test_lsp_line_breaks import client_apply, client_lines, utf16
from tests.reliability.test_lsp_memory import handled, rss_kb
from tests.test_cli import EXE

pytestmark = pytest.mark.slow

DOCUMENTS = 20
EDITS = 20_000
WARM_UP = 2_000
ALLOWED_GROWTH_KB = 4 * 1024
HEADER = "import torch\nmodel = torch.nn.Linear(2, 2)\n"
#: Whole lines inserted at random: findings, line endings of every style, characters that
#: ``str.splitlines`` breaks at, characters outside the BMP.
LINES = [
    "opt = torch.optim.Adam(model.parameters())\n",
    "y = torch.ones(1).data\r\n",
    "z = 1\r",
    "# page \f break \x1c and \u2028 here\n",
    "w = 'é😀'; v = torch.ones(2).data\n",
    "opt2 = torch.optim.Adam(model.parameters(), lr=1e-3)\r\n",
    "\n",
]


class Editor:
    """One document as the client holds it, and the random edits it makes."""

    def __init__(self, client: Client, uri: str, text: str, rng: random.Random) -> None:
        self.client, self.uri, self.text, self.rng, self.version = client, uri, text, rng, 1

    def _send(self, rng: lsp.Range, new: str) -> None:
        self.version += 1
        self.text = client_apply(self.text, rng, new)
        change = lsp.TextDocumentContentChangePartial(range=rng, text=new)
        document = lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
        params = lsp.DidChangeTextDocumentParams(document, [change])
        self.client.text_document_did_change(params)

    def edit(self) -> int:
        """One random edit (two when it breaks the parse and mends it); the number sent."""
        lines = [line for line in client_lines(self.text) if line[2] > line[0]]
        kind = self.rng.random()
        if kind < 0.4 or len(lines) < 6:  # as many lines inserted as deleted: the texts stay as large
            at = self.rng.randrange(2, len(lines) + 1)
            self._send(lsp.Range(lsp.Position(at, 0), lsp.Position(at, 0)), self.rng.choice(LINES))
            return 1
        at = self.rng.randrange(2, len(lines))
        if kind < 0.8:
            self._send(lsp.Range(lsp.Position(at, 0), lsp.Position(at + 1, 0)), "")
            return 1
        start, end, _ = lines[at]
        column = utf16(self.text[start:end])
        self._send(lsp.Range(lsp.Position(at, column), lsp.Position(at, column)), " (")  # broken...
        self._send(lsp.Range(lsp.Position(at, column), lsp.Position(at, column + 2)), "")  # ...mended
        return 2


def checked(folder: Path) -> dict[str, list[tuple[str, lsp.Range]]]:
    """``torchlint check`` of the files in ``folder``: codes and ranges in UTF-16 units, per uri."""
    proc = subprocess.run([EXE, "check", "--format", "json", "."], cwd=folder, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    found: dict[str, list[tuple[str, lsp.Range]]] = {}
    for item in json.loads(proc.stdout):
        path = (folder / item["path"]).resolve()
        text = path.read_bytes().decode("utf-8")
        bounds = client_lines(text)

        def position(line: int, column: int, text: str = text, bounds=bounds) -> lsp.Position:
            start = bounds[line - 1][0]
            return lsp.Position(line - 1, utf16(text[start : start + column - 1]))

        rng = lsp.Range(position(item["line"], item["column"]), position(item["end_line"], item["end_column"]))
        found.setdefault(path.as_uri(), []).append((item["code"], rng))
    return found


async def test_a_soak_of_twenty_thousand_edits(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 0})
    await eventually(lambda: len(client.registrations) > 0)
    pid = client._server.pid
    rng = random.Random(13)
    editors = []
    for index in range(DOCUMENTS):
        text = HEADER + "".join(rng.choice(LINES) for _ in range(12))
        editors.append(Editor(client, open_document(client, tmp_path / f"doc{index}.py", text), text, rng))

    async def run(count: int) -> None:
        sent = 0
        while sent < count:
            sent += rng.choice(editors).edit()
            if sent % 100 == 0:
                await asyncio.sleep(0.01)  # let analyses run now and then, as a typist's pauses do

    await run(WARM_UP)
    await handled(client, editors[0].uri)
    await settle(client)
    before = rss_kb(pid)
    await run(EDITS)
    await handled(client, editors[0].uri)
    await settle(client, quiet=1.5)
    after = rss_kb(pid)
    print(f"soak: server RSS {before} kB before {EDITS} edits of {DOCUMENTS} documents, {after} kB after")
    assert after - before < ALLOWED_GROWTH_KB, f"RSS grew {after - before} kB"

    for editor in editors:
        Path(editor.uri.removeprefix("file://")).write_bytes(editor.text.encode("utf-8"))
    expected = checked(tmp_path)
    for editor in editors:
        shown = [(str(item.code), item.range) for item in client.diagnostics.get(editor.uri, [])]
        assert sorted(shown, key=str) == sorted(expected.get(editor.uri, []), key=str), editor.uri
    assert sum(len(found) for found in expected.values()) > 100  # the texts had findings to compare
