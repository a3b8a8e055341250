"""What the measured steps say, tied to the rules whose findings in the script explain it.

* Waiting for data takes most of a step: TL110 (``num_workers``) and TL111 (``pin_memory``), with
  the DataLoader lines.
* Autocast was off in every forward: TL101.
* Dropout or batch-norm layers ran in training mode under ``torch.no_grad()``: TL133.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import load
from ..engine import analyze
from ..files import SourceFile, UnreadableFile
from ..model import Finding
from .report import Link, Step, Tie

#: Above this share of the step time spent waiting for data, the loader is the bottleneck.
DATA_BOUND = 0.5
HALF_DTYPES = ("bfloat16", "float16")
NAMES_SHOWN = 8


def findings_of(script: str) -> tuple[list[Finding], str | None]:
    """The script's findings under its project's settings, or why there are none."""
    try:
        source = SourceFile.read(Path(script))
    except UnreadableFile as error:
        return [], str(error)
    config, _ = load(Path(script))
    return analyze(source.text, script, config), None


def ties(steps: Sequence[Step], data_share: float | None, loaders: Sequence[Link], train_mode_eval: dict[str, dict],
         findings: Sequence[Finding]) -> list[Tie]:
    def links(*codes: str) -> tuple[Link, ...]:
        return tuple(Link(f.line, f.column, f.message, f.code) for f in findings if f.code in codes)

    found = []
    if data_share is not None and data_share > DATA_BOUND:
        reason = f"waiting for the DataLoader took {data_share:.0%} of the step time"
        found.append(Tie(("TL110", "TL111"), reason, links("TL110", "TL111") or tuple(loaders)))
    if steps and not any(step.autocast for step in steps) and steps[-1].param_dtype not in HALF_DTYPES:
        dtype = steps[-1].param_dtype or "unknown dtype"
        found.append(Tie(("TL101",), f"autocast was off in every step (parameters in {dtype})", links("TL101")))
    if train_mode_eval:
        layers = ", ".join(f"{name} {seen['count']}x" for name, seen in sorted(train_mode_eval.items()))
        reason = f"layers that behave differently in training ran in training mode under torch.no_grad(): {layers}"
        calls = tuple(
            Link(seen["line"], 1, f"the model ran here with {name} in training mode")
            for name, seen in sorted(train_mode_eval.items()) if seen["line"] is not None
        )
        found.append(Tie(("TL133",), reason, links("TL133") or calls))
    return found


def notes(steps: Sequence[Step]) -> list[str]:
    found = []
    for step in steps:
        if step.loss_finite is False:
            found.append(f"The loss is {step.loss} at step {step.step}: the steps did not stay finite.")
            break
    for step in steps:
        if step.grad_finite is False:
            found.append(f"The gradient norm is {step.grad_norm} at step {step.step}.")
            break
    missing = next((step for step in steps if step.no_grad), None)
    if missing is not None:
        names = ", ".join(missing.no_grad[:NAMES_SHOWN]) + (", ..." if len(missing.no_grad) > NAMES_SHOWN else "")
        found.append(
            f"{len(missing.no_grad)} parameter(s) with requires_grad=True got no gradient at step {missing.step}: {names}. "
            "Frozen by mistake? Look for a .detach(), a torch.no_grad() block or a layer the forward skips."
        )
    if steps and all(step.loss is None for step in steps):
        found.append("No scalar backward() was seen, so the loss is not known.")
    if steps and all(step.batch_size is None for step in steps):
        found.append("No DataLoader batch was seen, so samples per second are not known.")
    return found
