"""TL122 hardcoded-device."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.scopes import COMPREHENSION_TYPES
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, SCOPE_TYPES, dotted, keyword, outer_first
from ...model import Action, Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

CUDA = re.compile(r"cuda(?::\d+)?")
#: The literal as written, when libcst sees it as one ``SimpleString`` (no implicit concatenation).
SIMPLE_LITERAL = re.compile(r"""[rRuU]?(['"])cuda(?::\d+)?\1""")
#: Names a device in scope goes by, in order of preference.
DEVICE_NAMES = ("device", "dev")
#: Words that make an ``if`` test a device choice (``torch.cuda.is_available()``, ``args.no_cuda``).
DEVICE_WORDS = ("cuda", "gpu", "mps", "xla", "xpu", "device", "accelerat")
#: Calls whose return value tells which accelerators exist.
DETECTION_CALLS = {"is_available", "device_count"}
#: Callees whose ``device=`` is not a placement: autocast's device type, CUDA-only APIs.
DEVICE_TYPE_CALLEES = {"autocast", "gradscaler"}
#: Words of callee names that build configuration objects, where a device literal is the configured value.
CONFIG_WORDS = {
    "config", "cfg", "conf", "args", "arguments", "settings", "options", "params", "hparams", "namespace",
    "defaults", "dict"
}
#: Base classes that provide ``self.device``.
DEVICE_BASES = ("LightningModule", "PreTrainedModel")

DEVICE_STATEMENT = 'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")'
RUNTIME_DEVICE = '"cuda" if torch.cuda.is_available() else "cpu"'
DEVICE_COMMENT = "# Choose the device at run time: CUDA when there is a GPU, else the CPU."


@dataclass(frozen=True)
class _Use:
    """One hard-coded device: a ``"cuda"`` literal or a ``.cuda()`` call."""

    node: ast.expr  # the reported node: the literal, or the ``.cuda()`` call
    call: ast.Call  # the call that receives the literal, or the ``.cuda()`` call itself
    kind: str  # "cuda_call", "argument" (``.to(...)``/``device=``) or "constructor" (``torch.device``)
    indexed: bool  # an explicit GPU index: ``"cuda:0"``, ``.cuda(0)``, ``torch.device("cuda", 0)``
    nested: bool = False  # the literal is one branch of a conditional expression


@dataclass(frozen=True)
class _DevicePlan(Plan):
    """The device in scope that the fix puts in place of the hard-coded one."""

    device: str


@dataclass(frozen=True)
class _AddDevicePlan(Plan):
    """Where the code action defines ``device``, and the uses it rewrites to it."""

    rewrites: tuple[tuple[int, int], ...]  # the (line, column) where each use starts
    function: tuple[int, int] | None  # the (line, column) where the function that gets ``device`` starts
    after_line: int = 0  # for the module (``function`` is ``None``): the last line of its imports or docstring


class HardcodedDevice(Rule):
    """A CUDA device is hard-coded: a `"cuda"` / `"cuda:N"` literal or a bare `.cuda()` call.

    Fires on `"cuda"` / `"cuda:N"` passed to `torch.device(...)`, to `.to(...)` or as `device=`, and
    on `.cuda()` / `.cuda(N)`; it is reported at the literal or at the `.cuda()` call. An explicit
    index and `.cuda()` always fire. A plain `"cuda"` does not fire when it is chosen at run time:
    one branch of a conditional expression, inside an `if` that tests the device or configuration,
    or after an accelerator check (`torch.cuda.is_available()`) in the same scope. Devices from
    configuration never fire: function parameter defaults, class attributes, config constructors
    (`dict(device="cuda")`), argparse defaults, and `device_type` of autocast and `GradScaler`.
    With a `device` (or `dev`, or `self.device`) in scope the fix uses it (unsafe for an explicit
    index, which selects a GPU); otherwise a code action adds
    `device = torch.device("cuda" if torch.cuda.is_available() else "cpu")` after the imports or at
    the start of the function and uses it, and `torch.device("cuda")` becomes that choice.
    """

    code = "TL122"
    name = "hardcoded-device"
    severity = Severity.WARNING
    message = "Use a device chosen at run time or taken from config instead of hard-coding CUDA"
    requires = ("cuda",)
    why = """
        A hard-coded `"cuda"` or `.cuda()` makes the script crash on a machine without a GPU (a
        laptop, CI, an Apple-silicon Mac), and an explicit index (`"cuda:0"`, `.cuda(0)`) puts every
        process of a multi-GPU run on the same card. Choosing the device once, at run time or from
        the configuration, and moving everything with `.to(device)` keeps the script portable.
    """
    example = """
        model = Net().cuda()
        for x, y in loader:
            x, y = x.to("cuda:0"), y.to("cuda:0")
    """
    use_instead = """
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net().to(device)
        for x, y in loader:
            x, y = x.to(device), y.to(device)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Use the device in scope"
    action_title = "Choose the device at run time and use it"
    constructor_action_title = "Use CUDA only when it is available"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        uses = [use for use in _hardcoded_uses(ctx) if not _exempt(ctx, use)]
        # The device name each rewritable use can take ("" when none is in scope).
        devices = {
            use: _device_in_scope(ctx, use.node) or ""
            for use in uses
            if use.kind != "constructor" and _rewritable(ctx, use)
        }
        actions = self._device_actions(ctx, [use for use, device in devices.items() if not device])
        for use in uses:
            yield self._finding(ctx, use, devices.get(use), actions)

    def _finding(self, ctx: ModuleContext, use: _Use, device: str | None, actions: dict[ast.AST | None, Action]) -> Finding:
        message = _message(use)
        if use.kind == "constructor":
            action = self.action_at(ctx, use.call, node="Call", title=self.constructor_action_title)
            return self.finding(ctx, use.node, message, action=action)
        if device is None:  # nothing to rewrite
            return self.finding(ctx, use.node, message)
        if not device:
            return self.finding(ctx, use.node, message, action=actions.get(_insertion_scope(ctx, use.node), False))
        fix = self.fix_at(
            ctx,
            use.node,
            _DevicePlan(device),
            node="Call" if use.kind == "cuda_call" else "SimpleString",
            title=f"{self.fix_title} (`{device}`)",
            applicability=Applicability.UNSAFE if use.indexed else Applicability.SAFE,
        )
        return self.finding(ctx, use.node, message, fix=fix)

    def _device_actions(self, ctx: ModuleContext, uses: list[_Use]) -> dict[ast.AST | None, Action]:
        """One action per scope for the rewritable ``uses`` that have no device in scope: it defines
        ``device`` and rewrites every such use of that scope."""
        by_scope: dict[ast.AST, list[_Use]] = defaultdict(list)
        for use in uses:
            scope = _insertion_scope(ctx, use.node)
            if scope is not None and (scope, "device") not in _bindings(ctx):
                by_scope[scope].append(use)
        actions: dict[ast.AST | None, Action] = {}
        for scope, scope_uses in by_scope.items():
            rewrites = tuple((ctx.range(u.node).start.line, ctx.range(u.node).start.column) for u in scope_uses)
            if isinstance(scope, ast.Module):
                plan = _AddDevicePlan(rewrites, None, _after_imports(ctx, scope_uses[0].node))
            else:
                start = ctx.range(scope).start
                plan = _AddDevicePlan(rewrites, (start.line, start.column))
            actions[scope] = self.action_at(ctx, ctx.tree, plan, node="Module")
        return actions

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        device = cst.parse_expression(fix.plan_as(_DevicePlan).device)
        return _to_device(node, device) if isinstance(node, cst.Call) else device

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        ctx.add_import("torch")
        if isinstance(node, cst.Call):  # torch.device("cuda") -> torch.device("cuda" if ... else "cpu")
            return node.with_changes(args=[cst.Arg(cst.parse_expression(RUNTIME_DEVICE))])
        assert isinstance(node, cst.Module)
        return _add_device(node, action.plan_as(_AddDevicePlan))


# -- detection ------------------------------------------------------------------------------------


def _hardcoded_uses(ctx: ModuleContext) -> Iterator[_Use]:
    for call in _device_calls(ctx):
        func = call.func
        if ctx.qualname(func) == "torch.device":
            yield from _constructor_uses(call)
            continue
        if isinstance(func, ast.Attribute) and func.attr == "cuda" and ctx.qualname(func) is None:
            index = call.args[0] if call.args else getattr(keyword(call, "device"), "value", None)
            if index is None or _is_index(index):
                yield _Use(call, call, "cuda_call", indexed=index is not None)
            continue
        if isinstance(func, ast.Attribute) and func.attr == "to" and call.args:
            yield from _literal_uses(call.args[0], call, "argument")
        device = keyword(call, "device")
        if device is not None and not _configures_device(ctx, call):
            yield from _literal_uses(device.value, call, "argument")


def _device_calls(ctx: ModuleContext) -> list[ast.Call]:
    """The calls that can hard-code a device: ``torch.device(...)``, ``.cuda(...)``, ``.to(...)`` and
    any call with ``device=``, in source order (a call before the calls it contains)."""
    with_device = (ctx.parent(kw) for kw in ctx.nodes(ast.keyword) if kw.arg == "device")
    calls = {
        *ctx.calls("torch.device"),
        *ctx.method_calls("cuda"),
        *ctx.method_calls("to"),
        *(call for call in with_device if isinstance(call, ast.Call)),
    }
    return sorted(calls, key=outer_first)


def _constructor_uses(call: ast.Call) -> Iterator[_Use]:
    """``torch.device("cuda:0")``, and ``torch.device("cuda", 0)`` but not ``torch.device("cuda", rank)``."""
    if not call.args:
        return
    if len(call.args) == 1:
        yield from _literal_uses(call.args[0], call, "constructor")
    elif _cuda_literal(call.args[0]) and _is_index(call.args[1]):
        yield _Use(call.args[0], call, "constructor", indexed=True)


def _literal_uses(value: ast.expr, call: ast.Call, kind: str) -> Iterator[_Use]:
    if _cuda_literal(value):
        yield _Use(value, call, kind, indexed=":" in _literal(value))
    elif isinstance(value, ast.IfExp):
        for branch in (value.body, value.orelse):
            if _cuda_literal(branch):
                yield _Use(branch, call, kind, indexed=":" in _literal(branch), nested=True)


def _cuda_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and CUDA.fullmatch(node.value) is not None


def _literal(node: ast.expr) -> str:
    """The text of a string constant (a ``"cuda"`` literal)."""
    assert isinstance(node, ast.Constant) and isinstance(node.value, str)
    return node.value


def _is_index(node: ast.AST) -> bool:
    """A literal GPU index: ``0`` or ``"cuda:0"`` (``True`` is a bool, not an index)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return True
    return _cuda_literal(node)


def _configures_device(ctx: ModuleContext, call: ast.Call) -> bool:
    """``device=`` of autocast/GradScaler (a device type), of ``torch.cuda.*``, or of a config object."""
    if (ctx.qualname(call.func) or "").startswith("torch.cuda."):
        return True
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    words = {word.lower() for word in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name)}
    return name.lower() in DEVICE_TYPE_CALLEES or not words.isdisjoint(CONFIG_WORDS)


def _exempt(ctx: ModuleContext, use: _Use) -> bool:
    """Configuration (parameter defaults, class attributes) or a plain ``"cuda"`` chosen at run time."""
    if use.kind == "cuda_call":
        return False
    in_defaults = any(isinstance(a, ast.arguments) for a in ctx.ancestors(use.node))
    if in_defaults or isinstance(ctx.scope_of(use.node), ast.ClassDef):
        return True
    if use.indexed:
        return False
    return use.nested or _under_device_test(ctx, use.node) or _after_detection(ctx, use.node)


def _under_device_test(ctx: ModuleContext, node: ast.AST) -> bool:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES):
            return False
        if isinstance(ancestor, ast.If) and _mentions_device(ancestor.test):
            return True
    return False


