"""Finding the Python files under the paths given, and reading them without losing anything.

Only regular files (or links to one) are read, and only up to :data:`MAX_FILE_SIZE` (the
``max-file-size`` setting): a named pipe called ``train.py`` would block the reader forever, and a
link to ``/dev/zero`` would be read until memory ran out. Anything else is an
:class:`UnreadableFile`, reported in one line. A folder that cannot be listed or searched is
reported to ``discover``'s caller and skipped. Sources are decoded as Python does (PEP 263).
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import MAX_FILE_SIZE, Config

#: Folders never searched: version control, dependencies, caches and build output.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".torchlint_cache", ".eggs", "site-packages"}
)
#: The files a folder scan checks: Python modules and Jupyter notebooks.
PYTHON_SUFFIXES = (".py", ".ipynb")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
#: Never wait for a writer (named pipes) nor take a terminal as the controlling one.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def is_virtualenv(directory: Path) -> bool:
    return os.path.isfile(directory / "pyvenv.cfg")  # False, not an error, for a folder that cannot be searched


def missing(path: Path) -> bool:
    """Nothing is at ``path``; a path that is there but cannot be looked at is not missing."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def discover(path: Path, config_for, on_error: Callable[[Path, OSError], None] | None = None) -> Iterator[Path]:
    """``path`` itself unless it is a directory, else every ``*.py`` and ``*.ipynb`` below it that is not excluded.

    A path given that is not a directory is yielded whatever it is (a named pipe, a device), so
    that reading it says why it cannot be checked. ``config_for(directory)`` gives the settings
    that apply there (their ``exclude`` globs). A folder that cannot be listed, or listed but not
    searched (read without execute permission), is skipped and given to ``on_error``. With
    ``force-exclude``, ``path`` itself is left out too when the globs exclude it (pre-commit names
    every changed file).
    """
    if _force_excluded(path, config_for):
        return
    if not os.path.isdir(path):
        if not missing(path):
            yield path
        return

    def unreadable(folder: Path, error: OSError) -> None:
        if on_error is not None:
            on_error(folder, error)

    for root, dirs, files in os.walk(path, onerror=lambda error: unreadable(Path(error.filename), error)):
        here = Path(root)
        try:
            os.stat(os.path.join(root, os.curdir))  # needs search permission on ``root``
            config: Config = config_for(here)
        except OSError as error:
            unreadable(here, error)
            dirs[:] = []
            continue
        dirs[:] = sorted(
            d for d in dirs
            if d not in SKIPPED_DIRS and not is_virtualenv(here / d) and not config.excludes(here / d)
        )
        for name in sorted(files):
            if name.endswith(PYTHON_SUFFIXES) and not config.excludes(here / name):
                yield here / name


def _force_excluded(path: Path, config_for) -> bool:
    try:
        config: Config = config_for(path if os.path.isdir(path) else path.parent)
    except OSError:  # reading it will say why
        return False
    return config.force_exclude and config.excludes(path)


class UnreadableFile(Exception):
    """The file cannot be read or is not UTF-8; the message says which and why."""


@dataclass(frozen=True)
class SourceFile:
    text: str
    bom: bool
    #: The encoding its coding declaration names (PEP 263), UTF-8 without one.
    encoding: str = "utf-8"

    @classmethod
    def read(cls, path: Path, limit: int = MAX_FILE_SIZE) -> SourceFile:
        """The file's text; only a regular file of at most ``limit`` bytes is read."""
        try:
            _check_regular(path, os.stat(path), limit)  # before opening: opening a device can act
            fd = os.open(path, _OPEN_FLAGS)
            with os.fdopen(fd, "rb") as file:
                _check_regular(path, os.fstat(file.fileno()), limit)  # the file opened, not the one named
                data = file.read(limit + 1)
        except OSError as error:
            raise UnreadableFile(f"{path}: cannot read ({error.strerror or error})") from None
        if len(data) > limit:  # it grew after the check
            raise UnreadableFile(_too_large(path, len(data), limit))
        return cls.decode(data, str(path))

    @classmethod
    def decode(cls, data: bytes, name: str) -> SourceFile:
        """``data`` decoded as Python decodes a source: by its coding declaration, else as UTF-8."""
        try:
            declared, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:  # an unknown encoding, or a declaration that contradicts the BOM
            raise UnreadableFile(f"{name}: bad coding declaration ({error.msg}); skipped") from None
        bom = data.startswith(codecs.BOM_UTF8)
        encoding = "utf-8" if declared == "utf-8-sig" else declared
        body = data[len(codecs.BOM_UTF8) :] if bom else data
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as error:
            line = body[: error.start].count(b"\n") + 1
            label = "UTF-8" if encoding == "utf-8" else encoding
            raise UnreadableFile(
                f"{name}: not valid {label} (byte 0x{body[error.start]:02x} on line {line}); skipped"
            ) from None
        except LookupError as error:  # a codec that does not turn bytes into text (rot13)
            raise UnreadableFile(f"{name}: bad coding declaration ({error}); skipped") from None
        return cls(text, bom, encoding)

    def encode(self, text: str) -> bytes:
        """``text`` in the file's own encoding, with its byte-order mark."""
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data

    def write(self, path: Path, text: str) -> None:
        """Write ``text`` back with the file's own newlines, encoding and byte-order mark."""
        path.write_bytes(self.encode(text))


def _check_regular(path: Path, status: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "a special file")
        raise UnreadableFile(f"{path}: not a regular file ({kind}); skipped")
    if status.st_size > limit:
        raise UnreadableFile(_too_large(path, status.st_size, limit))


def _too_large(path: Path, size: int, limit: int) -> str:
    return f"{path}: larger than the {_size(limit, 'g')} limit ({_size(size, '.1f')}); skipped"


def _size(count: int, spec: str) -> str:
    """``5 MB``, ``1.5 kB``, ``200 bytes``."""
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:{spec}} {unit}"
    return f"{count} bytes"
