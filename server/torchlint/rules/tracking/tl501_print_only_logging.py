"""TL501 print-only-logging."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import takewhile
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeAlias

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS
from ...analysis.scopes import fresh_name
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, LOOP_TYPES, dotted, is_constant, keyword
from ...analysis.training import has_main_guard, outermost_loop, parses_arguments, training_loops
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._seeding import top_level_statement
from ._steps import delegating_loops, loop_callees

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Words that name a metric in a printed label or variable (``val_loss``, ``"Acc@1:"``).
METRICS = frozenset(
    {
        "loss", "acc", "accuracy", "lr", "reward", "return", "perplexity", "ppl", "f1", "auc", "iou", "miou",
        "bleu", "rouge", "mse", "mae", "rmse", "psnr", "ssim", "dice", "score", "precision", "recall",
        "entropy", "kl", "top1", "top5", "wer", "cer",
    }
)
#: Words that mark a metric as measured on held-out data.
EVAL_WORDS = frozenset({"val", "valid", "validation", "eval", "test", "dev"})
#: Packages whose import means the module already logs somewhere better than the console.
TRACKERS = frozenset(
    {"wandb", "tensorboard", "tensorboardX", "mlflow", "aim", "comet_ml", "clearml", "neptune", "dvclive"}
)
LIGHTNING = frozenset({"lightning", "pytorch_lightning", "lightning_fabric"})
#: Methods whose call on any object is metric logging (``wandb.log``, ``self.log``, ``writer.add_scalar``).
LOGGING_METHODS = frozenset({"log", "log_metrics", "log_dict", "add_scalar", "add_scalars"})
#: Standard-library / loguru logger methods: logging a metric through them is not print-only.
LOGGER_METHODS = frozenset({"debug", "info", "warning", "error", "critical", "exception"})
#: Logging handlers that write to a file: metrics logged through them are kept.
FILE_HANDLERS = frozenset({"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler"})
CONSOLE_STREAMS = frozenset({"sys.stdout", "sys.stderr"})
#: ``x.log(...)`` on these is math, not logging.
MATH_PACKAGES = frozenset({"torch", "numpy", "math", "cmath", "scipy", "jax", "tensorflow"})
#: Progress-bar methods that display values (tqdm).
PROGRESS_METHODS = frozenset({"set_postfix", "set_description", "set_postfix_str"})
#: Names of loop counters that make a good TensorBoard step (``global_step += 1``).
STEP_WORDS = frozenset({"step", "steps", "iter", "iters", "iteration", "iterations", "update", "updates"})

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PERCENT_FIELD = re.compile(r"%%|%(?:\([^)]*\))?[-+ #0-9.*]*[a-zA-Z]")

Loop: TypeAlias = ast.For | ast.AsyncFor | ast.While
#: What a console call shows, in order: printed text (``str``) and printed values.
Part: TypeAlias = str | ast.expr

#: The training loop of the rule's example; the fixed version keeps it as it is and logs after its print.
EXAMPLE_LOOP = """
for epoch in range(epochs):
    for step, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    print(f"epoch {epoch} loss {loss.item():.4f}")
