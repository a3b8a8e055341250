"""What the rules see of a module: its ``ast`` tree indexed by node type, parents, and imports.

The index is built in one traversal, so every rule then looks only at the node types it
cares about (calls, attributes, loops) instead of walking the tree again.
"""

from __future__ import annotations

import ast
import operator
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Set
from functools import cached_property
from typing import NamedTuple, TypeVar

from .model import Position, Range

N = TypeVar("N", bound=ast.AST)
T = TypeVar("T")

FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)
LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)
COMPOUND_TYPES = (
    ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match,
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


class ModuleContext:
    def __init__(self, source: str, tree: ast.Module, path: str = "") -> None:
        self.source = source
        self.path = path
        self.tree = tree
        self.lines = split_lines(source)
        self._by_type: dict[type, list[ast.AST]] = defaultdict(list)
        self._parent: dict[ast.AST, ast.AST] = {}
        self._in_order: set[type] = set()
        self._qualnames: dict[int, str | None] = {}
        self._memo: dict[str, object] = {}
        self._index(tree)
        self.imports = self._collect_imports()

    # -- indexing ---------------------------------------------------------------------------

    def _index(self, tree: ast.AST) -> None:
        by_type, parent, shapes = self._by_type, self._parent, _SHAPES
        stack = [tree]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            kind = type(node)
            by_type[kind].append(node)
            singles, lists = shapes.get(kind) or _shape(kind)
            for name in singles:
                child = getattr(node, name, None)
                if child is not None:
                    parent[child] = node
                    push(child)
            for name in lists:
                for child in getattr(node, name, ()):
                    if child is not None:  # a ``**mapping`` in a dict display has a ``None`` key
                        parent[child] = node
                        push(child)

    def nodes(self, *types: type[N]) -> list[N]:
        """All nodes of the given types, in source order."""
        if len(types) == 1:
            return self._sorted(types[0])  # type: ignore[return-value]
        return self.memo(f"nodes:{types}", lambda: self._merged(types))  # type: ignore[return-value]

    def _merged(self, types: tuple[type, ...]) -> list[ast.AST]:
        merged = [n for t in types for n in self._sorted(t)]
        merged.sort(key=_POSITION if all("lineno" in t._attributes for t in types) else _source_order)
        return merged

    def _sorted(self, kind: type) -> list[ast.AST]:
        # The traversal meets nodes last-to-first; rules want source order, sorted on demand.
        nodes = self._by_type.get(kind)
        if nodes is None:
            return []
        if kind not in self._in_order:
            nodes.sort(key=_POSITION if "lineno" in kind._attributes else _source_order)
            self._in_order.add(kind)
        return nodes

    def within(self, root: ast.AST | list[ast.stmt], *types: type[N]) -> list[N]:
        """The nodes of ``types`` inside ``root`` (a node, itself included, or a block of
        statements), in source order, like filtering ``ast.walk(root)`` but found by binary
        search on position in the index instead of walking the subtree. ``types`` must be node
        types with a position (not ``arguments``, ``comprehension`` or ``withitem``)."""
        if isinstance(root, list):
            if not root:
                return []
            first, last = root[0], root[-1]
        elif isinstance(root, _F_STRING_PARTS):
            # Before Python 3.12 the parts of an f-string all carry the whole string's position.
            return sorted((n for n in ast.walk(root) if isinstance(n, types)), key=_POSITION)  # type: ignore[arg-type]
        else:
            first = last = root
        start = min((_POSITION(d) for d in getattr(first, "decorator_list", ())), default=_POSITION(first))
        end = (last.end_lineno, last.end_col_offset)
        found: list = []
        for kind in types:
            nodes, starts = self._starts(kind)
            low = bisect_left(starts, start)
            high = bisect_left(starts, end, low)
            # Only a node starting where ``root`` starts can be an ancestor rather than a descendant.
            while low < high and starts[low] == start and not self._inside(nodes[low], first, last):
                low += 1
            found.extend(nodes[low:high])
        if len(types) > 1:
            found.sort(key=outer_first)
        return found

    def _starts(self, kind: type) -> tuple[list[ast.AST], list[tuple[int, int]]]:
        nodes = self._sorted(kind)
        return nodes, self.memo(f"starts:{kind.__name__}", lambda: [_POSITION(n) for n in nodes])

    def _inside(self, node: ast.AST, first: ast.AST, last: ast.AST) -> bool:
        if node is first or node is last:
            return True
        if (node.end_lineno, node.end_col_offset) != (last.end_lineno, last.end_col_offset):  # type: ignore[attr-defined]
            return (node.end_lineno, node.end_col_offset) < (last.end_lineno, last.end_col_offset)  # type: ignore[attr-defined]
        return any(ancestor is first for ancestor in self.ancestors(node))

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parent.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        node = self._parent.get(node)
        while node is not None:
            yield node
            node = self._parent.get(node)

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

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per module: for facts several rules ask for (training loops...)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

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
            elif node.module and not node.level:
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
        return self.memo("calls", self._index_calls)

    def _index_calls(self) -> _CallIndex:
        index = _CallIndex(defaultdict(list), defaultdict(list), defaultdict(list))
        imports = self.imports
        for call in self.nodes(ast.Call):
            func = root = call.func
            if isinstance(func, ast.Attribute):
                index.by_method[func.attr].append(call)
                while isinstance(root, ast.Attribute):
                    root = root.value
            elif isinstance(func, ast.Name):
                index.by_function[func.id].append(call)
            if isinstance(root, ast.Name) and root.id in imports:  # only then can the callee resolve
                index.by_qualname[self.qualname(func)].append(call)  # type: ignore[index]
        return index

    def names(self, identifier: str) -> list[ast.Name]:
        """Every ``Name`` node spelling ``identifier`` (read, assigned or deleted), in source order."""
        return self._names_by_id().get(identifier, [])

    def identifiers(self) -> Set[str]:
        """Every identifier the module spells as a ``Name``."""
        return self._names_by_id().keys()

    def _names_by_id(self) -> dict[str, list[ast.Name]]:
        def index() -> dict[str, list[ast.Name]]:
            by_id: dict[str, list[ast.Name]] = defaultdict(list)
            for name in self.nodes(ast.Name):
                by_id[name.id].append(name)
            return by_id

        return self.memo("names", index)

    def attributes(self, *attrs: str) -> list[ast.Attribute]:
        """Every ``<anything>.attr`` for one of ``attrs``, in source order."""

        def index() -> dict[str, list[ast.Attribute]]:
            by_attr: dict[str, list[ast.Attribute]] = defaultdict(list)
            for node in self.nodes(ast.Attribute):
                by_attr[node.attr].append(node)
            return by_attr

        by_attr = self.memo("attributes", index)
        if len(attrs) == 1:
            return by_attr.get(attrs[0], [])
        return _in_order(by_attr.get(attr, []) for attr in sorted(set(attrs)))

    def references(self, *qualnames: str) -> list[ast.Name | ast.Attribute]:
        """The outermost names and attribute chains that resolve to one of ``qualnames``
        (``torch.optim.Adam`` in ``torch.optim.Adam(...)``, not its ``torch.optim`` part)."""
        index = self.memo("references", self._index_references)
        return _in_order(index.get(name, []) for name in sorted(set(qualnames)))

    def _index_references(self) -> dict[str, list[ast.Name | ast.Attribute]]:
        index: dict[str, list[ast.Name | ast.Attribute]] = defaultdict(list)
        parent = self._parent
        for name in (name for local in self.imports for name in self.names(local)):
            if not isinstance(name.ctx, ast.Load):
                continue
            node: ast.Name | ast.Attribute = name
            while isinstance(parent.get(node), ast.Attribute) and parent[node].value is node:  # type: ignore[union-attr]
                node = parent[node]  # type: ignore[assignment]
            qualified = self.qualname(node)
            if qualified is not None:
                index[qualified].append(node)
        for nodes in index.values():
            nodes.sort(key=outer_first)  # two imports can name the same module
        return index

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
        start = self.position(node.lineno, node.col_offset)
        end = self.position(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
        return Range(start, end)

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
        start = self.position(node.lineno, node.col_offset)
        if header_end is not None:
            return Range(start, self.position(header_end.end_lineno or 1, header_end.end_col_offset or 0))
        line = self.lines[node.lineno - 1] if node.lineno <= len(self.lines) else ""
        head = line.split("#", 1)[0].rstrip().removesuffix(":").rstrip()
        return Range(start, Position(node.lineno, max(len(head), start.column) + 1))

    def text(self, node: ast.AST) -> str:
        """The source text of ``node`` (``ast.get_source_segment`` re-splits the module per call)."""
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        if first >= len(self.lines):
            return ""
        if first == last:
            return self.lines[first].encode()[node.col_offset : node.end_col_offset].decode(errors="replace")
        head = self.lines[first].encode()[node.col_offset :].decode(errors="replace")
        tail = self.lines[last].encode()[: node.end_col_offset].decode(errors="replace")
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


def _shape(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields of ``kind`` that hold one child node and those that hold a list of them, read
    from the grammar line that starts each ``ast`` class's docstring (``Call(expr func, expr* args,
    keyword* keywords)``), so that indexing never tests a field's value for its type."""
    doc = (kind.__doc__ or "").strip().partition("\n")[0]
    match = _SIGNATURE.match(doc)
    if match is None:  # not a node that ``ast.parse`` produces
        return (), ()
    singles, lists = [], []
    for declaration in filter(None, (part.strip() for part in match.group(1).split(","))):
        declared_type, name = declaration.rsplit(" ", 1)
        if declared_type.rstrip("*?") not in _LEAF_FIELD_TYPES:
            (lists if declared_type.endswith("*") else singles).append(name)
    return tuple(singles), tuple(lists)


_SHAPES = {
    kind: _shape(kind) for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.AST)
}


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


def outer_first(node: ast.AST) -> tuple[int, int, int, int]:
    """Sort key for source order: by start, and an outer node before the nodes that start where
    it does (``x.to(d)`` before ``x.to`` and ``x``), as ``ast.walk`` meets them."""
    return (node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset)  # type: ignore[attr-defined, operator]


def _source_order(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
#: What ``str.splitlines`` breaks on besides the line ends Python counts.
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as Python counts them: only ``\n``, ``\r\n`` and ``\r`` end one.

    (``str.splitlines`` also breaks on form feeds and other separators, which would put
    ``ast``'s line numbers out of step with the text.)
    """
    if not _OTHER_BREAKS.search(text):
        return text.splitlines(keepends)
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, without resolving imports."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def is_constant(node: ast.AST | None, kind: type | tuple[type, ...] = object) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, kind)
