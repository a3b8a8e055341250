"""Pre-0.4 autograd idioms: the Variable wrapper and the .data attribute (TL120, TL121)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..context import ModuleContext, dotted
from ..model import Action, Applicability, Finding, Severity
from ..patterns import Binding, alone_on_its_lines, lookup
from ..rule import Rule
from .dataloader import is_dataloader

if TYPE_CHECKING:
    import libcst as cst

VARIABLE = {"torch.autograd.Variable", "torch.autograd.variable.Variable"}
NO_GRAD = {"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"}

_TYPED_TENSORS = ("Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
                  "IntTensor", "ShortTensor", "ByteTensor", "CharTensor", "BoolTensor")
_CREATION = ("tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "rand", "randn",
             "randint", "randperm", "arange", "linspace", "logspace", "eye", "zeros_like", "ones_like",
             "empty_like", "full_like", "rand_like", "randn_like", "randint_like")
#: Calls that build a new tensor, which has no autograd history.
TENSOR_FACTORIES = frozenset(
    [f"torch.{name}" for name in _CREATION + _TYPED_TENSORS] + [f"torch.cuda.{name}" for name in _TYPED_TENSORS]
)
#: Other ``torch`` functions whose result is a tensor.
TENSOR_FUNCTIONS = TENSOR_FACTORIES | {
    f"torch.{name}"
    for name in ("cat", "stack", "matmul", "mm", "bmm", "einsum", "where", "flatten", "reshape", "sigmoid",
                 "tanh", "relu", "softmax", "log_softmax", "exp", "log", "sqrt", "abs", "clamp", "mean",
                 "sum", "norm", "argmax")
}
PARAMETER = {"torch.nn.Parameter", "torch.nn.parameter.Parameter"}
TENSOR_TYPES = PARAMETER | {"torch.Tensor"}
MODULE_TYPES = {"torch.nn.Module", "torch.nn.modules.module.Module", "lightning.LightningModule",
                "lightning.pytorch.LightningModule", "pytorch_lightning.LightningModule"}
#: Tensor methods that return a tensor made from the receiver alone (no other operand).
TENSOR_METHODS = frozenset(
    "cuda cpu to float double half bfloat16 long int bool byte contiguous view view_as reshape "
    "unsqueeze squeeze permute transpose t flatten pin_memory clone detach type_as expand expand_as "
    "sum mean abs exp log sigmoid softmax zero_ fill_ normal_ uniform_".split()
)
#: Tensor methods that return a new tensor without autograd history, whatever the receiver.
DETACHED_METHODS = frozenset("detach new new_zeros new_ones new_empty new_full new_tensor".split())
#: ``nn.Module`` methods that return the module itself.
MODULE_METHODS = frozenset("to cuda cpu train eval half float double bfloat16 requires_grad_".split())
#: Attributes that hold a module's parameters: ``weight``, ``bias``, ``weight_ih_l0``, ``weight_orig``...
PARAMETER_ATTRIBUTE = re.compile(r"(in_proj_)?(weight|bias)(_(ih|hh|hr)_l\d+(_reverse)?|_orig|_g|_v)?")
#: Operators whose result is a tensor when one operand is (``%`` also formats strings).
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow, ast.MatMult)
#: Builtins that pass their argument's elements through unchanged.
PASS_THROUGH = {"list", "tuple", "reversed", "sorted", "iter"}
#: Recursion bound when following names through assignments.
DEPTH = 8


def _builtin(ctx: ModuleContext, call: ast.Call, *names: str) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id in names and ctx.qualname(call.func) is None


def _element(value: ast.expr, path: tuple[int, ...]) -> ast.expr | None:
    """The part of ``value`` a tuple target takes at ``path`` (literal tuples only)."""
    for index in path:
        if not isinstance(value, (ast.Tuple, ast.List)) or index >= len(value.elts):
            return None
        value = value.elts[index]
    return value


# -- TL120 --------------------------------------------------------------------------------------


class VariableWrapper(Rule):
    """`torch.autograd.Variable(x)` wraps a tensor, which has carried autograd state itself since PyTorch 0.4.

    Fires on every call of `torch.autograd.Variable`, however it was imported. A `Variable`
    from elsewhere (TensorFlow, cvxpy, a class of your own) is left alone. The fix keeps the
    meaning exactly: `Variable(x)` returns a detached alias, so it becomes `x` where `x`
    evidently has no autograd history (a new tensor, a batch from a data loader, `.data`) and
    `x.detach()` elsewhere; `requires_grad=True` becomes `.requires_grad_()` and `volatile`,
    which does nothing, is dropped.
    """

    code = "TL120"
    deprecated = True
    name = "variable-wrapper"
    severity = Severity.ERROR
    requires = ("Variable",)
    message = (
        "Use the tensor itself instead of wrapping it in Variable (deprecated since PyTorch 0.4); "
        "call x.requires_grad_() where requires_grad=True was passed"
    )
    volatile_message = (
        "Use the tensor itself instead of Variable, whose volatile flag has had no effect since "
        "PyTorch 0.4: run inference under `with torch.no_grad():`"
    )
    why = """
        Since PyTorch 0.4 `Variable` and `Tensor` are one type: `Variable(x)` only returns a
        detached alias of `x`, `requires_grad=True` is `x.requires_grad_()`, and `volatile=True`
        silently does nothing (so inference code that relied on it now builds graphs). The
        wrapper is noise at best and hides what the code means.
    """
    example = """
        from torch.autograd import Variable

        for images, labels in loader:
            images, labels = Variable(images.cuda()), Variable(labels.cuda())
            noise = Variable(torch.zeros(images.shape), requires_grad=True)
    """
    use_instead = """
        for images, labels in loader:
            images, labels = images.cuda(), labels.cuda()
            noise = torch.zeros(images.shape).requires_grad_()
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Remove the Variable wrapper"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls(*VARIABLE):
            keywords = {kw.arg for kw in call.keywords}
            message = self.volatile_message if "volatile" in keywords else None
            fixable = (
                len(call.args) == 1
                and not isinstance(call.args[0], ast.Starred)
                and keywords <= {"requires_grad", "volatile"}
                and not _has_comment(ctx, call)
            )
            if not fixable:
                yield self.finding(ctx, call, message)
                continue
            data = (has_no_history(ctx, call.args[0]), _import_of(ctx, call.func))
            yield self.finding(ctx, call, message, fix=True, fix_data=data)

    def fix(self, node, fix, ctx):
        import libcst as cst

        no_history, origin = fix.data
        if origin:
            ctx.remove_unused_import(*origin)
        result = node.args[0].value
        if not no_history:
            result = _method(result, "detach")
        flag = next((arg.value for arg in node.args if arg.keyword and arg.keyword.value == "requires_grad"), None)
        if flag is not None and not (isinstance(flag, cst.Name) and flag.value == "False"):
            arguments = [] if isinstance(flag, cst.Name) and flag.value == "True" else [cst.Arg(flag)]
            result = _method(result, "requires_grad_", arguments)
        if node.lpar:
            return _parenthesized(result).with_changes(lpar=node.lpar, rpar=node.rpar)
        return _parenthesized(result)


