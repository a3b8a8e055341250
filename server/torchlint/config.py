"""Settings: ``[tool.torchlint]`` in the nearest ``pyproject.toml``, overridden by the caller.

Problems in a settings file (an unknown key or code, a bad severity) never stop a run: the bad
entry is dropped and a one-line warning says which file and entry it was.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath

from .model import Severity
from .profiles import PROFILES
from .registry import aliases, all_rules, resolve_alias
from .torch_target import Version, format_version, parse_version, project_minimum

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KNOWN_KEYS = (
    "select", "extend-select", "ignore", "per-file-ignores", "severity", "exclude", "extend-exclude",
    "force-exclude", "fixable", "unfixable", "profile", "target-torch", "max-file-size",
)
ALL = "ALL"
#: The settings that hold codes and prefixes.
SELECTOR_KEYS = ("select", "extend-select", "ignore", "fixable", "unfixable")
#: The largest file read, in bytes: a Python source far past this is generated code or data.
MAX_FILE_SIZE = 5_000_000


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = (ALL,)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    #: The folder the ``exclude`` globs are relative to (the ``pyproject.toml``'s).
    root: Path | None = None
    #: Where the settings came from, for "show effective settings".
    source: str = "defaults"
    #: The oldest torch the project supports (``"2.4"``), ``None`` when unknown.
    target_torch: str | None = None
    #: Where ``target_torch`` came from (a settings file, a requirement).
    target_torch_source: str = ""
    #: Files larger than this many bytes are reported and not read.
    max_file_size: int = MAX_FILE_SIZE
    #: (glob, selectors) pairs: codes ignored in the files that a glob matches.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Codes whose fixes are applied (``--fix``, fix-all) and offered, less ``unfixable``.
    fixable: tuple[str, ...] = (ALL,)
    unfixable: tuple[str, ...] = ()
    #: ``exclude`` applies to files named on the command line too (for pre-commit).
    force_exclude: bool = False
    #: A preset of rules to drop (:data:`torchlint.profiles.PROFILES`).
    profile: str | None = None

    @property
    def torch_version(self) -> Version | None:
        """``target_torch`` as numbers (``(2, 4)``)."""
        return parse_version(self.target_torch) if self.target_torch else None

    def enabled(self, code: str) -> bool:
        """Selected and not ignored; the more specific of two matching selectors wins. A code the
        profile drops runs only when the selection names it in full."""
        decided = self._decisions.get(("enabled", code))
        if decided is None:
            selected = _specificity(code, self.select)
            ignored = _specificity(code, self.ignore)
            dropped = _specificity(code, PROFILES[self.profile].drops) if self.profile else 0
            decided = self._decisions["enabled", code] = selected > ignored and selected >= dropped
        return decided

    @cached_property
    def _decisions(self) -> dict[tuple[str, str], bool]:
        """What :meth:`enabled` and :meth:`fixes` answered, by code: asked for every rule and
        finding of every file, and fixed for the life of these (frozen) settings."""
        return {}

    def ignores_in(self, path: str) -> tuple[str, ...]:
        """The ``per-file-ignores`` selectors that apply to the file at ``path``: globs match its path
        relative to the settings' folder, a folder above it, or its name."""
        if not self.per_file_ignores or not path:
            return ()
        candidates = [*self._relative_candidates(Path(path)), Path(path).name]
        return tuple(
            selector
            for glob, selectors in self.per_file_ignores
            if any(fnmatch.fnmatch(c, glob.rstrip("/")) for c in candidates)
            for selector in selectors
        )

    def fixes(self, code: str) -> bool:
        """Whether the fixes of ``code`` are applied and offered (``fixable`` / ``unfixable``)."""
        decided = self._decisions.get(("fixes", code))
        if decided is None:
            decided = self._decisions["fixes", code] = _specificity(code, self.fixable) > _specificity(code, self.unfixable)
        return decided

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def excludes(self, path: Path) -> bool:
        if not self.exclude:
            return False
        candidates = self._relative_candidates(path)
        return any(fnmatch.fnmatch(c, glob.rstrip("/")) for glob in self.exclude for c in candidates)

    def _relative_candidates(self, path: Path) -> list[str]:
        """``path`` relative to the settings' folder, and each folder above it there."""
        try:
            relative = PurePosixPath(path.resolve().relative_to((self.root or Path.cwd()).resolve()))
        except ValueError:
            relative = PurePosixPath(path)
        return [str(relative), *(str(p) for p in relative.parents if str(p) != ".")]

    def override(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        extend_ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
        profile: str | None = None,
        severity: Mapping[str, str] | None = None,
        target_torch: str | None = None,
        source: str | None = None,
    ) -> Config:
        """These settings with the caller's on top (CLI flags, editor settings).

        Raises :class:`ConfigError` on an unknown code or severity: the caller typed it.
        """
        changes: dict = {}
        if select is not None:
            # A new selection replaces the layer below it entirely, its ignores included (as ruff).
            changes["select"] = tuple(validate_selectors(select))
            changes["ignore"] = ()
        if ignore is not None:
            changes["ignore"] = tuple(validate_selectors(ignore))
        if extend_ignore:
            changes["ignore"] = changes.get("ignore", self.ignore) + tuple(validate_selectors(extend_ignore))
        if extend_select:
            changes["select"] = changes.get("select", self.select) + tuple(validate_selectors(extend_select))
        if profile is not None:
            if profile not in PROFILES:
                raise ConfigError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
            changes["profile"] = profile
        if severity:
            merged = dict(self.severity)
            merged.update(validate_severities(severity))
            changes["severity"] = merged
        if target_torch:
            changes["target_torch"] = validate_version(target_torch)
            changes["target_torch_source"] = source or "command line"
        if source:
            changes["source"] = f"{source} over {self.source}"
        return replace(self, **changes)

    def describe(self) -> dict:
        return {
            "select": list(self.select),
            "ignore": list(self.ignore),
            "severity": {code: sev.value for code, sev in self.severity.items()},
            "exclude": list(self.exclude),
            "source": self.source,
            "target_torch": self.target_torch,
            "target_torch_source": self.target_torch_source or None,
            "max_file_size": self.max_file_size,
            "per_file_ignores": {glob: list(selectors) for glob, selectors in self.per_file_ignores},
            "fixable": list(self.fixable),
            "unfixable": list(self.unfixable),
            "force_exclude": self.force_exclude,
            "profile": self.profile,
        }


