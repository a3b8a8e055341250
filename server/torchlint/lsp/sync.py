"""Document and notebook synchronisation: what to analyse again when the editor opens, edits,
saves or closes something (the text itself is kept by pygls)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from .workspace import SETTINGS_FILE

if TYPE_CHECKING:
    from .server import TorchlintServer


def did_open(ls: TorchlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    key = ls.documents.key(params.text_document.uri)
    if key is not None:
        ls.analyse(key)


def did_change(ls: TorchlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    key = ls.documents.key(params.text_document.uri)
    if key is not None:
        ls.analyse(key, ls.debounce(key))


def did_save(ls: TorchlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri.endswith(SETTINGS_FILE):
        ls.settings_changed()
    elif (key := ls.documents.key(uri)) is not None:
        ls.analyse(key)


def did_close(ls: TorchlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.publisher.clear(uri)
    ls.analyses.forget(uri)


def notebook_did_open(ls: TorchlintServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
    ls.analyse(params.notebook_document.uri)


def notebook_did_change(ls: TorchlintServer, params: lsp.DidChangeNotebookDocumentParams) -> None:
    key = params.notebook_document.uri
    ls.analyse(key, ls.debounce(key))


def notebook_did_save(ls: TorchlintServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
    ls.analyse(params.notebook_document.uri)


def notebook_did_close(ls: TorchlintServer, params: lsp.DidCloseNotebookDocumentParams) -> None:
    key = params.notebook_document.uri
    ls.publisher.clear(key)
    ls.analyses.forget(key)