def _has_comment(ctx: ModuleContext, call: ast.Call) -> bool:
    """A comment inside a call that spans lines, which replacing the call would drop."""
    end = call.end_lineno or call.lineno
    return end > call.lineno and any("#" in line for line in ctx.lines[call.lineno - 1 : end - 1])


def _import_of(ctx: ModuleContext, func: ast.expr) -> tuple:
    """``(module, name, alias)`` of the ``from ... import Variable`` that ``func`` names, if it does."""
    qualname = ctx.qualname(func)
    if not isinstance(func, ast.Name) or qualname is None:
        return ()
    module, _, name = qualname.rpartition(".")
    return (module, name, None if func.id == name else func.id)


def has_no_history(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Whether ``expr`` evidently has no autograd history, so ``Variable(expr)`` is ``expr``:
    a new tensor (``torch.zeros(...)``, ``torch.from_numpy(...)``), ``.data`` or ``.detach()``,
    a batch from a data loader, or one of those converted (``.cuda()``, ``.float()``, ``[0]``)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Attribute):
        return expr.attr == "data"
    if isinstance(expr, ast.Subscript):
        return has_no_history(ctx, expr.value, depth + 1)
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func)
        if name in TENSOR_FACTORIES or (name in VARIABLE and not _asks_for_grad(expr)):
            return True
        func = expr.func
        if not isinstance(func, ast.Attribute) or func.attr == "requires_grad_":
            return False
        if func.attr in DETACHED_METHODS:
            return True
        # A method of a tensor without history, given nothing but constants and dtypes, adds none.
        plain = func.attr in TENSOR_METHODS or all(_is_constant(ctx, arg) for arg in _arguments(expr))
        return plain and has_no_history(ctx, func.value, depth + 1)
    if isinstance(expr, ast.Name):
        bindings = lookup(ctx, expr.id, expr)
        return bool(bindings) and all(_binding_has_no_history(ctx, b, depth + 1) for b in bindings)
    return False


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(kw.value for kw in call.keywords)]


