"""Every rule by code, found from the file layout: ``rules/<family>/tl<code>_<name>.py``."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from .rule import Rule

RULES_DIR = Path(__file__).parent / "rules"
RULE_FILES = "*/tl[0-9][0-9][0-9]_*.py"

_REGISTRY: dict[str, type[Rule]] = {}
_RULES = MappingProxyType(_REGISTRY)
_LOCK = threading.Lock()
_ALIASES: dict[str, tuple[str, ...]] = {}
_ALIAS_VIEW = MappingProxyType(_ALIASES)


def all_rules() -> Mapping[str, type[Rule]]:
    """Every rule by code, in code order (a read-only view), importing the rule files once."""
    if not _REGISTRY:
        with _LOCK:
            if not _REGISTRY:
                # Published in one step, so a thread never sees a half-filled registry.
                _REGISTRY.update(sorted(_load().items()))
    return _RULES


def register(rule: type[Rule]) -> None:
    """Add a rule defined outside the rules folder (a plugin's, or a test's stand-in)."""
    all_rules()
    with _LOCK:
        if rule.code in _REGISTRY:
            raise RuntimeError(f"rule code {rule.code} is declared twice")
        _REGISTRY[rule.code] = rule


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob(RULE_FILES))


def _load() -> dict[str, type[Rule]]:
    found: dict[str, type[Rule]] = {}
    for path in rule_files():
        module = importlib.import_module(f"{__package__}.rules.{path.parent.name}.{path.stem}")
        declared = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and "code" in value.__dict__
            and value.__module__ == module.__name__
        ]
        if len(declared) != 1:
            raise RuntimeError(f"{path.name} must declare exactly one rule, not {len(declared)}")
        (rule,) = declared
        if rule.code in found:
            raise RuntimeError(f"rule code {rule.code} is declared twice")
        found[rule.code] = rule
    return found


def aliases() -> Mapping[str, tuple[str, ...]]:
    """Each rule's code -> the other codes it answers to (TorchFix's ``TOR102`` for TL140)."""
    if not _ALIASES:
        _ALIASES.update({code: rule.aliases for code, rule in all_rules().items()})
    return _ALIAS_VIEW


def resolve_alias(code: str) -> str | None:
    """The rule code that ``code`` (a rule's code or one of its aliases) names, if any."""
    if code in all_rules():
        return code
    return next((rule for rule, names in aliases().items() if code in names), None)
