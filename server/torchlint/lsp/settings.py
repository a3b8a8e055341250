"""Editor settings over ``[tool.torchlint]`` over the defaults, per workspace folder.

Editor settings come from ``initializationOptions`` and, where the client answers it, from
``workspace/configuration`` (section ``torchlint``, scoped to each workspace folder); the
latter wins key by key. Keys: ``select`` (replaces the file's), ``extendSelect`` (added to
the selection), ``profile`` (over the file's), ``ignore`` (added to the file's, like
``--ignore``), ``severity`` (``{"TL103": "error"}``, merged), ``targetTorch``
(the oldest torch the project supports, ``"2.4"``: over ``target-torch`` and the project's
dependency pin), ``debounce`` (milliseconds), ``showSyntaxErrors`` and ``diagnosticsScope``
(``"openFiles"`` or ``"workspace"``: read at ``initialize``, from ``initializationOptions``, since
it decides the capabilities). A bad entry is dropped with a warning, never fatal; so is a
client-only key of the section that a client sends along (``CLIENT_KEYS``), silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, find_pyproject, from_table, load, valid_selectors, validate_version
from ..engine import SYNTAX_ERROR
from ..model import Severity

SECTION = "torchlint"
KNOWN_KEYS = (
    "select", "extendSelect", "ignore", "severity", "profile", "targetTorch", "debounce", "showSyntaxErrors",
    "diagnosticsScope",
)  # fmt: skip
#: Keys of the ``torchlint`` section that only the VS Code client reads.
CLIENT_KEYS = ("interpreter", "importStrategy", "run", "gpuCheck", "trace")
OPEN_FILES, WORKSPACE = "openFiles", "workspace"
DEFAULT_DEBOUNCE_MS = 150
MAX_DEBOUNCE_MS = 10_000


@dataclass(frozen=True)
class EditorSettings:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    profile: str | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    target_torch: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    show_syntax_errors: bool = True
    diagnostics_scope: str = OPEN_FILES

    @classmethod
    def parse(cls, raw: object, source: str = "editor settings") -> tuple[EditorSettings, list[str]]:
        """Settings from a client's JSON object; bad entries are dropped and reported."""
        if raw is None:
            return cls(), []
        if not isinstance(raw, Mapping):
            return cls(), [f"{source}: expected an object, got {type(raw).__name__}; ignored"]
        warnings = [
            f"{source}: unknown setting {key!r} ignored (known: {', '.join(KNOWN_KEYS)})"
            for key in raw
            if key not in KNOWN_KEYS and key not in CLIENT_KEYS
        ]
        table = {key: raw[key] for key in ("select", "ignore", "severity") if key in raw}
        if raw.get("profile"):  # "": no profile
            table["profile"] = raw["profile"]
        rules, rule_warnings = from_table(table, source=source)
        warnings += rule_warnings
        settings = cls(
            select=rules.select if raw.get("select") else None,  # empty: keep the file's selection
            extend_select=valid_selectors(raw["extendSelect"], "extendSelect", source, warnings) if "extendSelect" in raw else (),
            ignore=rules.ignore,
            profile=rules.profile,
            severity=rules.severity,
            target_torch=_target_torch(raw.get("targetTorch"), source, warnings),
            debounce_ms=_debounce(raw.get("debounce", DEFAULT_DEBOUNCE_MS), source, warnings),
            show_syntax_errors=_flag(raw.get("showSyntaxErrors", True), "showSyntaxErrors", source, warnings),
            diagnostics_scope=_scope(raw.get("diagnosticsScope", OPEN_FILES), source, warnings),
        )
        return settings, warnings

    def apply(self, config: Config) -> Config:
        """``config`` with these settings on top."""
        overrides: dict = {}
        if self.select is not None:
            overrides["select"] = self.select
        if self.extend_select:
            overrides["extend_select"] = self.extend_select
        if self.profile:
            overrides["profile"] = self.profile
        extend_ignore = self.ignore + (() if self.show_syntax_errors else (SYNTAX_ERROR,))
        if extend_ignore:
            overrides["extend_ignore"] = extend_ignore
        if self.severity:
            overrides["severity"] = {code: severity.value for code, severity in self.severity.items()}
        if self.target_torch:
            overrides["target_torch"] = self.target_torch
        return config.override(**overrides, source="editor settings") if overrides else config

    def describe(self) -> dict:
        return {
            "select": list(self.select) if self.select is not None else None,
            "extendSelect": list(self.extend_select),
            "ignore": list(self.ignore),
            "severity": {code: severity.value for code, severity in self.severity.items()},
            "profile": self.profile,
            "targetTorch": self.target_torch,
            "debounce": self.debounce_ms,
            "showSyntaxErrors": self.show_syntax_errors,
            "diagnosticsScope": self.diagnostics_scope,
        }