def _mentions_device(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Name):
            word = node.id
        elif isinstance(node, ast.Attribute):
            word = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            word = node.value
        else:
            continue
        if any(part in word.lower() for part in DEVICE_WORDS):
            return True
    return False


def _after_detection(ctx: ModuleContext, node: ast.expr) -> bool:
    """An accelerator check (``torch.cuda.is_available()``) earlier in the same scope: a fallback."""
    scope = ctx.scope_of(node)
    return any(
        call.lineno <= node.lineno and ctx.scope_of(call) is scope
        for method in DETECTION_CALLS
        for call in ctx.method_calls(method)
    )


def _message(use: _Use) -> str:
    if use.kind == "cuda_call":
        return "Use .to(device) with a device chosen at run time or from config instead of .cuda()"
    return f'Use a device chosen at run time or from config instead of the hard-coded "{_literal(use.node)}"'


def _rewritable(ctx: ModuleContext, use: _Use) -> bool:
    """``.cuda()`` calls and plain literals that a device name can replace (not inside a
    comprehension whose own loop variable is named like a device)."""
    if _under_device_loop_variable(ctx, use.node):
        return False
    if use.kind == "cuda_call":
        return True
    return not use.nested and SIMPLE_LITERAL.fullmatch(ctx.text(use.node)) is not None


