from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torchvision

        model = torchvision.models.resnet18(weights="DEFAULT")
        for param in model.parameters():
            param.require_grad = False
        """,
        at=[(5, 5)],
        message="Did you mean requires_grad?",
        fixed="""
        import torchvision

        model = torchvision.models.resnet18(weights="DEFAULT")
        for param in model.parameters():
            param.requires_grad = False
        """,
    ),
    Invalid(
        """
        import torch

        noise = torch.randn(16, 100)
        noise.requires_grads = True
        """,
        at=[(4, 1)],
        fixed="""
        import torch

        noise = torch.randn(16, 100)
        noise.requires_grad = True
        """,
    ),
    Invalid(
        """
        import torch


        def freeze(module: torch.nn.Module) -> None:
            for name, p in module.named_parameters():
                if "head" not in name:
                    p.require_grads = False
        """,
        at=[(7, 13)],
        fixed="""
        import torch


        def freeze(module: torch.nn.Module) -> None:
            for name, p in module.named_parameters():
                if "head" not in name:
                    p.requires_grad = False
        """,
    ),
    Invalid(
        """
        import torch

        trainable = [p for p in model.parameters() if p.require_grad]
        """,
        at=[(3, 47)],
        fixed="""
        import torch

        trainable = [p for p in model.parameters() if p.requires_grad]
        """,
    ),
    Invalid(
        """
        import torch.nn as nn


        class Adapter(nn.Module):
            def __init__(self, base):
                super().__init__()
                self.base = base
                self.base.weight.require_grad = False
                self.base.bias.require_grad = False
        """,
        at=[(8, 9), (9, 9)],
        fixed="""
        import torch.nn as nn


        class Adapter(nn.Module):
            def __init__(self, base):
                super().__init__()
                self.base = base
                self.base.weight.requires_grad = False
                self.base.bias.requires_grad = False
        """,
    ),
    Valid(
        """
        import torch

        for p in model.parameters():
            p.requires_grad = False
        x = torch.zeros(3).requires_grad_()
        """,
    ),
    Valid(
        """
        import torch


        class Config:
            def __init__(self, require_grad: bool = True):
                self.require_grad = require_grad


        if Config().require_grad:
            torch.set_grad_enabled(True)
        """,
        why="the project's own attribute, named by a parameter of its own",
    ),
    Valid(
        """
        import torch

        layer = make_layer(require_grad=False)
        print(layer.require_grad)
        """,
        why="a keyword of the project's own API",
    ),
    Valid(
        """
        require_grad = True
        requires_grads = ["encoder"]
        """,
        why="no torch in the module, and plain names",
    ),
    Valid(
        """
        import torch

        settings = {"require_grad": False}
        flag = getattr(model, "requires_grad", True)
        """,
    ),
]