"""


@dataclass(frozen=True)
class _Scalar:
    """One ``writer.add_scalar(tag, value, step)``, its arguments as source text (no step: ``None``)."""

    tag: str
    value: str
    step: str | None


@dataclass(frozen=True)
class _LoggedPrint:
    """A print (the text of its call, and how many identical calls come before it in the action's
    node) and the scalars to log right after it."""

    call: str
    occurrence: int
    scalars: tuple[_Scalar, ...]


@dataclass(frozen=True)
class _SummaryWriterPlan(Plan):
    """Where to create the one writer of the run, and what to log after each print."""

    writer: str
    prints: tuple[_LoggedPrint, ...]
    #: "loop": before the loop (the action's node) and closed after it; "init": at the end of the
    #: ``__init__`` of the class (the action's node); "module": at module level, before the
    #: top-level statement number ``anchor``.
    placement: Literal["loop", "init", "module"]
    anchor: int = 0


class _MetricPrint(NamedTuple):
    """A console call that shows a metric, with the reporting loop around it (``None`` in a helper
    that such a loop calls once per turn, ``log_epoch(epoch, loss)``)."""

    call: ast.Call
    loop: Loop | None


class PrintOnlyLogging(Rule):
    """A training loop reports its metrics with `print` only.

    Fires once per module, at the first `print` (or `accelerator.print`, `tqdm.write`, progress-bar
    postfix) that shows a metric (loss, accuracy, learning rate, reward...) inside a training loop,
    or else in a helper such a loop calls (`log_epoch(epoch, loss)`, `test(model, loader)`), when
    the module logs to no tracker: no wandb, TensorBoard, MLflow, Aim, Comet, ClearML or Lightning
    logger import, no `.log(...)`, `.log_metrics(...)`, `.add_scalar(...)` call, and no metric sent
    through `logging` to a file. Logging configured for the console only (or not at all) is
    printing: its metric lines are reported like `print`. The code action logs every printed
    metric with one writer per run: beside the loop when it runs once, in `__init__` for the
    methods of a class, at module level otherwise (a function called once per epoch).
    """

    code = "TL501"
    name = "print-only-logging"
    severity = Severity.INFO
    requires = ("backward",)
    message = "Log metrics with SummaryWriter.add_scalar or wandb.log instead of printing them only"
    why = """
        Printed metrics scroll away: they cannot be plotted, compared across runs or inspected
        after the terminal is closed, and a crashed job loses them. A tracker (TensorBoard,
        wandb, MLflow) records every value with its step at almost no cost, next to the console
        output you already have.
    """
    example = EXAMPLE_LOOP
    use_instead = (
        "\nfrom torch.utils.tensorboard import SummaryWriter\n\nwriter = SummaryWriter()"
        + EXAMPLE_LOOP
        + '    writer.add_scalar("train/loss", loss.item(), epoch)\nwriter.close()\n'
    )
    action_title = "Log the printed metrics to TensorBoard with a SummaryWriter"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if _logs_metrics_elsewhere(ctx):
            return
        prints = _metric_prints(ctx)
        if not prints:
            return
        yield self.finding(ctx, prints[0].call, action=_action(self, ctx, prints))

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        plan = action.plan_as(_SummaryWriterPlan)
        writer = plan.writer
        updated = node.visit(_scalar_inserter(ctx, plan))
        ctx.add_import("torch.utils.tensorboard", "SummaryWriter")
        comment = cst.EmptyLine(comment=cst.Comment("# Log metrics to TensorBoard (view them with `tensorboard --logdir runs`)."))
        create = cst.parse_statement(f"{writer} = SummaryWriter()\n").with_changes(leading_lines=[comment])
        if plan.placement == "loop":
            assert isinstance(node, (cst.For, cst.While)) and isinstance(updated, (cst.For, cst.While))
            first = create.with_changes(leading_lines=[*node.leading_lines, comment])
            close = cst.parse_statement(f"{writer}.close()\n")
            return cst.FlattenSentinel([first, updated.with_changes(leading_lines=[]), close])
        # One writer for the whole run, shared by every call, closed at exit.
        ctx.add_import("atexit")
        made: list[cst.BaseStatement] = [create, cst.parse_statement(f"atexit.register({writer}.close)\n")]
        if plan.placement == "init":
            assert isinstance(updated, cst.ClassDef)
            return _append_to_init(updated, made)
        assert isinstance(updated, cst.Module)
        return _insert_at_module_level(updated, made, plan.anchor)


def _action(rule: Rule, ctx: ModuleContext, prints: list[_MetricPrint]) -> Action | bool:
    """The code action that logs every printed metric with one writer made once per run."""
    node, placement, anchor = _placement(ctx, prints)
    writer = _writer_name(ctx, placement)
    logged = []
    for printed in prints:
        step = _step_expression(ctx, printed)
        scalars = tuple(_Scalar(tag, _scalar_text(ctx, value), step) for tag, value in _metric_values(printed.call))
        logged.append(_LoggedPrint(ctx.text(printed.call), _occurrence(ctx, printed.call, node), scalars))
    plan = _SummaryWriterPlan(writer, tuple(logged), placement, anchor)
    return rule.action_at(ctx, node, plan, node="Module" if node is ctx.tree else _cst_type(node))


def _cst_type(node: ast.AST) -> str:
    if isinstance(node, LOOP_TYPES):
        return CST_BLOCK_OWNERS[type(node)]
    return "FunctionDef" if isinstance(node, ast.AsyncFunctionDef) else type(node).__name__


def _placement(ctx: ModuleContext, prints: list[_MetricPrint]) -> tuple[ast.AST, Literal["loop", "init", "module"], int]:
    """The node the action rewrites, where the writer goes, and (at module level) the index of the
    top-level statement to make it before.

    A writer made beside the loop serves only when every metric is printed in that one loop and
    the loop runs once per run; a class's methods share ``self.writer`` made in ``__init__``;
    anything else (a function called once per epoch, several loops, helpers) gets one
    module-level writer.
    """
    functions = {ctx.enclosing(printed.call, FUNCTION_TYPES) for printed in prints}
    owners = {ctx.parent(function) if function else ctx.tree for function in functions}
    (owner,) = owners if len(owners) == 1 else (None,)
    if isinstance(owner, ast.ClassDef):
        has_init = any(isinstance(s, DEF_TYPES) and s.name == "__init__" for s in owner.body)
        if has_init and all(_takes_self(function) for function in functions):
            return owner, "init", 0
    elif len(loops := {printed.loop for printed in prints}) == 1:
        (loop,) = loops
        if loop is not None and not _called_per_epoch(ctx, loop):
            return loop, "loop", 0
    first = top_level_statement(ctx, min((printed.call for printed in prints), key=lambda call: (call.lineno, call.col_offset)))
    return ctx.tree, "module", _statement_index(ctx, first)


def _takes_self(function: ast.AST | None) -> bool:
    """A method whose first parameter is ``self`` (not a static or class method)."""
    if not isinstance(function, DEF_TYPES) or not function.args.args or function.args.args[0].arg != "self":
        return False
    return not any(dotted(d) in {"staticmethod", "classmethod"} for d in function.decorator_list)


def _statement_index(ctx: ModuleContext, statement: ast.AST) -> int:
    """The index of a top-level statement among libcst's statements, where ``a; b`` is one."""
    body = ctx.tree.body
    position = body.index(statement)  # type: ignore[arg-type]
    return sum(1 for i in range(1, position + 1) if body[i].lineno != body[i - 1].end_lineno)