def _under_device_loop_variable(ctx: ModuleContext, node: ast.AST) -> bool:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, COMPREHENSION_TYPES):
            targets = (t for generator in ancestor.generators for t in ctx.within(generator.target, ast.Name))
            if any(t.id in DEVICE_NAMES for t in targets):
                return True
        elif isinstance(ancestor, ast.stmt):
            return False
    return False


# -- a device in scope ---------------------------------------------------------------------------


def _device_in_scope(ctx: ModuleContext, node: ast.expr) -> str | None:
    """``device``/``dev`` bound before ``node`` in a function around it, else ``self.device``, else a global."""
    in_function = ctx.enclosing(node, FUNCTION_TYPES) is not None
    scopes = _visible_scopes(ctx, node)
    global_name = None
    for name in DEVICE_NAMES:
        scope = _binding_scope(ctx, node, name, scopes)
        if scope is None:
            continue
        if not isinstance(scope, ast.Module):
            return name
        if in_function or _bindings(ctx)[(scope, name)] < node.lineno:
            global_name = global_name or name
    if _has_self_device(ctx, node):
        return "self.device"
    return global_name


def _visible_scopes(ctx: ModuleContext, node: ast.AST) -> list[ast.AST]:
    """The scopes whose names ``node`` reads, innermost first, down to the module."""
    scopes: list[ast.AST] = [ancestor for ancestor in ctx.ancestors(node) if isinstance(ancestor, SCOPE_TYPES)]
    # A method does not see its class's names.
    return scopes[:1] + [scope for scope in scopes[1:] if not isinstance(scope, ast.ClassDef)]


