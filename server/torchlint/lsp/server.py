"""The language server: LSP messages wired to the engine through this package's modules.

:class:`TorchlintServer` is the :class:`~torchlint.lsp.session.Session` that the feature
modules are given; they never import this module, which imports them.

Every handler is guarded: an exception is logged (``window/logMessage``, naming the method
and the document) and answered with an empty result, so no input takes the server down.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from . import code_actions, completion, diagnostics, gpu_check, hover, progress, smoke_run, sync, workspace, workspace_diagnostics
from .analysis import Analyses, AnalysisFailed
from .capabilities import ClientFeatures
from .documents import Documents
from .protocol import TorchlintProtocol
from .settings import SettingsStore

SHOW_SETTINGS = "torchlint.showEffectiveSettings"
NOTEBOOK_SYNC = lsp.NotebookDocumentSyncOptions(
    notebook_selector=[lsp.NotebookDocumentFilterWithCells(cells=[lsp.NotebookCellLanguage("python")], notebook="*")],
    save=True,
)


class TorchlintServer(LanguageServer):
    protocol: TorchlintProtocol

    def __init__(self) -> None:
        super().__init__(
            "torchlint", __version__, notebook_document_sync=NOTEBOOK_SYNC, protocol_cls=TorchlintProtocol
        )
        self.client = ClientFeatures()
        self.settings = SettingsStore(on_warning=lambda message: self.log(message, lsp.MessageType.Warning))
        self.documents = Documents(lambda: self.workspace)
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="torchlint-analysis")
        self.analyses = Analyses(self.settings, self.executor, self.log_failure)
        self.publisher = diagnostics.Publisher(self)  # takes a Session: mypy checks that this server is one
        self.ready = asyncio.Event()
        #: Running GPU checks: the event that cancels each, and its future.
        self.background_runs: dict[threading.Event, asyncio.Future] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        """``window/logMessage``, from the event loop or from a worker thread."""
        params = lsp.LogMessageParams(kind, f"torchlint: {message}")
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self.window_log_message, params)
        else:
            self.window_log_message(params)

    def log_failure(self, failure: AnalysisFailed) -> None:
        self.log(f"{failure}\n{failure.details}", lsp.MessageType.Error)

    def report_server_error(self, error: Exception, source) -> None:
        self.log(f"internal error ({source.__name__}): {error}", lsp.MessageType.Error)

    def analyse(self, key: str, delay: float = 0.0) -> None:
        """Analyse a source and push its diagnostics. Clients that pull ask for a document's
        instead; a notebook's go to its cells by push all the same, since VS Code pulls only for
        the documents it opened with ``didOpen`` and shows in a tab, which a cell never is."""
        source = self.documents.source(key)
        if not self.client.pull_diagnostics or (source is not None and source.notebook):
            self.publisher.schedule(key, delay)

    def close(self, key: str) -> None:
        """A document or notebook closed: withdraw its pushed diagnostics and forget its analysis."""
        self.publisher.clear(key)
        self.analyses.forget(key)

    def announce_workspace_diagnostics(self) -> None:
        """Answer ``workspace/diagnostic`` (``diagnosticsScope`` "workspace"). Called in ``initialize``:
        pygls then derives the capability ``workspaceDiagnostics`` from the features registered."""
        self.feature(lsp.WORKSPACE_DIAGNOSTIC)(guarded(workspace_diagnostics.workspace_report))

    def settings_changed(self) -> None:
        """Settings or a settings file changed: analyse every open document again (a client that
        pulls is asked to pull again, where it can be)."""
        self.settings.changed()
        if self.client.pull_diagnostics and self.client.diagnostic_refresh:
            self.workspace_diagnostic_refresh(None)
        for key in self.documents.open_keys():
            self.analyse(key)

    def debounce(self, key: str) -> float:
        """The debounce of the document or notebook ``key``, in seconds."""
        return self.settings.effective(to_fs_path(key)).editor.debounce_ms / 1000

    def bind_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls' stdio server, reading through :meth:`TorchlintProtocol.serve`.

        ``exit`` raises ``SystemExit`` (1 without ``shutdown``), which pygls' own loop swallowed.
        """
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(self.protocol.serve(stdin or sys.stdin.buffer, self._stop_event))
        except BrokenPipeError:
            pass  # the client is gone: nothing to report to
        finally:
            self.shutdown()