def _writer_name(ctx: ModuleContext, placement: str) -> str:
    if placement != "init":
        return fresh_name(ctx, "writer", "tb_writer")
    name = next((name for name in ("writer", "tb_writer", "summary_writer") if not ctx.attributes(name)), "tb_summary_writer")
    return f"self.{name}"


def _occurrence(ctx: ModuleContext, call: ast.Call, root: ast.AST) -> int:
    """How many statement calls with the same text as ``call`` come before it inside ``root``."""
    text = ctx.text(call)
    calls = ctx.within(root.body if isinstance(root, ast.Module) else root, ast.Call)
    same = [other for other in calls if isinstance(ctx.parent(other), ast.Expr) and ctx.text(other) == text]
    return same.index(call)


# -- metric names ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Lower-case words of a label or identifier: ``"trainLoss"`` and ``"train_loss"`` give train, loss."""
    return [w.lower() for w in _WORD.findall(text.replace("learning_rate", "lr").replace("learning rate", "lr"))]


def _metric_word(word: str) -> str | None:
    """``"loss"`` for ``loss`` and ``losses``, ``"reward"`` for ``rewards``."""
    for candidate in (word, word[:-1], word[:-2]):
        if candidate in METRICS:
            return candidate
    return None


def _identifier_words(expr: ast.expr) -> list[str]:
    """The words of the names, attributes and strings in ``expr``."""
    found = []
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            found += _words(node.id)
        elif isinstance(node, ast.Attribute):
            found += _words(node.attr)
        elif (text := _string(node)) is not None:
            found += _words(text)
    return found


