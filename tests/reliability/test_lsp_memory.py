"""Edits leave no memory behind in the server.

pygls 2.1 files the future of every generator handler (``didChange`` among them) in the
protocol's ``_request_futures`` under a fresh uuid and never takes it out for a notification:
each keystroke kept a ``concurrent.futures.Future`` with its condition and lock, 2-3 KB.
"""

from __future__ import annotations

import time
from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, eventually, initialize, open_document, span

EDITS = 20_000
#: What RSS may grow by over the edits (allocator noise); the leak was about 50 MB.
ALLOWED_GROWTH_KB = 4 * 1024
TEXT = "import torch\n\nmodel = torch.nn.Linear(4, 2)\n\n"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def type_and_erase(client: Client, uri: str, first_version: int, count: int) -> int:
    """``count`` incremental changes: type "x" on the last line, then erase it, and so on."""
    for version in range(first_version, first_version + count):
        if version % 2:
            change = lsp.TextDocumentContentChangePartial(range=span(4, 0), text="x")
        else:
            change = lsp.TextDocumentContentChangePartial(range=span(4, 0, 4, 1), text="")
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
        )
    return first_version + count


async def handled(client: Client, uri: str) -> None:
    """Wait until the server has handled everything sent so far (it answers requests in order)."""
    params = lsp.ExecuteCommandParams(command="torchlint.showEffectiveSettings", arguments=[uri])
    await client.workspace_execute_command_async(params)


async def test_many_did_change_notifications_leave_rss_flat(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    # Let ``initialized`` finish its requests to the client first: a flood of notifications
    # would keep the client from answering them within the server's timeout.
    await eventually(lambda: len(client.registrations) > 0)
    pid = client._server.pid  # the server process pytest-lsp started
    uri = open_document(client, tmp_path / "train.py", TEXT)
    # Warm up: imports, caches and the allocator's arenas settle first.
    version = type_and_erase(client, uri, 2, 2_000)
    await handled(client, uri)
    before = rss_kb(pid)
    started = time.monotonic()
    version = type_and_erase(client, uri, version, EDITS)
    await handled(client, uri)
    after = rss_kb(pid)
    print(f"server RSS: {before} kB before {EDITS} didChange, {after} kB after "
          f"({(after - before) / EDITS * 1024:.0f} B per edit, {time.monotonic() - started:.1f} s)")
    assert after - before < ALLOWED_GROWTH_KB, f"RSS grew {after - before} kB over {EDITS} didChange"
