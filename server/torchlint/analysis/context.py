"""What the rules see of a module: its ``ast`` tree indexed by node type, parents, and imports.

The index is built in one traversal, so every rule then looks only at the node types it
cares about (calls, attributes, loops) instead of walking the tree again.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import sys
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Set
from functools import cached_property
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar, cast, overload

from ..model import Position, Range
from .syntax import COMPOUND_TYPES, SCOPE_TYPES, outer_first
from .text import split_lines

N = TypeVar("N", bound=ast.AST)
M = TypeVar("M", bound=ast.AST)
L = TypeVar("L", bound=ast.AST)
T = TypeVar("T")
P = ParamSpec("P")


class ModuleContext:
    def __init__(
        self, source: str, tree: ast.Module, path: str = "", *, target_torch: tuple[int, ...] | None = None
    ) -> None:
        self.source = source
        self.path = path
        self.tree = tree
        #: The oldest torch the project supports (``(2, 4)``), ``None`` when unknown (assume a current one).
        self.target_torch = target_torch
        self.lines = split_lines(source)
        self._by_type: dict[type, list[ast.AST]] = defaultdict(list)
        self._parent: dict[ast.AST, ast.AST] = {}
        #: Node types whose index list is not in source order yet (see :meth:`_index`).
        self._unordered: set[type] = set()
        self._qualnames: dict[int, str | None] = {}
        #: Facts computed once per module, keyed by the function that computes them (see :func:`fact`).
        self.facts: dict[tuple, object] = {}
        self._index(tree)
        self.imports = self._collect_imports()

    # -- indexing ---------------------------------------------------------------------------

    def _index(self, tree: ast.AST) -> None:
        """Group the nodes by type and record their parents, in one pre-order traversal that
        visits children in source order, so that each type's list needs no sorting; the few
        constructs whose children the grammar lists out of source order are marked for a sort."""
        by_type, parent, fields, reorder = self._by_type, self._parent, _FIELDS, _SOURCE_ORDER
        stack = [tree]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            kind = type(node)
            by_type[kind].append(node)
            if kind is _POSITIONLESS_F_STRING:
                stack.extend(reversed(self._index_f_string_parts(cast(ast.JoinedStr, node))))
                continue
            in_order = reorder.get(kind)
            if in_order is not None:
                for child in reversed(in_order(node)):
                    parent[child] = node
                    push(child)
                continue
            for name, many in fields.get(kind, ()):
                if many:
                    for child in reversed(getattr(node, name, ())):
                        if child is not None:
                            parent[child] = node
                            push(child)
                elif (single := getattr(node, name, None)) is not None:
                    parent[single] = node
                    push(single)
        for starred in by_type.get(ast.Starred, ()):
            # ``f(key=1, *rest)`` and ``class A(metaclass=M, *bases)``: a keyword before an unpacking.
            keywords = getattr(parent[starred], "keywords", None)
            if keywords and _POSITION(keywords[0]) < _POSITION(starred):
                self._unordered.update(by_type)
                break

    def _index_f_string_parts(self, string: ast.JoinedStr, fields: list[ast.expr] | None = None) -> list[ast.expr]:
        """Before Python 3.12 every part of an f-string (its literal pieces, its ``{...}`` fields
        and their format specs) carries the whole string's position: index them first, where a
        sort by position puts them, and return the fields' expressions, to be indexed next."""
        by_type, parent = self._by_type, self._parent
        fields = [] if fields is None else fields
        for part in string.values:
            parent[part] = string
            by_type[type(part)].append(part)
            if isinstance(part, ast.FormattedValue):
                parent[part.value] = part
                fields.append(part.value)
                if isinstance(part.format_spec, ast.JoinedStr):
                    parent[part.format_spec] = part
                    by_type[ast.JoinedStr].append(part.format_spec)
                    self._index_f_string_parts(part.format_spec, fields)
        return fields

    @overload
    def nodes(self, kind: type[N], /) -> list[N]: ...
    @overload
    def nodes(self, kind: type[N], other: type[M], /) -> list[N | M]: ...
    @overload
    def nodes(self, kind: type[N], other: type[M], third: type[L], /) -> list[N | M | L]: ...
    @overload
    def nodes(self, *types: type[N]) -> list[N]: ...

    def nodes(self, *types: type[ast.AST]) -> list[Any]:
        """All nodes of the given types, in source order."""
        if len(types) == 1:
            return self._sorted(types[0])
        return _merged(self, types)

    def _sorted(self, kind: type) -> list[ast.AST]:
        nodes = self._by_type.get(kind)
        if nodes is None:
            return []
        if kind in self._unordered:
            nodes.sort(key=_POSITION if _located(kind) else _source_order)
            self._unordered.discard(kind)
        return nodes

    def within(self, root: ast.AST | list[ast.stmt], *types: type[N]) -> list[N]:
        """The nodes of ``types`` inside ``root`` (a node, itself included, or a block of
        statements), in source order, like filtering ``ast.walk(root)`` but found by binary
        search on position in the index instead of walking the subtree. ``types`` must be node
        types with a position (not ``arguments``, ``comprehension`` or ``withitem``)."""
        first: ast.AST
        last: ast.AST
        if isinstance(root, list):
            if not root:
                return []
            first, last = root[0], root[-1]
        elif isinstance(root, _F_STRING_PARTS):
            # Before Python 3.12 the parts of an f-string all carry the whole string's position.
            return sorted((n for n in ast.walk(root) if isinstance(n, types)), key=_POSITION)
        else:
            first = last = root
        start = min((_POSITION(d) for d in getattr(first, "decorator_list", ())), default=_POSITION(first))
        end = _END(last)
        found: list = []
        for kind in types:
            nodes, lines = self._lines(kind)
            low = _first_at_or_after(nodes, lines, start, 0)
            high = _first_at_or_after(nodes, lines, end, low)
            # Only a node starting where ``root`` starts can be an ancestor rather than a descendant.
            while low < high and _POSITION(nodes[low]) == start and not self._inside(nodes[low], first, last):
                low += 1
            found.extend(nodes[low:high])
        if len(types) > 1:
            found.sort(key=outer_first)
        return found

    def _lines(self, kind: type) -> tuple[list[ast.AST], list[int]]:
        nodes = self._sorted(kind)
        return nodes, _start_lines(self, kind)

    def _inside(self, node: ast.AST, first: ast.AST, last: ast.AST) -> bool:
        if node is first or node is last:
            return True
        if _END(node) != _END(last):
            return bool(_END(node) < _END(last))
        return any(ancestor is first for ancestor in self.ancestors(node))

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parent.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        ancestor = self._parent.get(node)
        while ancestor is not None:
            yield ancestor
            ancestor = self._parent.get(ancestor)

    def enclosing(self, node: ast.AST, types: type | tuple[type, ...]) -> ast.AST | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, types):
                return ancestor
        return None

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The innermost function, class or module that contains ``node``."""
        return self.enclosing(node, SCOPE_TYPES) or self.tree

    def statement_of(self, node: ast.AST) -> ast.stmt:
        current = node
        while not isinstance(current, ast.stmt):
            current = self._parent[current]
        return current

    # -- names ------------------------------------------------------------------------------

    def _collect_imports(self) -> dict[str, str]:
        """Local name -> qualified name for every import in the module (any scope)."""
        imports: dict[str, str] = {}
        for node in self.nodes(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports[alias.asname] = alias.name
                    else:
                        root = alias.name.partition(".")[0]
                        imports[root] = root
            elif node.module and not node.level and isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return imports

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to through the imports, if it is one.

        ``optim.Adam`` after ``import torch.optim as optim`` is ``torch.optim.Adam``; a name
        that was never imported (a local class, a builtin) gives ``None``.
        """
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        result: str | None = None
        if isinstance(node, ast.Name):
            result = self.imports.get(node.id)
        elif isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            if base is not None:
                result = f"{base}.{node.attr}"
        self._qualnames[key] = result
        return result

    def calls(self, *qualnames: str) -> list[ast.Call]:
        """Calls whose callee resolves to one of ``qualnames``, in source order."""
        index = self._call_index().by_qualname
        if len(qualnames) == 1:
            return index.get(qualnames[0], [])
        return _in_order(index.get(name, []) for name in sorted(set(qualnames)))

    def calls_matching(self, predicate: Callable[[str], object]) -> list[ast.Call]:
        """Calls whose callee's qualified name satisfies ``predicate``, in source order (the
        predicate runs once per distinct name, not once per call)."""
        return _in_order(calls for name, calls in self._call_index().by_qualname.items() if predicate(name))

    def calls_named_matching(self, predicate: Callable[[str], object]) -> list[ast.Call]:
        """Calls of ``name(...)`` or ``<anything>.name(...)`` whose name satisfies ``predicate``,
        resolved or not, in source order (the predicate runs once per distinct name)."""
        index = self._call_index()
        return _in_order(
            calls for by_name in (index.by_method, index.by_function) for name, calls in by_name.items() if predicate(name)
        )

    def method_calls(self, method: str) -> list[ast.Call]:
        """Calls of ``<anything>.method(...)``, in source order."""
        return self._call_index().by_method.get(method, [])

    def calls_named(self, *names: str) -> list[ast.Call]:
        """Calls of ``name(...)`` or ``<anything>.name(...)`` for one of ``names``, resolved or not,
        in source order."""
        index = self._call_index()
        return _in_order(
            calls for name in sorted(set(names)) for calls in (index.by_method.get(name, []), index.by_function.get(name, []))
        )

    def _call_index(self) -> _CallIndex:
        return _index_calls(self)

    def names(self, identifier: str) -> list[ast.Name]:
        """Every ``Name`` node spelling ``identifier`` (read, assigned or deleted), in source order."""
        return self._names_by_id().get(identifier, [])

    def identifiers(self) -> Set[str]:
        """Every identifier the module spells as a ``Name``."""
        return self._names_by_id().keys()

    def _names_by_id(self) -> dict[str, list[ast.Name]]:
        return _names_by_id(self)

    def attributes(self, *attrs: str) -> list[ast.Attribute]:
        """Every ``<anything>.attr`` for one of ``attrs``, in source order."""
        by_attr = _attributes_by_name(self)
        if len(attrs) == 1:
            return by_attr.get(attrs[0], [])
        return _in_order(by_attr.get(attr, []) for attr in sorted(set(attrs)))

    def attribute_names(self) -> Set[str]:
        """Every name the module spells after a dot (``x.attr``)."""
        return _attributes_by_name(self).keys()

    def references(self, *qualnames: str) -> list[ast.Name | ast.Attribute]:
        """The outermost names and attribute chains that resolve to one of ``qualnames``
        (``torch.optim.Adam`` in ``torch.optim.Adam(...)``, not its ``torch.optim`` part)."""
        index = _index_references(self)
        return _in_order(index.get(name, []) for name in sorted(set(qualnames)))

    def imported_modules(self) -> set[str]:
        """Top-level packages the module imports (``torch``, ``gymnasium``...)."""
        return {name.partition(".")[0] for name in self.imports.values()}

    def imports_any(self, *packages: str) -> bool:
        modules = self.imported_modules()
        return any(p in modules for p in packages)

    # -- positions --------------------------------------------------------------------------

    def position(self, line: int, byte_offset: int) -> Position:
        """Turn ``ast``'s 1-based line and UTF-8 byte offset into a character position."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return Position(line, byte_offset + 1)
        return Position(line, len(text.encode()[:byte_offset].decode(errors="ignore")) + 1)

    def range(self, node: ast.AST) -> Range:
        line, column, end_line, end_column = _SPAN(node)
        return Range(self.position(line, column), self.position(end_line or line, end_column or column))

    def report_range(self, node: ast.AST) -> Range:
        """Where a finding on ``node`` is shown: a compound statement only by its header
        (``for batch in loader``, ``class ResNet(nn.Module)``), never its whole body."""
        header_end: ast.AST | None = None
        if isinstance(node, (ast.For, ast.AsyncFor)):
            header_end = node.iter
        elif isinstance(node, (ast.While, ast.If)):
            header_end = node.test
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            last = node.items[-1]
            header_end = last.optional_vars or last.context_expr
        elif not isinstance(node, COMPOUND_TYPES):
            return self.range(node)
        line_number, column = _POSITION(node)
        start = self.position(line_number, column)
        if header_end is not None:
            end_line, end_column = _END(header_end)
            return Range(start, self.position(end_line or 1, end_column or 0))
        line = self.lines[line_number - 1] if line_number <= len(self.lines) else ""
        head = line.split("#", 1)[0].rstrip().removesuffix(":").rstrip()
        return Range(start, Position(line_number, max(len(head), start.column) + 1))

    def text(self, node: ast.AST) -> str:
        """The source text of ``node`` (``ast.get_source_segment`` re-splits the module per call)."""
        line, column, end_line, end_column = _SPAN(node)
        first, last = line - 1, (end_line or line) - 1
        if first >= len(self.lines):
            return ""
        if first == last:
            return self.lines[first].encode()[column:end_column].decode(errors="replace")
        head = self.lines[first].encode()[column:].decode(errors="replace")
        tail = self.lines[last].encode()[:end_column].decode(errors="replace")
        return "\n".join([head, *self.lines[first + 1 : last], tail])

    @cached_property
    def function_defs(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        return self.nodes(ast.FunctionDef, ast.AsyncFunctionDef)


#: Field types that never hold a child worth indexing: names, constants, and the shared
#: ``Load``/``Store`` and operator singletons (rules read those from their parent).
_LEAF_FIELD_TYPES = frozenset(
    {"identifier", "string", "constant", "int", "expr_context", "operator", "unaryop", "cmpop", "boolop", "type_ignore"}
)
_SIGNATURE = re.compile(r"\w+\((.*)\)$")


def _fields(kind: type) -> tuple[tuple[str, bool], ...]:
    """The fields of ``kind`` that hold child nodes, last first, each with whether it holds a
    list of them, read from the grammar line that starts each ``ast`` class's docstring
    (``Call(expr func, expr* args, keyword* keywords)``), so that indexing never tests a field's
    value for its type."""
    doc = (kind.__doc__ or "").strip().partition("\n")[0]
    match = _SIGNATURE.match(doc)
    if match is None:  # not a node that ``ast.parse`` produces
        return ()
    fields: list[tuple[str, bool]] = []
    for declaration in filter(None, (part.strip() for part in match.group(1).split(","))):
        declared_type, name = declaration.rsplit(" ", 1)
        if declared_type.rstrip("*?") not in _LEAF_FIELD_TYPES:
            fields.append((name, declared_type.endswith("*")))
    return tuple(reversed(fields))


_FIELDS = {
    kind: _fields(kind) for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.AST)
}


def _definition_children(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.AST]:
    header: list[ast.AST] = [*node.decorator_list, *getattr(node, "type_params", ())]
    if isinstance(node, ast.ClassDef):
        header += [*node.bases, *node.keywords]
    else:
        header.append(node.args)
        if node.returns is not None:
            header.append(node.returns)
    return header + node.body


def _argument_children(node: ast.arguments) -> list[ast.AST]:
    """Each parameter followed by its default, as written."""
    positional = [*node.posonlyargs, *node.args]
    first_default = len(positional) - len(node.defaults)
    children: list[ast.AST] = []
    for i, arg in enumerate(positional):
        children.append(arg)
        if i >= first_default:
            children.append(node.defaults[i - first_default])
    if node.vararg is not None:
        children.append(node.vararg)
    for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
        children.append(arg)
        if default is not None:
            children.append(default)
    if node.kwarg is not None:
        children.append(node.kwarg)
    return children


def _pairs(keys: list[ast.AST | None], values: list[ast.AST]) -> list[ast.AST]:
    """``{k: v, **m}``'s children as written (an unpacking has a ``None`` key)."""
    return [child for key, value in zip(keys, values, strict=True) for child in (key, value) if child is not None]


