from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch

        model = torch.nn.Linear(10, 2)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)  # base lr
        """,
        at=[(4, 13)],
        message="decoupled",
        fixed="""
        import torch

        model = torch.nn.Linear(10, 2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=1e-2)  # base lr
        """,
    ),
    Invalid(
        """
        import torch.optim as optim
        from torch import nn


        class Trainer:
            def __init__(self, net: nn.Module, cfg):
                self.net = net
                self.opt = optim.Adam(
                    net.parameters(),
                    lr=cfg.lr,
                )
        """,
        at=[(8, 20)],
        fixed="""
        import torch.optim as optim
        from torch import nn


        class Trainer:
            def __init__(self, net: nn.Module, cfg):
                self.net = net
                self.opt = optim.AdamW(
                    net.parameters(),
                    lr=cfg.lr,
                    weight_decay=0.0,
                )
        """,
    ),
    Invalid(
        """
        import torch
        from torch.optim import Adam


        def build(actor, critic, lr):
            actor_opt = Adam(actor.parameters(), lr=lr)
            critic_opt = Adam(critic.parameters(), lr=lr)
            return actor_opt, critic_opt
        """,
        at=[(6, 17), (7, 18)],
        fixed="""
        import torch
        from torch.optim import AdamW


        def build(actor, critic, lr):
            actor_opt = AdamW(actor.parameters(), lr=lr, weight_decay=0.0)
            critic_opt = AdamW(critic.parameters(), lr=lr, weight_decay=0.0)
            return actor_opt, critic_opt
        """,
    ),
    Invalid(
        """
        from torch import optim
        from torch.optim import Adam as A

        OPTIMIZERS = {"adam": optim.Adam, "sgd": optim.SGD}
        fallback = A
        """,
        at=[(4, 23), (5, 12)],
        fixed="""
        from torch import optim
        from torch.optim import AdamW

        OPTIMIZERS = {"adam": optim.AdamW, "sgd": optim.SGD}
        fallback = AdamW
        """,
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
        """,
        why="AdamW is what the rule asks for",
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        """,
        why="other optimizers",
    ),
    Valid(
        """
        import torch


        class Adam:
            def __init__(self, params, lr):
                self.params = list(params)
                self.lr = lr


        optimizer = Adam(model.parameters(), lr=1e-3)
        """,
        why="a user class named Adam, not from torch",
    ),
    Valid(
        """
        import torch
        from keras.optimizers import Adam
        import bitsandbytes as bnb

        keras_opt = Adam(learning_rate=1e-3)
        paged = bnb.optim.Adam8bit(model.parameters(), lr=1e-4)
        """,
        why="Adam from other libraries",
    ),
    Invalid(
        """
        import torch

        policy_opt = torch.optim.Adam(policy.parameters())
        value_opt = torch.optim.Adam(
            value_net.parameters(),
        )
        encoder_opt = torch.optim.Adam(encoder.parameters(), **cfg.optimizer)
        decoder_opt = torch.optim.Adam(decoder.parameters(), 1e-3, (0.9, 0.999), 1e-8, 1e-5)
        optimizer_cls = torch.optim.Adam
        """,
        at=[(3, 14), (4, 13), (7, 15), (8, 15), (9, 17)],
        fixed="""
        import torch

        policy_opt = torch.optim.AdamW(policy.parameters(), weight_decay=0.0)
        value_opt = torch.optim.AdamW(
            value_net.parameters(), weight_decay=0.0,
        )
        encoder_opt = torch.optim.AdamW(encoder.parameters(), **cfg.optimizer)
        decoder_opt = torch.optim.AdamW(decoder.parameters(), 1e-3, (0.9, 0.999), 1e-8, 1e-5)
        optimizer_cls = torch.optim.AdamW
        """,
    ),
]
