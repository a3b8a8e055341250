"""The module index agrees with ``ast.walk``: every node once, and ``within`` finds by position
exactly what walking a subtree finds."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torchlint.analysis.callgraph import owner
from torchlint.analysis.context import ModuleContext
from torchlint.analysis.text import split_lines

CORPUS = sorted((Path(__file__).parent / "corpus").rglob("*.py")) + sorted(
    (Path(__file__).parent.parent / "examples").glob("*.py")
)
#: Shared singletons the index leaves out on purpose: rules read them from their parent.
SINGLETONS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
#: Types ``within`` is asked for by the rules, plus statements and decorated definitions.
KINDS = (ast.Call, ast.Name, ast.Attribute, ast.BinOp, ast.Constant, ast.Assign, ast.Expr, ast.FunctionDef)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_index(source: str) -> None:
    tree = ast.parse(source)
    ctx = ModuleContext(source, tree)
    walked = [node for node in ast.walk(tree) if not isinstance(node, SINGLETONS)]
    indexed = [node for kind in {type(n) for n in walked} for node in ctx.nodes(kind)]
    assert sorted(map(id, indexed)) == sorted(map(id, walked))
    for node in walked:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, SINGLETONS):
                assert ctx.parent(child) is node
    for kind in {type(n) for n in walked if "lineno" in n._attributes}:
        assert ctx.nodes(kind) == in_source_order(tree, kind), kind


def in_source_order(tree: ast.AST, kind: type) -> list[ast.AST]:
    """What ``nodes(kind)`` promises: by position, an outer node before those starting with it."""

    def preorder(node: ast.AST) -> Iterator[ast.AST]:
        yield node
        for child in ast.iter_child_nodes(node):
            yield from preorder(child)

    return sorted((node for node in preorder(tree) if type(node) is kind), key=lambda n: (n.lineno, n.col_offset))


def check_owners(source: str) -> None:
    """Each call belongs to the innermost function around it (its decorators and defaults too)."""
    ctx = ModuleContext(source, ast.parse(source))
    for call in ctx.nodes(ast.Call):
        around = next((a for a in ctx.ancestors(call) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), ctx.tree)
        assert owner(ctx, call) is around, ast.dump(call)


def check_within(source: str) -> None:
    tree = ast.parse(source)
    ctx = ModuleContext(source, tree)
    for root in ast.walk(tree):
        if not isinstance(root, (ast.expr, ast.stmt)):
            continue
        for kinds in [(kind,) for kind in KINDS] + [(ast.Name, ast.Attribute)]:
            walked = {id(n) for n in ast.walk(root) if isinstance(n, kinds)}
            assert {id(n) for n in ctx.within(root, *kinds)} == walked, (ast.dump(root), kinds)
        body = getattr(root, "body", None)
        if isinstance(body, list) and body:
            walked = {id(n) for statement in body for n in ast.walk(statement) if isinstance(n, ast.Call)}
            assert {id(n) for n in ctx.within(body, ast.Call)} == walked


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_index_and_within_agree_with_ast_walk_on_real_scripts(path: Path) -> None:
    source = path.read_text()
    check_index(source)
    check_within(source)
    check_owners(source)


@pytest.mark.parametrize(
    "source",
    [
        'z = f"a{x[0]:.2f}b{w!r:>{n}}c" + "d"\n',  # before Python 3.12 the parts carry the string's position
        "@deco(1)\ndef f(a: int = g(), *, b=h(), **kw) -> T:\n    return {k(): v() for k in ks}\n",
        "x = {a(): b(), **c(), d(): e()}\ny = p() if q() else r()\n",
        "s(f(), key=g(), *rest(h()))\n",  # a keyword before an unpacking: the index sorts
        "match m:\n    case {'k': K(), **rest} if g():\n        pass\n",
    ],
)
def test_index_lists_each_type_in_source_order(source: str) -> None:
    check_index(source)
    check_owners(source)


def test_within_tells_a_same_span_ancestor_from_a_descendant() -> None:
    source = "@decorate(1)\ndef f():\n    g()(h())\n"
    ctx = ModuleContext(source, ast.parse(source))
    statement = ctx.tree.body[0].body[0]
    outer = statement.value
    assert ctx.within(outer.func, ast.Call) == [outer.func]  # not ``outer``, which starts there too
    assert ctx.within(outer, ast.Expr) == []  # the statement spans exactly the call, around it
    assert ctx.within(statement, ast.Call) == [outer, outer.func, outer.args[0]]
    assert [ctx.text(c) for c in ctx.within(ctx.tree.body[0], ast.Call)][0] == "decorate(1)"


@SETTINGS
@given(program=hypothesmith.from_grammar())
def test_index_and_within_agree_with_ast_walk_on_generated_programs(program: str) -> None:
    check_index(program)
    check_within(program)
    check_owners(program)


@given(st.text(alphabet=st.sampled_from("ab \r\n\f\v\x1c\x1d\x1e\x85\u2028")))
def test_split_lines_breaks_only_where_python_counts_a_line(text: str) -> None:
    lines = split_lines(text, keepends=True)
    assert "".join(lines) == text
    for line in lines:
        body = line.removesuffix("\r\n").rstrip("\r\n")
        assert "\r" not in body and "\n" not in body
        assert line == lines[-1] or line.endswith(("\r", "\n"))
    assert split_lines(text) == [line.removesuffix("\r\n").rstrip("\r\n") for line in lines]
    assert len(lines) == len(text.splitlines()) or any(c in text for c in "\f\v\x1c\x1d\x1e\x85\u2028")


def test_merged_lookups_put_an_outer_node_before_those_starting_with_it() -> None:
    source = "y = x.cuda().to(d)\n"
    ctx = ModuleContext(source, ast.parse(source))
    assert [ctx.text(c) for c in ctx.calls_named("cuda", "to")] == ["x.cuda().to(d)", "x.cuda()"]
    assert [ctx.text(n) for n in ctx.within(ctx.tree.body[0].value, ast.Name, ast.Attribute)] == [
        "x.cuda().to",
        "x.cuda",
        "x",
        "d",
    ]
