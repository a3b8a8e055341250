"""TL137 tensor-created-then-moved."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.syntax import dotted, has_star_kwargs, keyword
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import with_keywords

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

_DETERMINISTIC = ("zeros", "ones", "empty", "full", "arange", "eye", "tensor", "linspace")
#: Random factories draw from another generator on the device: same seed, other numbers.
_RANDOM = ("rand", "randn", "randint")
FACTORIES = frozenset(f"torch.{name}" for name in _DETERMINISTIC + _RANDOM)
_DEVICE_LITERAL = re.compile(r"(cuda|mps|xpu|hpu|npu)(:\d+)?")
#: ``.to()`` arguments that may go when the tensor is built on the device.
_DROPPABLE = frozenset({"non_blocking", "copy"})


@dataclass(frozen=True)
class _DevicePlan(Plan):
    device: str
    dtype: str | None = None


class TensorCreatedThenMoved(Rule):
    """A tensor is built on the CPU and immediately copied to a device.

    Fires on `torch.zeros/ones/empty/full/rand/randn/randint/arange/eye/tensor/linspace(...)`
    followed directly by `.to(device)`. `.to(dtype)`, `.to(other_tensor)`, a factory that already
    names its device, and `.cuda()` (TL122's) are left alone.
    """

    code = "TL137"
    name = "tensor-created-then-moved"
    severity = Severity.INFO
    message = "Pass device={device} to {factory}(...) instead of .to(...) on its result"
    why = """
        `torch.zeros(n).to(device)` allocates and fills the tensor in CPU memory, then copies it to
        the device, a synchronising host-to-device transfer that is pure overhead in a training
        step. Every factory takes `device=`: the tensor is made where it is used, with no copy.
    """
    example = """
        mask = torch.ones(batch_size, seq_len).to(device)
    """
    use_instead = """
        mask = torch.ones(batch_size, seq_len, device=device)
    """
    requires = ("torch",)
    fix_title = "Pass device= to the factory"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.method_calls("to"):
            assert isinstance(call.func, ast.Attribute)
            factory = call.func.value
            if not isinstance(factory, ast.Call) or ctx.qualname(factory.func) not in FACTORIES:
                continue
            if keyword(factory, "device") or keyword(factory, "out") or has_star_kwargs(factory) or has_star_kwargs(call):
                continue
            device = _device(call)
            if device is None:
                continue
            message = self.message.format(device=ctx.text(device), factory=ctx.text(factory.func))
            yield self.finding(ctx, call, message, fix=self._fix(ctx, call, factory, device))

    def _fix(self, ctx: ModuleContext, call: ast.Call, factory: ast.Call, device: ast.expr) -> Fix | bool:
        dtype = call.args[1] if len(call.args) > 1 else getattr(keyword(call, "dtype"), "value", None)
        others = [kw.arg for kw in call.keywords if kw.arg not in {"device", "dtype"}]
        if len(call.args) > 2 or any(name not in _DROPPABLE for name in others) or (dtype and keyword(factory, "dtype")):
            return False
        texts = [ctx.text(node) for node in (device, dtype) if node is not None]
        if any("\n" in text for text in texts):
            return False
        random = (ctx.qualname(factory.func) or "").rsplit(".", 1)[-1] in _RANDOM
        safe = dtype is None and not others and not random
        plan = _DevicePlan(*texts)
        return self.fix_at(ctx, call, plan, applicability=Applicability.SAFE if safe else Applicability.UNSAFE)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call)
        plan = fix.plan_as(_DevicePlan)
        added = [("device", plan.device)] + ([("dtype", plan.dtype)] if plan.dtype else [])
        return with_keywords(node.func.value, added)


def _device(call: ast.Call) -> ast.expr | None:
    """The device that ``.to(...)`` moves to, when its argument is certainly one (a device
    string other than ``"cpu"``, ``torch.device(...)``, a name like ``device`` or ``x.device``)."""
    first = call.args[0] if call.args else getattr(keyword(call, "device"), "value", None)
    if first is None:
        return None
    if isinstance(first, ast.Constant):
        return first if isinstance(first.value, str) and _DEVICE_LITERAL.fullmatch(first.value) else None
    if isinstance(first, ast.JoinedStr):
        head = first.values[0] if first.values else None
        return first if isinstance(head, ast.Constant) and str(head.value).startswith(("cuda", "mps", "xpu")) else None
    if isinstance(first, ast.Call):
        return first if (dotted(first.func) or "").endswith("device") else None
    name = (dotted(first) or "").rsplit(".", 1)[-1].lower()
    return first if "device" in name or name == "dev" else None
