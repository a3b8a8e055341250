"""Finding the Python files under the paths given, and reading them without losing anything."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config

#: Folders never searched: version control, dependencies, caches and build output.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "site-packages"}
)

#: The files a folder scan checks: Python modules and Jupyter notebooks.
PYTHON_SUFFIXES = (".py", ".ipynb")


def is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(path: Path, config_for) -> Iterator[Path]:
    """``path`` itself if it is a file, else every ``*.py`` and ``*.ipynb`` below it that is not excluded.

    ``config_for(directory)`` gives the settings that apply there (their ``exclude`` globs).
    """
    if path.is_file():
        yield path
        return
    for root, dirs, files in os.walk(path):
        here = Path(root)
        config: Config = config_for(here)
        dirs[:] = sorted(
            d for d in dirs
            if d not in SKIPPED_DIRS and not is_virtualenv(here / d) and not config.excludes(here / d)
        )
        for name in sorted(files):
            if name.endswith(PYTHON_SUFFIXES) and not config.excludes(here / name):
                yield here / name


class UnreadableFile(Exception):
    """The file cannot be read or is not UTF-8; the message says which and why."""


@dataclass(frozen=True)
class SourceFile:
    text: str
    bom: bool

    @classmethod
    def read(cls, path: Path) -> "SourceFile":
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UnreadableFile(f"{path}: cannot read ({error.strerror or error})") from None
        return cls.decode(data, str(path))

    @classmethod
    def decode(cls, data: bytes, name: str) -> "SourceFile":
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            text = data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise UnreadableFile(
                f"{name}: not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line}); skipped"
            ) from None
        return cls(text, bom)

    def write(self, path: Path, text: str) -> None:
        """Write ``text`` back with the file's own newlines and byte-order mark."""
        data = text.encode("utf-8")
        path.write_bytes(codecs.BOM_UTF8 + data if self.bom else data)
