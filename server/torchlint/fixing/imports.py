"""Adding and removing imports in a module's leading import block, as libcst edits.

libcst's own import codemods resolve scope metadata over the module they edit, which costs more
than all of a file's fixes together. The fixer only ever edits the leading block of docstring
and imports, so this works on that block alone and takes "already imported" from the module's
``ast``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

import libcst as cst
from libcst.helpers import get_full_name_for_node

#: ``(module, name, alias)``: ``import module [as alias]`` when ``name`` is None, else
#: ``from module import name [as alias]``.
Import = tuple[str, "str | None", "str | None"]
#: What a module's body holds.
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def edit_block(block: str, tree: ast.Module, add: Iterable[Import], remove: Iterable[Import]) -> str:
    """``block`` (the module's leading docstring and imports) with ``add`` present and ``remove`` gone.

    ``tree`` is the whole module: an import it already has at its top level is not added again.
    New lines go after the block's last line: plain imports first, then ``from`` imports, each in
    the order asked for.
    """
    existing = _top_level_imports(tree)
    wanted = sorted((item for item in dict.fromkeys(add) if item not in existing), key=lambda item: item[1] is not None)
    module = cst.parse_module(block)
    body = list(module.body)
    for item in dict.fromkeys(remove):
        body = _without(body, item)
    for item in wanted:
        if item[1] is None or not _merge_into(body, item):
            body.append(_statement(item))
    return module.with_changes(body=body).code


def _top_level_imports(tree: ast.Module) -> set[Import]:
    found: set[Import] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            found |= {(a.name, None, a.asname) for a in statement.names}
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            found |= {(statement.module, a.name, a.asname) for a in statement.names}
    return found


def _statement(item: Import) -> Statement:
    module, name, alias = item
    suffix = f" as {alias}" if alias else ""
    return cst.parse_statement(f"import {module}{suffix}" if name is None else f"from {module} import {name}{suffix}")


def _single_import(statement: cst.CSTNode) -> tuple[cst.Import | cst.ImportFrom | None, str | None]:
    """The import a line holds alone, and its ``from`` module; ``(None, None)`` for anything else."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None, None
    node = statement.body[0]
    if isinstance(node, cst.Import):
        return node, None
    if isinstance(node, cst.ImportFrom) and not node.relative and not isinstance(node.names, cst.ImportStar):
        return node, get_full_name_for_node(node.module) if node.module else None
    return None, None


def _binds(alias: cst.ImportAlias, name: str, asname: str | None) -> bool:
    bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
    return get_full_name_for_node(alias.name) == name and bound == asname


def _without(body: list[Statement], item: Import) -> list[Statement]:
    module, name, alias = item
    kept_lines: list[Statement] = []
    carried: list[cst.EmptyLine] = []  # comments and blank lines of a dropped line
    for statement in body:
        if carried:
            statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
            carried = []
        node, from_module = _single_import(statement)
        is_plain = isinstance(node, cst.Import)
        wrong_kind = is_plain != (name is None) or (not is_plain and from_module != module)
        if node is None or wrong_kind or isinstance(node.names, cst.ImportStar):
            kept_lines.append(statement)
            continue
        names = list(node.names)
        kept = [a for a in names if not _binds(a, module if name is None else name, alias)]
        if len(kept) == len(names):
            kept_lines.append(statement)
        elif kept:
            kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
            kept_lines.append(statement.with_changes(body=[node.with_changes(names=kept)]))
        else:
            carried = list(statement.leading_lines)
    return kept_lines


def _merge_into(body: list[Statement], item: Import) -> bool:
    """Add the name to an existing ``from module import ...`` line; False when there is none."""
    module, name, alias = item
    for index, statement in enumerate(body):
        node, from_module = _single_import(statement)
        if isinstance(node, cst.ImportFrom) and from_module == module:
            names = list(node.names)  # type: ignore[arg-type]  # a plain `import` line never holds `*`
            added = cst.ImportAlias(
                name=cst.Name(name),  # type: ignore[arg-type]
                asname=cst.AsName(name=cst.Name(alias)) if alias else None,
                comma=names[-1].comma,
            )
            names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            body[index] = statement.with_changes(body=[node.with_changes(names=[*names, added])])
            return True
    return False
