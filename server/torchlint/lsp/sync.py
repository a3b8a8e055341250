"""Document and notebook synchronisation: what to analyse again when the editor opens, edits,
saves or closes something (pygls keeps the text, as :class:`.documents.LspTextDocument`)."""

from __future__ import annotations

from lsprotocol import types as lsp

from .session import Session
from .workspace import SETTINGS_FILE


def did_open(ls: Session, params: lsp.DidOpenTextDocumentParams) -> None:
    key = ls.documents.key(params.text_document.uri)
    if key is not None:
        ls.analyse(key)


def did_change(ls: Session, params: lsp.DidChangeTextDocumentParams) -> None:
    key = ls.documents.key(params.text_document.uri)
    if key is not None:
        ls.analyse(key, ls.debounce(key))


def did_save(ls: Session, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri.endswith(SETTINGS_FILE):
        ls.settings_changed()
    elif (key := ls.documents.key(uri)) is not None:
        ls.analyse(key)


def did_close(ls: Session, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.close(params.text_document.uri)


def notebook_did_open(ls: Session, params: lsp.DidOpenNotebookDocumentParams) -> None:
    ls.analyse(params.notebook_document.uri)


def notebook_did_change(ls: Session, params: lsp.DidChangeNotebookDocumentParams) -> None:
    key = params.notebook_document.uri
    ls.analyse(key, ls.debounce(key))


def notebook_did_save(ls: Session, params: lsp.DidSaveNotebookDocumentParams) -> None:
    ls.analyse(params.notebook_document.uri)


def notebook_did_close(ls: Session, params: lsp.DidCloseNotebookDocumentParams) -> None:
    ls.close(params.notebook_document.uri)
