"""Lifecycle and settings: what the client can do, its settings, settings files and folders."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from ..registry import all_rules
from .capabilities import ClientFeatures
from .session import Session
from .settings import SECTION, WORKSPACE

SETTINGS_FILE = "pyproject.toml"
#: How long to wait for the client's answer to a request of the server.
CLIENT_TIMEOUT_S = 5.0


def initialize(ls: Session, params: lsp.InitializeParams) -> None:
    ls.bind_loop()
    all_rules()  # import every rule module now, not on the first keystroke
    encoding = ls.workspace.position_encoding or lsp.PositionEncodingKind.Utf16
    ls.client = ClientFeatures.read(params.capabilities, encoding)
    ls.settings.folders = _folders(ls)
    ls.settings.set_initialization(params.initialization_options)
    editor, _ = ls.settings.editor(None)  # its warnings are logged with the first document's settings
    if editor.diagnostics_scope == WORKSPACE and ls.client.pull_diagnostics:
        ls.announce_workspace_diagnostics()


async def initialized(ls: Session, params: lsp.InitializedParams) -> None:
    try:
        await _fetch_settings(ls)
    finally:
        ls.ready.set()
    await _register_watchers(ls)


async def _register_watchers(ls: Session) -> None:
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
        registration = ls.client_register_capability_async(lsp.RegistrationParams(registrations))
        await asyncio.wait_for(registration, CLIENT_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - settings files are then re-read on save only
        message = f"the client did not register the settings watchers ({error}); settings changes apply on save"
        ls.log(message, lsp.MessageType.Warning)


async def _fetch_settings(ls: Session) -> None:
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
    for scope, value in zip(scopes, values, strict=False):
        ls.settings.set_client(scope, value)


def _folders(ls: Session) -> dict[str, Path]:
    folders = {folder.uri: to_fs_path(folder.uri) for folder in ls.workspace.folders.values()}
    if not folders and ls.workspace.root_uri:
        folders = {ls.workspace.root_uri: to_fs_path(ls.workspace.root_uri)}
    return {uri: Path(path) for uri, path in folders.items() if path}


async def did_change_configuration(ls: Session, params: lsp.DidChangeConfigurationParams) -> None:
    if ls.client.configuration:
        await _fetch_settings(ls)
    elif isinstance(params.settings, dict) and SECTION in params.settings:
        ls.settings.set_client(None, params.settings[SECTION])
    ls.settings_changed()


def did_change_watched_files(ls: Session, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.endswith(SETTINGS_FILE) for change in params.changes):
        ls.settings_changed()


async def did_change_workspace_folders(ls: Session, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    ls.settings.folders = _folders(ls)
    await _fetch_settings(ls)
    ls.settings_changed()


def show_effective_settings(ls: Session, uri: str) -> dict:
    """What applies to the document ``uri``: its settings, where each came from, the rules that run."""
    source = ls.documents.source(uri)
    path = source.path if source is not None else to_fs_path(uri)
    effective = ls.settings.effective(path)
    described = effective.describe(uri, path)
    described["enabledRules"] = [code for code in all_rules() if effective.config.enabled(code)]
    return described