def _specificity(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that matches ``code`` or one of its aliases (``ALL``
    counts as 1), 0 if none."""
    best = 0
    names = (code, *aliases().get(code, ()))
    for selector in selectors:
        if selector == ALL:
            best = max(best, 1)
        elif any(name.startswith(selector) for name in names):
            best = max(best, len(selector) + 1)
    return best


def validate_selectors(selectors: Iterable[str]) -> list[str]:
    codes = all_rules()
    result = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        known = (name for code in codes for name in (code, *aliases().get(code, ())))
        if selector != ALL and not any(name.startswith(selector) for name in known):
            raise ConfigError(f"unknown rule code or prefix {raw!r} (see `torchlint rules`)")
        result.append(selector)
    return result


def validate_severities(severity: Mapping[str, str]) -> dict[str, Severity]:
    result = {}
    for code, value in severity.items():
        rule = resolve_alias(code.upper())
        if rule is None:
            raise ConfigError(f"unknown rule code {code!r} in severity (see `torchlint rules`)")
        try:
            result[rule] = Severity.parse(str(value))
        except ValueError as error:
            raise ConfigError(f"severity of {code}: {error}") from None
    return result


def from_table(table: Mapping, *, root: Path | None = None, source: str = "settings") -> tuple[Config, list[str]]:
    """Build a config from a ``[tool.torchlint]``-shaped mapping, dropping (and reporting) bad entries."""
    warnings: list[str] = []
    config = Config(root=root, source=source)
    for key in table:
        if key not in KNOWN_KEYS:
            warnings.append(f"{source}: unknown setting {key!r} ignored (known: {', '.join(KNOWN_KEYS)})")
    selectors = {key: valid_selectors(table[key], key, source, warnings) for key in SELECTOR_KEYS if key in table}
    config = replace(
        config,
        select=selectors.get("select", config.select) + selectors.get("extend-select", ()),
        ignore=selectors.get("ignore", config.ignore),
        fixable=selectors.get("fixable", config.fixable),
        unfixable=selectors.get("unfixable", config.unfixable),
    )
    if "per-file-ignores" in table:
        config = replace(config, per_file_ignores=_per_file_ignores(table["per-file-ignores"], source, warnings))
    if "severity" in table:
        if isinstance(table["severity"], Mapping):
            kept_severity: dict[str, Severity] = {}
            for code, value in table["severity"].items():
                try:
                    kept_severity.update(validate_severities({code: value}))
                except ConfigError as error:
                    warnings.append(f"{source}: {error}")
            config = replace(config, severity=kept_severity)
        else:
            warnings.append(f"{source}: severity must be a table of CODE = \"error|warning|info\"")
    for key in ("exclude", "extend-exclude"):
        if key in table:
            config = replace(config, exclude=config.exclude + tuple(_string_list(table[key], key, source, warnings)))
    if "force-exclude" in table:
        if isinstance(table["force-exclude"], bool):
            config = replace(config, force_exclude=table["force-exclude"])
        else:
            warnings.append(f"{source}: force-exclude must be true or false; ignored")
    if "profile" in table:
        if table["profile"] in PROFILES:
            config = replace(config, profile=table["profile"])
        else:
            warnings.append(f"{source}: unknown profile {table['profile']!r} ignored (known: {', '.join(PROFILES)})")
    if "target-torch" in table:
        try:
            config = replace(config, target_torch=validate_version(table["target-torch"]), target_torch_source=source)
        except ConfigError as error:
            warnings.append(f"{source}: target-torch: {error}; ignored")
    if "max-file-size" in table:
        size = table["max-file-size"]
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            config = replace(config, max_file_size=size)
        else:
            warnings.append(f"{source}: max-file-size must be a positive number of bytes, got {size!r}; ignored")
    return config, warnings


def validate_version(value: object) -> str:
    """A torch version (``"2.4"``, ``"2.1.2"``), normalised; :class:`ConfigError` otherwise."""
    version = parse_version(value) if isinstance(value, str) else None
    if version is None:
        raise ConfigError(f'expected a torch version such as "2.4", got {value!r}')
    return format_version(version)


def valid_selectors(value: object, key: str, source: str, warnings: list[str]) -> tuple[str, ...]:
    """The valid codes and prefixes of a setting; each bad one dropped with a warning."""
    kept: list[str] = []
    for selector in _string_list(value, key, source, warnings):
        try:
            kept += validate_selectors([selector])
        except ConfigError as error:
            warnings.append(f"{source}: {key}: {error}")
    return tuple(kept)


def _per_file_ignores(value: object, source: str, warnings: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        warnings.append(f'{source}: per-file-ignores must be a table of "GLOB" = ["CODE", ...]; ignored')
        return ()
    pairs = ((glob, valid_selectors(codes, f"per-file-ignores {glob!r}", source, warnings)) for glob, codes in value.items())
    return tuple((glob, selectors) for glob, selectors in pairs if selectors)


def _string_list(value: object, key: str, source: str, warnings: list[str]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    warnings.append(f"{source}: {key} must be a list of strings; ignored")
    return []


@lru_cache(maxsize=256)
def find_pyproject(directory: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``directory`` that has a ``[tool.torchlint]`` table
    (however TOML spells it: ``[tool.torchlint]``, or ``torchlint.ignore = ...`` under ``[tool]``),
    or that mentions torchlint and cannot be read (so that loading it says why)."""
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        if os.path.isfile(candidate) and _has_settings(candidate):  # isfile: False, not an error, in a folder not searchable
            return candidate
    return None


def _has_settings(pyproject: Path) -> bool:
    try:
        data = pyproject.read_bytes()
        if b"torchlint" not in data:  # most pyproject.toml files: no need to parse them
            return False
        tool = tomllib.loads(data.decode("utf-8")).get("tool")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return isinstance(tool, Mapping) and "torchlint" in tool


def load(start: Path) -> tuple[Config, list[str]]:
    """The settings that apply to a file or folder, and warnings about the file they came from."""
    start = start.resolve()
    directory = start if os.path.isdir(start) else start.parent
    config, warnings = _load_settings(directory)
    if config.target_torch is None:
        try:
            pin = project_minimum(directory)
        except OSError:  # a folder that cannot be searched; reading its files will say so
            pin = None
        if pin is not None:
            config = replace(config, target_torch=format_version(pin.version), target_torch_source=pin.source)
    return config, warnings


def _load_settings(directory: Path) -> tuple[Config, list[str]]:
    pyproject = find_pyproject(directory)
    if pyproject is None:
        return Config(), []
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Config(), [f"{pyproject}: cannot read settings ({error}); using defaults"]
    tool = data.get("tool")
    table = tool.get("torchlint", {}) if isinstance(tool, Mapping) else {}
    if not isinstance(table, Mapping):
        return Config(), [f"{pyproject}: [tool.torchlint] must be a table; using defaults"]
    return from_table(table, root=pyproject.parent, source=str(pyproject))
