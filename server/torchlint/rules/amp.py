"""Mixed precision: autocast around the forward pass (TL101) and the `torch.amp` API (TL102)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..context import ModuleContext, dotted
from ..model import Applicability, Finding, Severity
from ..patterns import (
    CST_BLOCK_OWNERS,
    alone_on_its_lines,
    backward_calls,
    enclosing_loop,
    is_backward,
    lookup,
    looks_like_optimizer,
    method_calls,
    optimizer_step_calls,
    unindented,
)
from ..rule import Rule

if TYPE_CHECKING:
    import libcst as cst

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)

# -- TL102 ----------------------------------------------------------------------------------

AMP_NAMES = ("autocast", "GradScaler")
#: Keywords of the deprecated ``autocast(enabled, dtype, cache_enabled)``'s positional parameters.
AUTOCAST_POSITIONAL = ("enabled", "dtype", "cache_enabled")
#: Submodules the deprecated names also live in (``torch.cuda.amp.autocast_mode.autocast``).
AMP_SUBMODULES = {"autocast": "autocast_mode", "GradScaler": "grad_scaler"}


def deprecated_amp(qualname: str | None) -> tuple[str, str] | None:
    """``("cuda", "autocast")`` for ``torch.cuda.amp.autocast`` (or its ``autocast_mode`` path)."""
    if not qualname or not qualname.startswith(("torch.cuda.amp.", "torch.cpu.amp.")):
        return None
    parts = qualname.split(".")
    name = parts[-1]
    if name not in AMP_NAMES or parts[3:-1] not in ([], [AMP_SUBMODULES[name]]):
        return None
    return parts[1], name


class DeprecatedAmpApi(Rule):
    """`torch.cuda.amp` / `torch.cpu.amp` autocast or GradScaler is used.

    Reported at the import that brings the name in and at each use written through a module
    (`torch.cuda.amp.GradScaler()`, `amp.autocast()` after `from torch.cuda import amp`).
    """

    code = "TL102"
    deprecated = True
    name = "deprecated-amp-api"
    severity = Severity.WARNING
    requires = ("amp",)
    message = 'Use torch.amp.autocast("cuda", ...) / torch.amp.GradScaler("cuda", ...) instead of the deprecated torch.cuda.amp API'
    why = """
        `torch.cuda.amp.autocast`, `torch.cuda.amp.GradScaler` and `torch.cpu.amp.autocast` are
        deprecated aliases that emit a `FutureWarning` on every call. `torch.amp` is the one
        device-generic API: the same code runs on CUDA, CPU, MPS or XPU by changing a string.
    """
    example = """
        scaler = torch.cuda.amp.GradScaler()
        with torch.cuda.amp.autocast(dtype=torch.float16):
            loss = model(x).loss
    """
    use_instead = """
        scaler = torch.amp.GradScaler("cuda")
        with torch.amp.autocast("cuda", dtype=torch.float16):
            loss = model(x).loss
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Use torch.amp with the device string"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.nodes(ast.ImportFrom):
            yield from self._import(ctx, node)
        for node in ctx.attributes(*AMP_NAMES):
            if found := deprecated_amp(ctx.qualname(node)):
                yield self._use(ctx, node, *found)

    def _import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Iterator[Finding]:
        if node.level or not node.module:
            return
        found = []
        for alias in node.names:
            deprecated = deprecated_amp(f"{node.module}.{alias.name}")
            if deprecated and not _has_modern_binding(ctx, alias.asname or alias.name):
                found.append((alias, *deprecated))
        if not found:
            return
        moved = tuple((a.name, a.asname) for a, device, name in found if _only_called(ctx, a.asname or a.name, device, name))
        uses = [load for name, asname in moved for load in _loads(ctx, asname or name)]
        where = (_top_level_keys(ctx, [node]), _top_level_keys(ctx, uses))
        for alias, device, name in found:
            yield self.finding(
                ctx,
                alias,
                _message(device, name),
                fix=(alias.name, alias.asname) in moved,
                fix_target=ctx.tree,
                fix_node="Module",
                fix_data=(node.module, device, moved, where),
            )

    def _use(self, ctx: ModuleContext, node: ast.Attribute, device: str, name: str) -> Finding:
        call = ctx.parent(node)
        if not (isinstance(call, ast.Call) and call.func is node and _device_insertable(call, name)):
            return self.finding(ctx, node, _message(device, name))
        parts = (dotted(node) or "").split(".")
        if ctx.imports.get(parts[0]) == "torch" and parts[1:3] == [device, "amp"]:
            callee, stale = f"{parts[0]}.amp.{name}", None
        else:  # through a module alias (`from torch.cuda import amp`): spell it out, drop the alias
            callee, stale = f"torch.amp.{name}", _import_of(ctx, parts[0])
        return self.finding(
            ctx, node, _message(device, name), fix=True, fix_target=call, fix_data=(device, name, callee, stale)
        )

    def fix(self, node, fix, ctx):
        import libcst as cst

        if isinstance(node, cst.Module):
            return _migrate_import(node, *fix.data)
        device, name, callee, stale = fix.data
        if stale:
            ctx.add_import("torch")
            ctx.remove_unused_import(*stale)
        return _with_device(node.with_changes(func=cst.parse_expression(callee)), device, name)