def _metric_tag(label: str, value: ast.expr) -> str | None:
    """``"train/loss"`` or ``"val/acc"`` when the value (or the label just before it) names a metric."""
    label_words = _words(label)
    value_words = _identifier_words(value)
    metric = next(filter(None, map(_metric_word, value_words)), None)
    if metric is None:
        # The label's last word, or the one before a suffix (``"Loss_D: "``, ``"loss (val): "``).
        metric = next(filter(None, map(_metric_word, reversed(label_words[-2:]))), None)
    if metric is None:
        return None
    prefix = "val" if EVAL_WORDS.intersection(label_words + value_words) else "train"
    return f"{prefix}/{metric}"


# -- what a console call prints -------------------------------------------------------------------


def _string(node: ast.AST) -> str | None:
    """The value of a string literal, else ``None``."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _printed_pairs(call: ast.Call) -> list[tuple[str, ast.expr]]:
    """The values a print-like call shows, each with the text printed just before it."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else None
    parts: list[Part] = []
    if method in PROGRESS_METHODS:
        parts = [part for kw in call.keywords if kw.arg for part in (kw.arg, kw.value)]
    template = _string(call.args[0]) if call.args else None
    if method in LOGGER_METHODS and template is not None:
        parts += _percent_parts(template, call.args[1:])
    else:
        for arg in call.args:
            parts += _parts(arg)
    pairs, label = [], ""
    for part in parts:
        if isinstance(part, str):
            label += part
        else:
            pairs.append((label, part))
            label = ""
    return pairs


def _parts(expr: ast.expr) -> list[Part]:
    """``expr`` as printed text and printed values, in order."""
    text = _string(expr)
    if text is not None:
        return [text]
    if isinstance(expr, ast.JoinedStr):
        return [part for value in expr.values for part in _parts(value)]
    if isinstance(expr, ast.FormattedValue):
        return [expr.value]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _parts(expr.left) + _parts(expr.right)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and (template := _string(expr.left)) is not None:
        values = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
        return _percent_parts(template, values)
    if isinstance(expr, ast.Call) and (template := _format_template(expr)) is not None:
        return _format_parts(template, expr)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "str" and expr.args:
        return [expr.args[0]]
    return [expr]


def _percent_parts(template: str, values: list[ast.expr]) -> list[Part]:
    """``"loss %.3f" % x`` (or ``logger.info("loss %.3f", x)``) as ["loss ", x]."""
    parts: list[Part] = []
    start, remaining = 0, iter(values)
    for match in _PERCENT_FIELD.finditer(template):
        if match.group() == "%%":
            continue
        parts.append(template[start : match.start()])
        parts += [value for value in [next(remaining, None)] if value is not None]
        start = match.end()
    parts.append(template[start:])
    return parts


