"""Reports of findings in ruff's set of output formats (``--output-format``).

``full`` and ``concise`` are for people (:mod:`.text`); the others are one document for a
program each (:mod:`.machine`, :mod:`.sarif`). Every format takes :class:`.Located` findings:
lines counted in the file, or in a notebook's cell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .located import Located, in_file, in_notebook
from .machine import as_json, github, gitlab, json_lines, junit
from .sarif import sarif

TEXT_FORMATS = ("full", "concise")
#: What a program reads; each renders every finding as one document.
MACHINE_FORMATS: dict[str, Callable[[Sequence[Located]], str]] = {
    "json": as_json,
    "json-lines": json_lines,
    "sarif": sarif,
    "github": github,
    "gitlab": lambda entries: gitlab(entries, os.environ.get("CI_PROJECT_DIR")),
    "junit": junit,
}
FORMATS = (*TEXT_FORMATS, *MACHINE_FORMATS)

__all__ = ["FORMATS", "MACHINE_FORMATS", "TEXT_FORMATS", "Located", "in_file", "in_notebook"]
