"""TL301 raw-finetune-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.layout import CST_BLOCK_OWNERS
from ...analysis.scopes import fresh_name
from ...analysis.syntax import dotted, keyword
from ...analysis.training import optimizer_names
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._hf import (
    RawLoop,
    dataloaders,
    hf_model_calls,
    insert_before,
    loop_owned_elsewhere,
    raw_loops,
    tokenizer_in_scope,
    unwrap_iteration,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


@dataclass(frozen=True)
class _TrainerPlan(Plan):
    #: The ``TrainingArguments``/``Trainer`` setup to insert before the loop.
    code: str


class RawFinetuneLoop(Rule):
    """A hand-written loop fine-tunes a HuggingFace model on its own `outputs.loss`.

    Fires once per module, at the first training loop (`loss.backward()` and `optimizer.step()`)
    whose loss is the model's own `outputs.loss` (possibly divided for accumulation), in a module
    that builds a transformers model and uses neither `Trainer` nor accelerate. Loops that
    optimise any other objective (contrastive, distillation, RL losses) are left alone.
    """

    code = "TL301"
    name = "raw-finetune-loop"
    severity = Severity.INFO
    message = "Fine-tune with transformers.Trainer and TrainingArguments instead of a hand-written loop"
    requires = ("transformers",)
    why = """
        A hand-written fine-tuning loop over a model that computes its own loss re-implements what
        `Trainer` already does, usually without a warmup schedule, mixed precision, gradient
        accumulation, gradient clipping, evaluation, checkpoint rotation, resumption or logging.
        Each of those is a flag of `TrainingArguments`, tested by thousands of users.
    """
    example = """
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        for epoch in range(3):
            for batch in train_loader:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
    """
    use_instead = """
        args = TrainingArguments(output_dir="outputs", num_train_epochs=3, learning_rate=2e-5,
                                 per_device_train_batch_size=16, bf16=True)
        trainer = Trainer(model=model, args=args, train_dataset=train_dataset, processing_class=tokenizer)
        trainer.train()
    """
    action_title = "Insert a Trainer + TrainingArguments setup before the loop"

    _COMMENTS = (
        "TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,",
        "checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with",
        '"labels". Check the arguments against the loop below, then delete that loop.',
    )

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not hf_model_calls(ctx) or loop_owned_elsewhere(ctx):
            return
        loop = next((loop for loop in raw_loops(ctx) if loop.model_loss), None)
        if loop is None:
            return
        code = self._skeleton(ctx, loop)
        node = CST_BLOCK_OWNERS[type(loop.node)]
        action = self.action_at(ctx, loop.node, _TrainerPlan(code), node=node) if code is not None else False
        yield self.finding(ctx, loop.node, action=action)

    def _skeleton(self, ctx: ModuleContext, loop: RawLoop) -> str | None:
        """The Trainer setup as code, with the loop's own model, data and hyper-parameters."""
        if not loop.model or not _is_dataloader(ctx, loop.loader) or {loop.model, loop.loader} & loop.bound_inside:
            return None
        data = self._data_arguments(ctx, loop)
        training = [
            ("output_dir", '"outputs"'),
            self._length(ctx, loop),
            ("per_device_train_batch_size", data["batch_size"]),
            *self._optimizer_arguments(ctx, loop),
        ]
        tokenizer = tokenizer_in_scope(ctx, loop.node)
        args_name = fresh_name(ctx, "training_args", "hf_training_args")
        trainer_name = fresh_name(ctx, "trainer", "hf_trainer")
        trainer = [
            ("model", loop.model),
            ("args", args_name),
            ("train_dataset", data["dataset"]),
            ("data_collator", data["collate_fn"]),
            ("processing_class", tokenizer if tokenizer not in loop.bound_inside else None),
        ]
        return "\n".join(
            [
                *_call_lines(args_name, "TrainingArguments", training, {"output_dir": "checkpoints and logs"}),
                *_call_lines(trainer_name, "Trainer", trainer),
                f"{trainer_name}.train()",
                "",
            ]
        )

    @staticmethod
    def _data_arguments(ctx: ModuleContext, loop: RawLoop) -> dict[str, str | None]:
        loader = loop.loader
        built = dataloaders(ctx).get(loader or "")
        data: dict[str, str | None] = {
            "dataset": f"{loader}.dataset",
            "batch_size": f"{loader}.batch_size",
            "collate_fn": None,
        }
        if built is None or ctx.scope_of(built) is not ctx.scope_of(loop.node):
            return data
        dataset = built.args[0] if built.args else getattr(keyword(built, "dataset"), "value", None)
        values = {key: getattr(keyword(built, key), "value", None) for key in ("batch_size", "collate_fn")}
        for key, value in {"dataset": dataset, **values}.items():
            if value is not None and not any(isinstance(n, ast.Call) for n in ast.walk(value)):
                data[key] = _inline(ctx, value) or data[key]
        return data

    @staticmethod
    def _length(ctx: ModuleContext, loop: RawLoop) -> tuple[str, str | None]:
        """``num_train_epochs`` from ``for epoch in range(n)``, ``max_steps`` from ``while step < n``."""
        node = loop.node
        if isinstance(node, ast.While):
            test = node.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Lt):
                return "max_steps", _inline(ctx, test.comparators[0])
            return "max_steps", None
        iterable = node.iter
        if isinstance(iterable, ast.Call) and dotted(iterable.func) == "range" and len(iterable.args) == 1:
            return "num_train_epochs", _inline(ctx, iterable.args[0])
        return "num_train_epochs", "1" if unwrap_iteration(iterable, {}) == loop.loader else None

    @staticmethod
    def _optimizer_arguments(ctx: ModuleContext, loop: RawLoop) -> list[tuple[str, str | None]]:
        built = optimizer_names(ctx).get(loop.optimizer)
        if built is None or ctx.scope_of(built) is not ctx.scope_of(loop.node):
            return [("learning_rate", f'{loop.optimizer}.param_groups[0]["lr"]')]
        lr = keyword(built, "lr")
        lr_value = lr.value if lr else (built.args[1] if len(built.args) > 1 else None)
        decay = keyword(built, "weight_decay")
        return [
            ("learning_rate", _inline(ctx, lr_value) or f'{loop.optimizer}.param_groups[0]["lr"]'),
            ("weight_decay", _inline(ctx, decay.value) if decay else None),
        ]

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, (cst.For, cst.While))
        ctx.add_import("transformers", "Trainer")
        ctx.add_import("transformers", "TrainingArguments")
        return insert_before(node, self._COMMENTS, action.plan_as(_TrainerPlan).code)


def _is_dataloader(ctx: ModuleContext, name: str | None) -> bool:
    """``name`` is bound to a DataLoader in the module, or named like one (``train_loader``, ``self.dl``)."""
    if not name:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return name in dataloaders(ctx) or "loader" in last or last.endswith("dl")


def _inline(ctx: ModuleContext, node: ast.expr | None) -> str | None:
    """The source of ``node`` when it fits on one line."""
    if node is None or node.lineno != node.end_lineno:
        return None
    return ctx.text(node) or None


def _call_lines(
    target: str, callee: str, arguments: list[tuple[str, str | None]], notes: dict[str, str] | None = None
) -> list[str]:
    """``target = callee(`` and one ``key=value,`` line per argument that has a value (with its note), ``)``."""
    notes = notes or {}
    lines = [f"    {key}={value},{'  # ' + notes[key] if key in notes else ''}" for key, value in arguments if value]
    return [f"{target} = {callee}(", *lines, ")"]