def _message(device: str, name: str) -> str:
    return f'Use torch.amp.{name}("{device}", ...) instead of the deprecated torch.{device}.amp.{name}'


def _has_modern_binding(ctx: ModuleContext, local: str) -> bool:
    """``local`` is also imported from a current API (a version fallback: `try: from torch.amp ...`)."""
    bindings = ctx.memo("amp.import_bindings", lambda: _import_bindings(ctx))
    return any(deprecated_amp(qualname) is None for qualname in bindings.get(local, ()))


def _import_bindings(ctx: ModuleContext) -> dict[str, list[str]]:
    bindings: dict[str, list[str]] = {}
    for node in ctx.nodes(ast.ImportFrom):
        if node.module and not node.level:
            for alias in node.names:
                bindings.setdefault(alias.asname or alias.name, []).append(f"{node.module}.{alias.name}")
    return bindings


def _import_of(ctx: ModuleContext, local: str) -> tuple[str, str | None, str | None] | None:
    """``(module, name, alias)`` of the import that binds ``local``, as the fixer removes imports."""
    for node in ctx.nodes(ast.Import, ast.ImportFrom):
        for alias in node.names:
            if isinstance(node, ast.Import) and alias.asname == local:
                return alias.name, None, local
            if isinstance(node, ast.ImportFrom) and node.module and (alias.asname or alias.name) == local:
                return node.module, alias.name, alias.asname
    return None


def _device_insertable(call: ast.Call, name: str) -> bool:
    """The device can go first: no ``*args``/``**kwargs``, and autocast's positionals can be named."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return False
    return name != "autocast" or len(call.args) <= len(AUTOCAST_POSITIONAL)


def _only_called(ctx: ModuleContext, local: str, device: str, name: str) -> bool:
    """Every read of ``local`` is a call the device can be added to.

    A CUDA GradScaler may also be named without a call (annotations, ``isinstance``): its
    device defaults to "cuda" in ``torch.amp``.
    """
    for node in _loads(ctx, local):
        call = ctx.parent(node)
        if isinstance(call, ast.Call) and call.func is node:
            if not _device_insertable(call, name):
                return False
        elif name != "GradScaler" or device != "cuda":
            return False
    return True


def _loads(ctx: ModuleContext, local: str) -> list[ast.Name]:
    return [node for node in ctx.names(local) if isinstance(node.ctx, ast.Load)]


def _top_level_keys(ctx: ModuleContext, nodes: list[ast.AST]) -> frozenset[str]:
    """Which top-level statements hold ``nodes``: the names of functions and classes, ``"-"``
    for simple statements, ``"*"`` for other compound statements."""
    keys = set()
    for node in nodes:
        top = next((a for a in ctx.ancestors(node) if ctx.parent(a) is ctx.tree), node)
        if isinstance(top, (*DEFS, ast.ClassDef)):
            keys.add(top.name)
        else:
            keys.add("*" if any(isinstance(getattr(top, f, None), list) for f in ("body", "handlers")) else "-")
    return frozenset(keys)


def _with_device(call: cst.Call, device: str, name: str) -> cst.Call:
    """``call`` with the device string first; autocast's positional arguments become keywords."""
    import libcst as cst

    args = list(call.args)
    if name == "autocast":
        no_space = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        args = [
            arg.with_changes(keyword=cst.Name(AUTOCAST_POSITIONAL[index]), equal=no_space) if arg.keyword is None else arg
            for index, arg in enumerate(args)
        ]
    first = cst.Arg(cst.SimpleString(f'"{device}"'))
    if args:
        spacing = call.whitespace_before_args
        if "\n" not in cst.Module(body=[]).code_for_node(spacing):
            spacing = cst.SimpleWhitespace(" ")
        first = first.with_changes(comma=cst.Comma(whitespace_after=spacing))
    return call.with_changes(args=[first, *args])


