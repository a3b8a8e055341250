"""TL303 raw-loop-without-accelerate."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS
from ...analysis.scopes import fresh_name
from ...analysis.syntax import FUNCTION_TYPES, dotted, keyword
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._hf import RawLoop, insert_before, loop_owned_elsewhere, parameters, raw_loops

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


@dataclass(frozen=True)
class _AcceleratePlan(Plan):
    #: The ``Accelerator()`` and ``prepare`` lines to insert before the loop.
    code: str
    #: The name the inserted code gives the accelerator.
    accelerator: str


class RawLoopWithoutAccelerate(Rule):
    """A transformers training loop places the model and batches on devices by hand.

    Fires once per module, at the first training loop (`backward()` and `optimizer.step()`), in a
    module that imports transformers and moves tensors or models with `.to(device)` / `.cuda()`,
    and uses none of `Accelerator`, `Trainer`, Lightning or DeepSpeed. Models dispatched with
    `device_map=` are left alone.
    """

    code = "TL303"
    name = "raw-loop-without-accelerate"
    severity = Severity.INFO
    message = "Let accelerator.prepare(...) place the model, optimizer and batches instead of .to(device)"
    requires = ("transformers",)
    why = """
        Manual `.to(device)` / `.cuda()` placement ties the loop to one device: multi-GPU (DDP,
        FSDP), mixed precision and TPU need a rewrite, and a forgotten `.to(device)` on one tensor
        fails only at run time. `accelerator.prepare` wraps the model, optimizer and dataloader once
        and `accelerator.backward` handles loss scaling; the same script then runs anywhere with
        `accelerate launch`.
    """
    example = """
        model.to(device)
        for batch in train_loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
    """
    use_instead = """
        accelerator = Accelerator()
        model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
        for batch in train_loader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
    """
    action_title = "Insert an Accelerator and accelerator.prepare(...) before the loop"

    _COMMENTS = (
        "TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,",
        "mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.",
    )

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not ctx.imports_any("transformers") or loop_owned_elsewhere(ctx) or not _device_moves(ctx):
            return
        if any(kw.arg == "device_map" and isinstance(ctx.parent(kw), ast.Call) for kw in ctx.nodes(ast.keyword)):
            return
        loops = raw_loops(ctx)
        if not loops:
            return
        loop = loops[0]
        accelerator = fresh_name(ctx, "accelerator", "hf_accelerator")
        code = self._setup(ctx, loop, accelerator)
        node = CST_BLOCK_OWNERS[type(loop.node)]
        plan = _AcceleratePlan(code, accelerator) if code is not None else None
        yield self.finding(ctx, loop.node, action=self.action_at(ctx, loop.node, plan, node=node) if plan is not None else False)

    def _setup(self, ctx: ModuleContext, loop: RawLoop, accelerator: str) -> str | None:
        """``accelerator = Accelerator()`` and the ``prepare`` call on the loop's own objects.

        Only names the loop's function may rebind: a global reassigned there would become local.
        """
        rebindable = _rebindable(ctx, loop)
        if not loop.model or not loop.optimizer or not (rebindable(loop.model) and rebindable(loop.optimizer)):
            return None
        prepared = [loop.model, loop.optimizer, *([loop.loader] if loop.loader and rebindable(loop.loader) else [])]
        names = ", ".join(prepared)
        lines = [f"{accelerator} = Accelerator()", f"{names} = {accelerator}.prepare({names})"]
        device = self._device_name(ctx, loop)
        if device and rebindable(device):
            lines.append(f"{device} = {accelerator}.device")
        return "\n".join([*lines, ""])

    @staticmethod
    def _device_name(ctx: ModuleContext, loop: RawLoop) -> str | None:
        """The one device variable the loop moves tensors to (``device``, ``args.device``)."""
        node = loop.node
        end = node.end_lineno or node.lineno
        names = {
            dotted(target)
            for call in _device_moves(ctx)
            if isinstance(call.func, ast.Attribute) and call.func.attr == "to" and node.lineno <= call.lineno <= end
            and (target := _device_argument(call)) is not None
        }
        return names.pop() if len(names) == 1 else None

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, (cst.For, cst.While))
        plan = action.plan_as(_AcceleratePlan)
        ctx.add_import("accelerate", "Accelerator")
        return insert_before(_accelerated_backward(node, plan.accelerator), self._COMMENTS, plan.code)


def _device_argument(call: ast.Call) -> ast.expr | None:
    """Where ``x.to(...)`` moves ``x``: its first argument or ``device=``."""
    return call.args[0] if call.args else getattr(keyword(call, "device"), "value", None)


def _is_device_move(call: ast.Call) -> bool:
    """``x.cuda()`` or ``x.to(device)`` / ``x.to("cuda")`` (not ``x.to(torch.float16)``)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "cuda":
        return True
    if func.attr != "to":
        return False
    target = _device_argument(call)
    return target is not None and _is_device(target)


def _is_device(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.startswith(("cuda", "cpu", "mps", "xpu"))
    if isinstance(node, ast.Call):
        return dotted(node.func) in {"torch.device", "device"}
    name = dotted(node)
    return name is not None and "device" in name.rsplit(".", 1)[-1].lower()


@fact
def _device_moves(ctx: ModuleContext) -> list[ast.Call]:
    return [call for call in ctx.calls_named("cuda", "to") if _is_device_move(call)]


def _rebindable(ctx: ModuleContext, loop: RawLoop) -> Callable[[str], bool]:
    """A test for names that code inserted before ``loop`` may assign.

    Attributes (``self.model``) and module-level names at module level always; in a function,
    only its parameters and local variables (assigning a global there would make it local),
    and never a name the loop itself rebinds.
    """
    scope = ctx.scope_of(loop.node)
    local: set[str] | None = None
    if scope is not ctx.tree:
        stored = {n.id for n in ctx.within(scope, ast.Name) if isinstance(n.ctx, ast.Store)}
        params = {a.arg for a in parameters(scope)} if isinstance(scope, FUNCTION_TYPES) else set()
        local = params | stored

    def rebindable(name: str) -> bool:
        if name in loop.bound_inside:
            return False
        return "." in name or local is None or name in local

    return rebindable


def _accelerated_backward(loop: cst.For | cst.While, accelerator: str) -> cst.For | cst.While:
    """``loop`` with ``loss.backward(...)`` rewritten to ``accelerator.backward(loss, ...)``.

    ``scaler.scale(loss).backward()`` is left for the user: accelerate does its own loss scaling.
    """
    import libcst as cst

    class AcceleratedBackward(cst.CSTTransformer):
        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            func = updated_node.func
            if not isinstance(func, cst.Attribute) or func.attr.value != "backward":
                return updated_node
            loss = func.value
            if isinstance(loss, cst.Call) or (isinstance(loss, cst.Name) and loss.value == accelerator):
                return updated_node
            return updated_node.with_changes(
                func=cst.Attribute(value=cst.Name(accelerator), attr=cst.Name("backward")),
                args=[cst.Arg(loss), *updated_node.args],
            )

    rewritten = loop.visit(AcceleratedBackward())
    assert isinstance(rewritten, (cst.For, cst.While))
    return rewritten
