from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        from torchvision.models.detection import maskrcnn_resnet50_fpn

        model = maskrcnn_resnet50_fpn(pretrained_backbone=False)
        """,
        at=[(3, 9)],
        fixed="""
        from torchvision.models.detection import maskrcnn_resnet50_fpn

        model = maskrcnn_resnet50_fpn(weights_backbone=None)
        """,
    ),
    Invalid(
        """
        import torchvision

        model = torchvision.models.detection.fasterrcnn_resnet50_fpn(pretrained=True)
        """,
        at=[(3, 9)],
        message="weights=",
        fixed="""
        import torchvision

        model = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT")
        """,
    ),
    Invalid(
        """
        from torchvision.models.segmentation import deeplabv3_resnet50

        net = deeplabv3_resnet50(pretrained=False, pretrained_backbone=True, num_classes=21)
        """,
        at=[(3, 7)],
        fixed="""
        from torchvision.models.segmentation import deeplabv3_resnet50

        net = deeplabv3_resnet50(weights=None, weights_backbone="DEFAULT", num_classes=21)
        """,
    ),
    Invalid(
        """
        from torchvision import models

        backbone = models.resnet50(pretrained=False)
        """,
        at=[(3, 12)],
        fixed="""
        from torchvision import models

        backbone = models.resnet50(weights=None)
        """,
    ),
    Invalid(
        """
        import torchvision.models as tvm


        def build(args):
            return tvm.video.r3d_18(pretrained=args.pretrained)
        """,
        at=[(5, 12)],
        message="pretrained=",
    ),
    Invalid(
        """
        import torchvision

        model = torchvision.models.quantization.mobilenet_v3_large(
            pretrained=True,
            quantize=True,
        )
        """,
        at=[(3, 9)],
        fixed="""
        import torchvision

        model = torchvision.models.quantization.mobilenet_v3_large(
            weights="DEFAULT",
            quantize=True,
        )
        """,
    ),
    Valid(
        """
        import torchvision

        model = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT")
        backbone = torchvision.models.resnet50(weights=torchvision.models.ResNet50_Weights.IMAGENET1K_V2)
        """,
    ),
    Valid(
        """
        import timm

        model = timm.create_model("resnet50", pretrained=True)
        """,
    ),
    Valid(
        """
        from transformers import AutoModel

        model = AutoModel.from_pretrained("bert-base-uncased")
        encoder = build_encoder(pretrained=True)
        """,
        why="not a torchvision builder",
    ),
    Valid(
        """
        import torchvision

        pretrained = True
        model = torchvision.models.resnet50(weights="DEFAULT" if pretrained else None)
        """,
        why="pretrained is only a variable here",
    ),
    Valid(
        """
        import torch
        import torchvision

        model = torch.hub.load("pytorch/vision", "resnet50", pretrained=True)
        """,
    ),
]
