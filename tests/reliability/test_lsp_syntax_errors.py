"""While a file does not parse, its last findings stay (moved through the edits) beside TL000,
and TL000 waits a little, so that a half-typed token does not flash red.

Before, one keystroke that broke the file replaced every finding with a red TL000 at once.
"""

from __future__ import annotations

import time
from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, change, codes, diagnostics, initialize, open_document, settle, span
from torchlint.engine import analyze
from torchlint.lsp.analysis import SYNTAX_ERROR_DELAY_S
from torchlint.lsp.carry import carry
from torchlint.model import Range

TEXT = (
    "import torch\n"
    "model = torch.nn.Linear(2, 2)\n"
    "optimizer = torch.optim.Adam(model.parameters())\n"
    "\n"
    "y = torch.ones(1).data\n"
)


def ranges(items) -> list[tuple[str, lsp.Range]]:
    return [(str(item.code), item.range) for item in items]


async def test_the_last_findings_stay_beside_the_syntax_error(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 0})
    uri = open_document(client, tmp_path / "train.py", TEXT)
    assert ranges(await diagnostics(client, uri, until=bool)) == [("TL103", span(2, 12, 2, 28)), ("TL121", span(4, 4, 4, 22))]
    seen = len(client.published)
    changed = time.monotonic()
    change(client, uri, 2, span(3, 0), "x = (1,\n")  # a line that does not parse, above TL121
    items = await diagnostics(client, uri, until=lambda items: "TL000" in codes(items), after=seen)
    assert time.monotonic() - changed >= SYNTAX_ERROR_DELAY_S * 0.9
    assert ranges(items) == [("TL103", span(2, 12, 2, 28)), ("TL000", span(3, 4, 3, 5)), ("TL121", span(5, 4, 5, 22))]
    # Only the syntax error was added: no publication ever lost the other findings.
    assert all({"TL103", "TL121"} <= set(codes(p.diagnostics)) for p in client.published[seen:] if p.uri == uri)
    seen = len(client.published)
    change(client, uri, 3, span(3, 7), ")")  # fixed: the engine's findings again
    items = await diagnostics(client, uri, until=lambda items: "TL000" not in codes(items), after=seen)
    assert ranges(items) == [("TL103", span(2, 12, 2, 28)), ("TL121", span(5, 4, 5, 22))]


async def test_a_half_typed_token_does_not_flash_red(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 0})
    uri = open_document(client, tmp_path / "train.py", TEXT)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    change(client, uri, 2, span(3, 0), "x = (")  # broken for a moment...
    change(client, uri, 3, span(3, 5), "1)")  # ...and whole again
    await settle(client, quiet=SYNTAX_ERROR_DELAY_S + 0.5)
    assert not any("TL000" in codes(p.diagnostics) for p in client.published[seen:])
    assert codes(client.published[-1].diagnostics) == ["TL103", "TL121"]


async def test_pulled_diagnostics_keep_the_last_findings_too(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"debounce": 0}, pull=True)
    uri = open_document(client, tmp_path / "train.py", TEXT)
    document = lsp.TextDocumentIdentifier(uri)
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(document))
    assert codes(report.items) == ["TL103", "TL121"]
    change(client, uri, 2, span(1, 0), "def broken(:\n")
    started = time.monotonic()
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(document))
    assert time.monotonic() - started >= SYNTAX_ERROR_DELAY_S * 0.9
    assert ranges(report.items) == [("TL000", span(1, 11, 1, 12)), ("TL103", span(3, 12, 3, 28)), ("TL121", span(5, 4, 5, 22))]


def test_carry_moves_findings_before_and_after_the_edit_and_drops_those_in_it() -> None:
    old = TEXT
    findings = tuple(analyze(old, "train.py"))
    assert [f.code for f in findings] == ["TL103", "TL121"]
    # The edit is inside TL103's range: it goes; TL121, after the edit, stays where it was.
    (kept,) = carry(findings, old, old.replace("torch.optim.Adam", "torch.optim.Ad(am"))
    assert (kept.code, kept.range, kept.fix, kept.actions) == ("TL121", Range.of(5, 5, 5, 23), None, ())
    # Lines inserted between them move TL121 only; an edit at the very end keeps both.
    moved = carry(findings, old, old.replace("\ny = torch", "\n\n   \ny = torch"))
    assert [f.range for f in moved] == [Range.of(3, 13, 3, 29), Range.of(7, 5, 7, 23)]
    assert [f.range for f in carry(findings, old, old + "if (\n")] == [f.range for f in findings]
    # \r\n and \r lines count as LSP and the engine count them.
    crlf = old.replace("\n", "\r\n")
    assert [f.range for f in carry(tuple(analyze(crlf, "t.py")), crlf, "\r" + crlf)] == [
        Range.of(4, 13, 4, 29),
        Range.of(6, 5, 6, 23),
    ]