def guarded(handler):
    """Log any exception of ``handler`` with the document it concerned, and answer ``None``.

    The wrapper takes ``(ls, *args)``: pygls passes the server to a first parameter named ``ls``.
    """

    def report(ls: TorchlintServer, args: tuple, error: Exception) -> None:
        uri = _uri_of(args[0]) if args else None
        where = f" for {uri}" if uri else ""
        details = "".join(traceback.format_exception(error))
        ls.log(f"{handler.__name__}{where} failed: {error!r}\n{details}", lsp.MessageType.Error)

    if inspect.iscoroutinefunction(handler):

        async def run_async(ls, *args):
            try:
                return await handler(ls, *args)
            except Exception as error:  # noqa: BLE001 - the server must outlive any input
                report(ls, args, error)
                return None

        wrapper = run_async
    else:

        def run(ls, *args):
            try:
                return handler(ls, *args)
            except Exception as error:  # noqa: BLE001 - the server must outlive any input
                report(ls, args, error)
                return None

        wrapper = run
    wrapper.__name__ = wrapper.__qualname__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def _uri_of(params: object) -> str | None:
    for name in ("text_document", "notebook_document"):
        document = getattr(params, name, None)
        if document is not None:
            return getattr(document, "uri", None)
    return params if isinstance(params, str) else None


HANDLERS = [
    (lsp.INITIALIZE, workspace.initialize, None),
    (lsp.SHUTDOWN, progress.stop_background_runs, None),
    (lsp.INITIALIZED, workspace.initialized, None),
    (lsp.WORKSPACE_DID_CHANGE_CONFIGURATION, workspace.did_change_configuration, None),
    (lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, workspace.did_change_watched_files, None),
    (lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, workspace.did_change_workspace_folders, None),
    (lsp.TEXT_DOCUMENT_DID_OPEN, sync.did_open, None),
    (lsp.TEXT_DOCUMENT_DID_CHANGE, sync.did_change, None),
    (lsp.TEXT_DOCUMENT_DID_SAVE, sync.did_save, lsp.SaveOptions(include_text=False)),
    (lsp.TEXT_DOCUMENT_DID_CLOSE, sync.did_close, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_OPEN, sync.notebook_did_open, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_CHANGE, sync.notebook_did_change, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_SAVE, sync.notebook_did_save, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_CLOSE, sync.notebook_did_close, None),
    (
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        diagnostics.document_report,
        lsp.DiagnosticOptions(identifier="torchlint", inter_file_dependencies=False, workspace_diagnostics=False),
    ),
    (
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        code_actions.code_actions,
        lsp.CodeActionOptions(code_action_kinds=code_actions.KINDS, resolve_provider=True),
    ),
    (lsp.CODE_ACTION_RESOLVE, code_actions.resolve, None),
    (lsp.TEXT_DOCUMENT_CODE_LENS, smoke_run.code_lenses, lsp.CodeLensOptions(resolve_provider=False)),
    (lsp.TEXT_DOCUMENT_HOVER, hover.hover, None),
    (
        lsp.TEXT_DOCUMENT_COMPLETION,
        completion.completions,
        lsp.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS),
    ),
]


def create_server() -> TorchlintServer:
    server = TorchlintServer()
    for method, handler, options in HANDLERS:
        server.feature(method, options)(guarded(handler))
    server.command(SHOW_SETTINGS)(guarded(workspace.show_effective_settings))
    server.command(gpu_check.GPU_CHECK)(guarded(gpu_check.gpu_check))
    server.command(smoke_run.SMOKE_RUN)(guarded(smoke_run.smoke_run))
    return server