def _format_template(call: ast.Call) -> str | None:
    """``"loss {:.3f}"`` for ``"loss {:.3f}".format(x)``."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "format":
        return _string(call.func.value)
    return None


def _format_parts(template: str, call: ast.Call) -> list[Part]:
    """``"loss {:.3f}".format(x)`` as ["loss ", x]; named and numbered fields map to their argument."""
    named = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    parts: list[Part] = []
    auto = 0
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return []
    for text, field, _spec, _conversion in fields:
        parts.append(text)
        if field is None:
            continue
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if name == "":
            index, auto = auto, auto + 1
        elif name.isdigit():
            index = int(name)
        else:
            if name in named:
                parts.append(named[name])
            continue
        if index < len(call.args):
            parts.append(call.args[index])
    return parts


def _metric_values(call: ast.Call) -> list[tuple[str, ast.expr]]:
    """(tag, value) for every metric the call prints, one per tag. A line that starts with a held-out
    word and never says "train" (``"Test set: Average loss: ..., Accuracy: ..."``) shows held-out metrics."""
    tags: dict[str, ast.expr] = {}
    pairs = _printed_pairs(call)
    labels = [_words(label) for label, _ in pairs]
    held_out = bool(pairs) and not EVAL_WORDS.isdisjoint(labels[0]) and not any("train" in words for words in labels)
    for label, value in pairs:
        tag = _metric_tag(label, value)
        if tag and held_out:
            tag = "val/" + tag.partition("/")[2]
        if tag and tag not in tags:
            tags[tag] = value
    return list(tags.items())


def _scalar_text(ctx: ModuleContext, value: ast.expr) -> str:
    """The printed value as a number: ``get_last_lr()`` returns a list, TensorBoard wants its first entry."""
    text = ctx.text(value)
    return f"{text}[0]" if text.endswith("get_last_lr()") else text


# -- the module -----------------------------------------------------------------------------------


def _is_console_output(ctx: ModuleContext, call: ast.Call) -> bool:
    """``print(...)`` (to the console), ``sys.stdout.write``, ``accelerator.print``, ``tqdm.write`` and
    progress-bar postfixes."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print" and ctx.qualname(func) in {None, "rich.print"} and _prints_to_console(call)
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "print":
        return True
    if func.attr in LOGGER_METHODS:
        return _is_logger_call(ctx, func) and _logs_to_console(ctx)
    if func.attr == "write":
        return (ctx.qualname(func) or "").startswith(("tqdm.", "sys.stdout.", "sys.stderr."))
    return func.attr in PROGRESS_METHODS and ctx.imports_any("tqdm")


def _prints_to_console(call: ast.Call) -> bool:
    target = keyword(call, "file")
    return target is None or dotted(target.value) in CONSOLE_STREAMS


def _logs_metrics_elsewhere(ctx: ModuleContext) -> bool:
    """The module imports a tracker, or logs through ``.log``/``add_scalar``/a logger (its
    ``record(key, value)`` too)."""
    for name in ctx.imports.values():
        parts = name.split(".")
        if TRACKERS.intersection(parts) or (parts[0] in LIGHTNING and "loggers" in parts):
            return True
    logs_to_file = _logs_to_file(ctx)
    for call in ctx.calls_named(*LOGGING_METHODS, "record", *(LOGGER_METHODS if logs_to_file else ())):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if func.attr in LOGGING_METHODS and _is_logging_call(ctx, call, func):
            return True
        if func.attr == "record" and _is_logger_call(ctx, func) and len(call.args) >= 2:
            return True  # stable-baselines3's self.logger.record("train/loss", value)
        if func.attr in LOGGER_METHODS and _is_logger_call(ctx, func) and _metric_values(call):
            return True
    return False