def _migrate_import(module: cst.Module, source: str, device: str, moved: tuple, where: tuple) -> cst.Module:
    """Import the ``moved`` names from ``torch.amp`` instead of ``source`` and give every call
    through them the device; unchanged when no such import is left.

    ``where`` says which top-level statements hold the import and the calls (see
    ``_top_level_keys``): only those are visited, as a libcst transform of a whole module costs
    as much as parsing it.
    """
    import libcst as cst

    names = set(moved)
    called = {asname or name: name for name, asname in moved}
    torch_amp = cst.parse_expression("torch.amp")

    class ImportMigration(cst.CSTTransformer):
        changed = False

        def leave_SimpleStatementLine(self, original, updated):
            body, added = [], []
            for small in updated.body:
                if _imports_from(small, source):
                    keep = [a for a in small.names if _alias_key(a) not in names]
                    move = [a for a in small.names if _alias_key(a) in names]
                    if move and keep:
                        # The list ends as it did (a trailing comma and comment in parentheses).
                        keep[-1] = keep[-1].with_changes(comma=small.names[-1].comma)
                        small = small.with_changes(names=keep)
                        added.append(cst.ImportFrom(module=torch_amp, names=_one_line(move)))
                    elif move:
                        small = small.with_changes(module=torch_amp)
                    self.changed |= bool(move)
                body.append(small)
            line = updated.with_changes(body=body)
            return cst.FlattenSentinel([line, cst.SimpleStatementLine(body=added)]) if added else line

    class CallMigration(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if isinstance(updated.func, cst.Name) and updated.func.value in called:
                return _with_device(updated, device, called[updated.func.value])
            return updated

    import_keys, call_keys = where
    imports = ImportMigration()
    body = _visit_top_level(module.body, import_keys, imports)
    if not imports.changed:
        return module
    return module.with_changes(body=_visit_top_level(body, call_keys, CallMigration()))


def _visit_top_level(statements, keys: frozenset[str], transformer) -> list:
    """``statements`` with the top-level statements that ``keys`` name visited by ``transformer``."""
    import libcst as cst

    visited = []
    for statement in statements:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            key = statement.name.value
        else:
            key = "-" if isinstance(statement, cst.SimpleStatementLine) else "*"
        if key in keys:
            statement = statement.visit(transformer)
        visited.extend(statement.nodes if isinstance(statement, cst.FlattenSentinel) else [statement])
    return visited


def _imports_from(node: cst.CSTNode, module: str) -> bool:
    import libcst as cst

    return (
        isinstance(node, cst.ImportFrom)
        and not node.relative
        and node.module is not None
        and not isinstance(node.names, cst.ImportStar)
        and cst.Module(body=[]).code_for_node(node.module) == module
    )


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    import libcst as cst

    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
    return cst.Module(body=[]).code_for_node(alias.name), asname


def _without_trailing_comma(aliases: list) -> list:
    import libcst as cst

    return [*aliases[:-1], aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]


def _one_line(aliases: list) -> list:
    """The aliases separated by ``, `` (they may come from a parenthesized, multi-line import)."""
    import libcst as cst

    separated = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in aliases]
    return _without_trailing_comma(separated)


# -- TL101 ----------------------------------------------------------------------------------

