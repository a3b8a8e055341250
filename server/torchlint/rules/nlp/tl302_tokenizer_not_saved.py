"""TL302 tokenizer-not-saved."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ...analysis.context import ModuleContext
from ...analysis.layout import alone_on_its_lines
from ...analysis.syntax import LOOP_TYPES, dotted, has_star_kwargs, keyword
from ...model import Action, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._hf import TOKENIZER_PARAMS, hf_models, tokenizer_bindings, tokenizer_in_scope, trainers

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Calls that build a path without side effects, so a path expression can be evaluated twice.
PURE_PATH_CALLS = {"os.path.join", "posixpath.join", "pathlib.Path", "Path", "str", "os.fspath"}
PURE_PATH_METHODS = {"joinpath", "format", "with_suffix", "with_name"}
#: The widest message the Problems panel shows whole.
MESSAGE_WIDTH = 90
#: The keyword that names the directory, per save method.
PATH_KEYWORDS = {"save_pretrained": "save_directory", "save_model": "output_dir"}


@dataclass(frozen=True)
class _SaveTokenizerPlan(Plan):
    #: The tokenizer to save (``tokenizer``, ``self.tok``).
    tokenizer: str
    #: The directory to save to when the model save names none (``trainer.args.output_dir``).
    default_path: str


class TokenizerNotSaved(Rule):
    """A fine-tuned model is saved without the tokenizer that goes with it.

    Fires on `model.save_pretrained(path)`, and on `trainer.save_model(...)` for a `Trainer` built
    without `processing_class=` (or the older `tokenizer=`), when a tokenizer or processor is in
    scope and that scope never calls `tokenizer.save_pretrained(...)`. The save is inserted as a
    fix only where the tokenizer is certainly bound: where a `del` of it may run first (a save hook
    whose enclosing function deletes it later) it is a code action, and after a `del` no edit.
    """

    code = "TL302"
    name = "tokenizer-not-saved"
    severity = Severity.WARNING
    message = "Also save the tokenizer to the same directory: tokenizer.save_pretrained(path)"
    requires = ("save_pretrained", "save_model")
    why = """
        `from_pretrained(path)` on the saved directory needs both the weights and the tokenizer
        files (vocabulary, merges, special tokens, chat template). A checkpoint without them can
        only be used by whoever still knows which tokenizer, at which revision and with which added
        tokens, the model was trained with; inference servers and `pipeline(...)` fail on it.
    """
    example = """
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        ...
        model.save_pretrained(output_dir)
    """
    use_instead = """
        model.save_pretrained(output_dir)
        tokenizer.save_pretrained(output_dir)
    """
    fix_title = "Save the tokenizer after the model"
    fix_node = "SimpleStatementLine"
    #: Offered instead of the fix where a ``del`` of the tokenizer may run before the inserted save.
    action_title = "Save the tokenizer after the model (check that it is still bound there)"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls_named(*PATH_KEYWORDS):
            saved = self._model_save(ctx, call)
            if saved is None:
                continue
            tokenizer = tokenizer_in_scope(ctx, call)
            if tokenizer is None or self._tokenizer_saved(ctx, call):
                continue
            path, default = saved
            statement = _fixable_statement(ctx, call, path)
            plan = _SaveTokenizerPlan(tokenizer, default)
            deletion = _deletion(ctx, call, tokenizer)
            message = _message(tokenizer)
            if statement is None or deletion == "deleted":
                yield self.finding(ctx, call, message)
            elif deletion == "maybe":
                title = f"{self.fix_title} (check that {tokenizer} is still bound there: the code deletes it)"
                yield self.finding(ctx, call, message, action=self.action_at(ctx, statement, plan, title=title))
            else:
                yield self.finding(ctx, call, message, fix=self.fix_at(ctx, statement, plan))

    @staticmethod
    def _model_save(ctx: ModuleContext, call: ast.Call) -> tuple[ast.expr | None, str] | None:
        """For a model save: the path argument, or the path text to use when it has none."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in PATH_KEYWORDS or has_star_kwargs(call):
            return None
        path = call.args[0] if call.args else getattr(keyword(call, PATH_KEYWORDS[func.attr]), "value", None)
        if func.attr == "save_pretrained" and _is_model(ctx, func.value):
            return (path, "") if path is not None else None
        if func.attr == "save_model":
            trainer = dotted(func.value)
            built = trainers(ctx).get(trainer) if trainer else None
            if built is None or _is_trl(ctx, built) or has_star_kwargs(built):
                return None
            if keyword(built, "processing_class") or keyword(built, "tokenizer"):
                return None
            return path, f"{trainer}.args.output_dir"
        return None

    @staticmethod
    def _tokenizer_saved(ctx: ModuleContext, save: ast.Call) -> bool:
        """The save's scope (or, in a method, its class) saves a tokenizer somewhere."""
        scope, cls = ctx.scope_of(save), ctx.enclosing(save, ast.ClassDef)
        return any(
            isinstance(call.func, ast.Attribute)
            and _is_tokenizer(ctx, call.func.value)
            and (ctx.scope_of(call) is scope or (cls is not None and ctx.enclosing(call, ast.ClassDef) is cls))
            for call in ctx.method_calls("save_pretrained")
        )

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        return _save_tokenizer_after(node, fix.plan_as(_SaveTokenizerPlan))

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        return _save_tokenizer_after(node, action.plan_as(_SaveTokenizerPlan))