#: The node types whose grammar lists children out of source order: decorators after the body,
#: defaults after all parameters, a dict's keys before its values, ``a if test else b``.
_SOURCE_ORDER: dict[type, Callable[[Any], list[ast.AST]]] = {
    ast.FunctionDef: _definition_children,
    ast.AsyncFunctionDef: _definition_children,
    ast.ClassDef: _definition_children,
    ast.arguments: _argument_children,
    ast.Dict: lambda node: _pairs(node.keys, node.values),
    ast.MatchMapping: lambda node: _pairs(node.keys, node.patterns),
    ast.IfExp: lambda node: [node.body, node.test, node.orelse],
}
#: Before Python 3.12 the parts of an f-string carry the whole string's position (see
#: :meth:`ModuleContext._index_f_string_parts`).
_POSITIONLESS_F_STRING = ast.JoinedStr if sys.version_info < (3, 12) else None


class _CallIndex(NamedTuple):
    by_qualname: dict[str, list[ast.Call]]
    by_method: dict[str, list[ast.Call]]  # ``x.method(...)``
    by_function: dict[str, list[ast.Call]]  # ``name(...)``


def _in_order(groups: Iterable[list[N]]) -> list[N]:
    """The nodes of several source-ordered lists, in source order (see ``outer_first``)."""
    lists = [group for group in groups if group]
    if len(lists) <= 1:
        return list(lists[0]) if lists else []
    merged = [node for group in lists for node in group]
    merged.sort(key=outer_first)
    return merged


