"""TL141's table of deprecated torch APIs, checked against the installed torch.

Every replacement must exist, every removed name must be gone (or survive only as a stub that
raises), and every drop-in rewrite the rule makes must compute what the old call computed: each
is run on a small tensor program before and after TL141's fix.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import textwrap
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from torchlint.config import Config  # noqa: E402  (after the skip: the file needs torch)
from torchlint.fixing.fixer import fix_all  # noqa: E402
from torchlint.rules.api.tl141_deprecated_torch_api import ARGUMENT_MAPPINGS, deprecated_api  # noqa: E402
from torchlint.torch_target import parse_version  # noqa: E402

TABLE = deprecated_api()

#: TorchFix 0.7's ``deprecated_symbols.yaml``, every name.
TORCHFIX_SYMBOLS = [
    *("torch.solve", "torch.qr", "torch.symeig", "torch.chain_matmul", "torch.cholesky", "torch.ger"),
    *("torch.lu_solve", "torch.norm", "torch.range", "torch.svd", "torch.triangular_solve", "torch.lu"),
    *("torch.matrix_rank", "torch.lstsq", "torch.nn.UpsamplingNearest2d", "torch.nn.UpsamplingBilinear2d"),
    *("torch.testing.assert_allclose", "torch.nn.utils.weight_norm", "torch.utils._pytree._register_pytree_node"),
    *("torch.backends.cuda.sdp_kernel", "torch.cuda.amp.autocast", "torch.cuda.amp.custom_fwd"),
    *("torch.cuda.amp.custom_bwd", "torch.cpu.amp.autocast"),
    *(f"functorch.{name}" for name in ("vmap", "grad", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "functionalize")),
]
#: The removed functions (TorchFix's ``remove_pr`` entries, and ``torch.eig`` of the catalog).
REMOVED = ["torch.solve", "torch.symeig", "torch.matrix_rank", "torch.lstsq", "torch.eig"]
#: What the rule catalog adds.
CATALOG = ["torch.nn.functional.tanh", "torch.nn.functional.sigmoid"]

#: For each drop-in entry: programs that call the old name (setup, then the expression).
SETUP = """
    import functorch
    import torch
    import torch.nn.functional as F
    import torch.utils._pytree as pytree

    torch.manual_seed(0)
    x = torch.randn(5)
    u, v = torch.randn(3), torch.randn(4)
    a, b, c = torch.randn(3, 4), torch.randn(4, 5), torch.randn(5, 2)
    m = torch.randn(4, 4)
    spd = m @ m.T + 4 * torch.eye(4)
    rhs = torch.randn(4, 2)
    lu, pivots = torch.linalg.lu_factor(spd)
    image = torch.randn(1, 2, 3, 3)
    weight = torch.ones(3, requires_grad=True)


    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y


    def flatten(p):
        return [p.x, p.y], None


    def unflatten(values, context):
        return Point(*values)