def _is_constant(ctx: ModuleContext, expr: ast.expr) -> bool:
    """A literal (``3``, ``-0.5``, ``(2, 3)``) or a ``torch`` constant (``torch.double``)."""
    if isinstance(expr, ast.UnaryOp):
        expr = expr.operand
    if isinstance(expr, ast.Tuple):
        return all(_is_constant(ctx, element) for element in expr.elts)
    return isinstance(expr, ast.Constant) or (ctx.qualname(expr) or "").startswith("torch.")


def _asks_for_grad(variable: ast.Call) -> bool:
    """``Variable(x, requires_grad=...)`` with anything but ``False``: a leaf that needs gradients."""
    return any(
        kw.arg == "requires_grad" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
        for kw in variable.keywords
    )


def _binding_has_no_history(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if binding.value is None:
        return False
    if binding.iterated:
        return _is_loader(ctx, binding.value, depth)
    value = _element(binding.value, binding.path)
    return value is not None and (_converts(value, binding.node, TENSOR_METHODS) or has_no_history(ctx, value, depth))


def _converts(value: ast.expr, target: ast.AST, methods: frozenset[str]) -> bool:
    """``x = x.cuda()``, ``x = x[0]``: ``value`` only converts the name it is assigned to, so
    that name's other bindings decide what it holds."""
    while True:
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in methods:
            value = value.func.value
        elif isinstance(value, ast.Subscript):
            value = value.value
        else:
            break
    return isinstance(value, ast.Name) and isinstance(target, ast.Name) and value.id == target.id


def _is_loader(ctx: ModuleContext, iterable: ast.expr, depth: int) -> bool:
    """``iterable`` is a data loader: ``train_loader``, ``enumerate(loader)``, ``tqdm(loader)``, ``DataLoader(...)``."""
    if isinstance(iterable, ast.Call):
        if is_dataloader(ctx, iterable.func):
            return True
        wrapper = _builtin(ctx, iterable, "enumerate") or (ctx.qualname(iterable.func) or "").endswith("tqdm")
        return wrapper and bool(iterable.args) and _is_loader(ctx, iterable.args[0], depth + 1)
    name = dotted(iterable)
    if name is not None and "loader" in name.rpartition(".")[2].lower():
        return True
    return isinstance(iterable, ast.Name) and _all_bindings(
        ctx, iterable, lambda b: isinstance(b.value, ast.Call) and not b.iterated and is_dataloader(ctx, b.value.func)
    )


def _method(receiver: cst.BaseExpression, name: str, args: list | None = None) -> cst.Call:
    import libcst as cst

    return cst.Call(func=cst.Attribute(value=_parenthesized(receiver), attr=cst.Name(name)), args=args or [])


def _parenthesized(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``expr``, in parentheses unless it is an atom or a primary (name, call, attribute...)."""
    import libcst as cst

    atoms = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BaseNumber, cst.BaseString,
             cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)
    if expr.lpar or isinstance(expr, atoms):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


# -- TL121 --------------------------------------------------------------------------------------


class TensorDataAttribute(Rule):
    """`.data` is read or written on a tensor, a parameter or a module's output.

    Fires only with evidence that the object is a tensor: a loop variable over
    `.parameters()` / `.named_parameters()` / `state_dict().values()` / an optimizer's
    `param_groups`, a gradient (`x.grad.data`), a module's `weight` / `bias`, or a name bound to
    a `torch` tensor function or to a module's output. `.data` of anything else (datasets,
    dataframes, numpy arrays, batches of other libraries) is left alone. Reads get `.detach()`
    (or just lose `.data` when passed to `nn.init` or followed by `.detach()`); a statement
    that writes in place through `.data` gets a code action that drops `.data` and runs it
    under `torch.no_grad()`, with `x.data = v` becoming `x.copy_(v)` (which keeps `x`'s shape,
    dtype and device).
    """

    code = "TL121"
    name = "tensor-data-attribute"
    severity = Severity.ERROR
    requires = (".data",)
    message = (
        "Use .detach() instead of .data, which hides later in-place changes from autograd and can "
        "silently corrupt gradients"
    )
    write_message = (
        "Modify the tensor itself under `with torch.no_grad():` instead of through .data, which "
        "hides the change from autograd"
    )
    why = """
        `x.data` is a pre-0.4 escape hatch: it returns the tensor's storage without autograd
        tracking and without the version counter that detects in-place changes. Gradients computed
        after such a change are silently wrong. `x.detach()` shares the storage too, but autograd
        still notices in-place changes and raises. Parameter updates belong under
        `torch.no_grad()`, where they are visible and intended.
    """
    example = """
        _, predicted = torch.max(outputs.data, 1)
        for target, source in zip(target_net.parameters(), net.parameters()):
            target.data.copy_(tau * source.data + (1 - tau) * target.data)
    """
    use_instead = """
        _, predicted = torch.max(outputs.detach(), 1)
        with torch.no_grad():
            for target, source in zip(target_net.parameters(), net.parameters()):
                target.copy_(tau * source + (1 - tau) * target)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Replace .data with .detach()"
    fix_node = "Attribute"
    action_title = "Rewrite under torch.no_grad()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        found = [
            node for node in ctx.attributes("data") if not isinstance(node.ctx, ast.Del) and is_tensor(ctx, node.value)
        ]
        writes = {ctx.statement_of(node) for node in found if _is_write(ctx, node)}
        actions = {stmt: self._action(ctx, stmt, found) for stmt in writes}
        for node in found:
            action = actions.get(ctx.statement_of(node))
            if action is not None:
                # The action rewrites the whole statement, reads included.
                yield self.finding(ctx, node, self.write_message, action=action)
            elif _is_write(ctx, node):
                yield self.finding(ctx, node, self.write_message)
            else:
                yield self.finding(ctx, node, fix=True, fix_data=(_redundant(ctx, node),))

    def _action(self, ctx: ModuleContext, stmt: ast.stmt, found: list[ast.Attribute]) -> Action | None:
        """The code action for a statement that writes through ``.data``, if it is one that
        can be rewritten (a call, an assignment to one target, an augmented assignment, alone
        on its lines)."""
        if isinstance(stmt, ast.Assign) and len(stmt.targets) != 1:
            return None
        if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign)) or not alone_on_its_lines(ctx, stmt):
            return None
        receivers = tuple(sorted({_segment(ctx, node.value) for node in found if ctx.statement_of(node) is stmt}))
        torch = next((local for local, name in ctx.imports.items() if name == "torch"), None)
        no_grad = "" if _under_no_grad(ctx, stmt) else f"{torch or 'torch'}.no_grad()"
        return Action(
            title=self.action_title,
            target=ctx.range(stmt),
            node="SimpleStatementLine",
            data=(receivers, no_grad, torch is None and bool(no_grad)),
        )

    def fix(self, node, fix, ctx):
        (drop,) = fix.data
        return node.value if drop else _method(node.value, "detach")

    def action(self, node, action, ctx):
        import libcst as cst

        receivers, no_grad, add_import = action.data
        statement = node.with_changes(body=[_without_data(small, set(receivers)) for small in node.body])
        if not no_grad:
            return statement
        if add_import:
            ctx.add_import("torch")
        return cst.With(
            items=[cst.WithItem(cst.parse_expression(no_grad))],
            body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=())]),
            leading_lines=node.leading_lines,
        )


