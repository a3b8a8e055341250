"""The shape of ``torchlint.lsp``: features depend on the ``Session`` protocol, never on ``server.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import torchlint.lsp
from torchlint.lsp.server import create_server
from torchlint.lsp.session import Session

PACKAGE = Path(torchlint.lsp.__file__).parent
FEATURES = [
    "code_actions", "completion", "diagnostics", "gpu_check", "hover", "smoke_run", "sync", "workspace",
    "workspace_diagnostics",
]  # fmt: skip


def imports() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports (``TYPE_CHECKING`` too)."""
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
                found.update(name for name in names if name in modules)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torchlint.lsp."):
                found.add(node.module.split(".")[2])
        graph[path.stem] = found
    return graph


def test_only_the_entry_point_imports_the_server() -> None:
    importers = sorted(module for module, found in imports().items() if "server" in found)
    assert importers == ["__init__"]


def test_every_feature_depends_on_the_session() -> None:
    graph = imports()
    assert all("session" in graph[feature] for feature in FEATURES)


def test_no_import_cycles() -> None:
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, f"import cycle: {' -> '.join([*path, module])}"
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_the_server_is_a_session() -> None:
    """mypy checks the types (``Publisher(self)`` takes a Session); this, that every member is there."""
    members = {name for name in [*vars(Session), *Session.__annotations__] if not name.startswith("_")}
    assert {"documents", "settings", "analyses", "executor", "client", "log"} <= members
    assert members <= set(dir(create_server()))
