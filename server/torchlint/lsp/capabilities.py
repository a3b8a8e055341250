"""What the client can do, read once from its capabilities at ``initialize``."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp
from pygls.capabilities import get_capability

from .positions import UTF16


@dataclass(frozen=True)
class ClientFeatures:
    encoding: str = UTF16
    #: The client pulls diagnostics (``textDocument/diagnostic``); otherwise the server pushes them.
    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    diagnostic_tags: frozenset[lsp.DiagnosticTag] = frozenset()
    diagnostic_version: bool = False
    markdown_hover: bool = False
    snippets: bool = False
    completion_markdown: bool = False
    resolve_code_action_edit: bool = False
    #: The client shows a code action that cannot apply, with the reason (``CodeAction.disabled``).
    code_action_disabled: bool = False
    document_changes: bool = False
    configuration: bool = False
    register_configuration: bool = False
    register_watched_files: bool = False
    work_done_progress: bool = False

    @classmethod
    def read(cls, capabilities: lsp.ClientCapabilities, encoding: str) -> ClientFeatures:
        def has(path: str, default=None):
            return get_capability(capabilities, path, default)

        pull = has("text_document.diagnostic") is not None
        tag_source = "text_document.diagnostic" if pull else "text_document.publish_diagnostics"
        tags = has(f"{tag_source}.tag_support.value_set", []) or []
        return cls(
            encoding=encoding,
            pull_diagnostics=pull,
            diagnostic_refresh=bool(has("workspace.diagnostics.refresh_support", False)),
            diagnostic_tags=frozenset(tags),
            diagnostic_version=bool(has("text_document.publish_diagnostics.version_support", False)),
            markdown_hover=lsp.MarkupKind.Markdown in (has("text_document.hover.content_format", []) or []),
            snippets=bool(has("text_document.completion.completion_item.snippet_support", False)),
            completion_markdown=lsp.MarkupKind.Markdown
            in (has("text_document.completion.completion_item.documentation_format", []) or []),
            resolve_code_action_edit="edit"
            in (has("text_document.code_action.resolve_support.properties", []) or []),
            code_action_disabled=bool(has("text_document.code_action.disabled_support", False)),
            document_changes=bool(has("workspace.workspace_edit.document_changes", False)),
            configuration=bool(has("workspace.configuration", False)),
            register_configuration=bool(has("workspace.did_change_configuration.dynamic_registration", False)),
            register_watched_files=bool(has("workspace.did_change_watched_files.dynamic_registration", False)),
            work_done_progress=bool(has("window.work_done_progress", False)),
        )
