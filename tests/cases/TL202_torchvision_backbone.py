from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torchvision.models import resnet50, ResNet50_Weights

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = resnet50(weights=ResNet50_Weights.DEFAULT).to(device)
        model.eval()
        """,
        at=[(5, 9)],
        message='timm.create_model("resnet50"',
        fixed="""
        import torch
        import timm

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = timm.create_model("resnet50", pretrained=True).to(device)
        model.eval()
        """,
    ),
    Invalid(
        """
        import torch
        import torchvision.models as models


        def build(num_classes: int) -> torch.nn.Module:
            model = models.vit_b_16(
                weights=None,
                num_classes=num_classes,
            )
            return model.to(memory_format=torch.channels_last)
        """,
        at=[(6, 13)],
        fixed="""
        import torch
        import timm


        def build(num_classes: int) -> torch.nn.Module:
            model = timm.create_model(
                "vit_base_patch16_224",
                pretrained=False,
                num_classes=num_classes,
            )
            return model.to(memory_format=torch.channels_last)
        """,
    ),
    Invalid(
        """
        import argparse

        import torch
        import torchvision


        def main(args):
            train_set = torchvision.datasets.CIFAR10(args.data, train=True, download=True)
            model = torchvision.models.efficientnet_b0(pretrained=args.pretrained, progress=False)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            for epoch in range(args.epochs):
                for images, labels in torch.utils.data.DataLoader(train_set, batch_size=64):
                    loss = torch.nn.functional.cross_entropy(model(images), labels)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        at=[(9, 13)],
        fixed="""
        import argparse

        import torch
        import torchvision
        import timm


        def main(args):
            train_set = torchvision.datasets.CIFAR10(args.data, train=True, download=True)
            model = timm.create_model("efficientnet_b0", pretrained=args.pretrained)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            for epoch in range(args.epochs):
                for images, labels in torch.utils.data.DataLoader(train_set, batch_size=64):
                    loss = torch.nn.functional.cross_entropy(model(images), labels)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
    ),
    Invalid(
        """
        import lightning as L
        from torch import nn
        from torchvision.models.resnet import resnet34


        class Classifier(L.LightningModule):
            def __init__(self, num_classes: int = 10):
                super().__init__()
                self.encoder = resnet34(num_classes=num_classes, weights=None)
                self.loss = nn.CrossEntropyLoss()

            def forward(self, x):
                return self.encoder(x)
        """,
        at=[(9, 24)],
        fixed="""
        import lightning as L
        from torch import nn
        import timm


        class Classifier(L.LightningModule):
            def __init__(self, num_classes: int = 10):
                super().__init__()
                self.encoder = timm.create_model("resnet34", pretrained=False, num_classes=num_classes)
                self.loss = nn.CrossEntropyLoss()

            def forward(self, x):
                return self.encoder(x)
        """,
    ),
    Invalid(
        """
        from torch import nn
        from torchvision import models

        BACKBONES = {
            "convnext": lambda: models.convnext_tiny(weights=models.ConvNeXt_Tiny_Weights.IMAGENET1K_V1),
            "swin": lambda: models.swin_t(weights="IMAGENET1K_V1"),
        }
        tiny = models.squeezenet1_1(weights="DEFAULT")
        finetuned = models.resnet18(weights="DEFAULT")
        finetuned.fc = nn.Linear(finetuned.fc.in_features, 37)
        """,
        at=[(5, 25), (6, 21), (8, 8), (9, 13)],
        fixed="""
        from torch import nn
        from torchvision import models
        import timm

        BACKBONES = {
            "convnext": lambda: timm.create_model("convnext_tiny", pretrained=True),
            "swin": lambda: timm.create_model("swin_tiny_patch4_window7_224", pretrained=True),
        }
        tiny = models.squeezenet1_1(weights="DEFAULT")
        finetuned = models.resnet18(weights="DEFAULT")
        finetuned.fc = nn.Linear(finetuned.fc.in_features, 37)
        """,
    ),
    Valid(
        """
        import torchvision
        from torchvision.models.detection import fasterrcnn_resnet50_fpn
        from torchvision.models.segmentation import deeplabv3_resnet50

        detector = fasterrcnn_resnet50_fpn(weights="DEFAULT")
        segmenter = deeplabv3_resnet50(weights="DEFAULT", num_classes=21)
        masks = torchvision.models.detection.maskrcnn_resnet50_fpn_v2(weights="DEFAULT")
        quantized = torchvision.models.quantization.resnet50(weights="DEFAULT", quantize=True)
        clip_model = torchvision.models.video.r3d_18(weights="DEFAULT")
        """,
        why="detection, segmentation, quantized and video models have no timm equivalent",
    ),
    Valid(
        """
        import torchvision.models as models

        model_names = sorted(name for name in models.__dict__ if name.islower() and not name.startswith("__"))


        def create(args):
            if args.pretrained:
                return models.__dict__[args.arch](pretrained=True)
            return getattr(models, args.arch)()
        """,
        why="dynamic lookups of the architecture",
    ),
    Valid(
        """
        import torch.nn as nn
        from torchvision import models


        class PerceptualLoss(nn.Module):
            def __init__(self):
                super().__init__()
                self.vgg = models.vgg16(weights=models.VGG16_Weights.DEFAULT).features[:16].eval()
                backbone = models.vgg19(pretrained=True)
                self.deep = backbone.features[:36]
                for p in self.parameters():
                    p.requires_grad_(False)
        """,
        why="torchvision models used only as frozen feature extractors (.features)",
    ),
    # A model cut into a feature extractor by hand: timm's num_classes=0 / features_only=True is the
    # drop-in (RULES.md, "Added after scoring on real code").
    Invalid(
        """
        import torch.nn as nn
        import torchvision
        from torchvision.models.feature_extraction import create_feature_extractor


        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                resnet = torchvision.models.resnet50(weights="DEFAULT")
                self.body = nn.Sequential(*list(resnet.children())[:-2])
                self.fpn_body = create_feature_extractor(
                    torchvision.models.resnet18(weights="DEFAULT"), return_nodes={"layer4": "out"}
                )
        """,
        at=[(9, 18), (12, 13)],
        message="num_classes=0",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn
        from torchvision import models


        class InceptionFeatures(nn.Module):
            \"\"\"Pool features for FID, as in the reference implementation.\"\"\"

            def __init__(self):
                super().__init__()
                self.net = models.inception_v3(weights="DEFAULT", aux_logits=True, transform_input=False)
                self.net.fc = nn.Identity()
                self.net.eval().requires_grad_(False)

            @torch.no_grad()
            def forward(self, images):
                return self.net(images)
        """,
        why="a backbone whose head is replaced by nn.Identity() to serve as a frozen feature extractor",
    ),
    Valid(
        """
        import timm
        import torch
        from mylab.zoo import resnet50

        model = timm.create_model("resnet50", pretrained=True, num_classes=10)
        teacher = resnet50(depth_multiplier=2)
        hub = torch.hub.load("pytorch/vision", "resnet50", weights="DEFAULT")
        """,
        why="timm itself, a resnet50 from another library, and torch.hub",
    ),
    # SimCLR / MoCo style encoders: the head replaced by nn.Identity() in the block that builds the
    # model is fixed to num_classes=0; children() cut by hand is reported without a fix.
    Invalid(
        """
        import torch.nn as nn
        import torchvision
        from torchvision import models


        def build_encoder(pretrained=True):
            model = models.resnet50(pretrained=pretrained)
            model.fc = nn.Identity()
            return model


        class SimCLR(nn.Module):
            def __init__(self, out_dim=128):
                super().__init__()
                resnet = models.resnet18(weights="DEFAULT")
                self.encoder = nn.Sequential(*list(resnet.children())[:-1])
                self.projector = nn.Linear(512, out_dim)


        class MoCoEncoder(nn.Module):
            def __init__(self, dim=128):
                super().__init__()
                self.backbone = torchvision.models.resnet50(weights=None)
                self.backbone.fc = nn.Identity()
                self.head = nn.Sequential(nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, dim))

            def forward(self, x):
                return self.head(self.backbone(x))


        def densenet_features():
            d = models.densenet121(weights=models.DenseNet121_Weights.DEFAULT)
            d.classifier = nn.Identity()
            return d
        """,
        at=[(7, 13), (15, 18), (23, 25), (32, 9)],
        message="num_classes=0",
        fixed="""
        import torch.nn as nn
        from torchvision import models
        import timm


        def build_encoder(pretrained=True):
            model = timm.create_model("resnet50", pretrained=pretrained, num_classes=0)
            return model


        class SimCLR(nn.Module):
            def __init__(self, out_dim=128):
                super().__init__()
                resnet = models.resnet18(weights="DEFAULT")
                self.encoder = nn.Sequential(*list(resnet.children())[:-1])
                self.projector = nn.Linear(512, out_dim)


        class MoCoEncoder(nn.Module):
            def __init__(self, dim=128):
                super().__init__()
                self.backbone = timm.create_model("resnet50", pretrained=False, num_classes=0)
                self.head = nn.Sequential(nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, dim))

            def forward(self, x):
                return self.head(self.backbone(x))


        def densenet_features():
            d = timm.create_model("densenet121", pretrained=True, num_classes=0)
            return d
        """,
    ),
    # The PyTorch fine-tuning tutorial: the body is frozen only when asked, and a new head is
    # trained either way, so timm's create_model(num_classes=...) replaces it.
    Invalid(
        """
        import torch.nn as nn
        from torchvision import models


        def set_parameter_requires_grad(model, feature_extracting):
            if feature_extracting:
                for param in model.parameters():
                    param.requires_grad = False


        def initialize_model(num_classes, feature_extract, use_pretrained=True):
            model_ft = models.resnet18(pretrained=use_pretrained)
            set_parameter_requires_grad(model_ft, feature_extract)
            num_ftrs = model_ft.fc.in_features
            model_ft.fc = nn.Linear(num_ftrs, num_classes)
            return model_ft


        def frozen_body(num_classes):
            body = models.resnet34(weights="DEFAULT")
            for p in body.parameters():
                p.requires_grad = False
            body.fc = nn.Linear(512, num_classes)
            return body
        """,
        at=[(12, 16), (20, 12)],
        message='timm.create_model("resnet',
    ),
    Valid(
        """
        import torch
        import torch.nn as nn
        import torchvision


        class FeatureExtractor(nn.Module):
            \"\"\"Frozen ImageNet features for a retrieval index.\"\"\"

            def __init__(self):
                super().__init__()
                self.net = torchvision.models.resnet50(weights="DEFAULT")
                self.net.fc = nn.Identity()
                for p in self.net.parameters():
                    p.requires_grad = False

            @torch.no_grad()
            def forward(self, x):
                return self.net(x)


        def content_features():
            net = torchvision.models.resnet18(weights="DEFAULT")
            net.fc = nn.Identity()
            net.requires_grad_(False)
            return net.eval()


        def style_layers():
            vgg = torchvision.models.vgg19(weights="DEFAULT").eval()
            return vgg.features
        """,
        why="models frozen whole (a loop over parameters, requires_grad_(False)) or used through .features",
    ),
]
