from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()  # noqa: TL121
        """,
        select=("TL121",),
        at=[(4, 25)],
        message="(TL121: nothing to suppress)",
        fixed="""
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()
        """,
    ),
    Invalid(
        """
        import torch

        weights = torch.zeros(3)
        raw = weights.data  # noqa: E501, TL121, TL103
        copy = weights.clone()  # noqa: E501, TL121
        """,
        select=("TL121", "TL103"),
        at=[(4, 21), (5, 25)],
        fixed="""
        import torch

        weights = torch.zeros(3)
        raw = weights.data  # noqa: E501, TL121
        copy = weights.clone()  # noqa: E501
        """,
    ),
    Invalid(
        """
        import torch
        # torchlint: disable-file=TL201

        weights = torch.zeros(3)  # torchlint: disable
        """,
        select=("TL201",),
        at=[(2, 1), (4, 27)],
        fixed="""
        import torch


        weights = torch.zeros(3)
        """,
    ),
    Invalid(
        """
        import torch

        state = torch.load("model.pt")  # noqa: TOR102
        model.load_state_dict(state)  # torchlint: disable=TL140 loaded above
        """,
        select=("TL140",),
        at=[(3, 33), (4, 31)],
        message="nothing to suppress",
        fixed="""
        import torch

        state = torch.load("model.pt")
        model.load_state_dict(state)  # loaded above
        """,
    ),
    Invalid(
        """
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()  # noqa: TL121  # kept for the old API
        """,
        select=("TL121",),
        at=[(4, 25)],
        fixed="""
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()  # kept for the old API
        """,
    ),
    Valid(
        """
        import torch

        weights = torch.zeros(3)
        raw = weights.data  # noqa: TL121
        state = torch.load("model.pt")  # noqa: TOR102
        """,
        select=("TL121", "TL140"),
        target_torch="2.4",
        why="each suppression silences a finding; TOR102 is TL140's TorchFix alias",
    ),
    Valid(
        """
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()  # noqa: TL121
        """,
        why="TL121 does not run: whether the suppression is used cannot be told",
    ),
    Valid(
        """
        import torch

        weights = torch.zeros(3)
        copy = weights.clone()  # noqa: E501
        scale = 2.0  # noqa
        """,
        select=("TL121",),
        why="other linters' codes and a bare noqa are theirs",
    ),
    Valid(
        """
        import torch

        raw = torch.nn.Linear(
            2, 2
        ).weight.data  # noqa: TL121
        """,
        select=("TL121",),
        why="the last line of a multi-line finding",
    ),
    Valid(
        """
        import torch

        copy = torch.zeros(3)  # noqa: TL121, TL001
        """,
        select=("TL121",),
        why="TL001 in the comment keeps the line free of TL001",
    ),
]
