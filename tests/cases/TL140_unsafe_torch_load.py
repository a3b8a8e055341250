from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch


        def resume(model, optimizer, path):
            checkpoint = torch.load(path, map_location="cpu", weights_only=False)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            return checkpoint["epoch"]
        """,
        at=[(5, 18)],
        message="add_safe_globals",
    ),
    Invalid(
        """
        from torch import load

        state = load("weights/best.pt", weights_only=False)  # pickled config inside
        """,
        at=[(3, 9)],
    ),
    Invalid(
        """
        import torch as th


        class Evaluator:
            def __init__(self, ckpt: str) -> None:
                self.state = th.load(ckpt, map_location=lambda storage, loc: storage)
        """,
        at=[(6, 22)],
        message="the project supports torch 2.4",
        target_torch="2.4",
        fixed="""
        import torch as th


        class Evaluator:
            def __init__(self, ckpt: str) -> None:
                self.state = th.load(ckpt, map_location=lambda storage, loc: storage, weights_only=True)
        """,
    ),
    Invalid(
        """
        import torch

        model.load_state_dict(
            torch.load(
                args.checkpoint,
                map_location=device,
            )
        )
        """,
        at=[(4, 5)],
        target_torch="2.1",
        fixed="""
        import torch

        model.load_state_dict(
            torch.load(
                args.checkpoint,
                map_location=device,
                weights_only=True,
            )
        )
        """,
    ),
    Invalid(
        """
        import dill
        import torch

        # weights_only=True refuses a pickle module: reported, no fix
        legacy = torch.load("old.pt", pickle_module=dill)
        """,
        at=[(5, 10)],
        target_torch="1.13",
    ),
    Invalid(
        """
        import torch.serialization

        blob = torch.serialization.load(buffer, weights_only=False)
        """,
        at=[(3, 8)],
    ),
    Valid(
        """
        import torch

        state = torch.load("model.pt", map_location="cpu")
        """,
        why="no minimum torch known: torch 2.6+ loads weights only by default",
    ),
    Valid(
        """
        import torch

        state = torch.load("model.pt", map_location="cpu")
        """,
        why="the project needs torch 2.6 or newer, whose default is weights_only=True",
        target_torch="2.6",
    ),
    Valid(
        """
        import torch

        scripted = torch.jit.load("model.ts")
        hub_model = torch.hub.load("pytorch/vision", "resnet18", weights=None)
        """,
        target_torch="2.0",
    ),
    Valid(
        """
        import torch


        def load(path, trusted: bool):
            return torch.load(path, weights_only=not trusted)
        """,
        why="weights_only from an expression: the author decided",
        target_torch="2.2",
    ),
    Valid(
        """
        from safetensors.torch import load_file

        state = load_file("model.safetensors")
        """,
    ),
    Valid(
        """
        import torch

        state = torch.load(path, weights_only=True)
        options = {"map_location": "cpu"}
        other = torch.load(path, **options)
        """,
        target_torch="2.4",
    ),
]
