"""The open Python documents and notebooks of the workspace, as sources for the engine.

pygls keeps the documents' text. :class:`LspWorkspace` makes its documents
:class:`LspTextDocument`, which count lines as LSP does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument, Workspace

from .notebooks import notebook_source
from .positions import UTF16, apply_change, lines_with_breaks
from .sources import Source

PYTHON_SUFFIXES = (".py", ".pyi")


class LspTextDocument(TextDocument):
    """pygls' text document with LSP's lines: they end only at ``\\n``, ``\\r\\n`` and ``\\r``.

    pygls 2.1 cuts lines with ``str.splitlines``, which also ends one at ``\\v``, ``\\f``,
    ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029: every incremental change below such a
    character then lands on the wrong line. pygls' own incremental update also moves a column
    past the end of the last line back by one; :func:`.positions.apply_change` follows LSP.
    """

    @property
    def lines(self) -> Sequence[str]:
        return tuple(lines_with_breaks(self.source))

    def _apply_incremental_change(self, change: lsp.TextDocumentContentChangePartial) -> None:
        self._source = apply_change(self.source, change.range, change.text, self.position_codec.encoding or UTF16)


class LspWorkspace(Workspace):
    """pygls' workspace, whose text documents are :class:`LspTextDocument`."""

    @classmethod
    def adopt(cls, workspace: Workspace) -> LspWorkspace:
        """A workspace like ``workspace`` (root, folders, sync kind, encoding), before any document opened."""
        if isinstance(workspace, cls):
            return workspace
        assert not workspace.text_documents and not workspace.notebook_documents, "adopted after documents opened"
        folders = list(workspace.folders.values())
        return cls(workspace.root_uri, workspace._sync_kind, folders, workspace.position_encoding)

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def is_python(document: TextDocument) -> bool:
    return document.language_id == "python" or document.uri.endswith(PYTHON_SUFFIXES)


class Documents:
    def __init__(self, workspace: Callable[[], Workspace]) -> None:
        self._workspace = workspace

    def open_document(self, uri: str) -> TextDocument | None:
        return self._workspace().text_documents.get(unquote(uri))

    def key(self, uri: str) -> str | None:
        """The source a document belongs to: its notebook's uri for a cell, else its own."""
        workspace = self._workspace()
        notebook = workspace.get_notebook_document(cell_uri=uri) or workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            return notebook.uri
        document = self.open_document(uri)
        return uri if document is not None and is_python(document) else None

    def source(self, uri: str) -> Source | None:
        """What the engine analyses for a document, a notebook, or a notebook's cell."""
        workspace = self._workspace()
        notebook = workspace.get_notebook_document(cell_uri=uri) or workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            return notebook_source(notebook, self.open_document)
        document = self.open_document(uri)
        if document is None or not is_python(document):
            return None
        return Source.document(document.uri, to_fs_path(document.uri), document.version, document.source)

    def open_keys(self) -> list[str]:
        """Every open Python document outside notebooks, and every open notebook."""
        workspace = self._workspace()
        documents = [
            document.uri
            for document in workspace.text_documents.values()
            if is_python(document) and workspace.get_notebook_document(cell_uri=document.uri) is None
        ]
        return documents + [notebook.uri for notebook in workspace.notebook_documents.values()]

    def sources(self) -> list[Source]:
        return [source for key in self.open_keys() if (source := self.source(key)) is not None]