#: Callee names that look like entering mixed precision (`accelerator.autocast()`, `amp_ctx()`).
AUTOCASTISH = re.compile(r"autocast|(^|_)amp($|_)|mixed_precision", re.IGNORECASE)
#: Frameworks that run the forward pass in mixed precision from their own configuration
#: (`Accelerator(mixed_precision=...)`, `Fabric(precision=...)`, apex, DeepSpeed).
PRECISION_PACKAGES = ("accelerate", "lightning", "lightning_fabric", "pytorch_lightning", "apex", "deepspeed")
LOW_PRECISION = {"torch.float16", "torch.half", "torch.bfloat16"}
DOUBLE_PRECISION = {"torch.float64", "torch.double"}
CASTS = {"half", "bfloat16", "double"}
LBFGS = {"torch.optim.LBFGS", "torch.optim.lbfgs.LBFGS"}
AUTOCAST_UNSAFE = {"torch.nn.BCELoss", "torch.nn.modules.loss.BCELoss", "torch.nn.functional.binary_cross_entropy"}
#: Calls that move, reshape or reduce tensors: none of them is a forward pass.
PLAIN_CALLS = frozenset(
    "to cuda cpu float half double bfloat16 long int bool type detach clone contiguous view view_as reshape "
    "squeeze unsqueeze flatten permute transpose t expand expand_as repeat size dim numel item tolist numpy "
    "mean sum scale len range enumerate zip min max abs isinstance getattr list tuple dict tqdm append extend "
    "items keys values get pop format print tensor as_tensor from_numpy zeros ones full empty rand randn randint "
    "arange zeros_like ones_like cat stack Variable".split()
)
#: ``xs.append(v)`` and friends add ``v`` to ``xs``.
COLLECTING = {"append", "extend", "add", "update", "insert"}


@dataclass(frozen=True)
class AutocastScopes:
    """Where the module enters autocast (or may: a context manager we cannot see into)."""

    #: Functions that enter it somewhere in their body (or through a decorator).
    functions: frozenset[ast.AST]
    #: Names of those functions.
    entering: frozenset[str]
    #: Names of the functions called inside an autocast ``with``.
    called_under: frozenset[str]
    module_level: bool


