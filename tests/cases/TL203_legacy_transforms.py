from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torchvision.transforms as T
        from torch.utils.data import DataLoader
        from torchvision.datasets import ImageFolder

        MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
        train_tf = T.Compose([
            T.RandomResizedCrop(224),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(MEAN, STD),
        ])
        loader = DataLoader(ImageFolder("data/train", transform=train_tf), batch_size=64, shuffle=True)
        """,
        at=[(1, 1)],
        message="torchvision.transforms.v2",
        fixed="""
        import torchvision.transforms.v2 as T
        from torch.utils.data import DataLoader
        from torchvision.datasets import ImageFolder
        import torch

        MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
        train_tf = T.Compose([
            T.RandomResizedCrop(224),
            T.RandomHorizontalFlip(),
            T.ToImage(),
            T.ToDtype(torch.float32, scale=True),
            T.Normalize(MEAN, STD),
        ])
        loader = DataLoader(ImageFolder("data/train", transform=train_tf), batch_size=64, shuffle=True)
        """,
    ),
    Invalid(
        """
        import torch
        from torchvision import datasets, transforms  # data


        def get_loaders(root, size):
            tf = transforms.Compose([
                transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
                transforms.CenterCrop(size),
                transforms.ToTensor(),
            ])
            train = datasets.CIFAR10(root, train=True, transform=tf)
            return torch.utils.data.DataLoader(train, batch_size=128)
        """,
        at=[(2, 1)],
        fixed="""
        import torch
        from torchvision import datasets  # data
        from torchvision.transforms import v2 as transforms


        def get_loaders(root, size):
            tf = transforms.Compose([
                transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
                transforms.CenterCrop(size),
                transforms.ToImage(),
                transforms.ToDtype(torch.float32, scale=True),
            ])
            train = datasets.CIFAR10(root, train=True, transform=tf)
            return torch.utils.data.DataLoader(train, batch_size=128)
        """,
    ),
    Invalid(
        """
        import random

        import torchvision.transforms.functional as TF
        from torchvision.transforms import Compose, InterpolationMode, Normalize, ToTensor


        class PairTransform:
            def __init__(self):
                self.to_tensor = Compose([ToTensor(), Normalize((0.5,), (0.5,))])

            def __call__(self, image, mask):
                if random.random() < 0.5:
                    image, mask = TF.hflip(image), TF.hflip(mask)
                angle = random.uniform(-10, 10)
                image = TF.rotate(image, angle, interpolation=InterpolationMode.BILINEAR)
                mask = TF.rotate(mask, angle, interpolation=InterpolationMode.NEAREST)
                return self.to_tensor(image), TF.pil_to_tensor(mask)
        """,
        at=[(3, 1), (4, 1)],
        fixed="""
        import random

        import torchvision.transforms.v2.functional as TF
        from torchvision.transforms.v2 import Compose, InterpolationMode, Normalize, ToImage, ToDtype
        import torch


        class PairTransform:
            def __init__(self):
                self.to_tensor = Compose([ToImage(), ToDtype(torch.float32, scale=True), Normalize((0.5,), (0.5,))])

            def __call__(self, image, mask):
                if random.random() < 0.5:
                    image, mask = TF.hflip(image), TF.hflip(mask)
                angle = random.uniform(-10, 10)
                image = TF.rotate(image, angle, interpolation=InterpolationMode.BILINEAR)
                mask = TF.rotate(mask, angle, interpolation=InterpolationMode.NEAREST)
                return self.to_tensor(image), TF.pil_to_tensor(mask)
        """,
    ),
    Invalid(
        """
        import torch
        import torchvision

        preprocess = torchvision.transforms.Compose(
            [torchvision.transforms.Resize(256), torchvision.transforms.CenterCrop(224)]
        )


        def show(batch):
            return [torchvision.transforms.functional.to_pil_image(img) for img in batch]
        """,
        at=[(4, 14), (5, 6), (5, 42), (10, 13)],
        fixed="""
        import torch
        import torchvision

        preprocess = torchvision.transforms.v2.Compose(
            [torchvision.transforms.v2.Resize(256), torchvision.transforms.v2.CenterCrop(224)]
        )


        def show(batch):
            return [torchvision.transforms.v2.functional.to_pil_image(img) for img in batch]
        """,
    ),
    Invalid(
        """
        import torchvision.transforms
        from torchvision.datasets import CIFAR10

        augment = torchvision.transforms.RandomCrop(32, padding=4)
        train_set = CIFAR10("data", train=True, download=True, transform=augment)
        """,
        at=[(1, 1), (4, 11)],
        fixed="""
        import torchvision.transforms.v2
        from torchvision.datasets import CIFAR10

        augment = torchvision.transforms.v2.RandomCrop(32, padding=4)
        train_set = CIFAR10("data", train=True, download=True, transform=augment)
        """,
    ),
    Invalid(
        """
        import torchvision.transforms as T
        import torchvision.transforms.functional as F
        from torchvision.transforms import *

        resize = T.Scale(256)
        AUGMENTATIONS = {name: getattr(T, name) for name in ("RandomCrop", "ColorJitter")}


        def size_of(img):
            return F._get_image_size(img)
        """,
        at=[(1, 1), (2, 1), (3, 1)],
        message="instead of the legacy torchvision.transforms",
    ),
    Valid(
        """
        import torch
        import torchvision.transforms.v2 as T
        from torchvision.transforms import v2
        from torchvision.transforms.v2 import functional as F

        train_tf = T.Compose([T.RandomResizedCrop(224), T.ToImage(), T.ToDtype(torch.float32, scale=True)])
        eval_tf = v2.Compose([v2.Resize(256), v2.CenterCrop(224)])
        flipped = F.horizontal_flip(torch.zeros(3, 8, 8))
        """,
        why="torchvision.transforms.v2 in all its import forms",
    ),
    Valid(
        """
        from torchvision.transforms import InterpolationMode, v2

        resize = v2.Resize(256, interpolation=InterpolationMode.BICUBIC, antialias=True)
        """,
        why="the InterpolationMode enum that v1 and v2 share",
    ),
    Valid(
        """
        import torchvision
        from torchvision import transforms

        train_set = torchvision.datasets.MNIST("data", download=True)
        tf = torchvision.transforms.v2.Compose([transforms.v2.ToImage(), transforms.v2.Grayscale()])
        """,
        why="v2 reached through the full dotted path or through the package module",
    ),
    Valid(
        """
        import albumentations as A
        from monai import transforms
        from torchvision.datasets import ImageFolder

        train_tf = A.Compose([A.HorizontalFlip(p=0.5), A.RandomBrightnessContrast()])
        volume_tf = transforms.Compose([transforms.LoadImaged(keys=["image"])])
        dataset = ImageFolder("data/train")
        """,
        why="transforms from other libraries",
    ),
    # `v2.ToTensor` is deprecated too (TorchFix TOR202): each call is replaced in its place, inside
    # the list of transforms where it is one, else by a two-step Compose.
    Invalid(
        """
        import torchvision.transforms.v2 as T
        from torchvision.transforms import v2
        from torchvision.transforms.v2 import Compose, Normalize, ToTensor

        train_tf = v2.Compose([
            v2.RandomResizedCrop(224, antialias=True),
            v2.ToTensor(),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ])
        eval_tf = T.Compose((T.Resize(256), T.CenterCrop(224), T.ToTensor()))
        to_tensor = v2.ToTensor()
        mask_tf = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
        """,
        at=[(7, 5), (10, 56), (11, 13), (12, 20)],
        message="v2.ToImage(), v2.ToDtype(torch.float32, scale=True)",
        fixed="""
        import torchvision.transforms.v2 as T
        from torchvision.transforms import v2
        from torchvision.transforms.v2 import Compose, Normalize, ToImage, ToDtype
        import torch

        train_tf = v2.Compose([
            v2.RandomResizedCrop(224, antialias=True),
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ])
        eval_tf = T.Compose((T.Resize(256), T.CenterCrop(224), T.Compose([T.ToImage(), T.ToDtype(torch.float32, scale=True)])))
        to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
        mask_tf = Compose([ToImage(), ToDtype(torch.float32, scale=True), Normalize((0.5,), (0.5,))])
        """,
    ),
    Valid(
        """
        import albumentations as A
        import torch
        from albumentations.pytorch import ToTensorV2
        from torchvision.transforms import v2


        class ToTensor:
            \"\"\"Our own HWC uint8 -> CHW float conversion.\"\"\"

            def __call__(self, image):
                return torch.from_numpy(image).permute(2, 0, 1).float() / 255


        train_tf = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
        album_tf = A.Compose([A.HorizontalFlip(p=0.5), ToTensorV2()])
        own_tf = v2.Compose([ToTensor()])
        """,
        why="v2's replacement itself, albumentations' ToTensorV2 and a class of the module named ToTensor",
    ),
]
