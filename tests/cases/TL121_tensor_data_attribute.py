from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(3 * 32 * 32, 10)

            def forward(self, x):
                return self.fc1(torch.flatten(x, 1))


        net = Net()
        criterion = nn.CrossEntropyLoss()
        correct = total = 0
        running_loss = 0.0
        with torch.no_grad():
            for images, labels in testloader:
                outputs = net(images)
                loss = criterion(outputs, labels)
                running_loss += loss.data.item()
                _, predicted = torch.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        """,
        at=[(22, 25), (23, 34)],
        message=".detach()",
        fixed="""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(3 * 32 * 32, 10)

            def forward(self, x):
                return self.fc1(torch.flatten(x, 1))


        net = Net()
        criterion = nn.CrossEntropyLoss()
        correct = total = 0
        running_loss = 0.0
        with torch.no_grad():
            for images, labels in testloader:
                outputs = net(images)
                loss = criterion(outputs, labels)
                running_loss += loss.detach().item()
                _, predicted = torch.max(outputs.detach(), 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        """,
    ),
    Invalid(
        """
        import torch.nn as nn


        def weights_init(m):
            classname = m.__class__.__name__
            if classname.find("Conv") != -1:
                nn.init.normal_(m.weight.data, 0.0, 0.02)
            elif classname.find("BatchNorm") != -1:
                nn.init.normal_(m.weight.data, 1.0, 0.02)
                m.bias.data.fill_(0)  # start without shift
        """,
        at=[(7, 25), (9, 25), (10, 9)],
        fixed="""
        import torch.nn as nn


        def weights_init(m):
            classname = m.__class__.__name__
            if classname.find("Conv") != -1:
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif classname.find("BatchNorm") != -1:
                nn.init.normal_(m.weight, 1.0, 0.02)
                m.bias.data.fill_(0)  # start without shift
        """,
        action="""
        import torch.nn as nn
        import torch


        def weights_init(m):
            classname = m.__class__.__name__
            if classname.find("Conv") != -1:
                nn.init.normal_(m.weight.data, 0.0, 0.02)
            elif classname.find("BatchNorm") != -1:
                nn.init.normal_(m.weight.data, 1.0, 0.02)
                with torch.no_grad():
                    m.bias.fill_(0)  # start without shift
        """,
    ),
    Invalid(
        """
        import torch


        def soft_update(target, source, tau):
            for target_param, param in zip(target.parameters(), source.parameters()):
                # Polyak averaging
                target_param.data.copy_(target_param.data * (1.0 - tau) + param.data * tau)


        def hard_update(target, source):
            for target_param, param in zip(target.parameters(), source.parameters()):
                target_param.data.copy_(param.data)
        """,
        at=[(7, 9), (7, 33), (7, 67), (12, 9), (12, 33)],
        action="""
        import torch


        def soft_update(target, source, tau):
            for target_param, param in zip(target.parameters(), source.parameters()):
                # Polyak averaging
                with torch.no_grad():
                    target_param.copy_(target_param * (1.0 - tau) + param * tau)


        def hard_update(target, source):
            for target_param, param in zip(target.parameters(), source.parameters()):
                target_param.data.copy_(param.data)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class EMA:
            def __init__(self, model: nn.Module, decay: float = 0.999):
                self.decay = decay
                self.shadow = {name: p.data.clone() for name, p in model.named_parameters()}

            @torch.no_grad()
            def update(self, model: nn.Module):
                for name, p in model.named_parameters():
                    self.shadow[name].mul_(self.decay).add_(p.data, alpha=1 - self.decay)


        def sgd_step(optimizer):
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.data.add_(p.grad.data, alpha=-group["lr"])
        """,
        at=[(8, 30), (13, 53), (21, 13), (21, 25)],
        fixed="""
        import torch
        from torch import nn


        class EMA:
            def __init__(self, model: nn.Module, decay: float = 0.999):
                self.decay = decay
                self.shadow = {name: p.detach().clone() for name, p in model.named_parameters()}

            @torch.no_grad()
            def update(self, model: nn.Module):
                for name, p in model.named_parameters():
                    self.shadow[name].mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)


        def sgd_step(optimizer):
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.data.add_(p.grad.data, alpha=-group["lr"])
        """,
        action="""
        import torch
        from torch import nn


        class EMA:
            def __init__(self, model: nn.Module, decay: float = 0.999):
                self.decay = decay
                self.shadow = {name: p.data.clone() for name, p in model.named_parameters()}

            @torch.no_grad()
            def update(self, model: nn.Module):
                for name, p in model.named_parameters():
                    self.shadow[name].mul_(self.decay).add_(p.data, alpha=1 - self.decay)


        def sgd_step(optimizer):
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    with torch.no_grad():
                        p.add_(p.grad, alpha=-group["lr"])
        """,
    ),
    Invalid(
        """
        import torch as th
        import torch.nn as nn

        critic = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
        for p in critic.parameters():
            p.data = p.data.clamp(-0.01, 0.01)  # WGAN weight clipping
        """,
        at=[(6, 5), (6, 14)],
        action="""
        import torch as th
        import torch.nn as nn

        critic = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
        for p in critic.parameters():
            with th.no_grad():
                p.copy_(p.clamp(-0.01, 0.01))  # WGAN weight clipping
        """,
    ),
    Invalid(
        """
        import torch


        class Scale(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.log_scale = torch.nn.Parameter(torch.zeros(1))

            @torch.no_grad()
            def clamp(self):
                self.log_scale.data.clamp_(-5.0, 5.0)

            def extra_repr(self):
                return "scale={:.3f}".format(self.log_scale.data.exp().item())


        x = torch.randn(4, 3, requires_grad=True)
        x = x.cuda()
        print(x.data.norm())
        snapshot = x.data.detach().cpu()
        """,
        at=[(11, 9), (14, 38), (19, 7), (20, 12)],
        fixed="""
        import torch


        class Scale(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.log_scale = torch.nn.Parameter(torch.zeros(1))

            @torch.no_grad()
            def clamp(self):
                self.log_scale.data.clamp_(-5.0, 5.0)

            def extra_repr(self):
                return "scale={:.3f}".format(self.log_scale.detach().exp().item())


        x = torch.randn(4, 3, requires_grad=True)
        x = x.cuda()
        print(x.detach().norm())
        snapshot = x.detach().cpu()
        """,
        action="""
        import torch


        class Scale(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.log_scale = torch.nn.Parameter(torch.zeros(1))

            @torch.no_grad()
            def clamp(self):
                self.log_scale.clamp_(-5.0, 5.0)

            def extra_repr(self):
                return "scale={:.3f}".format(self.log_scale.data.exp().item())


        x = torch.randn(4, 3, requires_grad=True)
        x = x.cuda()
        print(x.data.norm())
        snapshot = x.data.detach().cpu()
        """,
    ),
    Invalid(
        """
        import itertools

        import torch


        def clip_weights(encoder, decoder, c):
            for p in itertools.chain(encoder.parameters(), decoder.parameters()): p.data.clamp_(-c, c)


        def scale_buffers(model, factor):
            for value in model.state_dict().values():
                value.data *= factor
        """,
        at=[(7, 75), (12, 9)],
        message="torch.no_grad",
        action="""
        import itertools

        import torch


        def clip_weights(encoder, decoder, c):
            for p in itertools.chain(encoder.parameters(), decoder.parameters()): p.data.clamp_(-c, c)


        def scale_buffers(model, factor):
            for value in model.state_dict().values():
                with torch.no_grad():
                    value *= factor
        """,
    ),
    Valid(
        """
        import torch
        from torchvision import datasets

        train_set = datasets.MNIST("data", train=True, download=True)
        mnist = datasets.FashionMNIST("data", train=False)
        mean = train_set.data.float().mean() / 255
        print(mnist.data.shape, dataset.data[:10])
        """,
        why="the data array of a dataset",
    ),
    Valid(
        """
        import torch
        from torch.utils.data import Dataset


        class Windows(Dataset):
            def __init__(self, data, length):
                self.data = data
                self.length = length

            def __getitem__(self, i):
                return torch.as_tensor(self.data[i : i + self.length])


        for batch in loader:
            graphs = batch.data.to(device)
        """,
        why="a Dataset's own attribute and a batch object of another library",
    ),
    Valid(
        """
        import numpy as np
        import pandas as pd
        import torch

        frame = pd.read_csv("train.csv")
        arr = np.zeros((4, 4), dtype=np.float32)
        buffer = memoryview(arr.data)
        values = torch.from_numpy(frame.data.to_numpy())
        """,
        why="pandas and numpy objects",
    ),
    Valid(
        """
        import torch


        def to_numpy(x):
            return x.data.cpu().numpy()


        def evaluate(model, inputs, hidden):
            output, hidden = model(inputs, hidden)
            return output.data, hidden
        """,
        why="no evidence of a tensor: an unannotated argument, an item of a returned tuple",
    ),
    Valid(
        """
        import torch

        with torch.no_grad():
            for target_param, param in zip(target.parameters(), source.parameters()):
                target_param.copy_(0.995 * target_param + 0.005 * param)
        print(model.fc.weight.detach().norm())
        """,
        why="already the modern form",
    ),
]