def _without_data(statement: cst.BaseSmallStatement, receivers: set[str]) -> cst.BaseSmallStatement:
    """``statement`` with ``.data`` dropped after each of ``receivers``; ``x.data = v`` becomes
    ``x.copy_(v)``."""
    import libcst as cst

    code = cst.Module(body=[]).code_for_node

    class Strip(cst.CSTTransformer):
        def leave_Attribute(self, original, updated):
            if updated.attr.value == "data" and code(updated.value) in receivers:
                return updated.value
            return updated

    if isinstance(statement, cst.Assign):
        target = statement.targets[0].target
        if isinstance(target, cst.Attribute) and target.attr.value == "data" and code(target.value) in receivers:
            copy = _method(target.value, "copy_", [cst.Arg(statement.value)])
            statement = cst.Expr(value=copy, semicolon=statement.semicolon)
    return statement.visit(Strip())


def _is_write(ctx: ModuleContext, node: ast.Attribute) -> bool:
    """``x.data = ...``, ``x.data += ...``, ``x.data[i] = ...`` or an in-place method (``x.data.copy_(...)``)."""
    if isinstance(node.ctx, ast.Store):
        return True
    current, parent = node, ctx.parent(node)
    while isinstance(parent, ast.Subscript) and parent.value is current:
        if isinstance(parent.ctx, ast.Store):
            return True
        current, parent = parent, ctx.parent(parent)
    if not (isinstance(parent, ast.Attribute) and parent.value is current):
        return False
    call = ctx.parent(parent)
    in_place = parent.attr.endswith("_") and not parent.attr.startswith("_")
    return in_place and isinstance(call, ast.Call) and call.func is parent