@fact
def _logs_to_file(ctx: ModuleContext) -> bool:
    """The module sends its logging somewhere that lasts: ``basicConfig(filename=...)``, a
    ``FileHandler`` (or a rotating one), a config file or dict, loguru's ``logger.add(path)``, or a
    project helper that sets the logger up (``setup_logger(output_dir)``: it cannot be judged here)."""
    if any(_sets_up_logger(ctx, call) for call in ctx.calls_named_matching(lambda name: "logger" in name.lower())):
        return True
    if not ctx.imports_any("logging", "loguru"):
        return False
    for call in ctx.calls_named("basicConfig", "dictConfig", "fileConfig", "add", *FILE_HANDLERS):
        name = ctx.qualname(call.func) or dotted(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        if last in FILE_HANDLERS or last in {"dictConfig", "fileConfig"}:
            return True
        if last == "basicConfig" and keyword(call, "filename") is not None:
            return True
        if name.startswith("loguru.") and last == "add" and call.args and dotted(call.args[0]) not in CONSOLE_STREAMS:
            return True
    return False


@fact
def _logs_to_console(ctx: ModuleContext) -> bool:
    """The module's logging ends on the console: it configures logging without a file
    (``basicConfig()`` to a stream, a ``StreamHandler``), or it is an entry point that configures
    nothing. A library module that configures nothing leaves that to its importer: unknown."""
    if _logs_to_file(ctx):
        return False
    return bool(ctx.calls_named("basicConfig", "StreamHandler")) or has_main_guard(ctx) or parses_arguments(ctx)


def _sets_up_logger(ctx: ModuleContext, call: ast.Call) -> bool:
    """``setup_logger(args.output_dir)``, ``get_logger(log_file=...)``: not the logging module's own."""
    name = dotted(call.func) or ""
    if not (call.args or call.keywords) or ctx.qualname(call.func) == "logging.getLogger":
        return False
    return "logger" in name.rsplit(".", 1)[-1].lower() and not name.startswith(("logging.", "loguru."))


def _is_logger_call(ctx: ModuleContext, method: ast.Attribute) -> bool:
    """``logging.info``, ``logger.info``, ``self.log.info``: a call on the logging module or on a logger."""
    receiver = ctx.qualname(method.value) or dotted(method.value) or ""
    return receiver.partition(".")[0] in {"logging", "loguru"} or "log" in receiver.rsplit(".", 1)[-1].lower()


def _is_logging_call(ctx: ModuleContext, call: ast.Call, method: ast.Attribute) -> bool:
    """``call`` of ``method`` logs, unless it is the math ``log`` (``torch.log(x)``) or has no arguments."""
    if method.attr != "log":
        return True
    receiver = ctx.qualname(method.value)
    is_math = receiver is not None and receiver.partition(".")[0] in MATH_PACKAGES
    return not is_math and bool(call.args or call.keywords)


def _reporting_loops(ctx: ModuleContext) -> list[Loop]:
    """Training loops, and loops that delegate the gradient step to a function or method of this
    module that calls ``backward()`` (``train_epoch(...)``, ``self.train()``, ``agent.update(batch)``)."""
    loops = list(training_loops(ctx))
    return loops + [loop for loop in delegating_loops(ctx) if loop not in loops]


def _metric_prints(ctx: ModuleContext) -> list[_MetricPrint]:
    """Console calls (whole statements) that show a metric: inside a reporting loop, then in the
    helpers such a loop calls (outside their own loops), each in source order."""
    loops = _reporting_loops(ctx)
    helpers = {function for loop in loops for function in loop_callees(ctx, loop)}
    in_loops, in_helpers = [], []
    for call in ctx.calls_named("print", "write", *PROGRESS_METHODS, *LOGGER_METHODS):
        if not isinstance(ctx.parent(call), ast.Expr) or not _is_console_output(ctx, call) or not _metric_values(call):
            continue
        loop = outermost_loop(ctx, call)
        if loop is not None and loop in loops:
            in_loops.append(_MetricPrint(call, loop))
        elif loop is None and ctx.enclosing(call, FUNCTION_TYPES) in helpers:
            in_helpers.append(_MetricPrint(call, None))
    return in_loops + in_helpers


def _called_per_epoch(ctx: ModuleContext, loop: Loop) -> bool:
    """The module-level function holding ``loop`` is called from inside a loop
    (``for epoch in ...: train(epoch)``): a writer made in it would be made once per call."""
    function = ctx.enclosing(loop, FUNCTION_TYPES)
    if not isinstance(function, DEF_TYPES) or not isinstance(ctx.parent(function), ast.Module):
        return False
    calls = (call for call in ctx.calls_named(function.name) if isinstance(call.func, ast.Name))
    return any(outermost_loop(ctx, call) is not None for call in calls)


# -- the TensorBoard step of a print --------------------------------------------------------------


def _step_expression(ctx: ModuleContext, printed: _MetricPrint) -> str | None:
    """What to pass as ``global_step`` next to a print: a step counter, the loop indices, or the
    epoch (or step) parameter of the helper that prints; ``None`` when there is none."""
    outer = printed.loop
    if outer is None:
        return _epoch_parameter(ctx, printed.call, STEP_WORDS)
    counter = _step_counter(ctx, outer)
    if counter:
        return counter
    loops = [a for a in ctx.ancestors(printed.call) if isinstance(a, LOOP_TYPES)]
    loops = loops[: loops.index(outer) + 1]
    indexed = [(loop, index) for loop in loops if (index := _loop_index(loop))]
    if not indexed:
        return None
    (inner, index), outer_indices = indexed[0], indexed[1:]
    size = _loop_size(ctx, inner)
    outer_index = outer_indices[0][1] if outer_indices else _epoch_parameter(ctx, outer)
    if outer_index and size:
        return f"{outer_index} * {size} + {index}"
    return index


def _epoch_parameter(ctx: ModuleContext, node: ast.AST, words: Collection[str] = ()) -> str | None:
    """``epoch`` of ``def train(model, loader, epoch)`` around ``node``: the function runs one epoch
    (or a parameter named by one of ``words``, ``step``)."""
    function = ctx.enclosing(node, FUNCTION_TYPES)
    if not isinstance(function, DEF_TYPES):
        return None
    names = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
    return next((name for name in names if not {"epoch", *words}.isdisjoint(_words(name))), None)


def _step_counter(ctx: ModuleContext, loop: Loop) -> str | None:
    """The step counter (``global_step += 1``) that ``ast.walk(loop)`` meets first: statements nest in
    source order, so that is the shallowest one, then the first in source order."""
    counters = [(node, name) for node in ctx.within(loop, ast.AugAssign) if (name := _step_name(node))]
    return min(counters, key=lambda counter: _depth(ctx, counter[0], loop))[1] if counters else None


def _step_name(node: ast.AugAssign) -> str | None:
    """``step`` of ``step += ...`` on a name about steps or iterations."""
    target = node.target
    if isinstance(node.op, ast.Add) and isinstance(target, ast.Name) and not STEP_WORDS.isdisjoint(_words(target.id)):
        return target.id
    return None


def _depth(ctx: ModuleContext, node: ast.AST, root: ast.AST) -> int:
    """How many levels ``node`` lies below ``root``."""
    return sum(1 for _ in takewhile(lambda ancestor: ancestor is not root, ctx.ancestors(node)))


def _loop_index(loop: Loop) -> str | None:
    """``i`` of ``for i in range(n)`` / ``for i, batch in enumerate(loader)`` / ``while ...: i += 1``."""
    if isinstance(loop, ast.While):
        counters = (s for s in loop.body if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add))
        return next((s.target.id for s in counters if isinstance(s.target, ast.Name)), None)
    iterable = _unwrap_progress(loop.iter)
    callee = dotted(iterable.func) if isinstance(iterable, ast.Call) else None
    if callee in {"range", "trange"} and isinstance(loop.target, ast.Name):
        return loop.target.id
    if callee == "enumerate" and isinstance(loop.target, ast.Tuple) and loop.target.elts:
        first = loop.target.elts[0]
        return first.id if isinstance(first, ast.Name) else None
    return None


