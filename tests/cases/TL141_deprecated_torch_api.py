from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch


        def attention_bias(q, k):
            return torch.ger(q, k) / q.shape[-1] ** 0.5
        """,
        at=[(5, 12)],
        message="Deprecated since torch 1.8: use `torch.outer`, a drop-in replacement",
        fixed="""
        import torch


        def attention_bias(q, k):
            return torch.outer(q, k) / q.shape[-1] ** 0.5
        """,
    ),
    Invalid(
        """
        import torch as th

        projection = th.chain_matmul(w_in, w_mid, w_out)
        """,
        at=[(3, 14)],
        fixed="""
        import torch as th

        projection = th.linalg.multi_dot([w_in, w_mid, w_out])
        """,
    ),
    Invalid(
        """
        import torch

        positions = torch.range(0, seq_len - 1, dtype=torch.long)
        offsets = torch.range(1, 8)
        """,
        at=[(3, 13), (4, 11)],
        message="use `torch.arange`; excludes the end",
        fixed="""
        import torch

        positions = torch.arange(0, seq_len, dtype=torch.long)
        offsets = torch.arange(1, 9)
        """,
    ),
    Invalid(
        """
        import torch.nn.functional as F
        from torch import nn


        class Gate(nn.Module):
            def forward(self, x):
                return F.sigmoid(self.proj(x)) * F.tanh(x)
        """,
        at=[(7, 16), (7, 42)],
        fixed="""
        from torch import nn
        import torch


        class Gate(nn.Module):
            def forward(self, x):
                return torch.sigmoid(self.proj(x)) * torch.tanh(x)
        """,
    ),
    Invalid(
        """
        from functorch import grad, vmap

        per_sample_grads = vmap(grad(loss_fn), in_dims=(None, 0, 0))
        """,
        at=[(1, 23), (1, 29)],
        message="Deprecated since torch 2.0: use `torch.func.",
        fixed="""
        from torch.func import grad, vmap

        per_sample_grads = vmap(grad(loss_fn), in_dims=(None, 0, 0))
        """,
    ),
    Invalid(
        """
        import torch

        L = torch.cholesky(cov + 1e-6 * torch.eye(d), upper=True)
        x = torch.lu_solve(b, lu, pivots)
        q, r = torch.qr(a)
        """,
        at=[(3, 5), (4, 5), (5, 8)],
        fixed="""
        import torch

        L = torch.linalg.cholesky(cov + 1e-6 * torch.eye(d), upper=True)
        x = torch.linalg.lu_solve(lu, pivots, b)
        q, r = torch.linalg.qr(a)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import symeig

        eigenvalues, eigenvectors = symeig(hessian, eigenvectors=True)
        solution, _ = torch.solve(b, a)
        """,
        at=[(2, 19), (5, 15)],
        message="Removed in torch",
    ),
    Invalid(
        """
        import torch


        def test_forward_matches_reference():
            torch.testing.assert_allclose(model(x), expected)
        """,
        at=[(5, 5)],
        fixed="""
        import torch


        def test_forward_matches_reference():
            torch.testing.assert_close(model(x), expected)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.utils._pytree as pytree

        pytree._register_pytree_node(ModelOutput, _flatten, _unflatten)
        sizes = torch.norm(x, dim=-1)
        """,
        at=[(4, 1), (5, 9)],
        fixed="""
        import torch
        import torch.utils._pytree as pytree

        pytree.register_pytree_node(ModelOutput, _flatten, _unflatten)
        sizes = torch.norm(x, dim=-1)
        """,
    ),
    Invalid(
        """
        from torch.nn.functional import relu, tanh

        hidden = tanh(relu(x))
        """,
        at=[(1, 39)],
        fixed="""
        from torch.nn.functional import relu
        from torch import tanh

        hidden = tanh(relu(x))
        """,
    ),
    Invalid(
        """
        import torch

        with torch.backends.cuda.sdp_kernel(enable_math=False):
            out = F.scaled_dot_product_attention(q, k, v)
        """,
        at=[(3, 6)],
        message="Deprecated since torch 2.3",
        target_torch="2.4",
    ),
    Valid(
        """
        import torch

        a = torch.outer(u, v)
        b = torch.linalg.multi_dot([x, y, z])
        c = torch.arange(0, 10)
        d = torch.linalg.cholesky(m)
        """,
    ),
    Valid(
        """
        import numpy as np
        import torch

        q, r = np.linalg.qr(matrix)
        n = np.linalg.norm(vector)
        steps = range(0, 10)
        """,
        why="the same names on numpy and the builtin range",
    ),
    Valid(
        """
        import torch

        scaler = torch.cuda.amp.GradScaler()
        with torch.cuda.amp.autocast():
            loss = model(x)
        with torch.cpu.amp.autocast():
            pass
        """,
        why="torch.cuda.amp / torch.cpu.amp are TL102's",
    ),
    Valid(
        """
        import torch

        p = q.ger(k)
        t = x.tanh()
        """,
        why="tensor methods: the receiver is not known to be a tensor",
    ),
    Valid(
        """
        import torch

        with torch.backends.cuda.sdp_kernel(enable_math=False):
            out = attention(q, k, v)
        """,
        why="deprecated after the project's minimum torch: the replacement may not exist there",
        target_torch="2.1",
    ),
    Valid(
        """
        from mylib import chain_matmul, range as trange

        out = chain_matmul(a, b)
        """,
    ),
]