class MissingAutocast(Rule):
    """A training step runs its forward pass and loss in full precision.

    Fires on `loss.backward()`, `scaler.scale(loss).backward()` or
    `torch.autograd.backward(loss)` when the loss is computed in the same function without
    `torch.autocast` around it. Reported at the backward call.
    """

    code = "TL101"
    name = "missing-autocast"
    severity = Severity.WARNING
    requires = ("backward",)
    message = "Compute the forward pass and loss under torch.autocast(device_type=..., dtype=torch.bfloat16) to train in mixed precision"
    scaled_message = "Compute the forward pass and loss under torch.autocast(device_type=..., dtype=torch.float16), the precision the GradScaler is for"
    why = """
        Tensor cores run bfloat16/float16 matrix multiplies several times faster than float32,
        and activations take half the memory. `torch.autocast` picks the precision per
        operation (matmuls and convolutions in low precision, reductions and losses in
        float32), so most models train to the same accuracy with no other change. The backward
        pass runs outside autocast and reuses the forward's precisions.
    """
    example = """
        for x, y in loader:
            logits = model(x)
            loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
    """
    use_instead = """
        for x, y in loader:
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
                logits = model(x)
                loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Wrap the forward pass and loss in torch.autocast"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        scopes = ctx.memo("amp.autocast_scopes", lambda: _autocast_scopes(ctx))
        if scopes is None:
            return
        seen = set()
        for call in backward_calls(ctx):
            loss = _loss_of(ctx, call)
            function = ctx.enclosing(call, DEFS)
            if loss is None or _under_autocast(ctx, function, scopes):
                continue
            step = TrainingStep.of(ctx, call, loss, function)
            if step is None or step.key in seen or step.calls_autocast_function(scopes):
                continue
            seen.add(step.key)
            yield self._finding(ctx, step)

    def _finding(self, ctx: ModuleContext, step: TrainingStep) -> Finding:
        message = self.scaled_message if step.scaled else self.message
        run = None if _autocast_unsafe_loss(ctx) else step.forward_run()
        if run is None:
            return self.finding(ctx, step.backward, message)
        owner, statements = run
        dtype = "float16" if step.scaled else "bfloat16"
        header = f"torch.autocast(device_type={_device_type(ctx, step.backward)}, dtype=torch.{dtype})"
        return self.finding(
            ctx,
            step.backward,
            message,
            fix=True,
            fix_target=owner,
            fix_node=CST_BLOCK_OWNERS[type(owner)],
            fix_data=(header, tuple(ctx.text(s) for s in statements)),
        )

    def fix(self, node, fix, ctx):
        import libcst as cst

        header, texts = fix.data
        block = node if isinstance(node, cst.Module) else node.body
        if not isinstance(block, (cst.Module, cst.IndentedBlock)):
            return node
        statements = list(block.body)
        span = _find_run(statements, texts)
        if span is None:  # already wrapped, or changed by another fix in this pass
            return node
        start, end = span
        run = statements[start:end]
        wrapped = cst.With(
            items=[cst.WithItem(cst.parse_expression(header))],
            body=cst.IndentedBlock(body=[run[0].with_changes(leading_lines=()), *run[1:]]),
            leading_lines=run[0].leading_lines,
        )
        ctx.add_import("torch")
        body = [*statements[:start], wrapped, *statements[end:]]
        if isinstance(node, cst.Module):
            return node.with_changes(body=body)
        return node.with_changes(body=block.with_changes(body=body))


def _find_run(statements: list, texts: tuple[str, ...]) -> tuple[int, int] | None:
    """The first slice of ``statements`` (libcst lines) whose simple statements read ``texts``."""
    import libcst as cst

    def code(small: cst.BaseSmallStatement) -> str:
        return unindented(cst.Module(body=[]).code_for_node(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))

    texts = tuple(unindented(text) for text in texts)
    for start in range(len(statements)):
        end, matched = start, 0
        while matched < len(texts) and end < len(statements) and isinstance(statements[end], cst.SimpleStatementLine):
            codes = [code(small) for small in statements[end].body]
            if codes != list(texts[matched : matched + len(codes)]):
                break
            matched += len(codes)
            end += 1
        if matched == len(texts):
            return start, end
    return None


# .. module facts ...........................................................................


def _autocast_scopes(ctx: ModuleContext) -> AutocastScopes | None:
    """Where autocast is entered; ``None`` when no backward call in the module can fire."""
    if _mixed_precision_elsewhere(ctx) or _explicit_precision(ctx) or not _steps_an_optimizer(ctx):
        return None
    sites: list[ast.AST] = [call for call in ctx.nodes(ast.Call) if _autocast_callee(call.func)]
    factories = {f.name for f in (ctx.enclosing(site, DEFS) for site in sites) if f is not None}
    autocast_withs = [
        node
        for node in ctx.nodes(ast.With, ast.AsyncWith)
        if any(_enters_autocast(ctx, item.context_expr, factories) for item in node.items)
    ]
    sites += autocast_withs
    functions: set[ast.AST] = set()
    module_level = False
    for site in sites:
        enclosing = [a for a in ctx.ancestors(site) if isinstance(a, DEFS)]
        functions.update(enclosing)
        module_level |= not enclosing
    entering = frozenset(f.name for f in functions)
    if "forward" in entering:  # a model whose forward enters autocast itself
        return None
    called_under = {
        _callee_name(call.func)
        for node in autocast_withs
        for call in ctx.within(node.body, ast.Call)
    }
    return AutocastScopes(frozenset(functions), entering, frozenset(called_under), module_level)


def _autocast_unsafe_loss(ctx: ModuleContext) -> bool:
    """The module uses a loss that raises under autocast (BCELoss on probabilities): wrapping its
    forward pass needs ``BCEWithLogitsLoss`` first, which no automatic edit can choose."""
    return bool(ctx.calls(*AUTOCAST_UNSAFE))


def _mixed_precision_elsewhere(ctx: ModuleContext) -> bool:
    """Accelerate, Lightning, apex or DeepSpeed own the precision, or LBFGS (needs full precision)."""
    if ctx.imports_any(*PRECISION_PACKAGES):
        return True
    return bool(ctx.calls(*LBFGS))


def _explicit_precision(ctx: ModuleContext) -> bool:
    """float64 work, or a model cast to half precision (`.half()`, `torch_dtype=torch.bfloat16`)."""
    if any(ctx.method_calls(cast) for cast in CASTS) or ctx.references(*DOUBLE_PRECISION):
        return True
    for node in ctx.references(*LOW_PRECISION):
        parent = ctx.parent(node)
        call = ctx.parent(parent) if isinstance(parent, ast.keyword) else parent
        if isinstance(call, ast.Call) and not _autocast_callee(call.func) and (
            (isinstance(parent, ast.keyword) and parent.arg in ("dtype", "torch_dtype"))
            or (isinstance(call.func, ast.Attribute) and call.func.attr == "to")
        ):
            return True
    return False


def _steps_an_optimizer(ctx: ModuleContext) -> bool:
    """An optimizer is stepped: ``optimizer.step()`` or ``scaler.step(optimizer)``."""
    if optimizer_step_calls(ctx):
        return True
    return any(
        call.args and (name := dotted(call.args[0])) and looks_like_optimizer(name) for call in method_calls(ctx, "step")
    )


def _callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _autocast_callee(func: ast.expr) -> bool:
    return _autocastish(_callee_name(func))


@lru_cache(maxsize=4096)
def _autocastish(name: str) -> bool:
    """``name`` looks like entering mixed precision (cached: every callee of a module is tested)."""
    return bool(AUTOCASTISH.search(name))


def _enters_autocast(ctx: ModuleContext, expr: ast.expr, factories: set[str]) -> bool:
    """A ``with`` item that enters autocast, or may: a context manager held in a variable counts
    unless every value the module gives that variable is a call that is not autocast."""
    if _calls_autocast(ctx, expr, factories):
        return True
    name = dotted(expr)
    if name is None:
        return False
    if _autocastish(name.rsplit(".", 1)[-1]):
        return True
    values = _assigned_values(ctx, name)
    if not values:
        return True
    return any(
        not isinstance(value, (ast.Call, ast.IfExp)) or _calls_autocast(ctx, value, factories) for value in values
    )


def _calls_autocast(ctx: ModuleContext, expr: ast.expr, factories: set[str]) -> bool:
    return any(_autocast_callee(n.func) or _callee_name(n.func) in factories for n in ctx.within(expr, ast.Call))


def _assigned_values(ctx: ModuleContext, name: str) -> list[ast.expr]:
    """Values assigned to a plain or dotted name (``ctx``, ``self.amp_ctx``) in the module."""
    targets = ctx.attributes(name.rpartition(".")[2]) if "." in name else ctx.names(name)
    return [
        assign.value
        for target in targets
        if isinstance(assign := ctx.parent(target), ast.Assign) and target in assign.targets and dotted(target) == name
    ]


def _under_autocast(ctx: ModuleContext, function: ast.AST | None, scopes: AutocastScopes) -> bool:
    if function is None:
        return scopes.module_level
    while function is not None:
        if function in scopes.functions or function.name in scopes.called_under:
            return True
        function = ctx.enclosing(function, DEFS)
    return False


def _loss_of(ctx: ModuleContext, call: ast.Call) -> ast.expr | None:
    """The loss a backward call differentiates: ``loss`` in ``loss.backward()``,
    ``scaler.scale(loss).backward()`` and ``torch.autograd.backward(loss)``.

    ``X.backward(loss)`` is a framework's backward (accelerate, Fabric, DeepSpeed): ``None``.
    """
    receiver = call.func.value  # type: ignore[attr-defined]
    if ctx.qualname(receiver) == "torch.autograd":
        return call.args[0] if call.args else None
    if call.args:
        return None
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == "scale":
        return receiver.args[0] if len(receiver.args) == 1 else None
    return receiver


# .. one training step ......................................................................


@dataclass
class TrainingStep:
    """A backward call, the loss it differentiates, and the statements that compute that loss."""

    ctx: ModuleContext
    backward: ast.Call
    loss: ast.expr
    function: ast.AST | None
    #: Statements before the backward that the loss depends on, latest first.
    computing: list[ast.stmt]
    chains: frozenset[str]

    @classmethod
    def of(cls, ctx: ModuleContext, backward: ast.Call, loss: ast.expr, function: ast.AST | None) -> TrainingStep | None:
        """The step, or ``None`` when no forward pass is visible here (the loss is a parameter,
        an attribute set elsewhere, a value of a ``with ... as``)."""
        chains = frozenset(_read_chains(ctx, loss))
        if function is not None and _is_parameter_loss(loss, chains, function):
            return None
        computing = _dependencies(ctx, function, ctx.statement_of(backward), chains)
        step = cls(ctx, backward, loss, function, computing, chains)
        if not step.inline_forward and not any(_computes(ctx, s) for s in computing):
            return None
        return step

    @property
    def key(self) -> tuple:
        return (self.function, self.chains)

    @property
    def scaled(self) -> bool:
        return isinstance(self.backward.func.value, ast.Call)  # type: ignore[attr-defined]

    @property
    def inline_forward(self) -> bool:
        return _has_forward(self.ctx, self.loss)

    def calls_autocast_function(self, scopes: AutocastScopes) -> bool:
        """The loss comes from a function of this module that enters autocast itself."""
        exprs = [self.loss, *(value for s in self.computing for value in _values(s))]
        return any(_callee_name(n.func) in scopes.entering for e in exprs for n in self.ctx.within(e, ast.Call))

    def forward_run(self) -> tuple[ast.AST, list[ast.stmt]] | None:
        """The block owner and the contiguous simple statements that compute the forward pass and
        loss, when they sit in one block before the backward (in it or in a statement around it)."""
        if self.inline_forward:
            return None
        core = [
            s for s in self.computing
            if _computes(self.ctx, s) or any(_covers(t, c) for t in _targets(s) for c in self.chains)
        ]
        owner = self.ctx.parent(core[0])
        block = getattr(owner, "body", None)
        if type(owner) not in CST_BLOCK_OWNERS or not isinstance(block, list) or any(s not in block for s in core):
            return None
        after = _index_within(self.ctx, block, self.ctx.statement_of(self.backward))
        if after is None:
            return None
        # What an earlier step of the block computed (the fake images a GAN's generator step
        # reuses) belongs to that step's run.
        earlier = max((i for i in range(after) if _has_backward(self.ctx, block[i])), default=-1)
        indices = sorted(i for i in (block.index(s) for s in core) if i > earlier)
        if not indices or after <= indices[-1]:
            return None
        first, last = indices[0], indices[-1]
        statements = block[first : last + 1]
        if not all(isinstance(s, SIMPLE) for s in statements):
            return None
        if not (alone_on_its_lines(self.ctx, statements[0]) and alone_on_its_lines(self.ctx, statements[-1])):
            return None
        return owner, statements


SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)


def _has_backward(ctx: ModuleContext, statement: ast.stmt) -> bool:
    return any(is_backward(call) for call in ctx.within(statement, ast.Call))


def _index_within(ctx: ModuleContext, block: list[ast.stmt], statement: ast.stmt) -> int | None:
    """Index in ``block`` of ``statement`` or of the statement of ``block`` around it."""
    for node in (statement, *ctx.ancestors(statement)):
        if node in block:
            return block.index(node)
    return None


def _is_parameter_loss(loss: ast.expr, chains: frozenset[str], function: ast.AST) -> bool:
    """The loss arrives as a parameter of the function: the differentiated tensor itself
    (``loss`` in ``loss.mean()``, ``losses[0]``) or a parameter named like a loss."""
    args = function.args  # type: ignore[attr-defined]
    parameters = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} - {"self", "cls"}
    roots = {chain.split(".")[0] for chain in chains}
    if any("loss" in root.lower() for root in roots & parameters):
        return True
    name = _differentiated(loss)
    return name is not None and name.split(".")[0] in parameters


def _differentiated(loss: ast.expr) -> str | None:
    """The name a loss expression starts from: ``loss`` in ``loss.mean()`` or ``losses[0]``."""
    while True:
        if isinstance(loss, ast.Subscript):
            loss = loss.value
        elif isinstance(loss, ast.Call) and isinstance(loss.func, ast.Attribute):
            loss = loss.func.value
        else:
            return dotted(loss)


def _read_chains(ctx: ModuleContext, expr: ast.expr) -> set[str]:
    """Dotted names the expression reads as data: ``outputs.loss``, ``logits``; a callee is not
    data (``model`` in ``model(x)``), but a method's receiver is (``logits`` in ``logits.view()``),
    unless it is ``self`` or an imported module."""
    chains = set()
    for node in ast.walk(expr):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        parent = ctx.parent(node) if node is not expr else None
        name = dotted(node)
        if name is None or isinstance(parent, ast.Attribute):
            continue
        if isinstance(parent, ast.Call) and parent.func is node:
            name = name.rpartition(".")[0]
            if not name or name.split(".")[0] in ("self", "cls") or name.split(".")[0] in ctx.imports:
                continue
        chains.add(name)
    return chains


def _covers(target: str, chain: str) -> bool:
    """Assigning ``target`` changes ``chain`` (``outputs`` covers ``outputs.loss`` and back)."""
    return target == chain or chain.startswith(target + ".") or target.startswith(chain + ".")


def _targets(statement: ast.stmt) -> list[str]:
    """Dotted names a statement assigns or adds to (``xs`` in ``xs.append(v)``, ``d`` in ``d[k] = v``)."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.Expr) and _collecting(statement.value):
        targets = [statement.value.func.value]  # type: ignore[attr-defined]
    else:
        return []
    names = []
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            stack.extend(target.elts)
        elif isinstance(target, (ast.Starred, ast.Subscript)):
            stack.append(target.value)
        elif name := dotted(target):
            names.append(name)
    return names


