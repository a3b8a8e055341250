from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch

        for x, y in loader:
            optimizer.zero_grad(set_to_none=False)
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
        at=[(4, 5)],
        message="drop the argument",
        fixed="""
        import torch

        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch


        class Trainer:
            def step(self, batch):
                self.model.zero_grad(set_to_none = False)
                self.loss(batch).backward()
        """,
        at=[(6, 9)],
        fixed="""
        import torch


        class Trainer:
            def step(self, batch):
                self.model.zero_grad()
                self.loss(batch).backward()
        """,
    ),
    Invalid(
        """
        import torch

        opt_g.zero_grad(False)
        opt_d.zero_grad(
            set_to_none=False,
        )
        """,
        at=[(3, 1), (4, 1)],
        fixed="""
        import torch

        opt_g.zero_grad()
        opt_d.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch

        optimizer.zero_grad(set_to_none=False)
        """,
        at=[(3, 1)],
        message="pass set_to_none=True",
        target_torch="1.13",
        fixed="""
        import torch

        optimizer.zero_grad(set_to_none=True)
        """,
    ),
    Invalid(
        """
        from torch.optim import SGD

        sgd = SGD(params, lr=0.1)
        sgd.zero_grad(set_to_none=False)
        """,
        at=[(4, 1)],
        fixed="""
        from torch.optim import SGD

        sgd = SGD(params, lr=0.1)
        sgd.zero_grad()
        """,
    ),
    Valid(
        """
        import torch

        optimizer.zero_grad()
        optimizer.zero_grad(set_to_none=True)
        """,
    ),
    Valid(
        """
        import torch

        optimizer.zero_grad(set_to_none=args.free_grads)
        """,
        why="a value from a variable",
    ),
    Valid(
        """
        import torch

        for p in model.parameters():
            p.grad = None
        """,
    ),
    Valid(
        """
        import torch

        model.zero_grad(set_to_none=True)
        optimizer.zero_grad(**kwargs)
        """,
    ),
    Valid(
        """
        import torch

        zero_grad = False
        if not zero_grad:
            optimizer.zero_grad()
        """,
    ),
]