def _message(tokenizer: str) -> str:
    """The rule's message with the tokenizer's own name, while that fits the Problems panel."""
    message = f"Also save the tokenizer to the same directory: {tokenizer}.save_pretrained(path)"
    return message if len(message) <= MESSAGE_WIDTH else TokenizerNotSaved.message


def _save_tokenizer_after(node: cst.CSTNode, plan: _SaveTokenizerPlan) -> cst.FlattenSentinel[cst.BaseStatement]:
    """The model save statement ``node`` followed by ``tokenizer.save_pretrained(<the same path>)``."""
    import libcst as cst

    assert isinstance(node, cst.SimpleStatementLine)
    expression = node.body[0]
    assert isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call)
    save = expression.value
    paths = [arg.value for arg in save.args if arg.keyword is None or arg.keyword.value in PATH_KEYWORDS.values()]
    path = paths[0] if paths else cst.parse_expression(plan.default_path)
    call = cst.Call(
        func=cst.Attribute(value=cst.parse_expression(plan.tokenizer), attr=cst.Name("save_pretrained")),
        args=[cst.Arg(path)],
    )
    return cst.FlattenSentinel([node, cst.SimpleStatementLine([cst.Expr(call)])])


def _deletion(ctx: ModuleContext, save: ast.Call, tokenizer: str) -> Literal["bound", "maybe", "deleted"]:
    """Whether the tokenizer is still bound at ``save``: "deleted" by an unconditional ``del`` earlier
    in the same scope; "maybe" when a ``del`` may run first (under a condition, in a loop around both,
    anywhere in an enclosing scope of a nested function such as a hook that runs later, or anywhere
    at all for an attribute such as ``del self.tokenizer``); else "bound"."""
    scope = ctx.scope_of(save)
    enclosing = set(ctx.ancestors(scope))
    found: set[str] = set()
    for delete in ctx.nodes(ast.Delete):
        targets = [n for t in delete.targets for n in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
        if tokenizer not in {dotted(target) for target in targets}:
            continue
        where = ctx.scope_of(delete)
        before = where is scope and delete.lineno < save.lineno
        if before and "." not in tokenizer and delete in getattr(scope, "body", []):
            found.add("deleted")
        elif "." in tokenizer or where in enclosing or before or (where is scope and _shares_loop(ctx, save, delete)):
            found.add("maybe")
    return "deleted" if "deleted" in found else "maybe" if found else "bound"


def _shares_loop(ctx: ModuleContext, node: ast.AST, other: ast.AST) -> bool:
    """``node`` and ``other`` are inside one loop of ``node``'s scope."""
    scope = ctx.scope_of(node)
    loops = {a for a in ctx.ancestors(node) if isinstance(a, LOOP_TYPES) and ctx.scope_of(a) is scope}
    return any(a in loops for a in ctx.ancestors(other))


def _fixable_statement(ctx: ModuleContext, call: ast.Call, path: ast.expr | None) -> ast.Expr | None:
    """The statement to insert the tokenizer save after, when the path names the same place twice."""
    statement = ctx.parent(call)
    if not isinstance(statement, ast.Expr) or not alone_on_its_lines(ctx, statement):
        return None
    if path is not None and not _is_pure_path(ctx, path):
        return None  # a path with a clock or counter in it would name another directory
    return statement


def _last_name(node: ast.expr) -> str:
    """The lower-cased last name of a receiver (``model`` for ``self.model`` and for ``model.module``)."""
    name = dotted(node) or ""
    parts = name.lower().split(".")
    return parts[-2] if parts[-1] == "module" and len(parts) > 1 else parts[-1]


def _is_tokenizer(ctx: ModuleContext, node: ast.expr) -> bool:
    """Bound to a tokenizer or processor, or named like one (``tok``, ``self.tokenizer``, ``processor``)."""
    name = dotted(node)
    if name is None:
        return False
    last = _last_name(node)
    return (
        any(b.name == name for b in tokenizer_bindings(ctx))
        or last in TOKENIZER_PARAMS
        or any(word in last for word in ("token", "processor"))
    )


def _is_model(ctx: ModuleContext, node: ast.expr) -> bool:
    """The receiver of ``save_pretrained`` is a model (not a tokenizer, config or pipeline)."""
    if isinstance(node, ast.Call):
        return (dotted(node.func) or "").endswith(("unwrap_model", "merge_and_unload"))
    name = dotted(node)
    if name is None or _is_tokenizer(ctx, node):
        return False
    last = _last_name(node)
    return name in hf_models(ctx) or ("model" in last and not any(word in last for word in ("config", "pipe")))


def _is_trl(ctx: ModuleContext, call: ast.Call) -> bool:
    """TRL trainers load and save the tokenizer themselves."""
    return (ctx.qualname(call.func) or "").startswith("trl.")


def _is_pure_path(ctx: ModuleContext, path: ast.expr) -> bool:
    """Evaluating the path twice gives the same directory (no clock, counter or other call)."""
    for node in ast.walk(path):
        if isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Call):
            name = ctx.qualname(node.func) or dotted(node.func) or ""
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if name not in PURE_PATH_CALLS and method not in PURE_PATH_METHODS:
                return False
    return True