def _collecting(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in COLLECTING


def _values(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return [statement.value] if statement.value is not None else []
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        return list(statement.value.args) + [kw.value for kw in statement.value.keywords]
    return []


def _computes(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """A simple statement whose value runs a forward pass (a call that is not a tensor move or reduction)."""
    return isinstance(statement, SIMPLE) and any(_has_forward(ctx, value) for value in _values(statement))


def _has_forward(ctx: ModuleContext, expr: ast.expr) -> bool:
    return any(_callee_name(n.func) not in PLAIN_CALLS for n in ctx.within(expr, ast.Call))


def _dependencies(ctx: ModuleContext, function: ast.AST | None, backward: ast.stmt, chains: frozenset[str]) -> list[ast.stmt]:
    """Statements of the same iteration (the innermost loop around ``backward``, else the
    function) before ``backward`` that the chains depend on, transitively, latest first
    (straight-line reading: loops and branches are not followed back)."""
    needed = set(chains)
    found = []
    scope = enclosing_loop(ctx, backward) or function or ctx.tree
    for statement in reversed(list(_statements_before(scope, backward))):
        targets = _targets(statement)
        if any(_covers(t, c) for t in targets for c in needed):
            found.append(statement)
            for value in _values(statement):
                needed |= _read_chains(ctx, value)
            if isinstance(statement, ast.AugAssign):
                needed |= set(targets)
    return found


def _statements_before(scope: ast.AST, end: ast.stmt) -> Iterator[ast.stmt]:
    """The statements in the body of ``scope`` (a loop, function or module) that start before
    ``end``, in source order, without entering nested functions and classes."""
    stack = list(reversed(scope.body))  # type: ignore[attr-defined]
    while stack:
        statement = stack.pop()
        if statement.lineno >= end.lineno:
            continue
        yield statement
        if isinstance(statement, (*DEFS, ast.ClassDef)):
            continue
        children: list[ast.stmt] = []
        for field in ("body", "handlers", "orelse", "finalbody", "cases"):
            for child in getattr(statement, field, ()):
                children.extend(child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) else [child])
        stack.extend(reversed(children))


def _device_type(ctx: ModuleContext, at: ast.AST) -> str:
    """``device.type`` for a ``torch.device`` named ``device`` in scope, ``torch.device(device).type``
    when it may be a string, ``"cuda"`` when there is none."""
    bindings = lookup(ctx, "device", at)
    if not bindings:
        return '"cuda"'
    for binding in bindings:
        annotation = binding.node.annotation if isinstance(binding.node, ast.arg) else None
        if annotation is not None and ctx.qualname(annotation) == "torch.device":
            continue
        value = binding.value
        if binding.path or binding.iterated or value is None:
            return "torch.device(device).type"
        if not (
            (isinstance(value, ast.Call) and ctx.qualname(value.func) == "torch.device")
            or (isinstance(value, ast.Attribute) and value.attr == "device")
        ):
            return "torch.device(device).type"
    return "device.type"
