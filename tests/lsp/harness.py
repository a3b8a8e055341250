"""A pytest-lsp client that records what the server sends, and what an editor does around it.

Edits are applied the way an editor applies them (UTF-16 positions), independently of the
server's own position code.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "torchlint", "server"]
TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Published:
    uri: str
    diagnostics: Sequence[lsp.Diagnostic]
    at: float


class Client(LanguageClient):
    """Keeps every ``publishDiagnostics`` (not only the last) and every registration."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[Published] = []
        self.registrations: list[lsp.Registration] = []


def _publish(client: Client, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(Published(params.uri, params.diagnostics, time.perf_counter()))


def _register(client: Client, params: lsp.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def make_client() -> Client:
    client = Client(converter_factory=default_converter)
    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
            lsp.CLIENT_REGISTER_CAPABILITY: _register,
        },
    )
    return client


def capabilities(
    *,
    pull: bool = False,
    notebooks: bool = False,
    resolve: bool = True,
    disabled_actions: bool = True,
    snippets: bool = True,
    encodings: list[str] | None = None,
) -> lsp.ClientCapabilities:
    """VS Code's capabilities; ``pull``, ``notebooks`` and ``encodings`` add what VS Code 1.65 predates."""
    caps = client_capabilities("visual_studio_code")
    text = caps.text_document
    if encodings:
        caps.general.position_encodings = encodings
    if pull:
        text.diagnostic = lsp.DiagnosticClientCapabilities(
            dynamic_registration=True,
            related_document_support=False,
            tag_support=lsp.ClientDiagnosticsTagOptions(value_set=[lsp.DiagnosticTag.Unnecessary, lsp.DiagnosticTag.Deprecated]),
            code_description_support=True,
        )
        caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    if notebooks:
        caps.notebook_document = lsp.NotebookDocumentClientCapabilities(
            synchronization=lsp.NotebookDocumentSyncClientCapabilities(dynamic_registration=True, execution_summary_support=True)
        )
    if not resolve:
        text.code_action.resolve_support = None
    text.code_action.disabled_support = disabled_actions
    if not snippets:
        text.completion.completion_item.snippet_support = False
    return caps


async def initialize(
    client: Client,
    *folders: Path,
    options: dict | None = None,
    **capability_options,
) -> lsp.InitializeResult:
    workspace = [lsp.WorkspaceFolder(folder.as_uri(), folder.name) for folder in folders]
    return await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities(**capability_options),
            root_uri=workspace[0].uri if workspace else None,
            workspace_folders=workspace or None,
            initialization_options=options,
        )
    )


def open_document(client: Client, path: Path, text: str, version: int = 1, language: str = "python") -> str:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, version, text)))
    return uri


def change(client: Client, uri: str, version: int, rng: lsp.Range, text: str) -> None:
    """An incremental change, the way editors send them."""
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


def span(line: int, start: int, end_line: int | None = None, end: int | None = None) -> lsp.Range:
    end_position = lsp.Position(line if end_line is None else end_line, start if end is None else end)
    return lsp.Range(lsp.Position(line, start), end_position)


async def diagnostics(
    client: Client,
    uri: str,
    until: Callable[[Sequence[lsp.Diagnostic]], bool] = lambda _: True,
    after: int = 0,
    timeout: float = TIMEOUT_S,
) -> Sequence[lsp.Diagnostic]:
    """The first diagnostics published for ``uri`` (from the ``after``-th publication on) that satisfy ``until``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for published in client.published[after:]:
            if published.uri == uri and until(published.diagnostics):
                return list(published.diagnostics)
        await asyncio.sleep(0.01)
    seen = [(p.uri, codes(p.diagnostics)) for p in client.published]
    raise AssertionError(f"no matching diagnostics for {uri} within {timeout}s; published: {seen}")


async def settle(client: Client, quiet: float = 0.6, timeout: float = TIMEOUT_S) -> None:
    """Wait until the server has published nothing for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = client.published[-1].at if client.published else 0.0
        if time.perf_counter() - last >= quiet:
            return
        await asyncio.sleep(0.05)


def codes(items: Sequence[lsp.Diagnostic]) -> list[str]:
    return [str(item.code) for item in items]


def position_of(text: str, needle: str, occurrence: int = 0) -> lsp.Position:
    """Where ``needle`` starts in ``text``, in UTF-16 units."""
    offset = -1
    for _ in range(occurrence + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset)
    column_text = text[text.rfind("\n", 0, offset) + 1 : offset]
    return lsp.Position(line, len(column_text.encode("utf-16-le")) // 2)


def apply_edits(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    """``text`` with LSP text edits applied (UTF-16 positions), last edit first."""
    lines = re.split(r"(?<=\n)", text)

    def offset(position: lsp.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line.rstrip("\n"))

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def apply_workspace_edit(texts: dict[str, str], edit: lsp.WorkspaceEdit) -> dict[str, str]:
    result = dict(texts)
    for document_edit in edit.document_changes or []:
        uri = document_edit.text_document.uri
        result[uri] = apply_edits(result[uri], document_edit.edits)
    for uri, edits in (edit.changes or {}).items():
        result[uri] = apply_edits(result[uri], edits)
    return result


def edited_uris(edit: lsp.WorkspaceEdit) -> list[str]:
    return [e.text_document.uri for e in edit.document_changes or []] + list(edit.changes or {})


def full_change(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def eventually(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)
