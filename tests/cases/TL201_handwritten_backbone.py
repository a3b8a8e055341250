from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class BasicBlock(nn.Module):
            expansion = 1

            def __init__(self, in_planes, planes, stride=1):
                super().__init__()
                self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
                self.shortcut = nn.Sequential()
                if stride != 1 or in_planes != planes:
                    self.shortcut = nn.Sequential(
                        nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                        nn.BatchNorm2d(planes),
                    )

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                out += self.shortcut(x)
                return F.relu(out)


        class ResNet(nn.Module):
            def __init__(self, block, num_blocks, num_classes=10):
                super().__init__()
                self.in_planes = 64
                self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(64)
                self.layer1 = self._make_layer(block, 64, num_blocks[0], stride=1)
                self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
                self.layer3 = self._make_layer(block, 256, num_blocks[2], stride=2)
                self.layer4 = self._make_layer(block, 512, num_blocks[3], stride=2)
                self.linear = nn.Linear(512 * block.expansion, num_classes)

            def _make_layer(self, block, planes, num_blocks, stride):
                layers = []
                for s in [stride] + [1] * (num_blocks - 1):
                    layers.append(block(self.in_planes, planes, s))
                    self.in_planes = planes * block.expansion
                return nn.Sequential(*layers)

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
                out = F.adaptive_avg_pool2d(out, 1).flatten(1)
                return self.linear(out)


        device = "cuda" if torch.cuda.is_available() else "cpu"
        net = ResNet(BasicBlock, [2, 2, 2, 2]).to(device)
        """,
        at=[(6, 7), (29, 7)],
        message="resnet18",
        action="""
        import torch
        import timm


        device = "cuda" if torch.cuda.is_available() else "cpu"
        # timm's "resnet18" replaces the hand-written ResNet; pretrained=True loads ImageNet weights.
        net = timm.create_model("resnet18", pretrained=False, num_classes=10).to(device)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class PatchEmbed(nn.Module):
            def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768):
                super().__init__()
                self.num_patches = (img_size // patch_size) ** 2
                self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

            def forward(self, x):
                return self.proj(x).flatten(2).transpose(1, 2)


        class VisionTransformer(nn.Module):
            def __init__(self, img_size=224, patch_size=16, in_chans=3, num_classes=1000,
                         embed_dim=768, depth=12, num_heads=12):
                super().__init__()
                self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
                self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
                self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, embed_dim))
                layer = nn.TransformerEncoderLayer(embed_dim, num_heads, 4 * embed_dim, batch_first=True, norm_first=True)
                self.blocks = nn.TransformerEncoder(layer, depth)
                self.norm = nn.LayerNorm(embed_dim)
                self.head = nn.Linear(embed_dim, num_classes)

            def forward(self, x):
                x = self.patch_embed(x)
                x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
                return self.head(self.norm(self.blocks(x))[:, 0])


        def build_model(cfg):
            model = VisionTransformer(
                patch_size=16,
                embed_dim=384,
                depth=12,
                num_heads=6,
                num_classes=cfg.num_classes,
            )
            return model
        """,
        at=[(5, 7), (15, 7)],
        message="vit_small_patch16_224",
        action="""
        import timm


        def build_model(cfg):
            # timm's "vit_small_patch16_224" replaces the hand-written VisionTransformer; pretrained=True loads ImageNet weights.
            model = timm.create_model("vit_small_patch16_224", pretrained=False, num_classes=cfg.num_classes)
            return model
        """,
    ),
    Invalid(
        """
        import torch.nn as nn

        CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


        class VGG16(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                layers, in_channels = [], 3
                for v in CFG:
                    if v == "M":
                        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                    else:
                        layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                        in_channels = v
                self.features = nn.Sequential(*layers)
                self.classifier = nn.Linear(512, num_classes)

            def forward(self, x):
                return self.classifier(self.features(x).flatten(1))
        """,
        at=[(6, 7)],
        message="vgg16",
    ),
    Invalid(
        """
        from torch import nn


        def conv1x1(in_planes, out_planes, stride=1):
            return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


        def conv3x3(in_planes, out_planes, stride=1):
            return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


        class Bottleneck(nn.Module):
            expansion = 4

            def __init__(self, inplanes, planes, stride=1, downsample=None, norm_layer=None):
                super().__init__()
                if norm_layer is None:
                    norm_layer = nn.BatchNorm2d
                self.conv1 = conv1x1(inplanes, planes)
                self.bn1 = norm_layer(planes)
                self.conv2 = conv3x3(planes, planes, stride)
                self.bn2 = norm_layer(planes)
                self.conv3 = conv1x1(planes, planes * self.expansion)
                self.bn3 = norm_layer(planes * self.expansion)
                self.relu = nn.ReLU(inplace=True)
                self.downsample = downsample

            def forward(self, x):
                identity = x
                out = self.relu(self.bn1(self.conv1(x)))
                out = self.relu(self.bn2(self.conv2(out)))
                out = self.bn3(self.conv3(out))
                if self.downsample is not None:
                    identity = self.downsample(x)
                out += identity
                return self.relu(out)
        """,
        at=[(12, 7)],
        message="resnet50",
    ),
    Invalid(
        """
        import torch.nn as nn
        import torch.nn.functional as F


        class ResBlock(nn.Module):
            def __init__(self, cin, cout, stride=1):
                super().__init__()
                self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
                self.b1 = nn.BatchNorm2d(cout)
                self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
                self.b2 = nn.BatchNorm2d(cout)
                self.skip = nn.Identity() if stride == 1 and cin == cout else nn.Conv2d(cin, cout, 1, stride)

            def forward(self, x):
                return F.relu(self.b2(self.c2(F.relu(self.b1(self.c1(x))))) + self.skip(x))


        class CifarNet(nn.Module):
            def __init__(self, depths, width=64, n_classes=100):
                super().__init__()
                self.stem = nn.Conv2d(3, width, 3, 1, 1)
                self.stage1 = self._make_layer(width, width, depths[0], 1)
                self.stage2 = self._make_layer(width, 2 * width, depths[1], 2)
                self.stage3 = self._make_layer(2 * width, 4 * width, depths[2], 2)
                self.fc = nn.Linear(4 * width, n_classes)

            def _make_layer(self, cin, cout, n, stride):
                return nn.Sequential(ResBlock(cin, cout, stride), *[ResBlock(cout, cout) for _ in range(n - 1)])

            def forward(self, x):
                x = self.stage3(self.stage2(self.stage1(self.stem(x))))
                return self.fc(x.mean((2, 3)))


        if __name__ == "__main__":
            model = CifarNet([3, 3, 3])
        """,
        at=[(18, 7)],
        action="""
        import timm


        if __name__ == "__main__":
            # "resnet50" stands in for the hand-written CifarNet: pick the variant that matches it from timm.list_models("resnet*").
            model = timm.create_model("resnet50", pretrained=False, num_classes=100)
        """,
    ),
    Invalid(
        """
        import lightning as L
        import torch
        from torch import nn


        class MobileNetV2(nn.Module):
            def __init__(self, num_classes=1000, in_channels=3, width_mult=1.0):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(in_channels, int(32 * width_mult), 3, 2, 1, bias=False),
                    nn.BatchNorm2d(int(32 * width_mult)),
                    nn.ReLU6(inplace=True),
                )
                self.classifier = nn.Linear(int(32 * width_mult), num_classes)

            def forward(self, x):
                return self.classifier(self.features(x).mean((2, 3)))


        class ChestXray(L.LightningModule):
            def __init__(self, cfg):
                super().__init__()
                self.backbone: nn.Module = MobileNetV2(num_classes=cfg.num_classes, in_channels=1)

            def training_step(self, batch, batch_idx):
                x, y = batch
                return nn.functional.cross_entropy(self.backbone(x), y)
        """,
        at=[(6, 7)],
        action="""
        import lightning as L
        import torch
        from torch import nn
        import timm


        class ChestXray(L.LightningModule):
            def __init__(self, cfg):
                super().__init__()
                # timm's "mobilenetv2_100" replaces the hand-written MobileNetV2; pretrained=True loads ImageNet weights.
                self.backbone: nn.Module = timm.create_model("mobilenetv2_100", pretrained=False, num_classes=cfg.num_classes, in_chans=1)

            def training_step(self, batch, batch_idx):
                x, y = batch
                return nn.functional.cross_entropy(self.backbone(x), y)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn
        from timm.models.layers import DropPath, trunc_normal_


        class Block(nn.Module):
            def __init__(self, dim, drop_path=0.0):
                super().__init__()
                self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
                self.norm = nn.LayerNorm(dim, eps=1e-6)
                self.pwconv = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
                self.drop_path = DropPath(drop_path) if drop_path > 0.0 else nn.Identity()

            def forward(self, x):
                y = self.norm(self.dwconv(x).permute(0, 2, 3, 1))
                return x + self.drop_path(self.pwconv(y).permute(0, 3, 1, 2))


        class ConvNeXt(nn.Module):
            def __init__(self, in_chans=3, num_classes=1000, depths=(3, 3, 9, 3), dims=(96, 192, 384, 768)):
                super().__init__()
                self.stem = nn.Conv2d(in_chans, dims[0], kernel_size=4, stride=4)
                self.stages = nn.ModuleList(nn.Sequential(*[Block(d) for _ in range(n)]) for n, d in zip(depths, dims))
                self.head = nn.Linear(dims[-1], num_classes)
                self.apply(lambda m: trunc_normal_(m.weight, std=0.02) if isinstance(m, nn.Linear) else None)


        def convnext_tiny(pretrained=False, **kwargs):
            return ConvNeXt(depths=[3, 3, 9, 3], dims=[96, 192, 384, 768], **kwargs)
        """,
        at=[(19, 7)],
        action="""
        import torch
        import timm


        def convnext_tiny(pretrained=False, **kwargs):
            # "convnext_tiny" stands in for the hand-written ConvNeXt: pick the variant that matches it from timm.list_models("convnext*").
            return timm.create_model("convnext_tiny", pretrained=False)
        """,
    ),
    Valid(
        """
        import timm
        import torch.nn as nn


        class ResNet(nn.Module):
            def __init__(self, num_classes, pretrained=True):
                super().__init__()
                self.body = timm.create_model("resnet50", pretrained=pretrained, num_classes=0)
                self.head = nn.Linear(self.body.num_features, num_classes)

            def forward(self, x):
                return self.head(self.body(x))
        """,
        why="a class that wraps a model built with timm.create_model",
    ),
    Valid(
        """
        import torch.nn as nn
        import torchvision


        class ResNet50(nn.Module):
            def __init__(self, num_classes):
                super().__init__()
                backbone = torchvision.models.resnet50(weights="DEFAULT")
                backbone.fc = nn.Linear(backbone.fc.in_features, num_classes)
                self.net = backbone

            def forward(self, x):
                return self.net(x)
        """,
        why="a class that wraps a torchvision.models constructor",
    ),
    Valid(
        """
        from timm.models.vision_transformer import VisionTransformer
        from torchvision.models.resnet import ResNet, Bottleneck


        class ViT(VisionTransformer):
            def forward_head(self, x, pre_logits=False):
                return super().forward_head(x, pre_logits=True)


        class ResNet50(ResNet):
            def __init__(self, **kwargs):
                super().__init__(Bottleneck, [3, 4, 6, 3], **kwargs)
        """,
        why="classes that subclass a timm or torchvision model",
    ),
    Valid(
        """
        # torchlint: disable-file=TL201
        import torch.nn as nn


        class ResNet(nn.Module):
            \"\"\"Our ResNet with learned skip gates (new architecture).\"\"\"

            def __init__(self, depth, num_classes):
                super().__init__()
                self.stem = nn.Conv2d(3, 64, 7, 2, 3)
                self.gates = nn.Parameter(nn.init.zeros_(nn.Linear(depth, 1).weight))
                self.fc = nn.Linear(64, num_classes)


        model = ResNet(depth=20, num_classes=10)
        """,
        why="a module marked as a new architecture with a suppression comment",
    ),
    Valid(
        """
        import torch.nn as nn
        import torch.nn.functional as F


        class ResnetBlock(nn.Module):
            def __init__(self, in_channels, out_channels, temb_channels=512):
                super().__init__()
                self.norm1 = nn.GroupNorm(32, in_channels)
                self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
                self.temb_proj = nn.Linear(temb_channels, out_channels)
                self.norm2 = nn.GroupNorm(32, out_channels)
                self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)

            def forward(self, x, temb):
                h = self.conv1(F.silu(self.norm1(x)))
                h = h + self.temb_proj(F.silu(temb))[:, :, None, None]
                return x + self.conv2(F.silu(self.norm2(h)))
        """,
        why="a diffusion UNet block: not a standard backbone name, no batch-norm ResNet block",
    ),
    Valid(
        """
        import torch.nn as nn


        class Bottleneck(nn.Module):
            def __init__(self, dim, latent_dim):
                super().__init__()
                self.down = nn.Linear(dim, latent_dim)
                self.up = nn.Linear(latent_dim, dim)

            def forward(self, x):
                return x + self.up(self.down(x).relu())


        class VGGPerceptualLoss(nn.Module):
            def __init__(self, layers):
                super().__init__()
                self.layers = nn.ModuleList(layers)
        """,
        why="a linear autoencoder bottleneck and a loss named after VGG are not backbones",
    ),
    Valid(
        """
        from dataclasses import dataclass

        import torch


        @dataclass
        class ResNet:
            depth: int = 50
            width: int = 64


        class ResNetEncoder(torch.nn.Module):
            def __init__(self, cfg: ResNet):
                super().__init__()
                self.conv = torch.nn.Conv2d(3, cfg.width, 3)
        """,
        why="a config class named ResNet (no nn.Module) and a name that only contains a family name",
    ),
    # A class whose nn.Module base is defined further down (here, built inside a factory function).
    Invalid(
        """
        import torch.nn as nn


        def build_model(num_classes):
            class ResNet18(Backbone):
                def __init__(self, num_classes):
                    super().__init__()
                    self.stem = nn.Conv2d(3, 64, 7, 2, 3)
                    self.fc = nn.Linear(64, num_classes)

            return ResNet18(num_classes=num_classes)


        class Backbone(nn.Module):
            def forward(self, x):
                return self.fc(self.stem(x).mean((2, 3)))
        """,
        at=[(5, 11)],
        message="resnet18",
        action="""
        import timm


        def build_model(num_classes):
            # timm's "resnet18" replaces the hand-written ResNet18; pretrained=True loads ImageNet weights.
            return timm.create_model("resnet18", pretrained=False, num_classes=num_classes)
        """,
    ),
    # kuangliu/pytorch-cifar: both blocks, the ResNet and its factories; every block is a finding,
    # and the action rewrites both factories and deletes all three classes.
    Invalid(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class BasicBlock(nn.Module):
            expansion = 1

            def __init__(self, in_planes, planes, stride=1):
                super(BasicBlock, self).__init__()
                self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
                self.shortcut = nn.Sequential()
                if stride != 1 or in_planes != self.expansion * planes:
                    self.shortcut = nn.Sequential(
                        nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                        nn.BatchNorm2d(self.expansion * planes),
                    )

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                out += self.shortcut(x)
                return F.relu(out)


        class Bottleneck(nn.Module):
            expansion = 4

            def __init__(self, in_planes, planes, stride=1):
                super(Bottleneck, self).__init__()
                self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
                self.conv3 = nn.Conv2d(planes, self.expansion * planes, kernel_size=1, bias=False)
                self.bn3 = nn.BatchNorm2d(self.expansion * planes)
                self.shortcut = nn.Sequential()

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = F.relu(self.bn2(self.conv2(out)))
                out = self.bn3(self.conv3(out))
                out += self.shortcut(x)
                return F.relu(out)


        class ResNet(nn.Module):
            def __init__(self, block, num_blocks, num_classes=10):
                super(ResNet, self).__init__()
                self.in_planes = 64
                self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(64)
                self.layer1 = self._make_layer(block, 64, num_blocks[0], stride=1)
                self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
                self.layer3 = self._make_layer(block, 256, num_blocks[2], stride=2)
                self.linear = nn.Linear(256 * block.expansion, num_classes)

            def _make_layer(self, block, planes, num_blocks, stride):
                layers = []
                for stride in [stride] + [1] * (num_blocks - 1):
                    layers.append(block(self.in_planes, planes, stride))
                    self.in_planes = planes * block.expansion
                return nn.Sequential(*layers)

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.layer3(self.layer2(self.layer1(out)))
                out = F.avg_pool2d(out, 8)
                return self.linear(out.view(out.size(0), -1))


        def ResNet18():
            return ResNet(BasicBlock, [2, 2, 2, 2])


        def ResNet50():
            return ResNet(Bottleneck, [3, 4, 6, 3])


        def test():
            net = ResNet18()
            y = net(torch.randn(1, 3, 32, 32))
            print(y.size())
        """,
        at=[(6, 7), (29, 7), (50, 7)],
        action="""
        import torch
        import timm


        def ResNet18():
            # timm's "resnet18" replaces the hand-written ResNet; pretrained=True loads ImageNet weights.
            return timm.create_model("resnet18", pretrained=False, num_classes=10)


        def ResNet50():
            # timm's "resnet50" replaces the hand-written ResNet; pretrained=True loads ImageNet weights.
            return timm.create_model("resnet50", pretrained=False, num_classes=10)


        def test():
            net = ResNet18()
            y = net(torch.randn(1, 3, 32, 32))
            print(y.size())
        """,
    ),
    # A library module (torchvision's layout): every class is reported, and no action is offered
    # because `__all__` exports the classes to other modules.
    Invalid(
        """
        import torch.nn as nn

        __all__ = ["ResNet", "resnet18", "resnet34"]


        def conv3x3(in_planes, out_planes, stride=1):
            return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


        class BasicBlock(nn.Module):
            expansion = 1

            def __init__(self, inplanes, planes, stride=1, downsample=None):
                super(BasicBlock, self).__init__()
                self.conv1 = conv3x3(inplanes, planes, stride)
                self.bn1 = nn.BatchNorm2d(planes)
                self.relu = nn.ReLU(inplace=True)
                self.conv2 = conv3x3(planes, planes)
                self.bn2 = nn.BatchNorm2d(planes)
                self.downsample = downsample

            def forward(self, x):
                residual = x
                out = self.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                if self.downsample is not None:
                    residual = self.downsample(x)
                out += residual
                return self.relu(out)


        class ResNet(nn.Module):
            def __init__(self, block, layers, num_classes=1000):
                self.inplanes = 64
                super(ResNet, self).__init__()
                self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
                self.bn1 = nn.BatchNorm2d(64)
                self.layer1 = self._make_layer(block, 64, layers[0])
                self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
                self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
                self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
                self.fc = nn.Linear(512 * block.expansion, num_classes)


        def resnet18(**kwargs):
            return ResNet(BasicBlock, [2, 2, 2, 2], **kwargs)


        def resnet34(**kwargs):
            return ResNet(BasicBlock, [3, 4, 6, 3], **kwargs)
        """,
        at=[(10, 7), (32, 7)],
        message="resnet18",
    ),
    # kuangliu's VGG: the configuration table goes with the class it configures.
    Invalid(
        """
        import torch.nn as nn

        cfg = {
            "VGG11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
            "VGG16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
        }


        class VGG(nn.Module):
            def __init__(self, vgg_name):
                super(VGG, self).__init__()
                self.features = self._make_layers(cfg[vgg_name])
                self.classifier = nn.Linear(512, 10)

            def forward(self, x):
                out = self.features(x)
                return self.classifier(out.view(out.size(0), -1))

            def _make_layers(self, cfg):
                layers, in_channels = [], 3
                for x in cfg:
                    if x == "M":
                        layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                    else:
                        layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=1), nn.BatchNorm2d(x), nn.ReLU(inplace=True)]
                        in_channels = x
                return nn.Sequential(*layers)


        net = VGG("VGG16")
        """,
        at=[(9, 7)],
        action="""
        import timm


        # timm's "vgg16" replaces the hand-written VGG; pretrained=True loads ImageNet weights.
        net = timm.create_model("vgg16", pretrained=False)
        """,
    ),
    # A block the module still uses after the action (an init loop checks for it) is kept with
    # its finding; the backbone's action deletes only what nothing else needs.
    Invalid(
        """
        import torch.nn as nn


        class Bottleneck(nn.Module):
            def __init__(self, cin, mid, stride=1):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, mid, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(mid)
                self.conv2 = nn.Conv2d(mid, cin, 3, stride, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(cin)

            def forward(self, x):
                return x + self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))


        class ResNet50(nn.Module):
            def __init__(self, num_classes=1000):
                super().__init__()
                self.stem = nn.Conv2d(3, 64, 7, 2, 3)
                self.body = nn.Sequential(*[Bottleneck(64, 16) for _ in range(16)])
                self.fc = nn.Linear(64, num_classes)


        def zero_init(model):
            for m in model.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn2.weight)


        model = ResNet50(num_classes=200)
        zero_init(model)
        """,
        at=[(4, 7), (16, 7)],
        action="""
        import torch.nn as nn
        import timm


        class Bottleneck(nn.Module):
            def __init__(self, cin, mid, stride=1):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, mid, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(mid)
                self.conv2 = nn.Conv2d(mid, cin, 3, stride, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(cin)

            def forward(self, x):
                return x + self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))


        def zero_init(model):
            for m in model.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn2.weight)


        # timm's "resnet50" replaces the hand-written ResNet50; pretrained=True loads ImageNet weights.
        model = timm.create_model("resnet50", pretrained=False, num_classes=200)
        zero_init(model)
        """,
    ),
    Valid(
        """
        import torch.nn as nn


        class BasicBlock(nn.Module):
            \"\"\"A 1-D residual block for ECG signals.\"\"\"

            def __init__(self, cin, cout, stride=1):
                super().__init__()
                self.conv1 = nn.Conv1d(cin, cout, 7, stride, 3, bias=False)
                self.bn1 = nn.BatchNorm1d(cout)
                self.conv2 = nn.Conv1d(cout, cout, 7, 1, 3, bias=False)
                self.bn2 = nn.BatchNorm1d(cout)
                self.shortcut = nn.Conv1d(cin, cout, 1, stride)

            def forward(self, x):
                out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
                return (out + self.shortcut(x)).relu()


        class ResNet1D(nn.Module):
            def __init__(self, num_classes):
                super().__init__()
                self.blocks = nn.Sequential(BasicBlock(1, 64, 2), BasicBlock(64, 128, 2))
                self.fc = nn.Linear(128, num_classes)
        """,
        why="a 1-D ResNet for signals: no 2-D convolutions, and ResNet1D is no image backbone",
    ),
    Valid(
        """
        # torchlint: disable-file=TL201
        import torch.nn as nn


        class PatchEmbed(nn.Module):
            def __init__(self, patch_size, dim):
                super().__init__()
                self.proj = nn.Conv2d(3, dim, patch_size, patch_size)


        class ViT(nn.Module):
            \"\"\"ViT with our shifted-patch tokenization (new architecture).\"\"\"

            def __init__(self, dim=192, num_classes=100):
                super().__init__()
                self.patch_embed = PatchEmbed(4, dim)
                self.head = nn.Linear(dim, num_classes)
        """,
        why="a module marked as a new architecture silences its building blocks too",
    ),
    Valid(
        """
        import timm
        import torch.nn as nn
        from torchvision.models.resnet import BasicBlock


        class Backbone(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = timm.create_model("resnet18", pretrained=True, features_only=True)
                self.extra = BasicBlock(512, 512)


        class Bottleneck(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.reduce = timm.create_model("resnet50", pretrained=True, num_classes=0)
                self.proj = nn.Linear(2048, dim)
        """,
        why="a block imported from torchvision, and a class that wraps a timm model",
    ),
    # weiaicunzai/pytorch-cifar100: `BottleNeck` spelled with a capital N, stage depths passed as
    # `num_block`; both factories map to their timm models.
    Invalid(
        """
        \"\"\"resnet in pytorch (weiaicunzai/pytorch-cifar100 style).\"\"\"

        import torch.nn as nn


        class BasicBlock(nn.Module):
            expansion = 1

            def __init__(self, in_channels, out_channels, stride=1):
                super().__init__()
                self.residual_function = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False),
                    nn.BatchNorm2d(out_channels),
                    nn.ReLU(inplace=True),
                    nn.Conv2d(out_channels, out_channels * BasicBlock.expansion, kernel_size=3, padding=1, bias=False),
                    nn.BatchNorm2d(out_channels * BasicBlock.expansion),
                )
                self.shortcut = nn.Sequential()

            def forward(self, x):
                return nn.ReLU(inplace=True)(self.residual_function(x) + self.shortcut(x))


        class BottleNeck(nn.Module):
            expansion = 4

            def __init__(self, in_channels, out_channels, stride=1):
                super().__init__()
                self.residual_function = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
                    nn.BatchNorm2d(out_channels),
                    nn.ReLU(inplace=True),
                    nn.Conv2d(out_channels, out_channels, stride=stride, kernel_size=3, padding=1, bias=False),
                    nn.BatchNorm2d(out_channels),
                    nn.ReLU(inplace=True),
                    nn.Conv2d(out_channels, out_channels * BottleNeck.expansion, kernel_size=1, bias=False),
                    nn.BatchNorm2d(out_channels * BottleNeck.expansion),
                )
                self.shortcut = nn.Sequential()

            def forward(self, x):
                return nn.ReLU(inplace=True)(self.residual_function(x) + self.shortcut(x))


        class ResNet(nn.Module):
            def __init__(self, block, num_block, num_classes=100):
                super().__init__()
                self.in_channels = 64
                self.conv1 = nn.Sequential(nn.Conv2d(3, 64, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
                self.conv2_x = self._make_layer(block, 64, num_block[0], 1)
                self.conv3_x = self._make_layer(block, 128, num_block[1], 2)
                self.conv4_x = self._make_layer(block, 256, num_block[2], 2)
                self.conv5_x = self._make_layer(block, 512, num_block[3], 2)
                self.avg_pool = nn.AdaptiveAvgPool2d((1, 1))
                self.fc = nn.Linear(512 * block.expansion, num_classes)

            def _make_layer(self, block, out_channels, num_blocks, stride):
                strides = [stride] + [1] * (num_blocks - 1)
                layers = []
                for stride in strides:
                    layers.append(block(self.in_channels, out_channels, stride))
                    self.in_channels = out_channels * block.expansion
                return nn.Sequential(*layers)

            def forward(self, x):
                output = self.conv1(x)
                output = self.conv5_x(self.conv4_x(self.conv3_x(self.conv2_x(output))))
                output = self.avg_pool(output)
                return self.fc(output.view(output.size(0), -1))


        def resnet18():
            return ResNet(BasicBlock, [2, 2, 2, 2])


        def resnet50():
            return ResNet(BottleNeck, [3, 4, 6, 3])
        """,
        at=[(6, 7), (24, 7), (45, 7)],
        action="""
        \"\"\"resnet in pytorch (weiaicunzai/pytorch-cifar100 style).\"\"\"
        import timm


        def resnet18():
            # timm's "resnet18" replaces the hand-written ResNet; pretrained=True loads ImageNet weights.
            return timm.create_model("resnet18", pretrained=False, num_classes=100)


        def resnet50():
            # timm's "resnet50" replaces the hand-written ResNet; pretrained=True loads ImageNet weights.
            return timm.create_model("resnet50", pretrained=False, num_classes=100)
        """,
    ),
]
