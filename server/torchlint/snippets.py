"""The snippets of ``snippets/*.code-snippets``, shared by the language server and the VS Code client.

Each file is VS Code snippet JSON: one object mapping a snippet's name to its ``prefix``
(every prefix starts with :data:`NAMESPACE`, so typing it lists them all), its ``body``
(a list of lines, with ``$1``, ``${2:default}``, ``${3|a,b|}`` placeholders) and its
``description``. The files ship inside the package as ``torchlint/_snippets``, a link to
the repository's ``snippets/`` folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

NAMESPACE = "tl-"
SUFFIX = ".code-snippets"


@dataclass(frozen=True)
class Snippet:
    name: str
    prefix: str
    #: VS Code snippet syntax.
    body: str
    description: str

    def expand(self) -> str:
        """The body with every placeholder replaced by its default."""
        return expand(self.body)


def folder() -> Path:
    return Path(str(resources.files("torchlint") / "_snippets"))


@lru_cache(maxsize=4)
def load(directory: Path | None = None) -> tuple[Snippet, ...]:
    """Every snippet of every ``*.code-snippets`` file in ``directory``, sorted by prefix."""
    snippets = []
    for path in sorted((directory or folder()).glob(f"*{SUFFIX}")):
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            body = entry["body"]
            text = "\n".join(body) if isinstance(body, list) else body
            prefixes = entry["prefix"] if isinstance(entry["prefix"], list) else [entry["prefix"]]
            snippets += [Snippet(name, prefix, text, entry.get("description", name)) for prefix in prefixes]
    return tuple(sorted(snippets, key=lambda snippet: snippet.prefix))


# -- VS Code snippet syntax ------------------------------------------------------------------
# A parsed body is a list of parts: text, or ``(kind, name, parts)`` for a tab stop
# (``"tab"``, name = its number), a choice (``"choice"``, parts = [first option]) or a
# variable (``"var"``).


def expand(body: str) -> str:
    parts, _ = _parse(body, 0, nested=False)
    defaults: dict[str, str] = {}
    _collect(parts, defaults)
    return _render(parts, defaults)


def _parse(text: str, index: int, nested: bool) -> tuple[list, int]:
    parts: list = []
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "$}\\":
            parts.append(text[index + 1])
            index += 2
        elif char == "}" and nested:
            return parts, index + 1
        elif char == "$":
            part, index = _parse_dollar(text, index + 1)
            parts.append(part)
        else:
            parts.append(char)
            index += 1
    return parts, index


def _parse_dollar(text: str, index: int) -> tuple[object, int]:
    """What follows a ``$``: ``1``, ``NAME``, ``{1}``, ``{1:...}``, ``{1|a,b|}``, ``{NAME:...}``."""
    braced = text.startswith("{", index)
    start = index + braced
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    name = text[start:end]
    if not name:
        return "$", index
    kind = "tab" if name.isdigit() else "var"
    if not braced:
        return (kind, name, None), end
    if text.startswith("}", end):
        return (kind, name, None), end + 1
    if text.startswith(":", end):
        parts, after = _parse(text, end + 1, nested=True)
        return (kind, name, parts), after
    if text.startswith("|", end):
        close = text.find("|}", end + 1)
        options = text[end + 1 : close].split(",")
        return ("choice", name, [options[0]]), close + 2
    return (kind, name, None), _after_closing_brace(text, end)  # a transform: ${1/regex/format/}


def _after_closing_brace(text: str, index: int) -> int:
    depth, escaped = 1, False
    for position in range(index, len(text)):
        char = text[position]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position + 1
    return len(text)


def _collect(parts: list, defaults: dict[str, str]) -> None:
    for part in parts:
        if isinstance(part, tuple) and part[2] is not None:
            _collect(part[2], defaults)
            if part[0] != "var":
                defaults.setdefault(part[1], _render(part[2], defaults))


def _render(parts: list, defaults: dict[str, str]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part[2] is not None:
            out.append(_render(part[2], defaults))
        else:
            out.append(defaults.get(part[1], "") if part[0] != "var" else "")
    return "".join(out)