def _binding_scope(ctx: ModuleContext, node: ast.expr, name: str, scopes: list[ast.AST]) -> ast.AST | None:
    """The scope of ``scopes`` that ``name`` resolves to at ``node``, if it is bound early enough to be read there."""
    bindings = _bindings(ctx)
    for scope in scopes:
        line = bindings.get((scope, name))
        if line is not None:
            usable = line < node.lineno or isinstance(scope, ast.Module)
            return scope if usable else None
    return None


@fact
def _bindings(ctx: ModuleContext) -> dict[tuple[ast.AST, str], int]:
    """The first line binding each device name, per scope; a parameter binds at line 0."""
    bindings: dict[tuple[ast.AST, str], int] = {}
    for device_name in DEVICE_NAMES:
        for name in ctx.names(device_name):
            if isinstance(name.ctx, ast.Store) and not _in_comprehension(ctx, name):
                key = (ctx.scope_of(name), name.id)
                bindings[key] = min(bindings.get(key, name.lineno), name.lineno)
    for arg in ctx.nodes(ast.arg):
        if arg.arg in DEVICE_NAMES:
            bindings[(ctx.scope_of(arg), arg.arg)] = 0
    return bindings


def _in_comprehension(ctx: ModuleContext, node: ast.AST) -> bool:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.comprehension):
            return True
        if isinstance(ancestor, ast.stmt):
            return False
    return False


def _has_self_device(ctx: ModuleContext, node: ast.expr) -> bool:
    """A method of a class that sets ``self.device`` (in ``__init__``, or earlier here), has a
    ``device`` property, or inherits one (Lightning, transformers)."""
    method = ctx.enclosing(node, DEF_TYPES)
    if not isinstance(method, DEF_TYPES) or not method.args.args or method.args.args[0].arg != "self":
        return False
    cls = ctx.parent(method)
    if not isinstance(cls, ast.ClassDef):
        return False
    if any((dotted(base) or "").endswith(DEVICE_BASES) for base in cls.bases):
        return True
    if any(_is_property(stmt, "device") for stmt in cls.body):
        return True
    for store in _self_device_stores(ctx):
        setter = ctx.enclosing(store, DEF_TYPES)
        if not isinstance(setter, DEF_TYPES) or ctx.parent(setter) is not cls:
            continue
        if setter is method and store.lineno < node.lineno:
            return True
        if setter is not method and setter.name == "__init__":
            return True
    return False


def _is_property(stmt: ast.stmt, name: str) -> bool:
    return (
        isinstance(stmt, DEF_TYPES)
        and stmt.name == name
        and any(dotted(d) in {"property", "functools.cached_property", "cached_property"} for d in stmt.decorator_list)
    )