"""
PROGRAMS = {
    "torch.qr": ["torch.qr(m)"],
    "torch.chain_matmul": ["torch.chain_matmul(a, b, c)", "torch.chain_matmul(a, b)"],
    "torch.cholesky": ["torch.cholesky(spd)", "torch.cholesky(spd, upper=True)"],
    "torch.ger": ["torch.ger(u, v)"],
    "torch.lu_solve": ["torch.lu_solve(rhs, lu, pivots)"],
    "torch.range": ["torch.range(1, 5)", "torch.range(-2, 3, dtype=torch.float64)", "torch.range(0, 6, 1)"],
    "torch.testing.assert_allclose": ["torch.testing.assert_allclose(x, x + 1e-9)"],
    "torch.utils._pytree._register_pytree_node": [
        "(pytree._register_pytree_node(Point, flatten, unflatten), pytree.tree_flatten(Point(x, u))[0])"
    ],
    "functorch.vmap": ["functorch.vmap(torch.sin)(a)"],
    "functorch.grad": ["functorch.grad(lambda t: (t ** 3).sum())(x)"],
    "functorch.vjp": ["functorch.vjp(torch.sin, x)[1](torch.ones(5))"],
    "functorch.jvp": ["functorch.jvp(torch.sin, (x,), (torch.ones(5),))"],
    "functorch.jacrev": ["functorch.jacrev(torch.sin)(x)"],
    "functorch.jacfwd": ["functorch.jacfwd(torch.sin)(x)"],
    "functorch.hessian": ["functorch.hessian(lambda t: (t ** 3).sum())(x)"],
    "functorch.functionalize": ["functorch.functionalize(lambda t: t.clone().add_(1))(x)"],
    "torch.nn.functional.tanh": ["F.tanh(x)"],
    "torch.nn.functional.sigmoid": ["F.sigmoid(x)"],
    "torch.nn.functional.upsample": ["F.upsample(image, scale_factor=2, mode='nearest')", "F.upsample(image, size=(5, 4))"],
    "torch.nn.utils.clip_grad_norm": ["(weight.sum().backward(), torch.nn.utils.clip_grad_norm([weight], 0.5), weight.grad)[1:]"],
    "torch.nn.init.uniform": ["torch.nn.init.uniform(torch.empty(3, 4), -0.1, 0.1)"],
    "torch.nn.init.normal": ["torch.nn.init.normal(torch.empty(3, 4), std=0.02)"],
    "torch.nn.init.constant": ["torch.nn.init.constant(torch.empty(3), 0.3)"],
    "torch.nn.init.xavier_uniform": ["torch.nn.init.xavier_uniform(torch.empty(3, 4))"],
    "torch.nn.init.xavier_normal": ["torch.nn.init.xavier_normal(torch.empty(3, 4), gain=2.0)"],
    "torch.nn.init.kaiming_uniform": ["torch.nn.init.kaiming_uniform(torch.empty(3, 4), a=0.1)"],
    "torch.nn.init.kaiming_normal": ["torch.nn.init.kaiming_normal(torch.empty(3, 4), mode='fan_out')"],
    "torch.nn.init.orthogonal": ["torch.nn.init.orthogonal(torch.empty(3, 4))"],
    "torch.nn.init.sparse": ["torch.nn.init.sparse(torch.empty(4, 3), 0.5)"],
    "torch.nn.init.eye": ["torch.nn.init.eye(torch.empty(3, 4))"],
    "torch.nn.init.dirac": ["torch.nn.init.dirac(torch.empty(2, 2, 3))"],
}


def _resolve(qualname: str) -> Any:
    """The object ``qualname`` names: its longest importable module, then attributes."""
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part)
        return found
    raise ImportError(qualname)


def test_the_table_holds_torchfix_and_the_catalog() -> None:
    assert set(TORCHFIX_SYMBOLS + REMOVED + CATALOG) <= set(TABLE)
    assert {name for name, entry in TABLE.items() if entry.removed} == set(REMOVED)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_entry_is_well_formed(name: str) -> None:
    entry = TABLE[name]
    assert entry.replacement and entry.source in {"torchfix", "rules", "torchlint"}
    for version in (entry.deprecated, entry.removed):
        assert not version or parse_version(version) is not None
    if entry.removed:
        assert not entry.drop_in, "a removed name gets no rewrite: the old call raises"
        assert parse_version(entry.removed) > parse_version(entry.deprecated or "0")
    assert entry.arguments in ARGUMENT_MAPPINGS
    assert (entry.arguments == "reorder") == bool(entry.order)
    if entry.drop_in and not entry.reported_by:
        assert name in PROGRAMS, f"{name} is rewritten but never run"
    assert entry.reported_by in ("", "TL102")
    assert bool(entry.reported_by) == name.startswith(("torch.cuda.amp.", "torch.cpu.amp."))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_replacement_exists_in_installed_torch(name: str) -> None:
    replacement = _resolve(TABLE[name].replacement)
    assert callable(replacement) or inspect.ismodule(replacement)


@pytest.mark.parametrize("name", REMOVED)
def test_removed_name_is_gone(name: str) -> None:
    """Gone, or left behind only as a stub that says it was removed."""
    module, _, attribute = name.rpartition(".")
    stub = getattr(_resolve(module), attribute, None)
    if stub is None:
        return
    arity = sum(p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD for p in inspect.signature(stub).parameters.values())
    with pytest.raises(RuntimeError, match="removed"):
        stub(*[torch.eye(2)] * arity)


def _run(program: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(program, "<program>", "exec"), namespace)
    return namespace["result"]


def _same(before: Any, after: Any, exact: bool) -> bool:
    if isinstance(before, torch.Tensor):
        if exact:
            return isinstance(after, torch.Tensor) and before.dtype == after.dtype and torch.equal(before, after)
        return before.tolist() == after.tolist()
    if isinstance(before, (tuple, list)):
        return len(before) == len(after) and all(_same(x, y, exact) for x, y in zip(before, after, strict=True))
    return before == after


@pytest.mark.parametrize(
    ("name", "expression"), [(name, expression) for name, expressions in PROGRAMS.items() for expression in expressions]
)
def test_rewrite_computes_what_the_old_call_did(name: str, expression: str) -> None:
    entry = TABLE[name]
    program = textwrap.dedent(SETUP) + f"\nresult = {expression}\n"
    fixed = fix_all(program, "program.py", Config(select=("TL141",)), unsafe=True)
    assert [f.fix.safe for f in fixed.applied if f.fix] == [entry.exact], "the call was not rewritten (or rewritten twice)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the old names warn (some only once per process)
        before = _run(program)
    after = _run(fixed.source)
    assert _same(before, after, entry.exact), f"{expression} -> {fixed.source.split('result = ')[1].strip()}"


def test_the_table_is_read_once_and_only_when_needed() -> None:
    probe = textwrap.dedent(
        """
        from torchlint.engine import analyze
        from torchlint.registry import all_rules
        from torchlint.rules.api.tl141_deprecated_torch_api import deprecated_api

        all_rules()
        assert deprecated_api.cache_info().currsize == 0, "read at import"
        for _ in range(3):
            analyze("import torch\\nx = torch.ger(a, b)\\n", "m.py")
        assert deprecated_api.cache_info().misses == 1
        """
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