def _redundant(ctx: ModuleContext, node: ast.Attribute) -> bool:
    """``.data`` that can simply go: passed to ``nn.init`` (whose functions work under no_grad
    themselves) or followed by ``.detach()``."""
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):
        return parent.attr == "detach"
    return (
        isinstance(parent, ast.Call)
        and node in parent.args
        and (ctx.qualname(parent.func) or "").startswith("torch.nn.init.")
    )


def _segment(ctx: ModuleContext, node: ast.expr) -> str:
    """The source text of ``node``, cut from the module's lines (cheap in large modules)."""
    lines = [line.encode() for line in ctx.lines[node.lineno - 1 : node.end_lineno]]
    lines[-1] = lines[-1][: node.end_col_offset]
    lines[0] = lines[0][node.col_offset :]
    return b"\n".join(lines).decode(errors="ignore")


def _under_no_grad(ctx: ModuleContext, node: ast.AST) -> bool:
    """Inside ``with torch.no_grad():`` or a function decorated ``@torch.no_grad()``."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            if any(_is_no_grad(ctx, item.context_expr) for item in ancestor.items):
                return True
        elif isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            decorators = getattr(ancestor, "decorator_list", [])
            return any(_is_no_grad(ctx, decorator) for decorator in decorators)
    return False


def _is_no_grad(ctx: ModuleContext, expr: ast.expr) -> bool:
    return ctx.qualname(expr.func if isinstance(expr, ast.Call) else expr) in NO_GRAD


# -- evidence that an expression is a tensor or a module -----------------------------------------


def is_tensor(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Positive evidence that ``expr`` is a tensor (see :class:`TensorDataAttribute`)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Attribute):
        if expr.attr == "grad" or PARAMETER_ATTRIBUTE.fullmatch(expr.attr):
            return True
        return _self_attribute(ctx, expr, lambda value: is_tensor(ctx, value, depth + 1))
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func) or ""
        if name in TENSOR_FUNCTIONS or name in PARAMETER or name in VARIABLE or name.startswith("torch.nn.functional."):
            return True
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in TENSOR_METHODS and is_tensor(ctx, func.value, depth + 1):
            return True
        return is_module(ctx, func, depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ARITHMETIC):  # ``errD_real + errD_fake``
        return is_tensor(ctx, expr.left, depth + 1) or is_tensor(ctx, expr.right, depth + 1)
    if isinstance(expr, ast.Name):
        return _all_bindings(ctx, expr, lambda b: _binding_is_tensor(ctx, b, depth + 1))
    return False


def _binding_is_tensor(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, TENSOR_TYPES)
    if binding.value is None:
        return False
    if binding.iterated:
        return is_parameter_element(ctx, binding.value, binding.path, depth)
    value = _element(binding.value, binding.path)
    return value is not None and (_converts(value, binding.node, TENSOR_METHODS) or is_tensor(ctx, value, depth))


def is_module(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Positive evidence that ``expr`` is an ``nn.Module``: built from ``torch.nn``, torchvision,
    timm or a module class of this file, or one of those moved (``.to(device)``, ``.cuda()``)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func) or ""
        if _is_module_constructor(ctx, expr.func, name):
            return True
        if name == "torch.compile":
            return bool(expr.args) and is_module(ctx, expr.args[0], depth + 1)
        func = expr.func
        return isinstance(func, ast.Attribute) and func.attr in MODULE_METHODS and is_module(ctx, func.value, depth + 1)
    if isinstance(expr, ast.Attribute):
        return _self_attribute(ctx, expr, lambda value: is_module(ctx, value, depth + 1))
    if isinstance(expr, ast.Name):
        return _all_bindings(ctx, expr, lambda b: _binding_is_module(ctx, b, depth + 1))
    return False


def _binding_is_module(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, MODULE_TYPES)
    if binding.value is None or binding.iterated:
        return False
    value = _element(binding.value, binding.path)
    return value is not None and (_converts(value, binding.node, MODULE_METHODS) or is_module(ctx, value, depth))


def _is_module_constructor(ctx: ModuleContext, func: ast.expr, name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 3 and parts[:2] == ["torch", "nn"]:
        return parts[2][:1].isupper() and name not in PARAMETER
    if name.startswith("torchvision.models.") or name == "timm.create_model":
        return parts[-1][:1].islower()
    return isinstance(func, ast.Name) and name == "" and func.id in module_classes(ctx)


def module_classes(ctx: ModuleContext) -> set[str]:
    """Names of the classes of this file that subclass ``nn.Module`` (directly or through each other)."""
    return ctx.memo("module_classes", lambda: _module_classes(ctx))


def _module_classes(ctx: ModuleContext) -> set[str]:
    found: set[str] = set()
    classes = ctx.nodes(ast.ClassDef)
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.name not in found and any(
                ctx.qualname(base) in MODULE_TYPES or (isinstance(base, ast.Name) and base.id in found)
                for base in cls.bases
            ):
                found.add(cls.name)
                changed = True
    return found


def is_parameter_element(ctx: ModuleContext, iterable: ast.expr, path: tuple[int, ...], depth: int = 0) -> bool:
    """Whether the element at ``path`` of what ``iterable`` yields is a parameter or buffer:
    ``model.parameters()``, ``named_parameters()`` (second item), ``state_dict().values()``,
    ``group["params"]``, through ``zip``, ``enumerate``, ``list``, ``filter``, ``itertools.chain``."""
    if depth > DEPTH:
        return False
    if isinstance(iterable, ast.Subscript):
        return path == () and _is_param_group_params(ctx, iterable, depth + 1)
    if isinstance(iterable, ast.Name):
        bindings = lookup(ctx, iterable.id, iterable)
        return bool(bindings) and all(
            b.value is not None and not b.iterated and b.path == ()
            and is_parameter_element(ctx, b.value, path, depth + 1)
            for b in bindings
        )
    if isinstance(iterable, (ast.List, ast.Tuple)):
        return path == () and all(is_tensor(ctx, element, depth + 1) for element in iterable.elts)
    if not isinstance(iterable, ast.Call):
        return False
    func, args = iterable.func, iterable.args
    if isinstance(func, ast.Attribute):
        if func.attr in ("parameters", "buffers"):
            return path == ()
        if func.attr in ("named_parameters", "named_buffers"):
            return path == (1,)
        if func.attr in ("values", "items") and _is_state_dict(ctx, func.value, depth + 1):
            return path == (() if func.attr == "values" else (1,))
    if _builtin(ctx, iterable, "zip"):
        return bool(path) and path[0] < len(args) and is_parameter_element(ctx, args[path[0]], path[1:], depth + 1)
    if _builtin(ctx, iterable, "enumerate"):
        return path[:1] == (1,) and bool(args) and is_parameter_element(ctx, args[0], path[1:], depth + 1)
    if _builtin(ctx, iterable, *PASS_THROUGH, "filter"):
        source = args[-1] if args else None
        return source is not None and is_parameter_element(ctx, source, path, depth + 1)
    if ctx.qualname(func) == "itertools.chain":
        return bool(args) and all(is_parameter_element(ctx, arg, path, depth + 1) for arg in args)
    return False


def _is_state_dict(ctx: ModuleContext, expr: ast.expr, depth: int) -> bool:
    """``model.state_dict()`` of a module (not of an optimizer or a scheduler)."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "state_dict"):
        return False
    owner = expr.func.value
    name = (dotted(owner) or "").rpartition(".")[2].lower()
    return "model" in name or name.endswith("net") or is_module(ctx, owner, depth)


