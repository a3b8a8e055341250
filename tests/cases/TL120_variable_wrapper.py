from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn
        from torch.autograd import Variable

        model = CNN().cuda()
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

        for epoch in range(10):
            for i, (images, labels) in enumerate(train_loader):
                images = Variable(images.cuda())
                labels = Variable(labels).cuda()

                optimizer.zero_grad()
                outputs = model(images)
                loss = criterion(outputs, labels)
                loss.backward()
                optimizer.step()
        """,
        at=[(11, 18), (12, 18)],
        message="Variable",
        fixed="""
        import torch
        import torch.nn as nn

        model = CNN().cuda()
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

        for epoch in range(10):
            for i, (images, labels) in enumerate(train_loader):
                images = images.cuda()
                labels = labels.cuda()

                optimizer.zero_grad()
                outputs = model(images)
                loss = criterion(outputs, labels)
                loss.backward()
                optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        class RNNModel(nn.Module):
            def __init__(self, ntoken, ninp, nhid, nlayers):
                super().__init__()
                self.encoder = nn.Embedding(ntoken, ninp)
                self.rnn = nn.LSTM(ninp, nhid, nlayers)
                self.nhid, self.nlayers = nhid, nlayers

            def init_hidden(self, bsz):
                weight = next(self.parameters())
                return (torch.autograd.Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()),
                        torch.autograd.Variable(torch.zeros(self.nlayers, bsz, self.nhid)))
        """,
        at=[(14, 17), (15, 17)],
        fixed="""
        import torch
        import torch.nn as nn


        class RNNModel(nn.Module):
            def __init__(self, ntoken, ninp, nhid, nlayers):
                super().__init__()
                self.encoder = nn.Embedding(ntoken, ninp)
                self.rnn = nn.LSTM(ninp, nhid, nlayers)
                self.nhid, self.nlayers = nhid, nlayers

            def init_hidden(self, bsz):
                weight = next(self.parameters())
                return (weight.new(self.nlayers, bsz, self.nhid).zero_(),
                        torch.zeros(self.nlayers, bsz, self.nhid))
        """,
    ),
    Invalid(
        """
        import torch
        from torch.autograd import Variable


        def repackage_hidden(h):
            \"\"\"Wraps hidden states in new Variables, to detach them from their history.\"\"\"
            if type(h) == Variable:
                return Variable(h.data)
            else:
                return tuple(repackage_hidden(v) for v in h)
        """,
        at=[(8, 16)],
        fixed="""
        import torch
        from torch.autograd import Variable


        def repackage_hidden(h):
            \"\"\"Wraps hidden states in new Variables, to detach them from their history.\"\"\"
            if type(h) == Variable:
                return h.data
            else:
                return tuple(repackage_hidden(v) for v in h)
        """,
    ),
    Invalid(
        """
        import torch
        from torch.autograd import Variable as V


        def fgsm(model, loss_fn, x, y, eps):
            x_adv = V(x, requires_grad=True)
            loss = loss_fn(model(x_adv), y)
            loss.backward()
            return (x_adv + eps * x_adv.grad.sign()).clamp(0, 1)


        def evaluate(model, val_loader):
            correct = 0
            for inputs, targets in val_loader:
                inputs = V(inputs.cuda(), volatile=True)
                correct += (model(inputs).argmax(1) == targets.cuda()).sum().item()
            return correct
        """,
        at=[(6, 13), (15, 18)],
        message="Use the tensor itself",
        fixed="""
        import torch


        def fgsm(model, loss_fn, x, y, eps):
            x_adv = x.detach().requires_grad_()
            loss = loss_fn(model(x_adv), y)
            loss.backward()
            return (x_adv + eps * x_adv.grad.sign()).clamp(0, 1)


        def evaluate(model, val_loader):
            correct = 0
            for inputs, targets in val_loader:
                inputs = inputs.cuda()
                correct += (model(inputs).argmax(1) == targets.cuda()).sum().item()
            return correct
        """,
    ),
    Invalid(
        """
        import numpy as np
        import torch
        import torch.autograd as autograd


        def to_tensor(array, requires_grad=False):
            return autograd.Variable(torch.from_numpy(np.asarray(array)).float(), requires_grad=requires_grad)


        def a2c_loss(log_probs, values, returns):
            advantage = autograd.Variable(returns - values)
            policy_loss = -(log_probs * advantage).mean()
            value_loss = (returns - values).pow(2).mean()
            return policy_loss + 0.5 * value_loss
        """,
        at=[(7, 12), (11, 17)],
        fixed="""
        import numpy as np
        import torch
        import torch.autograd as autograd


        def to_tensor(array, requires_grad=False):
            return torch.from_numpy(np.asarray(array)).float().requires_grad_(requires_grad)


        def a2c_loss(log_probs, values, returns):
            advantage = (returns - values).detach()
            policy_loss = -(log_probs * advantage).mean()
            value_loss = (returns - values).pow(2).mean()
            return policy_loss + 0.5 * value_loss
        """,
    ),
    Invalid(
        # No fix: replacing the call would drop the comment inside it.
        """
        import torch
        from torch.autograd import Variable

        hidden = Variable(
            torch.zeros(2, 16, 256),  # (layers, batch, hidden)
            requires_grad=False,
        )
        """,
        at=[(4, 10)],
    ),
    Valid(
        """
        import tensorflow as tf
        import torch

        w = tf.Variable(tf.zeros([784, 10]), name="w")
        x = torch.zeros(4, 784)
        """,
        why="TensorFlow's Variable",
    ),
    Valid(
        """
        import cvxpy as cp
        import torch
        from cvxpy import Variable

        weights = Variable(n_assets)
        risk = cp.quad_form(weights, torch.cov(returns.T).numpy())
        """,
        why="cvxpy's Variable",
    ),
    Valid(
        """
        import torch


        class Variable:
            \"\"\"A node of the toy scalar autodiff engine that the tests compare against torch.\"\"\"

            def __init__(self, value, parents=()):
                self.value = value
                self.grad = 0.0
                self.parents = parents


        x = Variable(2.0)
        reference = torch.tensor(2.0, requires_grad=True)
        """,
        why="a class of the project named Variable",
    ),
    Valid(
        """
        import torch
        from torch.autograd import Variable


        def is_tensor_like(obj):
            return isinstance(obj, (torch.Tensor, Variable))
        """,
        why="a type check is not a wrapper",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn

        bias = nn.Parameter(torch.zeros(10))
        noise = torch.randn(8, 10, requires_grad=True)
        """,
        why="the modern forms: tensors and parameters carry requires_grad themselves",
    ),
]
