"""The oldest torch a project supports: ``target-torch`` or the project's own dependency pin.

Rules whose advice depends on the torch version (``torch.load``'s default ``weights_only``,
when an API was deprecated) read it from the module context. The version comes from the editor
setting ``torchlint.targetTorch``, else ``target-torch`` in ``[tool.torchlint]``, else the lower
bound of the ``torch`` requirement in the nearest ``pyproject.toml`` (``[project]`` dependencies)
or the ``requirements*.txt`` files beside it. No pin, or one without a lower bound, means no
constraint: rules then assume a current torch.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Version = tuple[int, ...]

_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\*)?\s*$")
#: ``torch`` in a PEP 508 requirement: the name, optional extras, then the specifiers up to a
#: marker (``;``), a URL (``@``) or a comment.
_REQUIREMENT = re.compile(r"^\s*torch\s*(?:\[[^\]]*\])?\s*(?P<specs>[^;@#]*)", re.IGNORECASE)
_SPECIFIER = re.compile(r"(===|==|~=|>=|<=|!=|>|<)\s*([^\s,()]+)")
#: The operators whose version is a lower bound (``==2.1.*`` and ``~=2.3`` included).
_LOWER_BOUNDS = {"==", "===", "~=", ">=", ">"}


def parse_version(text: str) -> Version | None:
    """``(2, 4)`` for ``"2.4"``, ``(2, 1)`` for ``"2.1.*"``; ``None`` for anything else."""
    match = _VERSION.match(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def format_version(version: Version) -> str:
    return ".".join(str(part) for part in version)


def minimum_from_requirement(requirement: str) -> Version | None:
    """The lowest torch ``requirement`` allows (``torch>=2.4`` -> ``(2, 4)``), ``None`` when it
    is not a torch requirement or sets no lower bound (``torch``, ``torch<3``)."""
    match = _REQUIREMENT.match(requirement)
    if match is None or not _is_torch_name(requirement):
        return None
    bounds = []
    for operator, text in _SPECIFIER.findall(match.group("specs")):
        version = parse_version(text.split("+")[0])  # a local version such as 2.4.0+cu121
        if operator in _LOWER_BOUNDS and version is not None:
            bounds.append(version)
    return max(bounds, default=None)


def _is_torch_name(requirement: str) -> bool:
    """The requirement names ``torch`` itself, not ``torchvision`` or ``torch-geometric``."""
    return re.match(r"^\s*torch\s*(?:$|[\[<>=!~;@,#\s(])", requirement, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Pin:
    """A project's minimum torch and where it was read (a file and the requirement's text)."""

    version: Version
    source: str


def project_minimum(directory: Path) -> Pin | None:
    """The minimum torch of the project that holds ``directory``: read from the nearest folder
    at or above it with a ``pyproject.toml`` or a ``requirements*.txt``. ``pyproject.toml``'s
    ``[project]`` dependencies win over the requirements files; among several requirements
    files the lowest bound wins."""
    for folder in (directory, *directory.parents):
        pyproject = folder / "pyproject.toml"
        requirements = sorted(folder.glob("requirements*.txt"))
        if not pyproject.is_file() and not requirements:
            continue
        pin = _from_pyproject(pyproject) if pyproject.is_file() else None
        return pin or _lowest(_from_requirements(path) for path in requirements)
    return None


def _from_pyproject(path: Path) -> Pin | None:
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    dependencies = project.get("dependencies", []) if isinstance(project, dict) else []
    return _first_pin(dependencies, path) if isinstance(dependencies, list) else None


def _from_requirements(path: Path) -> Pin | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return _first_pin(lines, path)


def _first_pin(requirements: Iterable[object], path: Path) -> Pin | None:
    for requirement in requirements:
        if isinstance(requirement, str):
            version = minimum_from_requirement(requirement)
            if version is not None:
                return Pin(version, f"{path} ({requirement.strip()})")
    return None


def _lowest(pins: Iterable[Pin | None]) -> Pin | None:
    return min((pin for pin in pins if pin is not None), key=lambda pin: pin.version, default=None)