def _loop_size(ctx: ModuleContext, loop: Loop) -> str | None:
    """How many iterations one pass of ``loop`` makes, as source text, when that is plain (never
    for a ``while`` loop)."""
    if isinstance(loop, ast.While):
        return None
    iterable = _unwrap_progress(loop.iter)
    if not isinstance(iterable, ast.Call) or not iterable.args:
        return None
    first = _unwrap_progress(iterable.args[0])
    if dotted(first) is None and not is_constant(first, int):
        return None
    if dotted(iterable.func) == "enumerate":
        return f"len({ctx.text(first)})"
    return ctx.text(first) if len(iterable.args) == 1 else None


def _unwrap_progress(expr: ast.expr) -> ast.expr:
    """``loader`` for ``tqdm(loader, ...)``."""
    if isinstance(expr, ast.Call) and expr.args and (dotted(expr.func) or "").rsplit(".", 1)[-1] in {"tqdm", "track"}:
        return expr.args[0]
    return expr


# -- the edit -------------------------------------------------------------------------------------


def _scalar_lines(writer: str, logged: _LoggedPrint) -> list[str]:
    steps = [f", {scalar.step}" if scalar.step else "" for scalar in logged.scalars]
    return [f'{writer}.add_scalar("{s.tag}", {s.value}{step})\n' for s, step in zip(logged.scalars, steps, strict=True)]


