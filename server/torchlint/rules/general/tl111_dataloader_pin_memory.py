"""TL111 dataloader-pin-memory."""

from __future__ import annotations

import ast

from ...analysis.context import ModuleContext, fact
from ...model import Applicability, Severity
from ._dataloader_options import DataLoaderOptionRule


class DataLoaderPinMemory(DataLoaderOptionRule):
    """A `DataLoader` in GPU training code does not pin its batches' memory.

    Fires on `torch.utils.data.DataLoader(...)` without `pin_memory`, or with
    `pin_memory=False`, in a module that mentions CUDA (`.cuda()`, `torch.cuda`, `"cuda"`).
    `pin_memory=True`, a variable or expression, and `**kwargs` are left alone. Reported at the
    `DataLoader` name.
    """

    code = "TL111"
    name = "dataloader-pin-memory"
    severity = Severity.WARNING
    option = ("pin_memory", 7)
    message = "Pass pin_memory=True so batches are copied to the GPU from page-locked memory"
    why = """
        Host-to-GPU copies from ordinary (pageable) memory go through a staging buffer and block
        the host. With `pin_memory=True` the loader's workers place batches in page-locked
        memory, which the GPU reads directly, and `.to(device, non_blocking=True)` overlaps the
        copy with computation.
    """
    example = """
        loader = DataLoader(train_set, batch_size=64, num_workers=cfg.num_workers)
        for images, labels in loader:
            images, labels = images.cuda(), labels.cuda()
    """
    use_instead = """
        loader = DataLoader(train_set, batch_size=64, num_workers=cfg.num_workers, pin_memory=True)
        for images, labels in loader:
            images = images.cuda(non_blocking=True)
            labels = labels.cuda(non_blocking=True)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Set pin_memory=True"

    def applies(self, ctx: ModuleContext) -> bool:
        return mentions_cuda(ctx)

    def poor(self, value: ast.expr) -> bool:
        return isinstance(value, ast.Constant) and value.value is False

    def fixed_value(self, ctx: ModuleContext, call: ast.Call) -> str:
        return "True"


@fact
def mentions_cuda(ctx: ModuleContext) -> bool:
    """The module trains on GPU: ``.cuda()``, ``torch.cuda``, or a ``"cuda"`` / ``"cuda:N"`` string."""
    if "cuda" not in ctx.source:
        return False
    if ctx.attributes("cuda"):
        return True
    return any(
        isinstance(node.value, str) and (node.value == "cuda" or node.value.startswith("cuda:"))
        for node in ctx.nodes(ast.Constant)
    )