@fact
def _self_device_stores(ctx: ModuleContext) -> list[ast.Attribute]:
    return [
        node
        for node in ctx.attributes("device")
        if isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self"
    ]


# -- the code action: add a device and use it ----------------------------------------------------


def _insertion_scope(ctx: ModuleContext, node: ast.AST) -> ast.AST | None:
    """The function (or module) whose start gets the new ``device``; ``None`` inside a class body
    or a function whose body shares the ``def`` line (it has no line of its own to insert)."""
    scope = ctx.enclosing(node, (*DEF_TYPES, ast.ClassDef))
    if isinstance(scope, ast.ClassDef) or (isinstance(scope, DEF_TYPES) and scope.body[0].lineno == scope.lineno):
        return None
    return scope or ctx.tree


def _after_imports(ctx: ModuleContext, node: ast.AST) -> int:
    """The last line of the imports (or docstring) before the top-level statement holding ``node``."""
    top = ctx.statement_of(node)
    while (parent := ctx.parent(top)) is not ctx.tree:
        assert parent is not None
        top = ctx.statement_of(parent)
    end = 0
    for index, stmt in enumerate(ctx.tree.body):
        if stmt is top:
            break
        is_docstring = index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or is_docstring:
            end = stmt.end_lineno or stmt.lineno
    return end


def _to_device(call: cst.Call, device: cst.BaseExpression) -> cst.Call:
    """``x.cuda(0, non_blocking=True)`` -> ``x.to(device, non_blocking=True)``."""
    import libcst as cst

    assert isinstance(call.func, cst.Attribute)
    kept = [arg for arg in call.args if arg.keyword is not None and arg.keyword.value != "device"]
    return call.with_changes(
        func=call.func.with_changes(attr=cst.Name("to")),
        args=[cst.Arg(device), *kept],
    )


def _device_statement() -> cst.SimpleStatementLine:
    import libcst as cst

    statement = cst.parse_statement(DEVICE_STATEMENT)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement.with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment(DEVICE_COMMENT))])


def _insert_before(statements: Sequence[cst.BaseStatement], index: int) -> list[cst.BaseStatement]:
    """The device statement inserted at ``index``, taking over the blank lines above the next one."""
    import libcst as cst

    statement = _device_statement()
    if index < len(statements):
        following = statements[index]
        assert isinstance(following, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        blank = []
        for line in following.leading_lines:
            if line.comment is not None:
                break
            blank.append(line)
        if blank:
            statement = statement.with_changes(leading_lines=[*blank, *statement.leading_lines])
            following = following.with_changes(leading_lines=[cst.EmptyLine(), *following.leading_lines[len(blank) :]])
            return [*statements[:index], statement, following, *statements[index + 1 :]]
    return [*statements[:index], statement, *statements[index:]]


def _add_device(module: cst.Module, plan: _AddDevicePlan) -> cst.Module:
    """Rewrite the scope's hard-coded uses to ``device`` and define ``device`` where the scope starts."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    targets = set(plan.rewrites)

    class UseDevice(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def _start(self, node: cst.CSTNode) -> tuple[int, int]:
            start = self.get_metadata(PositionProvider, node).start
            return start.line, start.column + 1

        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
            func = updated_node.func
            if self._start(original_node) in targets and isinstance(func, cst.Attribute) and func.attr.value == "cuda":
                return _to_device(updated_node, cst.Name("device"))
            return updated_node

        def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.BaseExpression:
            return cst.Name("device") if self._start(original_node) in targets else updated_node

        def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
            if plan.function is None or self._start(original_node) != plan.function:
                return updated_node
            body = updated_node.body
            assert isinstance(body, cst.IndentedBlock)  # a one-line function has no device to add to
            statements = list(body.body)
            index = 1 if statements and _is_docstring(statements[0]) else 0
            return updated_node.with_changes(body=body.with_changes(body=_insert_before(statements, index)))

        def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
            if plan.function is not None:
                return updated_node
            lines = [self.get_metadata(PositionProvider, stmt).start.line for stmt in original_node.body]
            index = next((i for i, line in enumerate(lines) if line > plan.after_line), len(lines))
            return updated_node.with_changes(body=_insert_before(list(updated_node.body), index))

    return MetadataWrapper(module).visit(UseDevice())


def _is_docstring(statement: cst.BaseStatement) -> bool:
    import libcst as cst

    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