def _is_param_group_params(ctx: ModuleContext, subscript: ast.Subscript, depth: int) -> bool:
    """``group["params"]`` where ``group`` comes from an optimizer's ``param_groups``."""
    key = subscript.slice
    if not (isinstance(key, ast.Constant) and key.value == "params"):
        return False
    group = subscript.value
    if isinstance(group, ast.Subscript):  # optimizer.param_groups[0]["params"]
        return isinstance(group.value, ast.Attribute) and group.value.attr == "param_groups"
    if not isinstance(group, ast.Name):
        return False
    return _all_bindings(
        ctx,
        group,
        lambda b: b.iterated and b.path == () and isinstance(b.value, ast.Attribute) and b.value.attr == "param_groups",
    )


def _all_bindings(ctx: ModuleContext, name: ast.Name, test) -> bool:
    bindings = lookup(ctx, name.id, name)
    return bool(bindings) and all(test(binding) for binding in bindings)


def _annotated(ctx: ModuleContext, arg: ast.arg, types: set[str]) -> bool:
    return arg.annotation is not None and ctx.qualname(arg.annotation) in types


def _self_attribute(ctx: ModuleContext, expr: ast.Attribute, test) -> bool:
    """``self.x`` where every assignment to ``self.x`` in the class passes ``test``."""
    name = dotted(expr)
    cls = ctx.enclosing(expr, ast.ClassDef)
    if cls is None or name is None or not name.startswith("self.") or name.count(".") != 1:
        return False
    values = self_attributes(ctx, expr.attr).get(cls)
    return bool(values) and all(value is not None and test(value) for value in values)


def self_attributes(ctx: ModuleContext, attr: str) -> dict[ast.ClassDef, list[ast.expr | None]]:
    """Class -> the values assigned to ``self.<attr>`` in that class's methods
    (``None`` for an assignment whose value cannot be read: ``+=``, tuple targets)."""
    return ctx.memo(f"self_attributes:{attr}", lambda: _self_attributes(ctx, attr))


def _self_attributes(ctx: ModuleContext, attr: str) -> dict[ast.ClassDef, list[ast.expr | None]]:
    found: dict[ast.ClassDef, list[ast.expr | None]] = {}
    for node in ctx.attributes(attr):
        if not isinstance(node.ctx, ast.Store) or not isinstance(node.value, ast.Name) or node.value.id != "self":
            continue
        cls = ctx.enclosing(node, ast.ClassDef)
        if cls is None:
            continue
        parent = ctx.parent(node)
        value = parent.value if isinstance(parent, (ast.Assign, ast.AnnAssign)) else None
        found.setdefault(cls, []).append(value)
    return found