def _scalar_inserter(ctx: FixContext, plan: _SummaryWriterPlan) -> cst.CSTTransformer:
    """A transformer that puts each print's ``add_scalar`` lines right after the print statement,
    telling identical prints apart by their order."""
    import libcst as cst

    pending = {(logged.call, logged.occurrence): _scalar_lines(plan.writer, logged) for logged in plan.prints}
    seen: dict[str, int] = {}

    def take(statement: cst.SimpleStatementLine | cst.SimpleStatementSuite) -> list[cst.BaseStatement]:
        added: list[cst.BaseStatement] = []
        for small in statement.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                text = ctx.code(small.value)
                occurrence = seen[text] = seen.get(text, -1) + 1
                added += [cst.parse_statement(line) for line in pending.get((text, occurrence), [])]
        return added

    class Inserter(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            added = take(updated_node)
            return cst.FlattenSentinel([updated_node, *added]) if added else updated_node

        def leave_SimpleStatementSuite(
            self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
        ) -> cst.BaseSuite:
            # `if step % 100 == 0: print(...)` becomes an indented block to make room.
            added = take(updated_node)
            return _as_block(updated_node, added) if added else updated_node

    return Inserter()


def _as_block(suite: cst.SimpleStatementSuite, added: list[cst.BaseStatement]) -> cst.IndentedBlock:
    """``suite`` (the statements after a colon on one line) as an indented block, then ``added``."""
    import libcst as cst

    body = [*suite.body[:-1], suite.body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]
    return cst.IndentedBlock(header=suite.trailing_whitespace, body=[cst.SimpleStatementLine(body=body), *added])


def _append_to_init(cls: cst.ClassDef, made: list[cst.BaseStatement]) -> cst.ClassDef:
    """``cls`` with ``made`` at the end of its ``__init__``."""
    import libcst as cst

    body = list(cls.body.body)
    for position, statement in enumerate(body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            block = statement.body
            if isinstance(block, cst.SimpleStatementSuite):
                block = _as_block(block, made)
            else:
                block = block.with_changes(body=[*block.body, *made])
            body[position] = statement.with_changes(body=block)
            break
    return cls.with_changes(body=cls.body.with_changes(body=body))


def _insert_at_module_level(module: cst.Module, made: list[cst.BaseStatement], anchor: int) -> cst.Module:
    """``module`` with ``made`` before its top-level statement number ``anchor``, which keeps a blank line
    (two before a definition) after it."""
    import libcst as cst

    body: list[cst.BaseStatement] = list(module.body)
    first, rest = made[0], made[1:]
    assert isinstance(first, cst.SimpleStatementLine)
    before = body[anchor]
    assert isinstance(before, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    blank = [cst.EmptyLine()] * (2 if isinstance(before, (cst.FunctionDef, cst.ClassDef)) else 1)
    body[anchor : anchor + 1] = [
        first.with_changes(leading_lines=[*before.leading_lines, *first.leading_lines]),
        *rest,
        before.with_changes(leading_lines=blank),
    ]
    return module.with_changes(body=body)
