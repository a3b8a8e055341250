from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch.utils.checkpoint import checkpoint


        class Encoder(torch.nn.Module):
            def forward(self, hidden, mask):
                for layer in self.layers:
                    if self.gradient_checkpointing and self.training:
                        hidden = checkpoint(layer, hidden, mask)
                    else:
                        hidden = layer(hidden, mask)
                return hidden
        """,
        at=[(9, 26)],
        message="use_reentrant=False",
        fixed="""
        import torch
        from torch.utils.checkpoint import checkpoint


        class Encoder(torch.nn.Module):
            def forward(self, hidden, mask):
                for layer in self.layers:
                    if self.gradient_checkpointing and self.training:
                        hidden = checkpoint(layer, hidden, mask, use_reentrant=False)
                    else:
                        hidden = layer(hidden, mask)
                return hidden
        """,
    ),
    Invalid(
        """
        import torch.utils.checkpoint

        out = torch.utils.checkpoint.checkpoint(self.block, x)
        """,
        at=[(3, 7)],
        fixed="""
        import torch.utils.checkpoint

        out = torch.utils.checkpoint.checkpoint(self.block, x, use_reentrant=False)
        """,
    ),
    Invalid(
        """
        from torch.utils import checkpoint as cp

        y = cp.checkpoint_sequential(self.stages, 4, x)
        """,
        at=[(3, 5)],
        fixed="""
        from torch.utils import checkpoint as cp

        y = cp.checkpoint_sequential(self.stages, 4, x, use_reentrant=False)
        """,
    ),
    Invalid(
        """
        from torch.utils.checkpoint import checkpoint as ckpt

        hidden_states = ckpt(
            create_custom_forward(layer_module),
            hidden_states,
            attention_mask,
        )
        """,
        at=[(3, 17)],
        fixed="""
        from torch.utils.checkpoint import checkpoint as ckpt

        hidden_states = ckpt(
            create_custom_forward(layer_module),
            hidden_states,
            attention_mask,
            use_reentrant=False,
        )
        """,
    ),
    Invalid(
        """
        import torch
        from torch.utils.checkpoint import checkpoint

        loss = checkpoint(
            compute_loss,
            logits,
            labels
        )
        """,
        at=[(4, 8)],
        fixed="""
        import torch
        from torch.utils.checkpoint import checkpoint

        loss = checkpoint(
            compute_loss,
            logits,
            labels,
            use_reentrant=False
        )
        """,
    ),
    Valid(
        """
        from torch.utils.checkpoint import checkpoint

        hidden = checkpoint(layer, hidden, use_reentrant=False)
        legacy = checkpoint(layer, hidden, use_reentrant=True)
        """,
    ),
    Valid(
        """
        from torch.utils.checkpoint import checkpoint

        hidden = checkpoint(layer, hidden, **self.checkpoint_kwargs)
        """,
        why="the keyword arguments may pass use_reentrant",
    ),
    Valid(
        """
        import deepspeed
        import torch

        hidden = deepspeed.checkpointing.checkpoint(layer, hidden)
        """,
    ),
    Valid(
        """
        import torch


        def checkpoint(model, path):
            torch.save(model.state_dict(), path)


        checkpoint(model, "last.pt")
        """,
        why="a function of the project's own",
    ),
    Valid(
        """
        import torch
        from torch.utils.checkpoint import checkpoint

        hidden = checkpoint(layer, hidden, use_reentrant=self.config.use_reentrant)
        """,
    ),
]
