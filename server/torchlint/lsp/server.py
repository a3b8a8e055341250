"""The language server: LSP messages wired to the engine through this package's modules.

Every handler is guarded: an exception is logged (``window/logMessage``, naming the method
and the document) and answered with an empty result, so no input takes the server down.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..rule import all_rules
from . import code_actions, completion, diagnostics, hover
from .analysis import Analyses, AnalysisFailed
from .capabilities import ClientFeatures
from .documents import Documents
from .settings import SECTION, SettingsStore

SHOW_SETTINGS = "torchlint.showEffectiveSettings"
SETTINGS_FILE = "pyproject.toml"
#: How long to wait for the client's answer to a request of the server.
CLIENT_TIMEOUT_S = 5.0
NOTEBOOK_SYNC = lsp.NotebookDocumentSyncOptions(
    notebook_selector=[lsp.NotebookDocumentFilterWithCells(cells=[lsp.NotebookCellLanguage("python")], notebook="*")],
    save=True,
)


class TorchlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("torchlint", __version__, notebook_document_sync=NOTEBOOK_SYNC)
        self.client = ClientFeatures()
        self.settings = SettingsStore(on_warning=lambda message: self.log(message, lsp.MessageType.Warning))
        self.documents = Documents(lambda: self.workspace)
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="torchlint-analysis")
        self.analyses = Analyses(self.settings, self.executor)
        self.publisher = diagnostics.Publisher(self)
        self.ready = asyncio.Event()
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
        """Analyse a source and push its diagnostics (clients that pull ask for them instead)."""
        if not self.client.pull_diagnostics:
            self.publisher.schedule(key, delay)

    def settings_changed(self) -> None:
        """Settings or a settings file changed: analyse every open document again."""
        self.settings.changed()
        if self.client.pull_diagnostics:
            if self.client.diagnostic_refresh:
                self.workspace_diagnostic_refresh(None)
            return
        for key in self.documents.keys():
            self.analyse(key)

    def debounce(self, key: str) -> float:
        """The debounce of the document or notebook ``key``, in seconds."""
        return self.settings.effective(to_fs_path(key)).editor.debounce_ms / 1000

    def bind_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()


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


# -- lifecycle and settings -----------------------------------------------------------------


def initialize(ls: TorchlintServer, params: lsp.InitializeParams) -> None:
    ls.bind_loop()
    all_rules()  # fill the rule registry before worker threads read it
    ls.client = ClientFeatures.read(params.capabilities, ls.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)
    ls.settings.folders = _folders(ls)
    ls.settings.set_initialization(params.initialization_options)


async def initialized(ls: TorchlintServer, params: lsp.InitializedParams) -> None:
    try:
        await _fetch_settings(ls)
    finally:
        ls.ready.set()
    await _register_watchers(ls)


async def _register_watchers(ls: TorchlintServer) -> None:
    registrations = []
    if ls.client.register_watched_files:
        watcher = lsp.FileSystemWatcher(glob_pattern=f"**/{SETTINGS_FILE}")
        registrations.append(
            lsp.Registration(
                "torchlint-settings-files",
                lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                lsp.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]),
            )
        )
    if ls.client.register_configuration:
        registrations.append(
            lsp.Registration(
                "torchlint-configuration",
                lsp.WORKSPACE_DID_CHANGE_CONFIGURATION,
                lsp.DidChangeConfigurationRegistrationOptions(section=SECTION),
            )
        )
    if not registrations:
        return
    try:
        await asyncio.wait_for(ls.client_register_capability_async(lsp.RegistrationParams(registrations)), CLIENT_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - settings files are then re-read on save only
        ls.log(f"the client did not register the settings watchers ({error}); settings changes apply on save", lsp.MessageType.Warning)


async def _fetch_settings(ls: TorchlintServer) -> None:
    """Ask the client for the ``torchlint`` section of every workspace folder and of the editor."""
    if not ls.client.configuration:
        return
    scopes = [*ls.settings.folders, None]
    items = [lsp.ConfigurationItem(scope_uri=scope, section=SECTION) for scope in scopes]
    try:
        values = await asyncio.wait_for(
            ls.workspace_configuration_async(lsp.ConfigurationParams(items)), CLIENT_TIMEOUT_S
        )
    except Exception as error:  # noqa: BLE001 - fall back to initializationOptions
        ls.log(f"workspace/configuration failed ({error!r}); using initializationOptions", lsp.MessageType.Warning)
        return
    for scope, value in zip(scopes, values):
        ls.settings.set_client(scope, value)


def _folders(ls: TorchlintServer) -> dict[str, Path]:
    folders = {folder.uri: to_fs_path(folder.uri) for folder in ls.workspace.folders.values()}
    if not folders and ls.workspace.root_uri:
        folders = {ls.workspace.root_uri: to_fs_path(ls.workspace.root_uri)}
    return {uri: Path(path) for uri, path in folders.items() if path}


async def did_change_configuration(ls: TorchlintServer, params: lsp.DidChangeConfigurationParams) -> None:
    if ls.client.configuration:
        await _fetch_settings(ls)
    elif isinstance(params.settings, dict) and SECTION in params.settings:
        ls.settings.set_client(None, params.settings[SECTION])
    ls.settings_changed()


def did_change_watched_files(ls: TorchlintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.endswith(SETTINGS_FILE) for change in params.changes):
        ls.settings_changed()


async def did_change_workspace_folders(ls: TorchlintServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    ls.settings.folders = _folders(ls)
    await _fetch_settings(ls)
    ls.settings_changed()


def show_effective_settings(ls: TorchlintServer, uri: str) -> dict:
    """What applies to the document ``uri``: its settings, where each came from, the rules that run."""
    source = ls.documents.source(uri)
    path = source.path if source is not None else to_fs_path(uri)
    effective = ls.settings.effective(path)
    described = effective.describe(uri, path)
    described["enabledRules"] = [code for code in all_rules() if effective.config.enabled(code)]
    return described


# -- documents ------------------------------------------------------------------------------


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


HANDLERS = [
    (lsp.INITIALIZE, initialize, None),
    (lsp.INITIALIZED, initialized, None),
    (lsp.WORKSPACE_DID_CHANGE_CONFIGURATION, did_change_configuration, None),
    (lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, did_change_watched_files, None),
    (lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, did_change_workspace_folders, None),
    (lsp.TEXT_DOCUMENT_DID_OPEN, did_open, None),
    (lsp.TEXT_DOCUMENT_DID_CHANGE, did_change, None),
    (lsp.TEXT_DOCUMENT_DID_SAVE, did_save, lsp.SaveOptions(include_text=False)),
    (lsp.TEXT_DOCUMENT_DID_CLOSE, did_close, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_OPEN, notebook_did_open, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_CHANGE, notebook_did_change, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_SAVE, notebook_did_save, None),
    (lsp.NOTEBOOK_DOCUMENT_DID_CLOSE, notebook_did_close, None),
    (
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        diagnostics.document_report,
        lsp.DiagnosticOptions(identifier="torchlint", inter_file_dependencies=False, workspace_diagnostics=True),
    ),
    (lsp.WORKSPACE_DIAGNOSTIC, diagnostics.workspace_report, None),
    (
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        code_actions.code_actions,
        lsp.CodeActionOptions(code_action_kinds=code_actions.KINDS, resolve_provider=True),
    ),
    (lsp.CODE_ACTION_RESOLVE, code_actions.resolve, None),
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
    server.command(SHOW_SETTINGS)(guarded(show_effective_settings))
    return server
