from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        hidden = torch.zeros(num_layers, batch_size, hidden_size).to(device)
        """,
        at=[(4, 10)],
        message="device=device",
        fixed="""
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        hidden = torch.zeros(num_layers, batch_size, hidden_size, device=device)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Decoder(nn.Module):
            def __init__(self, device):
                super().__init__()
                self.device = device
                self.proj = nn.Linear(64, 64)

            def causal_mask(self, seq_len):
                mask = torch.ones(seq_len, seq_len).to(self.device)
                return torch.tril(mask).bool()

            def forward(self, x):
                positions = torch.arange(x.size(1)).to(x.device)
                return self.proj(x) + positions[None, :, None]
        """,
        at=[(12, 16), (16, 21)],
        fixed="""
        import torch
        from torch import nn


        class Decoder(nn.Module):
            def __init__(self, device):
                super().__init__()
                self.device = device
                self.proj = nn.Linear(64, 64)

            def causal_mask(self, seq_len):
                mask = torch.ones(seq_len, seq_len, device=self.device)
                return torch.tril(mask).bool()

            def forward(self, x):
                positions = torch.arange(x.size(1), device=x.device)
                return self.proj(x) + positions[None, :, None]
        """,
    ),
    Invalid(
        """
        import torch


        def sample_noise(batch_size, latent_dim, device):
            return torch.randn(batch_size, latent_dim).to(device)
        """,
        at=[(5, 12)],
        fixed="""
        import torch


        def sample_noise(batch_size, latent_dim, device):
            return torch.randn(batch_size, latent_dim, device=device)
        """,
    ),
    Invalid(
        """
        import torch

        for batch in loader:
            labels = torch.tensor(batch["labels"]).to(args.device, non_blocking=True)
            weights = torch.full((len(labels),), 0.5).to(args.device, dtype=torch.float16)
        """,
        at=[(4, 14), (5, 15)],
        fixed="""
        import torch

        for batch in loader:
            labels = torch.tensor(batch["labels"], device=args.device)
            weights = torch.full((len(labels),), 0.5, device=args.device, dtype=torch.float16)
        """,
    ),
    Invalid(
        """
        import torch

        identity = torch.eye(3).to("cuda")
        grid = torch.linspace(-1, 1, steps=64).to(f"cuda:{local_rank}")
        offsets = torch.zeros(3).to(device=accelerator.device)
        """,
        at=[(3, 12), (4, 8), (5, 11)],
        fixed="""
        import torch

        identity = torch.eye(3, device="cuda")
        grid = torch.linspace(-1, 1, steps=64, device=f"cuda:{local_rank}")
        offsets = torch.zeros(3, device=accelerator.device)
        """,
    ),
    Invalid(
        """
        import torch

        ids = torch.randint(
            0,
            vocab_size,
            (batch_size, block_size),
        ).to(device)
        """,
        at=[(3, 7)],
        fixed="""
        import torch

        ids = torch.randint(
            0,
            vocab_size,
            (batch_size, block_size),
            device=device,
        )
        """,
    ),
    Invalid(
        """
        import torch

        zeros = torch.zeros(4).to(device, memory_format=torch.contiguous_format)
        """,
        at=[(3, 9)],
    ),
    Valid(
        """
        import torch

        half = torch.zeros(4, 4).to(torch.float16)
        same = torch.ones(4).to(dtype=torch.bfloat16)
        """,
        why=".to(dtype) only",
    ),
    Valid(
        """
        import torch

        def pad_like(reference):
            return torch.zeros(reference.shape[0], 1).to(reference)
        """,
        why=".to(other_tensor)",
    ),
    Valid(
        """
        import torch

        mask = torch.ones(8, 8).cuda()
        """,
        why=".cuda() is TL122's",
    ),
    Valid(
        """
        import torch

        state = torch.zeros(2, 16, device=device)
        cpu_copy = torch.arange(10).to("cpu")
        """,
        why="already built on its device; moving to the CPU copies nothing",
    ),
    Valid(
        """
        import torch

        buffer = torch.zeros(1024)
        buffer = buffer.to(device)
        """,
        why="not immediately moved",
    ),
    Valid(
        """
        import torch

        counts = torch.zeros(num_classes).to(rank)
        values = torch.tensor(data).to(**placement)
        """,
        why="a rank or unknown keywords: not certainly a device",
    ),
]