def _scope(value: object, source: str, warnings: list[str]) -> str:
    if value in (OPEN_FILES, WORKSPACE):
        return str(value)
    warnings.append(f"{source}: diagnosticsScope must be {OPEN_FILES!r} or {WORKSPACE!r}; using {OPEN_FILES!r}")
    return OPEN_FILES


def _target_torch(value: object, source: str, warnings: list[str]) -> str | None:
    """The ``targetTorch`` setting, validated; ``None`` (and ``""``) leaves it to the project."""
    if value is None or value == "":
        return None
    try:
        return validate_version(value)
    except ConfigError as error:
        warnings.append(f"{source}: targetTorch: {error}; ignored")
        return None


def _debounce(value: object, source: str, warnings: list[str]) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= MAX_DEBOUNCE_MS:
        return int(value)
    warnings.append(
        f"{source}: debounce must be a number of milliseconds from 0 to {MAX_DEBOUNCE_MS}; using {DEFAULT_DEBOUNCE_MS}"
    )
    return DEFAULT_DEBOUNCE_MS


def _flag(value: object, key: str, source: str, warnings: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    warnings.append(f"{source}: {key} must be true or false; using true")
    return True


@dataclass(frozen=True)
class Effective:
    """Everything that applies to one document."""

    config: Config
    editor: EditorSettings
    folder: str | None
    pyproject: Path | None
    warnings: tuple[str, ...] = ()

    def excludes(self, path: str | None) -> bool:
        return path is not None and self.config.excludes(Path(path))

    def describe(self, uri: str, path: str | None) -> dict:
        return {
            "uri": uri,
            "path": path,
            "workspaceFolder": self.folder,
            "pyproject": str(self.pyproject) if self.pyproject else None,
            "editorSettings": self.editor.describe(),
            "effective": {
                **self.config.describe(),
                "debounce": self.editor.debounce_ms,
                "showSyntaxErrors": self.editor.show_syntax_errors,
            },
            "excluded": self.excludes(path),
            "warnings": list(self.warnings),
        }


class SettingsStore:
    """The settings of every workspace folder, and the effective settings of each document.

    ``generation`` changes whenever any setting or settings file may have changed, so results
    computed under older settings can be told apart.
    """

    def __init__(self, on_warning: Callable[[str], None] = lambda message: None) -> None:
        self.on_warning = on_warning
        self.initialization: Mapping = {}
        self.folders: dict[str, Path] = {}
        self._client: dict[str | None, object] = {}
        self._cache: dict[tuple[Path | None, str | None], Effective] = {}
        self._reported: set[str] = set()
        self._lock = threading.Lock()
        self.generation = 0

    def set_initialization(self, options: object) -> None:
        self.initialization = options if isinstance(options, Mapping) else {}
        self.changed()

    def set_client(self, scope: str | None, value: object) -> None:
        """What ``workspace/configuration`` answered for a folder (``None``: outside any folder)."""
        self._client[scope] = value
        self.changed()

    def changed(self) -> None:
        with self._lock:
            self.generation += 1
            self._cache.clear()
            self._reported.clear()
            find_pyproject.cache_clear()

    def editor(self, folder: str | None) -> tuple[EditorSettings, list[str]]:
        raw = self._client.get(folder)
        if raw is None:
            raw = self._client.get(None)
        merged = {**self.initialization, **raw} if isinstance(raw, Mapping) else self.initialization
        return EditorSettings.parse(merged)

    def folder_of(self, path: str | None) -> str | None:
        """The workspace folder (uri) that holds ``path``: the innermost one."""
        if path is None:
            return None
        target = Path(path)
        holders = [(len(root.parts), uri) for uri, root in self.folders.items() if target.is_relative_to(root)]
        return max(holders)[1] if holders else None

    def directory_config(self, directory: Path) -> Config:
        """The settings of the files directly in ``directory`` (as ``torchlint.files.discover`` asks)."""
        return self._effective(directory, self.folder_of(str(directory))).config

    def effective(self, path: str | None) -> Effective:
        return self._effective(Path(path).parent if path else None, self.folder_of(path))

    def _effective(self, directory: Path | None, folder: str | None) -> Effective:
        key = (directory, folder)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        editor, warnings = self.editor(folder)
        if directory is not None:
            config, file_warnings = load(directory)
            pyproject = find_pyproject(directory.resolve())
        else:
            config, file_warnings, pyproject = Config(), [], None
        effective = Effective(editor.apply(config), editor, folder, pyproject, tuple(file_warnings + warnings))
        with self._lock:
            self._cache[key] = effective
            new = [warning for warning in effective.warnings if warning not in self._reported]
            self._reported.update(new)
        for warning in new:
            self.on_warning(warning)
        return effective