_F_STRING_PARTS = (ast.Constant, ast.FormattedValue, ast.JoinedStr)
_POSITION = operator.attrgetter("lineno", "col_offset")
_LINE = operator.attrgetter("lineno")
_END = operator.attrgetter("end_lineno", "end_col_offset")
#: ``(lineno, col_offset, end_lineno, end_col_offset)``: read from any located node (typeshed's
#: ``ast.AST`` declares none of them).
_SPAN = operator.attrgetter("lineno", "col_offset", "end_lineno", "end_col_offset")


def _located(kind: type[ast.AST]) -> bool:
    """Whether nodes of ``kind`` carry a position (not ``arguments``, ``comprehension``...)."""
    return "lineno" in kind._attributes


def _source_order(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def fact(compute: Callable[Concatenate[ModuleContext, P], T]) -> Callable[Concatenate[ModuleContext, P], T]:
    """Make ``compute(ctx, *args)`` run once per module: for facts several rules ask for.

    The cache is keyed by the function itself (and its arguments), so the facts of different
    owners can never collide.
    """

    @functools.wraps(compute)
    def cached(ctx: ModuleContext, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (compute, *args)
        try:
            return ctx.facts[key]  # type: ignore[return-value]
        except KeyError:
            value = ctx.facts[key] = compute(ctx, *args, **kwargs)
            return value

    return cached


@fact
def _merged(ctx: ModuleContext, types: tuple[type, ...]) -> list[ast.AST]:
    merged = [n for t in types for n in ctx._sorted(t)]
    merged.sort(key=_POSITION if all(map(_located, types)) else _source_order)
    return merged


@fact
def _start_lines(ctx: ModuleContext, kind: type) -> list[int]:
    """The line each node of ``kind`` starts on, for binary search (plain ints: cheaper to build
    than ``(line, column)`` pairs, and a line holds few nodes to step through)."""
    return list(map(_LINE, ctx._sorted(kind)))


def _first_at_or_after(nodes: list[ast.AST], lines: list[int], position: tuple[int, int], low: int) -> int:
    """The index of the first of ``nodes`` (in source order) that starts at or after ``position``."""
    line, column = position
    index = bisect_left(lines, line, low)
    while index < len(nodes) and lines[index] == line and nodes[index].col_offset < column:  # type: ignore[attr-defined]
        index += 1
    return index


@fact
def _index_calls(ctx: ModuleContext) -> _CallIndex:
    index = _CallIndex(defaultdict(list), defaultdict(list), defaultdict(list))
    imports = ctx.imports
    for call in ctx.nodes(ast.Call):
        func = root = call.func
        if isinstance(func, ast.Attribute):
            index.by_method[func.attr].append(call)
            while isinstance(root, ast.Attribute):
                root = root.value
        elif isinstance(func, ast.Name):
            index.by_function[func.id].append(call)
        if isinstance(root, ast.Name) and root.id in imports:  # only then can the callee resolve
            index.by_qualname[ctx.qualname(func)].append(call)  # type: ignore[index]
    return index


@fact
def _names_by_id(ctx: ModuleContext) -> dict[str, list[ast.Name]]:
    by_id: dict[str, list[ast.Name]] = defaultdict(list)
    for name in ctx.nodes(ast.Name):
        by_id[name.id].append(name)
    return by_id


@fact
def _attributes_by_name(ctx: ModuleContext) -> dict[str, list[ast.Attribute]]:
    by_attr: dict[str, list[ast.Attribute]] = defaultdict(list)
    for node in ctx.nodes(ast.Attribute):
        by_attr[node.attr].append(node)
    return by_attr


@fact
def _index_references(ctx: ModuleContext) -> dict[str, list[ast.Name | ast.Attribute]]:
    index: dict[str, list[ast.Name | ast.Attribute]] = defaultdict(list)
    parent = ctx._parent
    for name in (name for local in ctx.imports for name in ctx.names(local)):
        if not isinstance(name.ctx, ast.Load):
            continue
        node: ast.Name | ast.Attribute = name
        while isinstance(up := parent.get(node), ast.Attribute) and up.value is node:
            node = up
        qualified = ctx.qualname(node)
        if qualified is not None:
            index[qualified].append(node)
    for nodes in index.values():
        nodes.sort(key=outer_first)  # two imports can name the same module
    return index
