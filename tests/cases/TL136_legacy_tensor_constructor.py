from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn

        class_weights = torch.FloatTensor([0.2, 0.8])
        criterion = nn.CrossEntropyLoss(weight=class_weights)
        """,
        at=[(4, 17)],
        message="torch.tensor(data, dtype=torch.float32)",
        fixed="""
        import torch
        import torch.nn as nn

        class_weights = torch.tensor([0.2, 0.8], dtype=torch.float32)
        criterion = nn.CrossEntropyLoss(weight=class_weights)
        """,
    ),
    Invalid(
        """
        import torch


        def make_buffers(batch_size, seq_len):
            tokens = torch.LongTensor(batch_size, seq_len)
            mask = torch.ByteTensor(batch_size, seq_len).fill_(0)
            return tokens, mask
        """,
        at=[(5, 14), (6, 12)],
        message="torch.empty(sizes",
        fixed="""
        import torch


        def make_buffers(batch_size, seq_len):
            tokens = torch.empty(batch_size, seq_len, dtype=torch.int64)
            mask = torch.empty(batch_size, seq_len, dtype=torch.uint8).fill_(0)
            return tokens, mask
        """,
    ),
    Invalid(
        """
        import math

        import torch
        from torch import nn


        class NoisyLinear(nn.Module):
            def __init__(self, in_features, out_features):
                super().__init__()
                self.weight = nn.Parameter(torch.Tensor(out_features, in_features))
                self.bias = nn.Parameter(torch.Tensor(out_features))
                bound = 1 / math.sqrt(in_features)
                nn.init.uniform_(self.weight, -bound, bound)
                nn.init.zeros_(self.bias)
        """,
        at=[(10, 36), (11, 34)],
        fixed="""
        import math

        import torch
        from torch import nn


        class NoisyLinear(nn.Module):
            def __init__(self, in_features, out_features):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(out_features, in_features, dtype=torch.float32))
                self.bias = nn.Parameter(torch.Tensor(out_features))
                bound = 1 / math.sqrt(in_features)
                nn.init.uniform_(self.weight, -bound, bound)
                nn.init.zeros_(self.bias)
        """,
    ),
    Invalid(
        """
        import torch

        rewards = torch.cuda.FloatTensor([r for r in episode_rewards])
        actions = torch.cuda.LongTensor(
            [a for a in episode_actions],
        )
        """,
        at=[(3, 11), (4, 11)],
        fixed="""
        import torch

        rewards = torch.tensor([r for r in episode_rewards], dtype=torch.float32, device="cuda")
        actions = torch.tensor(
            [a for a in episode_actions],
            dtype=torch.int64,
            device="cuda",
        )
        """,
    ),
    Invalid(
        """
        from torch import LongTensor, nn

        vocab = {"<pad>": 0, "hello": 1, "world": 2}
        ids = LongTensor([vocab[word] for word in ["hello", "world"]])
        embedding = nn.Embedding(len(vocab), 16)
        """,
        at=[(4, 7)],
        fixed="""
        from torch import nn
        import torch

        vocab = {"<pad>": 0, "hello": 1, "world": 2}
        ids = torch.tensor([vocab[word] for word in ["hello", "world"]], dtype=torch.int64)
        embedding = nn.Embedding(len(vocab), 16)
        """,
    ),
    Invalid(
        """
        import numpy as np
        import torch as th

        states = np.stack(batch_states)
        states_t = th.FloatTensor(np.array(batch_states))
        dones_t = th.BoolTensor(done_flags)
        """,
        at=[(5, 12), (6, 11)],
        fixed="""
        import numpy as np
        import torch as th

        states = np.stack(batch_states)
        states_t = th.tensor(np.array(batch_states), dtype=th.float32)
        dones_t = th.BoolTensor(done_flags)
        """,
    ),
    Invalid(
        # SAC's target entropy: a gym shape is a tuple, which torch.Tensor takes as data, not as sizes.
        """
        import gymnasium as gym
        import torch


        def target_entropy(envs, device):
            return -torch.prod(torch.Tensor(envs.single_action_space.shape).to(device)).item()
        """,
        at=[(6, 24)],
        message="Use torch.tensor or torch.empty with dtype=torch.float32",
    ),
    Valid(
        """
        import torch


        def normalize(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
            assert isinstance(x, torch.Tensor)
            return (x - x.mean()) / (x.std() + eps)
        """,
        why="annotations and isinstance",
    ),
    Valid(
        """
        import torch


        class TaggedTensor(torch.Tensor):
            @staticmethod
            def __new__(cls, data, tag):
                instance = torch.Tensor._make_subclass(cls, data)
                instance.tag = tag
                return instance
        """,
        why="subclassing",
    ),
    Valid(
        """
        import torch

        weights = torch.tensor([0.2, 0.8], dtype=torch.float32)
        buffer = torch.empty(4, 16, dtype=torch.long)
        """,
        why="the factories",
    ),
    Valid(
        """
        import torch

        floats = images.type(torch.FloatTensor)
        kind = torch.cuda.FloatTensor if torch.cuda.is_available() else torch.FloatTensor
        """,
        why="the classes as references",
    ),
    Valid(
        """
        import torch

        predictions = torch.Tensor()
        for batch in loader:
            predictions = torch.cat([predictions, model(batch)])
        """,
        why="called with neither data nor sizes",
    ),
    Valid(
        """
        class Tensor:
            def __init__(self, *shape):
                self.shape = shape


        FloatTensor = Tensor
        grid = FloatTensor(3, 3)
        """,
        why="not torch's",
    ),
]
