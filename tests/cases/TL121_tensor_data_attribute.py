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
        at=[(7, 9), (12, 9)],
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
        at=[(8, 30), (13, 53), (21, 13)],
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
        at=[(6, 5)],
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
            with torch.no_grad():
                for p in itertools.chain(encoder.parameters(), decoder.parameters()): p.clamp_(-c, c)


        def scale_buffers(model, factor):
            for value in model.state_dict().values():
                value.data *= factor
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
    Invalid(
        """
        import torch


        def train(epoch, model, train_loader, optimizer, criterion, log_interval=10):
            model.train()
            for batch_idx, (data, target) in enumerate(train_loader):
                optimizer.zero_grad()
                output = model(data)
                loss = criterion(output, target)
                loss.backward()
                optimizer.step()
                pred = output.data.max(1, keepdim=True)[1]
                correct = pred.eq(target.data.view_as(pred)).sum()
                if batch_idx % log_interval == 0:
                    print("Train Epoch: {} Loss: {:.6f}".format(epoch, loss.data.item()))
        """,
        at=[(12, 16), (15, 64)],
        fixed="""
        import torch


        def train(epoch, model, train_loader, optimizer, criterion, log_interval=10):
            model.train()
            for batch_idx, (data, target) in enumerate(train_loader):
                optimizer.zero_grad()
                output = model(data)
                loss = criterion(output, target)
                loss.backward()
                optimizer.step()
                pred = output.detach().max(1, keepdim=True)[1]
                correct = pred.eq(target.data.view_as(pred)).sum()
                if batch_idx % log_interval == 0:
                    print("Train Epoch: {} Loss: {:.6f}".format(epoch, loss.detach().item()))
        """,
    ),
    Invalid(
        """
        import torch
        import torch.optim as optim

        from layers.modules import MultiBoxLoss

        net = build_ssd("train", 300, 21)
        optimizer = optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
        criterion = MultiBoxLoss(21, 0.5, True, 0, True, 3, 0.5, False)
        loc_loss = conf_loss = 0
        for iteration, (images, targets) in enumerate(batch_iterator):
            out = net(images)
            optimizer.zero_grad()
            loss_l, loss_c = criterion(out, targets)
            loss = loss_l + loss_c
            loss.backward()
            optimizer.step()
            loc_loss += loss_l.data.item()
            if iteration % 10 == 0:
                print("loc %.4f || conf %.4f ||" % (loss_l.data.item(), loss_c.data.item()), "total", loss.data)
        """,
        at=[(17, 17), (19, 45)],
        fixed="""
        import torch
        import torch.optim as optim

        from layers.modules import MultiBoxLoss

        net = build_ssd("train", 300, 21)
        optimizer = optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
        criterion = MultiBoxLoss(21, 0.5, True, 0, True, 3, 0.5, False)
        loc_loss = conf_loss = 0
        for iteration, (images, targets) in enumerate(batch_iterator):
            out = net(images)
            optimizer.zero_grad()
            loss_l, loss_c = criterion(out, targets)
            loss = loss_l + loss_c
            loss.backward()
            optimizer.step()
            loc_loss += loss_l.detach().item()
            if iteration % 10 == 0:
                print("loc %.4f || conf %.4f ||" % (loss_l.detach().item(), loss_c.detach().item()), "total", loss.detach())
        """,
    ),
    Invalid(
        """
        import numpy as np
        import torch
        import torch.optim as optim

        from lib import model

        net = model.DDPGActor(env.observation_space.shape[0], env.action_space.shape[0]).to(device)
        act_opt = optim.Adam(net.parameters(), lr=1e-4)
        print("parameters:", sum(map(lambda p: p.data.numel(), net.parameters())))


        def test_net(obs):
            obs_v = torch.FloatTensor(np.array([obs])).to(device)
            action_v = net(obs_v)
            return action_v.data.cpu().numpy()[0]
        """,
        at=[(9, 40), (15, 12)],
        fixed="""
        import numpy as np
        import torch
        import torch.optim as optim

        from lib import model

        net = model.DDPGActor(env.observation_space.shape[0], env.action_space.shape[0]).to(device)
        act_opt = optim.Adam(net.parameters(), lr=1e-4)
        print("parameters:", sum(map(lambda p: p.detach().numel(), net.parameters())))


        def test_net(obs):
            obs_v = torch.FloatTensor(np.array([obs])).to(device)
            action_v = net(obs_v)
            return action_v.detach().cpu().numpy()[0]
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class ResidualScale(nn.Module):
            def __init__(self, channels):
                super().__init__()
                self.conv = nn.Conv2d(channels, channels, 3, padding=1)
                self.bias = nn.Parameter(torch.zeros(channels))

            def forward(self, x, residual=None):
                o = self.conv(x)
                if residual is not None:
                    o.data += residual.data
                o.data += self.bias.data.view(1, -1, 1, 1)
                return o
        """,
        at=[(14, 13), (15, 9)],
        message='torch.no_grad',
        action="""
        import torch
        from torch import nn


        class ResidualScale(nn.Module):
            def __init__(self, channels):
                super().__init__()
                self.conv = nn.Conv2d(channels, channels, 3, padding=1)
                self.bias = nn.Parameter(torch.zeros(channels))

            def forward(self, x, residual=None):
                o = self.conv(x)
                if residual is not None:
                    with torch.no_grad():
                        o += residual
                o.data += self.bias.data.view(1, -1, 1, 1)
                return o
        """,
    ),
    Invalid(
        """
        import torch


        def clip_weights(model, limit):
            for name, value in dict(model.named_parameters()).items():
                if "bn" not in name: value.data.clamp_(-limit, limit)
        """,
        at=[(6, 30)],
        action="""
        import torch


        def clip_weights(model, limit):
            for name, value in dict(model.named_parameters()).items():
                with torch.no_grad():
                    if "bn" not in name: value.clamp_(-limit, limit)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn
        import torch.optim as optim

        from models import ResNet18

        net = ResNet18()
        optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)


        def test(testloader, use_cuda):
            correct = 0
            with torch.no_grad():
                for inputs, targets in testloader:
                    if use_cuda:
                        outputs = net(inputs.cuda())
                    else:
                        outputs = net(inputs)
                    _, predicted = torch.max(outputs.data, 1)
                    correct += predicted.eq(targets).sum().item()
            return correct
        """,
        at=[(19, 38)],
        fixed="""
        import torch
        import torch.nn as nn
        import torch.optim as optim

        from models import ResNet18

        net = ResNet18()
        optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)


        def test(testloader, use_cuda):
            correct = 0
            with torch.no_grad():
                for inputs, targets in testloader:
                    if use_cuda:
                        outputs = net(inputs.cuda())
                    else:
                        outputs = net(inputs)
                    _, predicted = torch.max(outputs.detach(), 1)
                    correct += predicted.eq(targets).sum().item()
            return correct
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def cal_loss(pred, gold, smoothing):
            return F.cross_entropy(pred, gold, label_smoothing=smoothing)


        def cal_performance(pred, gold, smoothing=0.0):
            loss = cal_loss(pred, gold, smoothing)
            n_correct = pred.max(1)[1].eq(gold).sum().item()
            return loss, n_correct


        def train_epoch(model, loader, optimizer):
            total = 0.0
            for src, gold in loader:
                loss, n_correct = cal_performance(model(src), gold)
                loss.backward()
                optimizer.step()
                total += loss.data.item()
            return total
        """,
        at=[(21, 18)],
        fixed="""
        import torch
        import torch.nn.functional as F


        def cal_loss(pred, gold, smoothing):
            return F.cross_entropy(pred, gold, label_smoothing=smoothing)


        def cal_performance(pred, gold, smoothing=0.0):
            loss = cal_loss(pred, gold, smoothing)
            n_correct = pred.max(1)[1].eq(gold).sum().item()
            return loss, n_correct


        def train_epoch(model, loader, optimizer):
            total = 0.0
            for src, gold in loader:
                loss, n_correct = cal_performance(model(src), gold)
                loss.backward()
                optimizer.step()
                total += loss.detach().item()
            return total
        """,
    ),
    Valid(
        """
        import torch


        def train(model, tokenizer, collate_fn, texts, optimizer):
            enc = tokenizer(texts, return_tensors="pt", padding=True)
            batch = collate_fn(enc)
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
            print(enc.data.keys(), batch.data)
        """,
        why='outputs of a tokenizer and a collate function, even in a function that trains',
    ),
    Valid(
        """
        import torch
        from torch import nn
        from torch.nn.utils.rnn import PackedSequence


        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(32, 64)

            def forward(self, input, lengths=None):
                if isinstance(input, PackedSequence):
                    steps = input.data.size(0)
                return self.rnn(input)
        """,
        why="a PackedSequence's own .data in a module that handles them",
    ),
    Valid(
        """
        import torch


        def train_step(model, criterion, batch, optimizer):
            logits = model(batch.inputs)
            loss, accuracy = criterion(logits, batch.labels)
            loss.backward()
            optimizer.step()
            return accuracy.data, batch.data


        def predict(model, x):
            return model(x).data
        """,
        why="a criterion's tuple item not named like a loss, an untrained callable's output",
    ),
    Valid(
        """
        import pandas as pd
        import torch
        from torch import nn


        class Head(nn.Module):
            def forward(self, x, frame: pd.DataFrame, scale=2.0):
                print(frame.data, scale)
                return x


        for name, value in dict(config.items()).items():
            print(value.data)
        """,
        why='annotated non-tensor and flag inputs of forward, a dict that is not of named_parameters()',
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        def get_attn_pad_mask(seq_q, seq_k, pad):
            return seq_k.eq(pad).unsqueeze(1).expand(-1, seq_q.size(1), -1)


        class Encoder(nn.Module):
            def __init__(self, vocab, d_model, pad=0):
                super().__init__()
                self.pad = pad
                self.embed = nn.Embedding(vocab, d_model, padding_idx=pad)

            def forward(self, src_seq, src_pos):
                mask = src_seq.data.eq(self.pad).unsqueeze(1)
                return self.embed(src_seq) + self.embed(src_pos), mask
        """,
        at=[(16, 16)],
        fixed="""
        import torch
        import torch.nn as nn


        def get_attn_pad_mask(seq_q, seq_k, pad):
            return seq_k.eq(pad).unsqueeze(1).expand(-1, seq_q.size(1), -1)


        class Encoder(nn.Module):
            def __init__(self, vocab, d_model, pad=0):
                super().__init__()
                self.pad = pad
                self.embed = nn.Embedding(vocab, d_model, padding_idx=pad)

            def forward(self, src_seq, src_pos):
                mask = src_seq.detach().eq(self.pad).unsqueeze(1)
                return self.embed(src_seq) + self.embed(src_pos), mask
        """,
    ),
    Invalid(
        """
        import torch.nn.functional as F


        def train_epoch(head, loader, opt):
            head.train()
            hits = 0
            for feats, labels in loader:
                logits = head(feats)
                loss = F.cross_entropy(logits, labels)
                opt.zero_grad()
                loss.backward()
                opt.step()
                hits += (logits.data.argmax(1) == labels).sum().item()
            return hits
        """,
        at=[(13, 18)],
        fixed="""
        import torch.nn.functional as F


        def train_epoch(head, loader, opt):
            head.train()
            hits = 0
            for feats, labels in loader:
                logits = head(feats)
                loss = F.cross_entropy(logits, labels)
                opt.zero_grad()
                loss.backward()
                opt.step()
                hits += (logits.detach().argmax(1) == labels).sum().item()
            return hits
        """,
    ),
    Valid(
        """
        import torch


        def train(model, loader, optimizer, get_batch, augment):
            model.train()
            for i in range(len(loader)):
                batch = get_batch(loader, i)
                views = augment(batch)
                loss = model(batch.inputs, views.inputs).mean()
                loss.backward()
                optimizer.step()
                print(batch.data.shape, views.data)
        """,
        why="outputs of helper callables that the function does not train",
    ),
    Valid(
        """
        import torch
        from torch import nn


        class GraphNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 2)

            def forward(self, batch, graph):
                return self.lin(batch.data.x + graph.data)
        """,
        why="forward inputs named like containers: a batch object's own .data",
    ),
    Valid(
        """
        import torch

        net = torch.nn.Linear(8, 4)
        table = {}


        def lookup(x, use_net):
            if use_net:
                out = net(x)
            else:
                out = table[x]
            return out.data
        """,
        why="a name bound to a tensor in one branch of an if only",
    ),
]
