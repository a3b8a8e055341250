"""What the module's own code says about torch types: which of its classes are modules."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .context import ModuleContext, fact

#: ``nn.Module`` and the Lightning module classes, which are ``nn.Module`` subclasses.
MODULE_BASES = frozenset(
    {
        "torch.nn.Module",
        "torch.nn.modules.module.Module",
        "lightning.LightningModule",
        "lightning.pytorch.LightningModule",
        "pytorch_lightning.LightningModule",
    }
)


def local_subclasses(ctx: ModuleContext, is_base: Callable[[str], object]) -> dict[str, ast.ClassDef]:
    """The classes of the module that derive, directly or through each other in any order of
    definition, from a base whose qualified name satisfies ``is_base``; the first class of each name."""
    classes = ctx.nodes(ast.ClassDef)
    found: dict[str, ast.ClassDef] = {}
    changed = True
    while changed:  # a fixpoint: ``class Head(Base)`` may come before ``class Base(nn.Module)``
        changed = False
        for cls in classes:
            if cls.name not in found and any(
                is_base(ctx.qualname(base) or "") or (isinstance(base, ast.Name) and base.id in found)
                for base in cls.bases
            ):
                found[cls.name] = cls
                changed = True
    return {name: cls for cls in classes if found.get(name := cls.name) is cls}


@fact
def module_classes(ctx: ModuleContext) -> dict[str, ast.ClassDef]:
    """The classes of the module that are ``nn.Module`` subclasses, by name."""
    return local_subclasses(ctx, MODULE_BASES.__contains__)
