from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch


        def bernoulli_log_prob(p):
            return torch.log(1 + p) - torch.log(p + 1.0)
        """,
        at=[(5, 12), (5, 31)],
        message="torch.log1p",
        fixed="""
        import torch


        def bernoulli_log_prob(p):
            return torch.log1p(p) - torch.log1p(p)
        """,
    ),
    Invalid(
        """
        import torch as th

        growth = th.exp(rate * dt) - 1
        """,
        at=[(3, 10)],
        message="torch.expm1",
        fixed="""
        import torch as th

        growth = th.expm1(rate * dt)
        """,
    ),
    Invalid(
        """
        import torch

        log_z = torch.log(torch.sum(torch.exp(logits), dim=-1, keepdim=True))
        """,
        at=[(3, 9)],
        message="torch.logsumexp",
        fixed="""
        import torch

        log_z = torch.logsumexp(logits, dim=-1, keepdim=True)
        """,
    ),
    Invalid(
        """
        import torch


        class Head(torch.nn.Module):
            def forward(self, scores):
                normalizer = scores.exp().sum(1).log()
                softplus = (1 + scores.exp()).log()
                return normalizer, softplus
        """,
        at=[(6, 22), (7, 20)],
        fixed="""
        import torch


        class Head(torch.nn.Module):
            def forward(self, scores):
                normalizer = scores.logsumexp(1)
                softplus = scores.exp().log1p()
                return normalizer, softplus
        """,
    ),
    Invalid(
        """
        from torch import exp, log

        y = log(1 + exp(-x))
        """,
        at=[(3, 5)],
        fixed="""
        from torch import exp
        import torch

        y = torch.log1p(exp(-x))
        """,
    ),
    Invalid(
        """
        import torch

        total = torch.log(torch.exp(energies).sum(dim=0, dtype=torch.float64))
        """,
        at=[(3, 9)],
        message="cannot overflow",
    ),
    Valid(
        """
        import math

        import numpy as np
        import torch

        a = math.log(1 + x)
        b = np.log(1 + y)
        c = np.exp(z) - 1
        """,
        why="math and numpy",
    ),
    Valid(
        """
        import torch

        a = torch.log(2 + x)
        b = torch.exp(x) - 2
        c = torch.log(x + eps)
        """,
        why="constants other than 1",
    ),
    Valid(
        """
        import torch

        total = torch.log(torch.sum(torch.exp(x)))
        """,
        why="no dim: logsumexp has no equivalent",
    ),
    Valid(
        """
        import torch

        a = torch.log1p(x)
        b = torch.expm1(x)
        c = torch.logsumexp(x, dim=1)
        """,
    ),
    Valid(
        """
        import torch

        y = torch.log(1 + x, out=buffer)
        z = 1 - torch.exp(x)
        """,
    ),
]
